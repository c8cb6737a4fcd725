import type {EngineInfo, ReaderKind} from '../model.js';
import type {ProcessFds} from '../procnet/index.js';
import type {SandboxPlan} from '../sandbox/types.js';

/** What the gate needs from the engine about the image under test. */
export interface ImageFacts {
  ref: string;
  id: string;
  /** Config.ExposedPorts keys, e.g. `80/tcp`; includes ports inherited from the base image. */
  exposedPorts: string[];
  /** Config.ExposedPorts keys that are no port (Buildah records EXPOSE words unchecked, e.g. `+80/tcp`): left out of exposedPorts. */
  ignoredExposedPorts?: string[];
  user: string;
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
}

export interface TargetState {
  running: boolean;
  exitCode?: number;
  /** The kernel killed it at the memory limit. */
  oomKilled?: boolean;
  /** Host pid of the container's init, 0 when not running. */
  pid: number;
}

/** The image under test, running in the sandbox. */
export interface Target {
  id: string;
  /**
   * Addresses where the engine itself listens inside the container's network
   * namespace: Docker's embedded DNS resolver binds 127.0.0.11 on random TCP
   * and UDP ports on user-defined networks. A socket there that no process of
   * the container owns is the engine's, not the image's.
   */
  engineAddresses: string[];
  /** How the engine ran it differently from what portgate asked (ulimits it could not give, a network with a host address), for the report's sandbox notes. */
  notes?: string[];
  state(): Promise<TargetState>;
  /** The last `lines` lines of stdout and stderr, interleaved as written. */
  logs(lines: number): Promise<string>;
  /**
   * CPU time the container has used so far, from its cgroup
   * (host-visible engines) or the engine's stats stream; undefined when
   * neither can be read. Tells a service that is still starting from one
   * that is idle.
   */
  cpuTime(): Promise<CpuSample | undefined>;
}

/** Cumulative CPU time of the container, and when it was measured (this process's clock). */
export interface CpuSample {
  ns: number;
  atMs: number;
  /** A process of the container was running or waiting for a CPU when sampled (host-visible cgroups only). */
  runnable?: boolean;
}

/** Raw text of /proc/net files, keyed by table (`tcp`, `tcp6`, `udp`, `udp6`, `sctp`). */
export type ProcNetSnapshot = Partial<Record<'tcp' | 'tcp6' | 'udp' | 'udp6' | 'sctp', string>>;

/** Processes of the target as a reader saw them, and whether it could see them all. */
export interface ProcessScan {
  processes: ProcessFds[];
  /** Why some owners may be missing (the probe was stopped, a process could not be read); undefined when complete. */
  incomplete?: string;
}

/** Reads the sockets of a target's network namespace. */
export interface SocketReader {
  kind: ReaderKind;
  /** False when a binary from the image under test produced the data. */
  trusted: boolean;
  /** Throws when the sockets cannot be read; the caller then checks whether the target is still running. */
  snapshot(): Promise<ProcNetSnapshot>;
  /** snapshot() itself waits for the next fresh reading (a streaming probe): the caller need not sleep between polls. */
  paced?: boolean;
  /** Every process of the target with its socket links; best effort, never throws. */
  processes(): Promise<ProcessScan>;
  /** The target's ip_local_port_range, where the kernel picks ports for bind(0). */
  ephemeralRange(): Promise<[number, number]>;
}

export type ProbeMode = 'auto' | 'host' | 'sidecar' | 'exec';

export interface Engine {
  /** Daemon host architecture, for /proc/net byte order. */
  architecture(): Promise<string>;
  /** undefined when the image is not in the engine. */
  inspectImage(ref: string): Promise<ImageFacts | undefined>;
  /** Pulls from the image's registry; EnvironmentError when that fails. */
  pull(ref: string): Promise<void>;
  /** A hint naming the engine's images closest to `ref` (other tags, similar names); undefined when none is close. */
  similarImages(ref: string): Promise<string | undefined>;
  /** Starts the image as `plan` says; `lifetimeMs` bounds how long helpers may outlive a killed portgate. */
  startTarget(image: string, plan: SandboxPlan): Promise<Target>;
  openReader(target: Target, mode: ProbeMode, probeImage: string, lifetimeMs: number): Promise<SocketReader>;
  /** What answers: Docker or Podman, its version, where (GET /version); optional for stand-ins. */
  describe?(): Promise<EngineInfo>;
  /** Removes every container and network this engine created; safe to call more than once. */
  cleanup(): Promise<void>;
}

/** Linux's default ip_local_port_range in a new network namespace (net/ipv4/af_inet.c inet_init_net). */
export const DEFAULT_EPHEMERAL: [number, number] = [32768, 60999];
