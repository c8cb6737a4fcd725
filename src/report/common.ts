import {createHash} from 'node:crypto';
import {isAbsolute, relative, sep} from 'node:path';
import type {EngineInfo, Finding, GateResult, Location, Severity} from '../model.js';
import {isSourceLocation, portKey} from '../model.js';
import {RISK_RULES, importance} from '../findings/rules.js';

/**
 * Helpers every writer shares, so that all formats agree on order, paths,
 * thresholds and fingerprints. Nothing here does I/O.
 */

export interface WriterOptions {
  /** Repository root: file paths are written relative to it, with `/`. */
  cwd?: string;
  /** ANSI colour (text format only); the CLI decides from TTY/NO_COLOR/--color. */
  color?: boolean;
  /** The terminal's width when the report goes to a TTY (text format only): lines wrap to it. Absent for files and pipes. */
  columns?: number;
}

export type Writer = (r: GateResult, opts: WriterOptions) => string;

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];
const RANK: Record<Severity, number> = {error: 0, warning: 1, note: 2};

/** True when a finding of this severity makes the gate fail (`failOn: never` never fails). */
export const failsGate = (s: Severity, failOn: GateResult['failOn']): boolean =>
  failOn !== 'never' && RANK[s] <= RANK[failOn];

const fileOf = (l: Location | undefined): string | undefined => (isSourceLocation(l) ? l.file : undefined);
const lineOf = (l: Location | undefined): number => (isSourceLocation(l) ? l.line : 0);
const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How reports group findings, in this order: `risky` (a risky port or a
 * debug agent, and every other finding on such a port, whatever its
 * severity), then the rest by severity, then those an `accept:` entry
 * suppressed.
 */
export type FindingGroup = 'risky' | Severity | 'suppressed';
export const GROUPS: readonly FindingGroup[] = ['risky', ...SEVERITIES, 'suppressed'];

/** The port keys a risk rule reports (risky-port, debug-agent-configured), unless suppressed. */
const riskyKeys = (findings: readonly Finding[]): Set<string> =>
  new Set(findings.flatMap(f => (RISK_RULES.has(f.rule) && !f.suppressed && findingPort(f) ? [findingPort(f)!] : [])));

/** The group of each finding, for writers that head sections with it. */
export const groupFinding = (findings: readonly Finding[]): ((f: Finding) => FindingGroup) => {
  const risky = riskyKeys(findings);
  return f => (f.suppressed ? 'suppressed' : RISK_RULES.has(f.rule) || risky.has(findingPort(f) ?? '') ? 'risky' : f.severity);
};

/** Findings that count: those no `accept:` entry suppressed. */
export const activeFindings = (findings: readonly Finding[]): Finding[] => findings.filter(f => !f.suppressed);

/**
 * The one finding order every writer and the annotations use: by importance.
 * Risky ports first (the risk rule, then the port's other findings), then by
 * severity; within those the rule's importance (catalogue securitySeverity,
 * a crash boosted), then file (findings without one last), line, port.
 * Protocol, rule and message break the remaining ties so that output is
 * byte-for-byte stable whatever the input order.
 */
export const sortFindings = (findings: readonly Finding[]): Finding[] => {
  const group = groupFinding(findings);
  const rank = (f: Finding) => GROUPS.indexOf(group(f));
  return [...findings].sort((a, b) => {
    const fa = fileOf(a.location);
    const fb = fileOf(b.location);
    return (
      rank(a) - rank(b) ||
      RANK[a.severity] - RANK[b.severity] ||
      Number(RISK_RULES.has(b.rule)) - Number(RISK_RULES.has(a.rule)) ||
      importance(b.rule) - importance(a.rule) ||
      (fa === undefined ? 1 : 0) - (fb === undefined ? 1 : 0) ||
      cmp(fa ?? '', fb ?? '') ||
      lineOf(a.location) - lineOf(b.location) ||
      (a.port ?? -1) - (b.port ?? -1) ||
      cmp(a.protocol ?? '', b.protocol ?? '') ||
      cmp(a.rule, b.rule) ||
      cmp(a.message, b.message)
    );
  });
};

/** Findings by severity; suppressed ones are not counted (see describeFindings). */
export const countBySeverity = (findings: readonly Finding[]): Record<Severity, number> => {
  const counts: Record<Severity, number> = {error: 0, warning: 0, note: 0};
  for (const f of activeFindings(findings)) counts[f.severity]++;
  return counts;
};

/** `3 errors, 1 warning, 0 notes` */
export const describeCounts = (c: Record<Severity, number>): string =>
  SEVERITIES.map(s => `${c[s]} ${s}${c[s] === 1 ? '' : 's'}`).join(', ');

/** `3 errors, 1 warning, 0 notes, 2 suppressed`: what every summary line says about a result's findings. */
export const describeFindings = (findings: readonly Finding[]): string => {
  const suppressed = findings.length - activeFindings(findings).length;
  return describeCounts(countBySeverity(findings)) + (suppressed ? `, ${suppressed} suppressed` : '');
};

/** `accepted at portgate.yml:21 until 2027-03-31: <reason>`, for a suppressed finding. */
export const describeSuppression = (f: Finding, cwd?: string): string =>
  f.suppressed ? `accepted at ${relPath(f.suppressed.location.file, cwd)}:${f.suppressed.location.line}${f.suppressed.until ? ` until ${f.suppressed.until}` : ''}: ${f.suppressed.reason}` : '';

/** `8080/tcp` when the finding names a port, else undefined. */
export const findingPort = (f: Finding): string | undefined =>
  f.port !== undefined && f.protocol ? portKey({port: f.port, protocol: f.protocol}) : undefined;

/**
 * Repository-relative path with forward slashes: what SARIF, Code Quality and
 * GitHub annotations resolve against the checkout. Paths outside `cwd` stay
 * absolute rather than gaining `../` segments no platform can resolve.
 */
export const relPath = (file: string, cwd?: string): string => {
  if (cwd && isAbsolute(file)) {
    const r = relative(cwd, file);
    if (r && !r.startsWith('..') && !isAbsolute(r)) return r.split(sep).join('/');
  }
  return file.replaceAll('\\', '/');
};

/** What the gate's threshold means, in words. */
export const describeFailOn = (failOn: GateResult['failOn']): string =>
  ({error: 'fails on errors', warning: 'fails on warnings and errors', note: 'fails on any finding', never: 'never fails'})[failOn];

/**
 * A finding without a file line is about the image as a whole, and the
 * pipeline gives every finding a Dockerfile or spec line when one applies
 * (findings/where.ts). So `(image)` means no file applies: said in words,
 * the same way in every writer.
 */
export const imageWideLabel = (r: Pick<GateResult, 'dockerfile'>): string => (r.dockerfile ? '(image as a whole)' : '(image: no Dockerfile given)');

/** The sentence SARIF, Code Quality and annotations append to such a finding, whose path is the image repository or none. */
export const imageWideNote = (r: Pick<GateResult, 'dockerfile' | 'image'>): string =>
  r.dockerfile ? ` (About image ${r.image} as a whole; no file line applies.)` : ` (About image ${r.image}; no Dockerfile was given, so no file line applies.)`;

/** `Dockerfile:12`, or the image-wide label for a finding with no file line. */
export const describeLocation = (l: Location | undefined, r: Pick<GateResult, 'dockerfile'>, cwd?: string): string =>
  !l ? '' : isSourceLocation(l) ? `${relPath(l.file, cwd)}:${l.line}` : imageWideLabel(r);

/**
 * Where formats that require a file (SARIF, Code Quality) anchor a finding:
 * its own line; a finding with none (no Dockerfile was given) is placed on
 * the image repository as a path (`imageOnly`), with imageWideNote.
 */
export interface Anchor {
  path: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** true when no file applies and `path` is the image repository (see imageRepository). */
  imageOnly: boolean;
}

export const anchorOf = (f: Finding, r: GateResult, cwd?: string): Anchor => {
  const l = f.location;
  if (isSourceLocation(l)) {
    const {line, column, endLine, endColumn} = l;
    return {path: relPath(l.file, cwd), line, column, endLine, endColumn, imageOnly: false};
  }
  return {path: imageRepository(r.image), line: 1, imageOnly: true};
};

/**
 * `ghcr.io/acme/app:1.2@sha256:…` → `ghcr.io/acme/app`. The tag and digest
 * change with every build; a path or fingerprint containing them would make
 * every run report "new" problems and close the old ones.
 */
export const imageRepository = (image: string): string => {
  const noDigest = image.split('@', 1)[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
};

/** Note appended to a message whose anchor is the image, not a file line. */
export const fallbackNote = (a: Anchor, r: GateResult): string => (a.imageOnly ? imageWideNote(r) : '');

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Stable fingerprints: sha256 of the parts joined with NUL — never the line, so
 * moving an EXPOSE or reordering portgate.yml keeps the same identity. Parts
 * that repeat get `#2`, `#3`… (in sorted order) because both GitHub and GitLab
 * collapse identical fingerprints into one alert.
 */
export const fingerprints = (parts: readonly (readonly string[])[]): string[] => {
  const seen = new Map<string, number>();
  return parts.map(p => {
    const key = p.join('\0');
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return sha256(n === 1 ? key : `${key}\0#${n}`);
  });
};

export {sanitize} from './sanitize.js';

/** The engine in one line: `Podman 4.3.1 at unix:///run/podman/podman.sock (/var/run/docker.sock is missing)`; why only when it was not the default or asked for. */
export const describeEngine = (e: EngineInfo): string =>
  `${e.name} ${e.version} at ${e.address}${e.chosenBy === 'the default socket' || e.chosenBy.startsWith('--engine') ? '' : ` (${e.chosenBy})`}`;
