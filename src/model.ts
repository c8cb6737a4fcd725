/**
 * The data that flows between portgate's pipeline stages. Every stage is a
 * function from some of these to others; nothing here does I/O.
 */

export type Protocol = 'tcp' | 'udp' | 'sctp';
export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/** A place in a text file, 1-based like editors and GitHub annotations. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** Where a finding points: a line in a file, or the image as a whole. */
export type Location = SourceLocation | {image: string};

export const isSourceLocation = (l: Location | undefined): l is SourceLocation => !!l && 'file' in l;

/** `80/tcp` — the key Docker uses in Config.ExposedPorts and that portgate uses everywhere. */
export const portKey = (p: {port: number; protocol: Protocol}): string => `${p.port}/${p.protocol}`;

/** View 1: what the Dockerfile and its base image EXPOSE. */
export interface ExposedPort {
  port: number;
  protocol: Protocol;
  origin: 'dockerfile' | 'base-image';
  /** The EXPOSE argument it came from (absent for base-image ports). */
  location?: SourceLocation;
}

export type AddressFamily = 'ipv4' | 'ipv6';

/**
 * Where a socket accepts traffic from. `loopback` = 127.0.0.0/8, ::1 or
 * ::ffff:127.x; `wildcard` = 0.0.0.0 or ::; `specific` = any other address.
 */
export type BindScope = 'loopback' | 'wildcard' | 'specific';

export interface ProcessInfo {
  pid: number;
  command: string;
}

/** View 2: one listening TCP socket or bound UDP/SCTP socket, as read from /proc/net. */
export interface Listener {
  port: number;
  protocol: Protocol;
  /** Textual address, e.g. `0.0.0.0`, `::`, `127.0.0.1`, `::ffff:127.0.0.1`. */
  address: string;
  family: AddressFamily;
  scope: BindScope;
  uid?: number;
  inode?: number;
  process?: ProcessInfo;
}

export type Exposure = 'public' | 'internal' | 'loopback';

/** View 3: one port the team declared in portgate.yml. Ranges are expanded. */
export interface DeclaredPort {
  port: number;
  protocol: Protocol;
  exposure: Exposure;
  name?: string;
  /** Accepts a port the risky-port catalog would flag. */
  reason?: string;
  location: SourceLocation;
}

export type Severity = 'error' | 'warning' | 'note';
export type SeveritySetting = Severity | 'off';

export interface Finding {
  /** Stable rule id, shared by every output format (see findings/rules.ts). */
  rule: string;
  severity: Severity;
  port?: number;
  protocol?: Protocol;
  message: string;
  location?: Location;
}

/** How the container behaved while portgate watched it. */
export interface ContainerOutcome {
  exited: boolean;
  exitCode?: number;
  /** Last lines of stdout+stderr, only when it exited or a declared port never came up. */
  logs?: string;
  /** True when the wait ended because the timeout was hit, not because listeners settled. */
  timedOut: boolean;
  /** Which reader produced `listening`, and whether that reader can be trusted. */
  reader: ReaderKind;
  trusted: boolean;
}

export type ReaderKind = 'host' | 'sidecar' | 'exec' | 'none';

export interface GateResult {
  version: 1;
  verdict: 'pass' | 'fail';
  image: string;
  failOn: Severity | 'never';
  dockerfile?: string;
  spec?: string;
  exposed: ExposedPort[];
  listening: Listener[];
  declared: DeclaredPort[];
  findings: Finding[];
  container?: ContainerOutcome;
  timing: Record<string, number> & {totalMs: number};
}
