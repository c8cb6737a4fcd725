import {randomUUID} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {homedir, hostname} from 'node:os';
import {join} from 'node:path';
import type Docker from 'dockerode';
import {EnvironmentError, InputError} from '../errors.js';
import {describeSource} from '../sandbox/index.js';
import type {SandboxPlan} from '../sandbox/types.js';
import {cgroupCpuReader, statsCpuReader} from './activity.js';
import {openHostReader} from './readers/host.js';
import {streamScript} from './readers/protocol.js';
import {execReader, sidecarReader} from './readers/sidecar.js';
import {authFor} from './registry-auth.js';
import {EngineUnresponsive, connect, engineAddress, requestDeadlines, type Deadlines, type EngineRequests} from './connection.js';
import {findEndpoint, kindOf, type Endpoint, type EngineInfo} from './endpoint.js';
import {architectureOf, checkPing, createdId, engineInfoOf, imageFactsOf, imageTagsOf, listOf, networkGatewaysOf, stateOf} from './shapes.js';
import {engineHardLimits, refusedRlimit, ulimitsWithin} from './ulimits.js';
import {closeMatchesHint} from './similar-images.js';
import {MANAGED_LABEL, netProbeConfig, networkConfig, pidProbeConfig, targetConfig} from './sandbox-config.js';
import {demux} from './streams.js';
import {describeBadImageReference} from '../util/image-reference.js';
import {DEFAULT_EPHEMERAL, type CpuSample, type Engine, type ImageFacts, type ProbeMode, type SocketReader, type Target} from './types.js';

const statusOf = (e: unknown): number | undefined => (e as {statusCode?: number}).statusCode;

/** Errors that already say what is wrong with the engine pass through unchanged. */
const unreachable = (e: unknown): EnvironmentError =>
  e instanceof EnvironmentError
    ? e
    : new EnvironmentError(
        `cannot reach the Docker engine (${engineAddress()}): ${(e as Error).message}. Start Docker (or Podman's API service: \`podman system service --time=0 unix:///run/podman/podman.sock\`) or set DOCKER_HOST (and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH for TLS).`
      );

/** `the engine refused to …`, unless the engine did not answer at all. */
const refused = (what: string, e: unknown): EnvironmentError => (e instanceof EngineUnresponsive ? e : new EnvironmentError(`the engine refused to ${what}: ${(e as Error).message}`));

/** A pull whose progress stream is silent this long is stuck (a layer's extraction reports progress too). */
const PULL_IDLE_MS = 60_000;

/** How long a stuck engine may hold the cleanup once it has stopped answering. */
const STALLED_CLEANUP_MS = 5_000;

export interface DockerEngineOptions {
  /** The run's wait timeout: engine requests are bounded by deadlines derived from it (requestDeadlines). */
  timeoutMs?: number;
  /** Where the client comes from: a fleet shares one connection between its runs. */
  connect?: (deadlines: Deadlines, endpoint: Endpoint) => Connection;
  /** Which engine (findEndpoint: DOCKER_HOST, else Docker's socket, else Podman's). */
  endpoint?: Endpoint;
  /** Image facts already read (a fleet's services share base images): found images only, never absences. */
  imageCache?: Map<string, ImageFacts>;
}

export type Connection = ReturnType<typeof connect>;

/**
 * The only module that talks to the engine. Every container it creates is
 * labelled and tracked, and `cleanup()` removes them all; the CLI also calls it
 * from its SIGINT/SIGTERM handlers.
 */
export class DockerEngine implements Engine {
  private readonly created = new Set<string>();
  private readonly networks = new Set<string>();
  private readonly stops: (() => void)[] = [];
  /** Labels every container of this run (io.portgate.run), so cleanup finds even untracked ones. */
  readonly runId = randomUUID();
  /** Bound every request to the engine. */
  readonly deadlines: Deadlines;
  private connection: Connection | undefined;
  private readonly connectWith: (deadlines: Deadlines, endpoint: Endpoint) => Connection;
  readonly endpoint: Endpoint;
  private identity: Promise<EngineInfo> | undefined;
  /** HostConfig.Ulimits every container gets, once the engine refused its own defaults (see ulimits.ts). */
  private ulimits: {Name: string; Soft: number; Hard: number}[] | undefined;
  /** What the run's sandbox differs in from what portgate asked for, because of this engine. */
  private readonly notes: string[] = [];
  private readonly imageCache: Map<string, ImageFacts> | undefined;
  private swept = false;
  private closed = false;
  private cleaning: Promise<void> | undefined;

  constructor(opts: DockerEngineOptions = {}) {
    this.deadlines = requestDeadlines(opts.timeoutMs ?? 30_000);
    this.connectWith = opts.connect ?? connect;
    this.endpoint = opts.endpoint ?? findEndpoint();
    this.imageCache = opts.imageCache;
  }

  /** The client, made on first use: a missing TLS file is an EnvironmentError here, not a crash in a constructor. */
  private get docker(): Docker {
    this.connection ??= this.connectWith(this.deadlines, this.endpoint);
    return this.connection.docker;
  }

  private get requests(): EngineRequests {
    this.connection ??= this.connectWith(this.deadlines, this.endpoint);
    return this.connection.requests;
  }

  /**
   * Waits up to `waitMs` for the engine to answer: a Docker-in-Docker service
   * may still be starting (and still writing its TLS certificates). Something
   * that answers but is not an engine fails at once.
   */
  async ping(waitMs = 0): Promise<void> {
    const end = Date.now() + waitMs;
    for (;;) {
      let answer: unknown;
      try {
        answer = await this.docker.ping();
      } catch (e) {
        if (Date.now() >= end) throw unreachable(e);
        await new Promise(r => setTimeout(r, 1_000));
        continue;
      }
      checkPing(answer);
      return;
    }
  }

  /** What answers (GET /version): Docker or Podman, its version, where; asked once. */
  describe(): Promise<EngineInfo> {
    this.identity ??= (async () => {
      let raw: unknown;
      try {
        raw = await this.docker.version();
      } catch (e) {
        throw unreachable(e);
      }
      return {...engineInfoOf(raw), address: this.endpoint.address, chosenBy: this.endpoint.chosenBy};
    })();
    return this.identity;
  }

  async pull(ref: string): Promise<void> {
    checkRef(ref);
    const config = process.env.DOCKER_AUTH_CONFIG ?? (await readDockerConfig());
    try {
      const stream = (await this.requests.startup(() => this.docker.pull(ref, {authconfig: authFor(ref, config)}))) as NodeJS.ReadableStream & {destroy: (e: Error) => void};
      await new Promise((resolve, reject) => {
        let idle: NodeJS.Timeout;
        const arm = () => {
          clearTimeout(idle);
          idle = setTimeout(() => stream.destroy(new EngineUnresponsive(`the Docker engine (${engineAddress()}) reported no progress for ${PULL_IDLE_MS / 1000}s`)), PULL_IDLE_MS);
        };
        arm();
        stream.on('data', arm);
        this.docker.modem.followProgress(stream, (err, output: unknown[]) => {
          clearTimeout(idle);
          // A failure after the stream began is a line of the stream, not an HTTP error: Podman reports
          // every failed pull so (a registry it cannot reach), Docker a manifest it cannot find.
          const failed = (output ?? []).find((o): o is {error?: string; errorDetail?: {message?: string}} => typeof o === 'object' && o !== null && ('error' in o || 'errorDetail' in o));
          if (err) reject(err);
          else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error ?? 'the engine reported an error'));
          else resolve(undefined);
        });
      });
    } catch (e) {
      if (e instanceof EngineUnresponsive) throw e;
      throw new EnvironmentError(`could not pull ${ref}: ${(e as Error).message}. Build or load it into the engine first, or log in (DOCKER_AUTH_CONFIG or ~/.docker/config.json).`);
    }
  }

  async architecture(): Promise<string> {
    return architectureOf(
      await this.docker.info().catch(e => {
        throw unreachable(e);
      })
    );
  }

  async inspectImage(ref: string): Promise<ImageFacts | undefined> {
    checkRef(ref);
    const known = this.imageCache?.get(ref);
    if (known) return known;
    let raw: unknown;
    try {
      raw = await this.docker.getImage(ref).inspect();
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      // Podman 4.3's Docker-compatible inspect cannot convert an image config whose ExposedPorts it
      // does not parse (an SCTP port, `53/UDP` as Buildah records it): its own API can.
      if (statusOf(e) === 500 && /ImageInspect/.test((e as Error).message)) raw = await this.libpodInspect(ref);
      else if (statusOf(e) === 400) throw new InputError(`"${ref}" is not a valid image reference (${(e as Error).message}): use name[:tag] or name@sha256:digest, lowercase.`);
      else throw unreachable(e);
    }
    const facts = imageFactsOf(ref, raw);
    this.imageCache?.set(ref, facts);
    return facts;
  }

  /** GET /libpod/images/{ref}/json: Podman's own image inspect, whose Config has the same fields. */
  private libpodInspect(ref: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      (this.docker.modem as unknown as {dial: (o: object, cb: (err: unknown, data: unknown) => void) => void}).dial(
        {path: `/v4.0.0/libpod/images/${ref}/json`, method: 'GET', statusCodes: {200: true, 404: 'no such image', 500: 'server error'}},
        (err, data) => (err ? reject(unreachable(err)) : resolve(data))
      )
    );
  }

  /** The engine's tags closest to `ref`, as a hint for an image it does not have; undefined when none is close or they cannot be listed. */
  async similarImages(ref: string): Promise<string | undefined> {
    try {
      return closeMatchesHint(ref, imageTagsOf(await this.docker.listImages()));
    } catch {
      return undefined;
    }
  }

  async startTarget(image: string, plan: SandboxPlan): Promise<Target> {
    await this.sweepOrphans();
    const kind = kindOf(await this.describe());
    const network = plan.network.value === 'none' ? 'none' : await this.createNetwork(kind);
    let ipv6 = true;
    let c = await this.create(targetConfig(image, plan, this.runId, network, ipv6), `start ${image}`);
    // At most one retry per cause: the host has no IPv6, the engine's default ulimits are out of its reach.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.start(c);
        break;
      } catch (e) {
        const msg = (e as Error).message;
        if (e instanceof EnvironmentError || attempt >= 2) throw startError(image, e, plan);
        if (refusedRlimit(msg) && !this.ulimits) await this.adaptUlimits(msg);
        // A host booted without IPv6 has no net.ipv6 sysctls: start without them.
        else if (/sysctl|ipv6/i.test(msg) && ipv6) ipv6 = false;
        else throw startError(image, e, plan);
        await this.remove(c.id);
        c = await this.create(targetConfig(image, plan, this.runId, network, ipv6), `start ${image}`);
      }
    }
    let cpu: (() => Promise<CpuSample | undefined>) | undefined;
    const state = async () => stateOf(c.id, await c.inspect());
    const cpuTime = async () => {
      if (!cpu) {
        const {pid} = await state();
        cpu = (pid > 0 && (await cgroupCpuReader(pid))) || undefined;
        if (!cpu) {
          const stats = statsCpuReader(c);
          this.stops.push(stats.stop);
          cpu = stats.read;
        }
      }
      return cpu();
    };
    return {
      id: c.id,
      // Docker's embedded DNS server listens inside the container on user-defined networks; Podman's
      // (dnsname's dnsmasq, aardvark-dns) listen on the host's side of the bridge, outside it.
      engineAddresses: network === 'none' || kind === 'podman' ? [] : ['127.0.0.11'],
      notes: [...this.notes],
      state,
      logs: async lines => {
        const raw: unknown = await c.logs({stdout: true, stderr: true, follow: false, tail: lines});
        return Buffer.isBuffer(raw) ? demux(raw).combined : '';
      },
      cpuTime
    };
  }

  /**
   * Podman's default ulimits exceed what its engine process may grant: from
   * now on every container gets nofile and nproc at the engine's hard limits.
   */
  private async adaptUlimits(message: string): Promise<void> {
    const limits = await engineHardLimits(this.endpoint.socketPath);
    if (!limits) throw new EnvironmentError(`the engine could not give the container its default ulimits (${message.trim()}), and portgate could not read a process's hard limits to stay within: ${ULIMIT_HINT}`);
    this.ulimits = ulimitsWithin(limits);
    this.notes.push(
      `ulimits: the engine refused its own default (${refusedRlimit(message)} above the hard limit of the process that starts containers: \`${message.match(/error setting rlimit type \d+|setrlimit\S* *RLIMIT_[A-Z]+/i)?.[0] ?? 'setrlimit'}: operation not permitted\`), so every container ran with nofile ${limits.nofile} and nproc ${limits.nproc}, the hard limits of ${limits.from}. Podman's default is 1048576 for both.`
    );
  }

  /** The run's isolated network (networkConfig says what it contains); removed by cleanup(). */
  private async createNetwork(kind: string | undefined): Promise<string> {
    const config = networkConfig(this.runId);
    if (this.closed) throw new EnvironmentError('portgate is shutting down');
    let id: string;
    try {
      const n = await this.requests.startup(() => this.docker.createNetwork(config));
      id = createdId('POST /networks/create', n.id);
      this.networks.add(id);
    } catch (e) {
      if (e instanceof EnvironmentError) throw e;
      const pools = /address pool|non-overlapping/i.test((e as Error).message) ? ' The engine has no free address pool left for another network: run fewer gates at once, or set `network: none` under `run:`.' : '';
      throw new EnvironmentError(`the engine refused to create the isolated network for the run: ${(e as Error).message}.${pools}`);
    }
    if (this.closed) {
      await this.cleanup();
      throw new EnvironmentError('portgate is shutting down');
    }
    // Podman ignores com.docker.network.bridge.inhibit_ipv4. Its CNI backend gives an internal network
    // no gateway (the host has no address on it); a backend that does would let the target reach the host.
    if (kind === 'podman') {
      const gateways = networkGatewaysOf(await this.docker.getNetwork(id).inspect());
      if (gateways.length)
        this.notes.push(
          `network: the engine gave the run's internal network the gateway ${gateways.join(', ')} on the host's side of its bridge (Podman ignores com.docker.network.bridge.inhibit_ipv4, and its netavark backend keeps that address for aardvark-dns), so the target could connect to host services listening there or on 0.0.0.0. Use \`network: none\` under \`run:\` to rule that out.`
        );
    }
    return config.Name;
  }

  async openReader(target: Target, mode: ProbeMode, probeImage: string, lifetimeMs: number): Promise<SocketReader> {
    if (mode === 'exec') return execReader(this.docker.getContainer(target.id));
    const kind = mode === 'sidecar' ? 'sidecar' : 'host';
    try {
      return await this.openTrustedReader(target, mode, probeImage, lifetimeMs);
    } catch (e) {
      // An engine that stopped answering will not say more.
      if (e instanceof EngineUnresponsive || this.closed) throw e;
      // A target that dies while the reader is being set up (its pid vanishes, or
      // the probe cannot join a stopped namespace) is a crash for the wait loop
      // to report, not a probe failure. The engine may report the exit a moment
      // after the process is gone, so give it a second to say so.
      for (let i = 0; i < 10; i++) {
        if (!(await target.state()).running) return exitedReader(kind);
        await new Promise(r => setTimeout(r, 100));
      }
      throw e;
    }
  }

  private async openTrustedReader(target: Target, mode: 'auto' | 'host' | 'sidecar', probeImage: string, lifetimeMs: number): Promise<SocketReader> {
    const state = await target.state();
    if (!state.running) throw new EnvironmentError('the container exited');
    if (mode === 'host' || mode === 'auto') {
      const host = await openHostReader(target.id, state.pid);
      if (host) return host;
      if (mode === 'host')
        throw new EnvironmentError(
          "--probe host: this process cannot see the container's /proc (remote engine, Docker-in-Docker, or a separate pid namespace). Use --probe sidecar."
        );
      if (!(await target.state()).running) throw new EnvironmentError('the container exited');
    }
    await this.ensureImage(probeImage, mode === 'auto');
    const seconds = Math.ceil(lifetimeMs / 1000) + 60;
    const pollMs = 200;
    const [net, pids] = await Promise.all([
      this.create(netProbeConfig(probeImage, target.id, this.runId, streamScript(pollMs, Math.ceil((seconds * 1000) / pollMs))), `start the probe image ${probeImage}`),
      this.create(pidProbeConfig(probeImage, target.id, this.runId, seconds), `start the probe image ${probeImage}`)
    ]);
    // Both start at once; ownership is best effort, so a probe that cannot join the pids only costs owners.
    const [started, pidProbe] = await Promise.all([
      this.start(net).then(
        () => undefined,
        (e: Error) => e
      ),
      this.start(pids).then(
        () => pids,
        () => undefined
      )
    ]);
    if (started instanceof EngineUnresponsive) throw started;
    if (started) throw new EnvironmentError(`the probe image ${probeImage} cannot run \`sh -c\` (${started.message}). ${PROBE_IMAGE_HINT}`);
    try {
      return await sidecarReader(net, pidProbe, pollMs);
    } catch (e) {
      if (!(await target.state()).running) throw e;
      throw new EnvironmentError(`the probe image ${probeImage} could not read /proc/net: ${(e as Error).message}. ${PROBE_IMAGE_HINT}`);
    }
  }

  /**
   * Removes every container and network of this run. Concurrent calls (the
   * gate's `finally` and a signal handler) share one pass. Once called, no
   * new container or network is created, and one whose create was in flight
   * is removed when the engine answers.
   */
  cleanup(): Promise<void> {
    this.closed = true;
    this.cleaning ??= this.removeAll().finally(() => {
      this.cleaning = undefined;
      this.connection?.requests.closeStreams();
    });
    return this.cleaning;
  }

  private async removeAll(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    let requests: EngineRequests;
    try {
      requests = this.requests;
    } catch {
      // No client can be made (a TLS file is missing): nothing was ever created through one.
      return;
    }
    // A create the engine is still working on: its container exists only once it answers.
    await requests.settled();
    if (!requests.stalled) return this.removeRun();
    // The engine stopped answering: one short attempt, then say what may be left.
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EngineUnresponsive('the engine does not answer')), STALLED_CLEANUP_MS);
    });
    try {
      await Promise.race([this.removeRun(), giveUp]);
    } catch (e) {
      throw new EnvironmentError(`${this.leftoverAdvice()} (${(e as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  }

  private leftoverAdvice(): string {
    const filter = `label=io.portgate.run=${this.runId}`;
    return `could not make sure that this run's containers and network are gone: check with \`docker ps -a --filter ${filter}\` and \`docker network ls --filter ${filter}\` (the next portgate run on this host removes them)`;
  }

  /**
   * Tracked ids, plus anything carrying this run's label (a create that
   * finished after its caller gave up); then checks that they are gone, as a
   * removal the engine had already begun answers 409 before it is done.
   */
  private async removeRun(): Promise<void> {
    const filters = {label: [`io.portgate.run=${this.runId}`]};
    const listContainers = async () => listOf('GET /containers/json', await this.docker.listContainers({all: true, filters})).map(c => c.Id);
    const listNetworks = async () => listOf('GET /networks', await this.docker.listNetworks({filters})).map(n => n.Id);
    let failed: unknown;
    for (let pass = 0; pass < 3; pass++) {
      if (pass) await new Promise(r => setTimeout(r, 300));
      const containers = new Set([...this.created, ...(await listContainers())]);
      const removed = await Promise.allSettled([...containers].map(id => this.remove(id)));
      // Networks after their containers: the engine refuses to remove a network in use.
      const nets = new Set([...this.networks, ...(await listNetworks())]);
      removed.push(...(await Promise.allSettled([...nets].map(id => this.removeNetwork(id)))));
      failed = removed.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
      if (!(await listContainers()).length && !(await listNetworks()).length) return;
    }
    throw failed ?? new EnvironmentError(this.leftoverAdvice());
  }

  private async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (e) {
      if (e instanceof EngineUnresponsive) throw e;
      if (statusOf(e) !== 404) throw new EnvironmentError(`could not remove network ${id.slice(0, 12)}: ${(e as Error).message}`);
    }
    this.networks.delete(id);
  }

  private async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({force: true, v: true});
    } catch (e) {
      if (e instanceof EngineUnresponsive) throw e;
      // 404: already gone; 409: the engine is already removing it (removeRun checks that it went).
      if (statusOf(e) !== 404 && statusOf(e) !== 409) throw new EnvironmentError(`could not remove container ${id.slice(0, 12)}: ${(e as Error).message}`);
    }
    this.created.delete(id);
  }

  /** Starting a container takes a loaded engine longest (its network namespace, its mounts): the start-up deadline. */
  private start(c: Docker.Container): Promise<unknown> {
    return this.requests.startup(() => c.start());
  }

  private async create(config: Docker.ContainerCreateOptions, what: string): Promise<Docker.Container> {
    // cleanup() has begun (a signal): create nothing more.
    if (this.closed) throw new EnvironmentError('portgate is shutting down');
    const opts = this.ulimits ? {...config, HostConfig: {...config.HostConfig, Ulimits: this.ulimits}} : config;
    let c: Docker.Container;
    try {
      // _query/_body: docker-modem otherwise copies the whole body into the URL.
      c = await this.requests.startup(() => this.docker.createContainer({_query: {}, _body: opts} as unknown as Docker.ContainerCreateOptions));
    } catch (e) {
      if (/protocol SCTP is not allowed/i.test((e as Error).message))
        throw new EnvironmentError(
          `the engine refused to ${what}: ${(e as Error).message}. This Podman refuses to create any container from an image that EXPOSEs an SCTP port, so the image cannot run here: gate it on Docker, or check it without running it (--static-only).`
        );
      throw refused(what, e);
    }
    this.created.add(createdId('POST /containers/create', c.id));
    // cleanup() ran while the engine was creating it (a signal): do not let it survive.
    if (this.closed) {
      await this.remove(c.id);
      throw new EnvironmentError('portgate is shutting down');
    }
    return c;
  }

  private async ensureImage(ref: string, auto: boolean): Promise<void> {
    if (await this.inspectImage(ref)) return;
    const why = auto
      ? "portgate cannot read this engine's /proc from here (a remote engine or Docker-in-Docker), so it reads sockets from a probe container, and "
      : '';
    await this.pull(ref).catch(e => {
      if (e instanceof EngineUnresponsive) throw e;
      throw new EnvironmentError(`${why}the probe image ${ref} is not in the engine and could not be pulled: ${(e as Error).message} ${PROBE_IMAGE_HINT}`);
    });
  }

  /** Removes containers left by a portgate on this host that was killed before it could clean up. */
  private async sweepOrphans(): Promise<void> {
    if (this.swept) return;
    this.swept = true;
    const mine = `${hostname()}:`;
    const orphan = (labels: Record<string, string> | undefined) => {
      const owner = labels?.['io.portgate.owner'] ?? '';
      return owner.startsWith(mine) && !isAlive(Number(owner.slice(mine.length)));
    };
    const filters = {label: [MANAGED_LABEL]};
    for (const c of listOf('GET /containers/json', await this.docker.listContainers({all: true, filters}))) {
      if (orphan(c.Labels)) await this.docker.getContainer(c.Id).remove({force: true, v: true}).catch(() => undefined);
    }
    const networks = await this.docker.listNetworks({filters}).catch((e: unknown) => {
      if (e instanceof EngineUnresponsive) throw e;
      return [];
    });
    for (const n of listOf('GET /networks', networks)) {
      if (orphan(n.Labels)) await this.docker.getNetwork(n.Id).remove().catch(() => undefined);
    }
  }
}

const exitedReader = (kind: 'host' | 'sidecar'): SocketReader => ({
  kind,
  trusted: true,
  snapshot: async () => {
    throw new EnvironmentError('the container exited before its sockets could be read');
  },
  processes: async () => ({processes: [], incomplete: 'the container exited'}),
  ephemeralRange: async () => DEFAULT_EPHEMERAL
});

/**
 * An empty or malformed reference (a space, `..`, `//`) lands in the engine's
 * URL path: the engine answers with a redirect that docker-modem follows to a
 * host named `images`, failing outside any promise or as "HTTP 301". Refuse it
 * here, whatever the caller validated (FROM lines of a Dockerfile get here too).
 */
const checkRef = (ref: string): void => {
  if (!ref.trim()) throw new InputError('the image reference is empty: give one such as app:ci (is the variable you pass set?)');
  const bad = describeBadImageReference(ref, 'the image');
  if (bad) throw new InputError(bad);
};

const ULIMIT_HINT =
  "raise the hard nofile and nproc limits of the process that runs the engine (LimitNOFILE= and LimitNPROC= in podman.service, or `ulimit -Hn`/`ulimit -Hu` before `podman system service`), or set default_ulimits in containers.conf.";

const PROBE_IMAGE_HINT =
  'Pass --probe-image with an image that has sh, cat, sleep, readlink, stat, od and tr (busybox has them; load it with `docker load` where no registry is reachable), or run portgate where it can see the engine\'s /proc (--probe host).';

/** The engine refused to start the container: say which setting, and where it came from. */
const startError = (image: string, e: unknown, plan: SandboxPlan) => {
  if (e instanceof EnvironmentError) return e;
  const msg = (e as Error).message;
  const blame = refusedRlimit(msg)
    ? ` The engine's default ulimits exceed the hard limits of the process that starts its containers, and so did portgate's retry within them: ${ULIMIT_HINT}`
    : /user|passwd|group/i.test(msg) && plan.user
    ? ` The user "${plan.user.value}" comes from ${describeSource(plan.user.from)}: it must exist in the image's /etc/passwd, or be numeric.`
    : /executable|no such file|not found|exec/i.test(msg) && (plan.entrypoint || plan.command)
      ? ` The command comes from ${describeSource((plan.entrypoint ?? plan.command)!.from)}.`
      : ' Check run.command / run.entrypoint / run.user in portgate.yml.';
  return new EnvironmentError(`the engine could not start ${image}: ${msg}.${blame}`);
};

const readDockerConfig = (): Promise<string | undefined> =>
  readFile(join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json'), 'utf8').catch(() => undefined);

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};
