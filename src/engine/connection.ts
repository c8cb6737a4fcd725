import {AsyncLocalStorage} from 'node:async_hooks';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {homedir} from 'node:os';
import {join} from 'node:path';
import type {Duplex} from 'node:stream';
import Docker from 'dockerode';
import {EnvironmentError} from '../errors.js';
import {findEndpoint, type Endpoint} from './endpoint.js';

/** The endpoint of the last connection made (a process talks to one engine): for messages. */
let current: Endpoint | undefined;

/** Where the engine is, as portgate found it (for messages). */
export const engineAddress = (): string => (current ?? findEndpoint()).address;

/** The engine did not answer a request in time, or cut its answer short. */
export class EngineUnresponsive extends EnvironmentError {}

export interface Deadlines {
  /** Any request: a quarter of the run's timeout, 5 to 8 s. */
  defaultMs: number;
  /** Creating and starting the run's network and containers, which a loaded engine is slow to do: half the timeout plus 5 s, 10 to 20 s. */
  startupMs: number;
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(v)));

/**
 * How long engine requests may take, from the run's timeout. A stall then
 * ends the run within the timeout plus 15 s wherever it happens: during the
 * wait and the cleanup only default deadlines apply, and start-up comes
 * before the wait's timeout is spent.
 */
export const requestDeadlines = (timeoutMs: number): Deadlines => ({defaultMs: clamp(timeoutMs / 4, 5_000, 8_000), startupMs: clamp(timeoutMs / 2 + 5_000, 10_000, 20_000)});

/** Once a request has timed out, later ones (the cleanup) get this long: the engine is known to be stuck. */
export const STALLED_DEADLINE_MS = 3_000;

const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

const GITLAB_TLS_HINT =
  'Under GitLab CI with the docker:dind service, the service writes these files to $DOCKER_TLS_CERTDIR/client when it starts (DOCKER_TLS_CERTDIR: "/certs"), ' +
  'and the job sees them only when /certs/client is a volume shared between the service and the job (volumes = ["/certs/client"] in the runner\'s config.toml); ' +
  'if the service is still starting, --engine-wait waits for them. Or turn TLS off on both sides: DOCKER_TLS_CERTDIR: "" for the service and DOCKER_HOST: tcp://docker:2375.';

/** docker-modem reads DOCKER_CERT_PATH for any DOCKER_HOST but a local socket or pipe. */
const isNetworkHost = (host: string | undefined): boolean => !!host && !/^(unix|npipe):\/\//.test(host);

/**
 * The TLS client files the engine connection needs, checked before
 * docker-modem reads them (it throws a bare ENOENT from its constructor).
 * As the docker CLI does: a tcp DOCKER_HOST with DOCKER_CERT_PATH reads
 * ca.pem, cert.pem and key.pem there; with DOCKER_TLS_VERIFY=1 and no
 * DOCKER_CERT_PATH, from ~/.docker. Returns the files' contents when
 * portgate must pass them itself (the ~/.docker default docker-modem lacks).
 */
export const tlsFiles = (env: NodeJS.ProcessEnv = process.env, home = homedir()): {ca: Buffer; cert: Buffer; key: Buffer} | undefined => {
  if (!isNetworkHost(env.DOCKER_HOST)) return undefined;
  const explicit = env.DOCKER_CERT_PATH;
  if (!explicit && env.DOCKER_TLS_VERIFY !== '1') return undefined;
  const dir = explicit || join(home, '.docker');
  const read: Partial<Record<(typeof TLS_FILES)[number], Buffer>> = {};
  const problems: string[] = [];
  for (const f of TLS_FILES) {
    try {
      read[f] = readFileSync(join(dir, f));
    } catch (e) {
      problems.push(`${join(dir, f)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (problems.length) {
    const why = explicit ? `DOCKER_CERT_PATH=${dir}` : `DOCKER_TLS_VERIFY=1 without DOCKER_CERT_PATH, so ${dir} as the docker CLI does`;
    throw new EnvironmentError(
      `cannot connect to the Docker engine at ${env.DOCKER_HOST} over TLS: the client certificate files are missing or unreadable: ${problems.join(', ')} ` +
        `(from ${why}). ${GITLAB_TLS_HINT}`
    );
  }
  return explicit ? undefined : {ca: read['ca.pem']!, cert: read['cert.pem']!, key: read['key.pem']!};
};

/** The request a new connection is opened for (see trackingAgent). */
const opening = new AsyncLocalStorage<{closed: () => void}>();

/** Set while the run's network and containers are created and started (EngineRequests.startup). */
const startingUp = new AsyncLocalStorage<true>();

/**
 * One connection per request (no keep-alive), each tied to the request that
 * opened it: when the engine closes the connection before its answer is
 * complete (a truncated body), docker-modem never calls back, and the
 * request would hang until the process ran out of work and exited 13.
 */
const trackingAgent = (protocol: string): http.Agent => {
  const track = (socket: Duplex | null | undefined): Duplex | null | undefined => {
    const request = opening.getStore();
    // A complete answer settles the request before its connection closes; give its callback a moment.
    if (request && socket) socket.once('close', () => setTimeout(request.closed, 25).unref());
    return socket;
  };
  if (protocol === 'https')
    return new (class extends https.Agent {
      override createConnection(options: https.RequestOptions, cb?: (err: Error | null, stream: Duplex) => void) {
        return track(super.createConnection(options, cb));
      }
    })({keepAlive: false});
  return new (class extends http.Agent {
    override createConnection(options: http.ClientRequestArgs, cb?: (err: Error | null, stream: Duplex) => void) {
      return track(super.createConnection(options, cb));
    }
  })({keepAlive: false});
};

type Dial = (options: {method?: string; path: string; isStream?: boolean; abortSignal?: AbortSignal}, callback: (err: unknown, data: unknown) => void) => void;

interface Pending {
  what: string;
  done: Promise<void>;
}

/**
 * Every request to the engine goes through here (docker-modem's `dial`, the
 * one entry point dockerode uses): each gets a deadline, answers cut short
 * become errors, and streams are remembered so that they can be closed.
 */
export class EngineRequests {
  private readonly pending = new Set<Pending>();
  private readonly streams = new Set<{destroy: () => void}>();
  /** A request timed out and none has succeeded since. */
  stalled = false;

  constructor(
    modem: {dial: Dial; protocol?: string; agent?: unknown},
    private readonly deadlines: Deadlines
  ) {
    if (modem.protocol !== 'ssh') modem.agent = trackingAgent(modem.protocol ?? 'http');
    const dial = modem.dial.bind(modem);
    modem.dial = (options, callback) => this.dial(dial, options, callback);
  }

  private dial(dial: Dial, options: Parameters<Dial>[0], callback: Parameters<Dial>[1]): void {
    const what = `${options.method ?? 'GET'} ${options.path.split('?')[0]}`;
    const ms = this.stalled ? STALLED_DEADLINE_MS : startingUp.getStore() ? this.deadlines.startupMs : this.deadlines.defaultMs;
    const abort = new AbortController();
    let resolveDone = () => {};
    const entry: Pending = {what, done: new Promise<void>(r => (resolveDone = r))};
    let settled = false;
    const finish = (err: unknown, data: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.pending.delete(entry);
      resolveDone();
      if (!err) {
        this.stalled = false;
        if (options.isStream && data && typeof (data as {destroy?: unknown}).destroy === 'function') this.trackStream(data as {destroy: () => void; once: (e: string, f: () => void) => void});
      }
      callback(err, data);
    };
    const fail = (e: EngineUnresponsive) => {
      finish(e, undefined);
      abort.abort(e);
    };
    const timer = setTimeout(() => {
      this.stalled = true;
      fail(new EngineUnresponsive(`the Docker engine (${engineAddress()}) did not answer ${what} within ${ms / 1000}s: it is unreachable, overloaded or stuck, or DOCKER_HOST points at something that is not a Docker engine.`));
    }, ms);
    this.pending.add(entry);
    options.abortSignal = abort.signal;
    const closed = () => fail(new EngineUnresponsive(`the Docker engine (${engineAddress()}) closed the connection before it finished answering ${what}: it crashed or restarted, or DOCKER_HOST points at something that is not a Docker engine.`));
    try {
      opening.run({closed}, () => dial(options, finish));
    } catch (e) {
      finish(e, undefined);
    }
  }

  private trackStream(s: {destroy: () => void; once: (e: string, f: () => void) => void}): void {
    this.streams.add(s);
    s.once('close', () => this.streams.delete(s));
  }

  /** Runs `fn` (a create or start of the run's network or containers) with the start-up deadline. */
  startup<T>(fn: () => Promise<T>): Promise<T> {
    return startingUp.run(true, fn);
  }

  /** Settles when every request in flight now has been answered or has failed (each is bounded by its deadline). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending].map(p => p.done));
  }

  /** Closes every response stream still open (logs, stats, exec output), so nothing keeps the process alive. */
  closeStreams(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }
}

/**
 * A dockerode client for the endpoint (DOCKER_HOST, else the socket
 * findEndpoint found) whose requests are bounded by
 * `deadlines`. Configuration problems (missing TLS files, a malformed
 * DOCKER_HOST) are environment errors, not crashes.
 */
export const connect = (deadlines: Deadlines, endpoint: Endpoint = findEndpoint()): {docker: Docker; requests: EngineRequests; endpoint: Endpoint} => {
  current = endpoint;
  // DOCKER_HOST: docker-modem reads it, and the TLS variables, itself.
  const tls = endpoint.fromEnv ? tlsFiles() : undefined;
  let docker: Docker;
  try {
    // timeout 0: docker-modem's own timeout (socket inactivity, 120 s by default when set) is replaced by the deadlines.
    docker = new Docker({timeout: 0, ...tls, ...(!endpoint.fromEnv && {socketPath: endpoint.socketPath})});
  } catch (e) {
    throw new EnvironmentError(`cannot use the Docker engine configuration (DOCKER_HOST=${process.env.DOCKER_HOST ?? ''}): ${(e as Error).message}`);
  }
  return {docker, requests: new EngineRequests(docker.modem as unknown as ConstructorParameters<typeof EngineRequests>[0], deadlines), endpoint};
};
