import {pathToFileURL} from 'node:url';
import pkg from '../../package.json' with {type: 'json'};
import type {Finding, GateResult, Severity, Suppression} from '../model.js';
import {DOCS_URL, RULES, helpUri, ruleMeta, type RuleMeta} from '../findings/rules.js';
import {anchorOf, fallbackNote, findingPort, fingerprints, relPath, sanitize, sortFindings, type Anchor, type WriterOptions} from './common.js';

/**
 * SARIF 2.1.0 for `github/codeql-action/upload-sarif`.
 * Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * GitHub's subset: https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support
 *
 * - `rules` lists only the rules this run reports, in catalogue order; `ruleIndex` points into it.
 *   Each has a `helpUri` (its README section on the npm page, next to `informationUri`), a
 *   `help` that says how to fix it, and its catalogue tags (security, correctness,
 *   configuration). Only `security` rules carry `security-severity` (a string, "0.1"–"10.0"),
 *   which GitHub reads only for them; `problem.severity` is kept for every rule.
 * - GitHub rejects a result without a location ("expected at least one location",
 *   github/codeql-action#1738) and a `uri` that is not a URI reference (ossf/scorecard-action#1149),
 *   so every result gets one: its own line (findings/where.ts gives image-wide findings the
 *   FROM, ENTRYPOINT/CMD or `ports:` line), else, with no Dockerfile given, the image
 *   repository as a relative path with a note in the message (see uriOf).
 * - Fingerprint = sha256(rule, uri, port/protocol), never the line, so identity survives
 *   edits. It is set as `primaryLocationLineHash` too: GitHub only reads that one, and
 *   upload-sarif would otherwise derive it from the text of the located line
 *   (codeql-action src/fingerprints.ts), merging two image-wide findings of one rule
 *   shown at the same line 1 into one alert.
 * - A finding an `accept:` entry suppressed keeps its result, with a suppression of
 *   kind `external` (the entry is in portgate.yml), status `accepted`, the entry's
 *   reason as justification and its place as location; GitHub closes such alerts.
 * - Relative URIs must be relative to the repository root: pass that as `cwd`.
 *   Categories: several images in one workflow need upload-sarif's `category` input.
 */

// The npm package page: the one public home the package name guarantees (the schema's $id uses unpkg likewise).
export const INFORMATION_URI = DOCS_URL;
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const PROBLEM_SEVERITY: Record<Severity, 'error' | 'warning' | 'recommendation'> = {
  error: 'error',
  warning: 'warning',
  note: 'recommendation'
};

/** A rule id portgate does not know yet (a newer engine): still a valid, self-describing rule. */
const unknownRule = (id: string, severity: Severity): RuleMeta => ({
  id,
  severity,
  title: id,
  description: `portgate rule ${id}, which this version of the report writer does not know.`,
  fix: 'Read the finding\'s message; upgrade portgate for this rule\'s documentation.',
  securitySeverity: 5.0,
  tags: [],
  grade: 'major',
  docs: 'rules'
});

export const ruleDescriptor = (m: RuleMeta) => ({
  id: m.id,
  name: m.id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
  shortDescription: {text: m.title},
  fullDescription: {text: m.description},
  defaultConfiguration: {level: m.severity},
  helpUri: helpUri(m),
  help: {text: `${m.description} How to fix: ${m.fix}`, markdown: `**${m.title}**\n\n${m.description}\n\n**How to fix:** ${m.fix}`},
  properties: {
    tags: [...m.tags],
    precision: 'high',
    ...(m.tags.includes('security') && {'security-severity': m.securitySeverity.toFixed(1)}),
    'problem.severity': PROBLEM_SEVERITY[m.severity]
  }
});

/**
 * Relative paths stay relative (GitHub resolves them against the checkout),
 * percent-encoded per segment so `#`, `?`, spaces and a `:` in the first
 * segment (`localhost:5000/app`, an image repository) cannot read as URI
 * syntax; absolute paths (outside the checkout) become file: URIs.
 */
export const uriOf = (path: string): string =>
  path.startsWith('/') ? pathToFileURL(path).href : path.split('/').map(encodeURIComponent).join('/');

const region = (a: Anchor) => ({
  startLine: a.line,
  ...(a.column !== undefined && {startColumn: a.column}),
  ...(a.endLine !== undefined && {endLine: a.endLine}),
  ...(a.endColumn !== undefined && {endColumn: a.endColumn})
});

/**
 * One finding as a result. A fleet report names the service (`service`): the
 * message starts with it and the properties carry it and the image. A
 * finding compared with a baseline has its `baselineState` (new, unchanged).
 */
export const sarifResult = (f: Finding, ruleIndex: number, a: Anchor, fingerprint: string, r: GateResult, cwd: string | undefined, service?: string) => ({
  ruleId: f.rule,
  ruleIndex,
  level: f.severity,
  message: {text: (service ? `Service ${sanitize(service)}: ` : '') + sanitize(f.message) + fallbackNote(a, r)},
  locations: [{physicalLocation: {artifactLocation: {uri: uriOf(a.path)}, region: region(a)}}],
  partialFingerprints: {'portgateFingerprint/v1': fingerprint, primaryLocationLineHash: fingerprint},
  ...(f.suppressed && {suppressions: [suppression(f.suppressed, cwd)]}),
  ...(f.baseline && {baselineState: f.baseline}),
  ...(service !== undefined && {properties: {service: sanitize(service), image: sanitize(r.image)}})
});

/** An `accept:` entry as a SARIF suppression: external (it lives in portgate.yml, not in the file the result points at), accepted, with its reason. */
const suppression = (s: Suppression, cwd: string | undefined) => ({
  kind: 'external',
  status: 'accepted',
  justification: `${s.reason}${s.until ? ` (accepted until ${s.until})` : ''}`,
  location: {physicalLocation: {artifactLocation: {uri: uriOf(relPath(s.location.file, cwd))}, region: {startLine: s.location.line, ...(s.location.column !== undefined && {startColumn: s.location.column})}}}
});

/** The rules `findings` report, in catalogue order (unknown ones last, by id), for `driver.rules` and each `ruleIndex`. */
export const reportedRules = (findings: readonly Finding[]): {ids: string[]; metas: RuleMeta[]} => {
  const catalogue = Object.keys(RULES);
  const ids = [...new Set(findings.map(f => f.rule))].sort(
    (a, b) => (catalogue.indexOf(a) + 1 || Infinity) - (catalogue.indexOf(b) + 1 || Infinity) || (a < b ? -1 : 1)
  );
  return {ids, metas: ids.map(id => ruleMeta(id) ?? unknownRule(id, findings.find(f => f.rule === id)!.severity))};
};

/** The tool as every run names it. */
export const sarifDriver = (metas: readonly RuleMeta[]) => ({
  name: 'portgate',
  informationUri: INFORMATION_URI,
  version: pkg.version,
  semanticVersion: pkg.version,
  rules: metas.map(ruleDescriptor)
});

export const SARIF_SCHEMA = SCHEMA;

export const toSarifLog = (r: GateResult, cwd?: string) => {
  const findings = sortFindings(r.findings);
  const {ids, metas} = reportedRules(findings);
  const anchors = findings.map(f => anchorOf(f, r, cwd));
  const prints = fingerprints(findings.map((f, i) => [f.rule, uriOf(anchors[i]!.path), findingPort(f) ?? '']));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {driver: sarifDriver(metas)},
        results: findings.map((f, i) => sarifResult(f, ids.indexOf(f.rule), anchors[i]!, prints[i]!, r, cwd)),
        columnKind: 'utf16CodeUnits'
      }
    ]
  };
};

export const toSarif = (r: GateResult, opts: WriterOptions): string => `${JSON.stringify(toSarifLog(r, opts.cwd), null, 2)}\n`;
