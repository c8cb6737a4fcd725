import type {GateResult} from '../model.js';
import {gradeOf, type Grade} from '../findings/rules.js';
import {activeFindings, anchorOf, fallbackNote, findingPort, fingerprints, sanitize, sortFindings, type WriterOptions} from './common.js';

/**
 * GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of
 * issues, no byte-order mark. Required per issue: description, check_name,
 * fingerprint, severity, location.path and location.lines.begin.
 * https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
 *
 * - severity: graded per finding by findings/rules.ts gradeOf (the rule's grade,
 *   risky-port's by catalog category, capped by a severity override), so an
 *   open JDWP port (blocker) outranks a loopback-bound metrics port (major).
 * - fingerprint: sha256 of path, rule and port/protocol (never the line), so the
 *   MR widget can tell a new problem from a moved one; repeats get an ordinal
 *   (see common.fingerprints) because GitLab collapses identical fingerprints.
 * - a finding an `accept:` entry suppressed is left out: the format cannot mark
 *   it, and the MR widget would count it (the JUnit report shows it as skipped).
 * - a finding without a file line (no Dockerfile was given) has the image
 *   repository as its path (shown as text), with a note saying so.
 */

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: Grade;
  location: {path: string; lines: {begin: number}};
}

export const toCodeQualityIssues = (r: GateResult, cwd?: string): CodeQualityIssue[] => {
  // The format has no way to mark an issue suppressed, and the widget would count it: suppressed findings are left out (JUnit shows them as skipped).
  const findings = sortFindings(activeFindings(r.findings));
  const anchors = findings.map(f => anchorOf(f, r, cwd));
  const prints = fingerprints(findings.map((f, i) => [anchors[i]!.path, f.rule, findingPort(f) ?? '']));
  return findings.map((f, i) => ({
    // First line only: the widget lists issues one per line (container-exited appends a log tail).
    description: sanitize(f.message.split('\n', 1)[0]!).trim() + fallbackNote(anchors[i]!, r),
    check_name: f.rule,
    fingerprint: prints[i]!,
    severity: gradeOf(f),
    location: {path: anchors[i]!.path, lines: {begin: anchors[i]!.line}}
  }));
};

export const toCodeQuality = (r: GateResult, opts: WriterOptions): string =>
  `${JSON.stringify(toCodeQualityIssues(r, opts.cwd), null, 2)}\n`;
