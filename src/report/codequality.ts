import type {GateResult, Severity} from '../model.js';
import {anchorOf, fallbackNote, findingPort, fingerprints, sanitize, sortFindings, type WriterOptions} from './common.js';

/**
 * GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of
 * issues, no byte-order mark. Required per issue: description, check_name,
 * fingerprint, severity, location.path and location.lines.begin.
 * https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
 *
 * - severity: error → critical, warning → minor, note → info. `blocker` is not
 *   used: GitLab shows it like critical, and the gate verdict already says
 *   what blocks the pipeline.
 * - fingerprint: sha256 of path, rule and port/protocol (never the line), so the
 *   MR widget can tell a new problem from a moved one; repeats get an ordinal
 *   (see common.fingerprints) because GitLab collapses identical fingerprints.
 * - a finding without a line is placed at line 1 of the Dockerfile or spec with
 *   a note; with no file at all the path is the image reference (shown as text).
 */

const SEVERITY: Record<Severity, 'critical' | 'minor' | 'info'> = {error: 'critical', warning: 'minor', note: 'info'};

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: {path: string; lines: {begin: number}};
}

export const toCodeQualityIssues = (r: GateResult, cwd?: string): CodeQualityIssue[] => {
  const findings = sortFindings(r.findings);
  const anchors = findings.map(f => anchorOf(f, r, cwd));
  const prints = fingerprints(findings.map((f, i) => [anchors[i]!.path, f.rule, findingPort(f) ?? '']));
  return findings.map((f, i) => ({
    // First line only: the widget lists issues one per line (container-exited appends a log tail).
    description: sanitize(f.message.split('\n', 1)[0]!).trim() + fallbackNote(anchors[i]!, r.image),
    check_name: f.rule,
    fingerprint: prints[i]!,
    severity: SEVERITY[f.severity],
    location: {path: anchors[i]!.path, lines: {begin: anchors[i]!.line}}
  }));
};

export const toCodeQuality = (r: GateResult, opts: WriterOptions): string =>
  `${JSON.stringify(toCodeQualityIssues(r, opts.cwd), null, 2)}\n`;
