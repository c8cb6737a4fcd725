import type {Protocol, Severity, SeveritySetting, SourceLocation} from '../model.js';
import type {NetworkMode, SandboxProfile} from '../sandbox/types.js';

/** One service of a fleet, paths resolved against the fleet file's folder. */
export interface FleetService {
  name: string;
  /** As written: `${VAR}` is interpolated when the service is gated (fleet/interpolate.ts). */
  image: string;
  context: string;
  dockerfile?: string;
  spec?: string;
  buildArgs: Record<string, string>;
  target?: string;
  manifests: string[];
  compose: string[];
  container?: string;
  /** Where the service is written, or (discovered) its portgate.yml. */
  at: SourceLocation;
}

/** An extra catalog entry, org-wide. */
export interface ExtraRiskyPort {
  port: number;
  protocol?: Protocol;
  name: string;
  why: string;
}

/** What every service shares; each service's portgate.yml still wins for what it says. */
export interface FleetDefaults {
  image?: string;
  failOn?: Severity | 'never';
  timeoutMs?: number;
  settle?: 'auto' | number;
  probe?: 'auto' | 'host' | 'sidecar' | 'exec';
  probeImage?: string;
  pull?: 'missing' | 'always' | 'never';
  sandbox?: SandboxProfile;
  network?: NetworkMode;
  builder?: 'buildkit' | 'classic';
  rules: Record<string, SeveritySetting>;
  riskyPorts: ExtraRiskyPort[];
}

export interface Fleet {
  file: string;
  /** The folder every relative path is resolved against. */
  root: string;
  defaults: FleetDefaults;
  /** `auto`: to be discovered below `root` (fleet/discover.ts). */
  services: FleetService[] | 'auto';
  servicesAt: SourceLocation;
}
