import {EnvironmentError} from '../errors.js';
import {connect} from './connection.js';
import {DockerEngine, type Connection} from './docker-engine.js';
import {checkEngineKind, findEndpoint, type EngineChoice} from './endpoint.js';
import type {ImageFacts} from './types.js';

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
export const withEngine = async <T>(o: GuardOptions, fn: (engine: DockerEngine | undefined) => Promise<T>): Promise<T> =>
  withEngines(o, (_session, first) => fn(first));

/** Makes the engines of one process: one connection and one cache of image facts for all of them. */
export interface EngineSession {
  engine(timeoutMs?: number): DockerEngine;
  /** A signal arrived: start nothing new. */
  readonly stopping: boolean;
}

/**
 * withEngine for many runs at once (a fleet): every engine made from the
 * session shares its connection (to the one engine findEndpoint chose) and
 * image facts, and every one of them is cleaned up when a signal or a stray
 * error ends the process.
 */
export const withEngines = async <T>(o: GuardOptions, fn: (session: EngineSession | undefined, first: DockerEngine | undefined) => Promise<T>): Promise<T> => {
  const choice = o.engine ?? 'auto';
  const endpoint = findEndpoint(choice);
  let shared: Connection | undefined;
  const imageCache = new Map<string, ImageFacts>();
  const engines: DockerEngine[] = [];
  let exiting: Promise<never> | undefined;
  const session: EngineSession = {
    engine: timeoutMs => {
      const e = new DockerEngine({...(timeoutMs !== undefined && {timeoutMs}), endpoint, connect: (d, ep) => (shared ??= connect(d, ep)), imageCache});
      engines.push(e);
      // Made after a signal (a fleet's next service): closed at once, so it creates nothing the cleanup would miss.
      if (exiting) void e.cleanup().catch(() => undefined);
      return e;
    },
    get stopping() {
      return exiting !== undefined;
    }
  };
  const first = session.engine(o.timeoutMs);
  const exitAfterCleanup = (code: number, why: string): void => {
    if (exiting) {
      o.log(`portgate: ${why}: still removing its containers, exiting when that is done`);
      return;
    }
    o.log(`portgate: ${why}: removing its containers`);
    exiting = Promise.allSettled(engines.map(e => e.cleanup()))
      .then(rs => rs.forEach(r => r.status === 'rejected' && o.log(`portgate: ${(r.reason as Error).message}`)))
      .then(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => exitAfterCleanup(signal === 'SIGINT' ? 130 : 143, signal);
  const onStray = (e: Error) => {
    if (!exiting) o.log(`portgate: internal error, please report it with this output:\n${e.stack ?? e.message}`);
    exitAfterCleanup(4, 'internal error');
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('uncaughtException', onStray);
  try {
    const reachable = await first.ping(o.waitMs ?? 0).then(
      async () => {
        checkEngineKind(choice, await first.describe());
        return true;
      },
      (e: unknown) => {
        if (!o.optional || !(e instanceof EnvironmentError)) throw e;
        o.log(`portgate: --static-only: ${e.message} Continuing without the engine.`);
        return false;
      }
    );
    // The engine that answered the ping is the first run's; more come from the session.
    return await fn(reachable ? session : undefined, reachable ? first : undefined);
  } finally {
    // A signal arrived: its cleanup decides the exit code, and later signals must still find the handlers.
    if (exiting) await exiting;
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('uncaughtException', onStray);
  }
};
