import type {SourceLocation} from '../model.js';

/**
 * How the image under test is started. Every field is optional: a layer
 * (defaults, a deployment manifest, portgate.yml's `run:`, a flag) sets only
 * what it says, and `planSandbox` merges the layers by precedence.
 */
export interface RunSettings {
  /** Replaces ENTRYPOINT (Kubernetes `command`, Compose `entrypoint`). */
  entrypoint?: string[];
  /** Replaces CMD (Kubernetes `args`, Compose `command`). */
  command?: string[];
  /** Added to the image's ENV; a later layer wins per variable. */
  env?: Record<string, string>;
  /** `uid`, `uid:gid`, `name` or `name:group`, as Docker's `--user`. */
  user?: string;
  readOnly?: boolean;
  /** Writable, empty folders mounted over the image (emptyDir, Compose `tmpfs`). */
  tmpfs?: TmpfsMount[];
  /** Capability names without `CAP_`, upper case; `ALL` in capDrop clears the set. */
  capAdd?: string[];
  capDrop?: string[];
  /** `isolated`: an interface on a per-run network with no route out and no peers; `none`: loopback only. */
  network?: NetworkMode;
  memoryBytes?: number;
  pids?: number;
}

export type NetworkMode = 'isolated' | 'none';

export interface TmpfsMount {
  path: string;
  /** Kubernetes creates emptyDir folders world-writable; Compose's tmpfs is root's 1777-less default. */
  mode?: string;
  sizeBytes?: number;
  /** Kubernetes fsGroup: the group that owns the folder. */
  gid?: number;
  /** Programs cannot be run from it (strict /tmp); emptyDir and Compose tmpfs allow it. */
  noexec?: boolean;
}

/** Where a setting came from, so a report can say why the sandbox did what it did. */
export type SettingSource =
  | {kind: 'default'}
  | {kind: 'profile'; profile: SandboxProfile; from: SettingSource}
  | {kind: 'spec'; location?: SourceLocation}
  | {kind: 'manifest'; location: SourceLocation; what: string}
  | {kind: 'flag'; flag: string}
  | {kind: 'org'; file: string};

/** `default`: how the image runs under a plain `docker run`, contained; `strict`: portgate 0.1's hardening. */
export type SandboxProfile = 'default' | 'strict';

/** Where each setting of a layer is written, when the layer is a file. */
export type SourceLocationMap = Partial<Record<keyof RunSettings, SourceLocation>>;

/** One source's settings, e.g. the container of a Deployment that runs the image. */
export interface SandboxLayer {
  source: SettingSource;
  settings: RunSettings;
  at?: SourceLocationMap;
  /** What the source asked for that the sandbox does not do, and why. */
  notes?: string[];
}

export interface Sourced<T> {
  value: T;
  from: SettingSource;
}

/**
 * The effective sandbox: every setting with the source that decided it.
 * Containment that no layer can change (no-new-privileges, limits, init,
 * removal, no route out) is not a setting: it is always on.
 */
export interface SandboxPlan {
  entrypoint?: Sourced<string[]>;
  command?: Sourced<string[]>;
  env: Record<string, Sourced<string>>;
  user?: Sourced<string>;
  readOnly: Sourced<boolean>;
  tmpfs: Sourced<TmpfsMount>[];
  /** The capability set the process starts with (bounding set), sorted. */
  capabilities: Sourced<string[]>;
  /** Capabilities removed from the engine's default set, with the source that removed each. */
  dropped: Record<string, SettingSource>;
  network: Sourced<NetworkMode>;
  memoryBytes: Sourced<number>;
  pids: Sourced<number>;
  nanoCpus: number;
  notes: string[];
}
