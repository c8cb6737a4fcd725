import type {Acceptance, DeclaredPort, DynamicPort, Exposure, Protocol, SeveritySetting, SourceLocation} from '../model.js';
import type {RunSettings, SandboxProfile} from '../sandbox/types.js';
import type {SpecPolicy} from './policy.js';

/** How long the listener set must stay unchanged: `auto` adapts to how busy the container still is. */
export type Settle = 'auto' | number;

/**
 * How to start the image, from the spec's `run:` section. Absent = decided by
 * the layers below (manifests, the image, portgate's defaults).
 */
export interface RunConfig extends RunSettings {
  sandbox?: SandboxProfile;
  timeoutMs?: number;
  settleMs?: Settle;
}

/** Where each key of `run:` is written, for reports that say where a setting came from. */
export type RunLocations = Partial<Record<keyof RunSettings | 'sandbox', SourceLocation>>;

/** A loaded, validated portgate.yml. */
export interface Spec {
  file: string;
  version: 1;
  /** Ranges expanded; each port's location is its `port:` value. */
  ports: DeclaredPort[];
  /** Ports chosen at run time, matched by owning process and/or range. */
  dynamic: DynamicPort[];
  run: RunConfig;
  /** How `portgate policy` writes the NetworkPolicy (`policy:`). */
  policy?: SpecPolicy;
  /** Severity overrides by rule id (ids checked against the rule catalogue). */
  rules: Record<string, SeveritySetting>;
  /** Per-finding suppressions with a reason and an optional expiry. */
  accept: Acceptance[];
  /** The `ports:`, `run:` and `rules:` keys, for findings about those sections. */
  locations: {ports?: SourceLocation; run?: SourceLocation; rules?: SourceLocation; runKeys?: RunLocations};
}

/** One port `portgate init` proposes, with a comment saying why. */
export interface BaselinePort {
  port: number;
  protocol: Protocol;
  exposure: Exposure;
  /** false: EXPOSEd but not served (written as `served: false`, without exposure). */
  served?: false;
  name?: string;
  /** Written above the entry as `# ...`; may hold several lines. */
  comment?: string;
}

/** One `dynamic:` entry `portgate init` proposes. */
export interface BaselineDynamic {
  process: string;
  protocol: Protocol;
  exposure: 'internal' | 'loopback';
  max: number;
  reason: string;
  comment?: string;
}

/** The schema's `$id`: its name, whichever release it comes from. */
export const SCHEMA_URL = 'https://unpkg.com/portgate/schema/portgate.schema.json';

/**
 * Where editors fetch the schema of one release: pinned, so a spec written by
 * portgate 1.2 is checked against 1.2's schema, not a later one's.
 */
export const schemaUrlFor = (version: string): string => `https://unpkg.com/portgate@${version}/schema/portgate.schema.json`;

/** The largest range one entry may declare, so a typo cannot expand to 65535 ports. */
export const MAX_RANGE = 1024;
