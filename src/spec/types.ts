import type {DeclaredPort, Exposure, Protocol, SeveritySetting, SourceLocation} from '../model.js';

/** How to start the image, from the spec's `run:` section. Absent = the image's own setting. */
export interface RunConfig {
  /** Replaces CMD. */
  command?: string[];
  /** Replaces ENTRYPOINT. */
  entrypoint?: string[];
  /** Values already stringified. */
  env?: Record<string, string>;
  user?: string;
  timeoutMs?: number;
  settleMs?: number;
}

/** A loaded, validated portgate.yml. */
export interface Spec {
  file: string;
  version: 1;
  /** Ranges expanded; each port's location is its `port:` value. */
  ports: DeclaredPort[];
  run: RunConfig;
  /** Severity overrides by rule id (ids checked against the rule catalogue). */
  rules: Record<string, SeveritySetting>;
  /** The `ports:`, `run:` and `rules:` keys, for findings about those sections. */
  locations: {ports?: SourceLocation; run?: SourceLocation; rules?: SourceLocation};
}

/** One port `portgate init` proposes, with a comment saying why. */
export interface BaselinePort {
  port: number;
  protocol: Protocol;
  exposure: Exposure;
  name?: string;
  /** Written above the entry as `# ...`; may hold several lines. */
  comment?: string;
}

/** Where yaml-language-server and editors fetch the schema from (also its `$id`). */
export const SCHEMA_URL = 'https://unpkg.com/portgate/schema/portgate.schema.json';

/** The largest range one entry may declare, so a typo cannot expand to 65535 ports. */
export const MAX_RANGE = 1024;
