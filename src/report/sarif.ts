import {pathToFileURL} from 'node:url';
import pkg from '../../package.json' with {type: 'json'};
import type {Finding, GateResult, Severity} from '../model.js';
import {RULES, ruleMeta, type RuleMeta} from '../findings/rules.js';
import {anchorOf, fallbackNote, findingPort, fingerprints, sanitize, sortFindings, type Anchor, type WriterOptions} from './common.js';

/**
 * SARIF 2.1.0 for `github/codeql-action/upload-sarif`.
 * Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * GitHub's subset: https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support
 *
 * - `rules` lists only the rules this run reports, in catalogue order; `ruleIndex` points into it.
 * - Every rule is a security rule: `security-severity` (a string, "0.1"–"10.0") sets the
 *   alert's severity; `problem.severity` is kept for tools that ignore security severity.
 * - GitHub rejects a result without a location ("expected at least one location",
 *   github/codeql-action#1738) and a `uri` that is not a URI reference (ossf/scorecard-action#1149),
 *   so every result gets one: its own line, else line 1 of the Dockerfile or spec with a
 *   note in the message, else the image repository as a relative path (see uriOf).
 * - Fingerprint = sha256(rule, uri, port/protocol), never the line, so identity survives
 *   edits. It is set as `primaryLocationLineHash` too: GitHub only reads that one, and
 *   upload-sarif would otherwise derive it from the text of the located line
 *   (codeql-action src/fingerprints.ts), merging two image-wide findings of one rule
 *   shown at the same line 1 into one alert.
 * - Relative URIs must be relative to the repository root: pass that as `cwd`.
 *   Categories: several images in one workflow need upload-sarif's `category` input.
 */

// The npm package page: the one public home the package name guarantees (the schema's $id uses unpkg likewise).
export const INFORMATION_URI = 'https://www.npmjs.com/package/portgate';
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
  help: `portgate rule ${id}.`,
  securitySeverity: 5.0
});

const ruleDescriptor = (m: RuleMeta) => ({
  id: m.id,
  name: m.id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
  shortDescription: {text: m.title},
  fullDescription: {text: m.help},
  defaultConfiguration: {level: m.severity},
  help: {text: m.help, markdown: `**${m.title}**\n\n${m.help}`},
  properties: {
    tags: ['security', 'network'],
    precision: 'high',
    'security-severity': m.securitySeverity.toFixed(1),
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

const result = (f: Finding, ruleIndex: number, a: Anchor, fingerprint: string, image: string) => ({
  ruleId: f.rule,
  ruleIndex,
  level: f.severity,
  message: {text: sanitize(f.message) + fallbackNote(a, image)},
  locations: [{physicalLocation: {artifactLocation: {uri: uriOf(a.path)}, region: region(a)}}],
  partialFingerprints: {'portgateFingerprint/v1': fingerprint, primaryLocationLineHash: fingerprint}
});

export const toSarifLog = (r: GateResult, cwd?: string) => {
  const findings = sortFindings(r.findings);
  const catalogue = Object.keys(RULES);
  const ids = [...new Set(findings.map(f => f.rule))].sort(
    (a, b) => (catalogue.indexOf(a) + 1 || Infinity) - (catalogue.indexOf(b) + 1 || Infinity) || (a < b ? -1 : 1)
  );
  const metas = ids.map(id => ruleMeta(id) ?? unknownRule(id, findings.find(f => f.rule === id)!.severity));
  const anchors = findings.map(f => anchorOf(f, r, cwd));
  const prints = fingerprints(findings.map((f, i) => [f.rule, uriOf(anchors[i]!.path), findingPort(f) ?? '']));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portgate',
            informationUri: INFORMATION_URI,
            version: pkg.version,
            semanticVersion: pkg.version,
            rules: metas.map(ruleDescriptor)
          }
        },
        results: findings.map((f, i) => result(f, ids.indexOf(f.rule), anchors[i]!, prints[i]!, r.image)),
        columnKind: 'utf16CodeUnits'
      }
    ]
  };
};

export const toSarif = (r: GateResult, opts: WriterOptions): string => `${JSON.stringify(toSarifLog(r, opts.cwd), null, 2)}\n`;
