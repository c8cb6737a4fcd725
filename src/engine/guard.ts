import {EnvironmentError} from '../errors.js';
import {DockerEngine} from './docker-engine.js';
import {checkEngineKind, findEndpoint, type EngineChoice} from './endpoint.js';

export interface GuardOptions {
  /** Where to say what is happening (stderr for the CLI, the job log for the Action). */
  log: (line: string) => void;
  /** How long to wait for the engine to answer (a starting dind service). */
  waitMs?: number;
  /** The run's wait timeout, from which every engine request's deadline is derived. */
  timeoutMs?: number;
  /** --static-only: go on without an engine when it cannot be reached. */
  optional?: boolean;
  /** --engine: which engine when DOCKER_HOST is unset (auto: Docker's socket, else Podman's); docker/podman also insist on that kind. */
  engine?: EngineChoice;
}

/**
 * Runs `fn` with a DockerEngine whose containers are removed however the
 * process ends: normally (the gate's own `finally`), on SIGINT/SIGTERM (exit
 * 130/143), and on an error that escapes every promise (exit 4) — docker-modem
 * can emit such errors on sockets nobody listens to.
 *
 * The first signal starts the cleanup; the process exits only when it has
 * finished. Later signals (a CI cancel sends SIGINT then SIGTERM within
 * milliseconds, and an impatient user presses Ctrl-C twice) do not cut it
 * short: the handlers stay installed until the process exits, so Node's
 * default action (die at once) never runs while containers may remain. The
 * cleanup itself is bounded by the engine's request deadlines.
 */
export const withEngine = async <T>(o: GuardOptions, fn: (engine: DockerEngine | undefined) => Promise<T>): Promise<T> => {
  const choice = o.engine ?? 'auto';
  const engine = new DockerEngine({...(o.timeoutMs !== undefined && {timeoutMs: o.timeoutMs}), endpoint: findEndpoint(choice)});
  let exiting: Promise<never> | undefined;
  const exitAfterCleanup = (code: number, why: string): void => {
    if (exiting) {
      o.log(`portgate: ${why}: still removing its containers, exiting when that is done`);
      return;
    }
    o.log(`portgate: ${why}: removing its containers`);
    exiting = engine
      .cleanup()
      .catch((e: unknown) => o.log(`portgate: ${(e as Error).message}`))
      .then(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => exitAfterCleanup(signal === 'SIGINT' ? 130 : 143, signal);
  const onStray = (e: Error) => {
    if (!exiting) o.log(`portgate: internal error, please report it with this output:\n${e.stack ?? e.message}`);
    exitAfterCleanup(4, 'internal error');
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('uncaughtException', onStray);
  try {
    const reachable = await engine.ping(o.waitMs ?? 0).then(
      async () => {
        checkEngineKind(choice, await engine.describe());
        return true;
      },
      (e: unknown) => {
        if (!o.optional || !(e instanceof EnvironmentError)) throw e;
        o.log(`portgate: --static-only: ${e.message} Continuing without the engine.`);
        return false;
      }
    );
    return await fn(reachable ? engine : undefined);
  } finally {
    // A signal arrived: its cleanup decides the exit code, and later signals must still find the handlers.
    if (exiting) await exiting;
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('uncaughtException', onStray);
  }
};
