import type {ProcessInfo, ReaderKind} from '../model.js';

/** What the gate needs from the engine about the image under test. */
export interface ImageFacts {
  ref: string;
  id: string;
  /** Config.ExposedPorts keys, e.g. `80/tcp`; includes ports inherited from the base image. */
  exposedPorts: string[];
  user: string;
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
}

/** How to run the image, from the spec's `run:` section. */
export interface RunSettings {
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  user?: string;
}

export interface TargetState {
  running: boolean;
  exitCode?: number;
  /** Host pid of the container's init, 0 when not running. */
  pid: number;
}

/** The image under test, running in the sandbox. */
export interface Target {
  id: string;
  state(): Promise<TargetState>;
  /** The last `lines` lines of stdout and stderr, interleaved as written. */
  logs(lines: number): Promise<string>;
}

/** Raw text of /proc/net files, keyed by table (`tcp`, `tcp6`, `udp`, `udp6`, `sctp`). */
export type ProcNetSnapshot = Partial<Record<'tcp' | 'tcp6' | 'udp' | 'udp6' | 'sctp', string>>;

/** Reads the sockets of a target's network namespace. */
export interface SocketReader {
  kind: ReaderKind;
  /** False when a binary from the image under test produced the data. */
  trusted: boolean;
  snapshot(): Promise<ProcNetSnapshot>;
  /** Socket inode → owning process; empty when the reader cannot see processes. */
  processes(): Promise<Map<number, ProcessInfo>>;
}

export type ProbeMode = 'auto' | 'host' | 'sidecar' | 'exec';

export interface Engine {
  /** Daemon host architecture, for /proc/net byte order. */
  architecture(): Promise<string>;
  /** undefined when the image is not in the engine. */
  inspectImage(ref: string): Promise<ImageFacts | undefined>;
  /** Pulls from the image's registry; EnvironmentError when that fails. */
  pull(ref: string): Promise<void>;
  startTarget(image: string, run: RunSettings): Promise<Target>;
  openReader(target: Target, mode: ProbeMode, probeImage: string): Promise<SocketReader>;
  /** Removes every container this engine created; safe to call more than once. */
  cleanup(): Promise<void>;
}
