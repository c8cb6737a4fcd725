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

/**
 * The process that owns a socket. Identity comes from what the process cannot
 * change: the executable the kernel runs (/proc/PID/exe) and its uid. Its argv
 * (`command`) is only what the process claims to be: any process can rewrite it.
 */
export interface ProcessInfo {
  /** The pid inside the container (what `ps` there shows), whichever reader ran. */
  pid: number;
  /** For people: the executable's file name, or `[comm]` when the executable could not be read. */
  name: string;
  /** /proc/PID/exe, e.g. `/usr/lib/jvm/java-17-openjdk-amd64/bin/java`. */
  exe?: string;
  uid?: number;
  /** argv joined with spaces, as the process presents it; JSON reports only. */
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
  /** Seen during the wait but closed before it ended: it still counts, and reports say it was brief. */
  transient?: boolean;
  /** Compared with an earlier report (`--baseline`): whether it listened then too. */
  baseline?: BaselineMark;
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
  /**
   * false: EXPOSEd (usually by the base image) but knowingly not served, so
   * not waited for, and a finding if it listens. Absent = served.
   */
  served?: false;
  location: SourceLocation;
}

/**
 * View 3, for ports a service picks at run time (JMX/RMI, a debugger
 * adapter): how many listeners owned by `process` in `range` may exist, and
 * how far they may be reachable.
 */
export interface DynamicPort {
  /** Executable path or file name, compared with the owner's /proc/PID/exe. */
  process?: string;
  /** Inclusive; `ephemeral` = the target's ip_local_port_range. */
  range: [number, number] | 'ephemeral';
  protocol: Protocol;
  exposure: 'internal' | 'loopback';
  max: number;
  reason: string;
  location: SourceLocation;
}

/**
 * portgate.yml's `accept:` entry: suppresses the findings of one rule on one
 * port (or range), or the rule's findings that name no port, optionally only
 * in one file, until a date. For what no spec field can say.
 */
export interface Acceptance {
  rule: string;
  /** Inclusive; absent = findings that name no port. */
  ports?: [number, number];
  protocol?: Protocol;
  /** Only findings located in this file (repository-relative, as reports print it). */
  file?: string;
  reason: string;
  /** `YYYY-MM-DD`: suppresses through that day (UTC); after it, a warning. */
  until?: string;
  /** The entry. */
  location: SourceLocation;
  /** The `until:` value, where the expiry warning points. */
  untilLocation?: SourceLocation;
}

export type Severity = 'error' | 'warning' | 'note';
export type SeveritySetting = Severity | 'off';

/** What kind of risky port a catalog entry is (compare/risky-ports.ts); grades risky-port findings. */
export type RiskCategory = 'debug' | 'remote-admin' | 'container-runtime' | 'service-mesh-admin' | 'database-admin' | 'cleartext' | 'other';

/** An `accept:` entry of portgate.yml that suppresses a finding: the finding is shown as suppressed and not counted. */
export interface Suppression {
  reason: string;
  /** `YYYY-MM-DD`, the last day the entry suppresses. */
  until?: string;
  /** The `accept:` entry. */
  location: SourceLocation;
}

export interface Finding {
  /** Stable rule id, shared by every output format (see findings/rules.ts). */
  rule: string;
  severity: Severity;
  port?: number;
  protocol?: Protocol;
  message: string;
  location?: Location;
  /** The risky-port catalog category, for risky-port and debug-agent-configured. */
  category?: RiskCategory;
  /** Other ports the finding concerns (the listening half of a protocol mismatch, the ports of a `dynamic:` entry). */
  related?: {port: number; protocol: Protocol}[];
  /** Accepted by an `accept:` entry: every report shows it as suppressed; it never counts towards the verdict. */
  suppressed?: Suppression;
  /** Compared with an earlier report (`--baseline`): whether that report had it too (counting findings only). */
  baseline?: BaselineMark;
}

/** A finding or listener compared with an earlier report: `new` in this change, or `unchanged`. */
export type BaselineMark = 'new' | 'unchanged';

/**
 * What an earlier report (`--baseline`, e.g. the main branch's) says about
 * this result. `compared`: the earlier report gated the same image
 * repository (the service of the same name, in a fleet), and each counting
 * finding and listener carries its mark. Otherwise nothing could be
 * compared and everything is marked new: `other-image` (it gated another
 * repository), `absent` (a fleet baseline without this service),
 * `not-gated` (the fleet baseline could not gate this service).
 */
export interface BaselineComparison {
  /** The earlier report, as named on the command line. */
  report: string;
  status: 'compared' | 'other-image' | 'absent' | 'not-gated';
  /** The image the earlier report gated, when it names one. */
  image?: string;
  /** What the earlier report had and this one has not: its counting findings and listeners. */
  resolved: {findings: Finding[]; listening: Listener[]};
}

/** Why the image stopped under the sandbox, and the one change that lets it start (sandbox/diagnose.ts). */
export interface ExitCause {
  cause: 'read-only-root' | 'capability' | 'file-permission' | 'name-resolution' | 'dependency' | 'memory' | 'pids' | 'command' | 'unknown';
  /** What happened and which setting (and where it came from) made it happen. */
  explanation: string;
  /** The log line that shows it: image-controlled text. */
  evidence?: string;
  /** What to change, with the exact `run:` line or manifest field. */
  fix: string;
}

/** One setting the sandbox ran the image with, and where it came from. */
export interface SandboxSetting {
  setting: 'entrypoint' | 'command' | 'env' | 'user' | 'readOnly' | 'tmpfs' | 'capabilities' | 'network' | 'memory' | 'pids';
  value: string;
  /** `portgate's default`, `deploy/k8s.yaml:23 (container api of Deployment shop-api)`, `portgate.yml:9`, `--sandbox strict`. */
  from: string;
  /** Decided by portgate's default, not by the image's deployment or the user. */
  isDefault: boolean;
}

/** How the container behaved while portgate watched it. */
export interface ContainerOutcome {
  exited: boolean;
  exitCode?: number;
  oomKilled?: boolean;
  /** Why it exited, when it did: never empty then. */
  causes?: ExitCause[];
  /** Last lines of stdout+stderr, only when it exited or a declared port never came up. */
  logs?: string;
  /** True when the wait ended because the timeout was hit, not because listeners settled. */
  timedOut: boolean;
  /** Which reader produced `listening`, and whether that reader can be trusted. */
  reader: ReaderKind;
  trusted: boolean;
  /** `idle`: quiet and idle; `cap`: quiet but still busy at the cap; `fixed`: the --settle window. */
  settledBy?: 'fixed' | 'idle' | 'cap';
  /** Why some listeners have no owner. */
  ownersIncomplete?: string;
  /** The target's ip_local_port_range: where ports picked at run time fall. */
  ephemeral?: [number, number];
  /** What the image ran with, and what of the deployment the sandbox did not copy. */
  sandbox?: {settings: SandboxSetting[]; notes: string[]};
}

export type ReaderKind = 'host' | 'sidecar' | 'exec' | 'none';

/** What answered as the engine (GET /version), and where portgate found it. */
export interface EngineInfo {
  /** `Docker`, `Podman`, or the name the engine gives. */
  name: string;
  version: string;
  /** The Docker API version it speaks, e.g. 1.41. */
  apiVersion: string;
  /** In DOCKER_HOST's form, e.g. unix:///run/podman/podman.sock. */
  address: string;
  /** Why this one: `DOCKER_HOST`, `the default socket`, `/var/run/docker.sock is missing`, `--engine podman`. */
  chosenBy: string;
}

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
  /** The engine that ran the image (and answered the image inspects); absent when none was reachable (--static-only). */
  engine?: EngineInfo;
  container?: ContainerOutcome;
  /** Compared with an earlier report (`--baseline`). */
  baseline?: BaselineComparison;
  timing: Record<string, number> & {totalMs: number};
}
