import {EnvironmentError} from '../errors.js';
import {DockerEngine} from './docker-engine.js';

export interface GuardOptions {
  /** Where to say what is happening (stderr for the CLI, the job log for the Action). */
  log: (line: string) => void;
  /** How long to wait for the engine to answer (a starting dind service). */
  waitMs?: number;
  /** The run's wait timeout, from which every engine request's deadline is derived. */
  timeoutMs?: number;
  /** --static-only: go on without an engine when it cannot be reached. */
  optional?: boolean;
}

/**
 * Runs `fn` with a DockerEngine whose containers are removed however the
 * process ends: normally (the gate's own `finally`), on SIGINT/SIGTERM (exit
 * 130/143), and on an error that escapes every promise (exit 4) — docker-modem
 * can emit such errors on sockets nobody listens to.
 */
export const withEngine = async <T>(o: GuardOptions, fn: (engine: DockerEngine | undefined) => Promise<T>): Promise<T> => {
  const engine = new DockerEngine({...(o.timeoutMs !== undefined && {timeoutMs: o.timeoutMs})});
  const exitAfterCleanup = (code: number) => {
    void engine
      .cleanup()
      .catch((e: unknown) => o.log(`portgate: ${(e as Error).message}`))
      .finally(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    o.log(`portgate: ${signal}: removing its containers`);
    exitAfterCleanup(signal === 'SIGINT' ? 130 : 143);
  };
  const onStray = (e: Error) => {
    o.log(`portgate: internal error, please report it with this output:\n${e.stack ?? e.message}`);
    exitAfterCleanup(4);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal).once('uncaughtException', onStray);
  try {
    const reachable = await engine.ping(o.waitMs ?? 0).then(
      () => true,
      (e: unknown) => {
        if (!o.optional || !(e instanceof EnvironmentError)) throw e;
        o.log(`portgate: --static-only: ${e.message} Continuing without the engine.`);
        return false;
      }
    );
    return await fn(reachable ? engine : undefined);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('uncaughtException', onStray);
  }
};
