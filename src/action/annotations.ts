import type {AnnotationProperties} from '@actions/core';
import type {Finding, GateResult, Severity} from '../model.js';
import {isSourceLocation} from '../model.js';
import {RULES, type RuleId} from '../findings/rules.js';
import {compareFindings, findingPort, relPath, sanitize} from '../report/common.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  properties: AnnotationProperties;
}

export interface AnnotationPlan {
  /** Most important first; at most `perLevel` of each level. */
  annotations: Annotation[];
  /** Findings left out because of the cap (they are still in the summary, JSON and SARIF). */
  unannotated: number;
}

/**
 * GitHub keeps 10 annotations of each level per step and silently drops the
 * rest (actions/toolkit docs/problem-matchers.md, "Limitations"). One slot per
 * level stays free for the action's own messages: core.setFailed is an error
 * annotation, and a skipped PR comment is a notice or warning.
 */
export const STEP_LIMIT = 10;
export const PER_LEVEL = STEP_LIMIT - 1;

// Check-run limits (dorny/test-reporter report/get-annotations.ts); longer text is cut, not rejected.
const TITLE_MAX = 255;
const MESSAGE_MAX = 65_535;

const LEVEL: Record<Severity, AnnotationLevel> = {error: 'error', warning: 'warning', note: 'notice'};
const LEVEL_RANK: Record<AnnotationLevel, number> = {error: 0, warning: 1, notice: 2};

/**
 * Which finding wins a scarce annotation slot within one severity: the
 * catalogue's securitySeverity (risky and unexpected listeners, sensitive
 * ports made reachable first; hygiene last), so rules added later rank
 * themselves. A crash is boosted above plain drift: it makes every runtime
 * finding unreliable, and the log tail in its message says why.
 */
export const BOOST: Partial<Record<RuleId, number>> = {'container-exited': 6.5};

/** Higher = more important; unknown rules get 0 and go last. */
export const importance = (rule: string): number => BOOST[rule as RuleId] ?? RULES[rule as RuleId]?.securitySeverity ?? 0;

/** Severity, then rule importance; the report order (file, line, port) breaks ties so output is stable. */
export const compareForAnnotation = (a: Finding, b: Finding): number =>
  LEVEL_RANK[LEVEL[a.severity]] - LEVEL_RANK[LEVEL[b.severity]] || importance(b.rule) - importance(a.rule) || compareFindings(a, b);

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * 1-based line of the FROM that starts the stage the image was built from:
 * the stage named `target`, else the last one; undefined when there is none.
 * A line scan, not a parser: a FROM inside a heredoc would fool it, and the
 * worst outcome is an annotation on the wrong line of the right file.
 */
export const fromLine = (dockerfile: string, target?: string): number | undefined => {
  let last: number | undefined;
  const lines = dockerfile.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*FROM\s+(.*)$/i.exec(lines[i]);
    if (!m) continue;
    const stage = /\s+AS\s+(\S+)\s*$/i.exec(m[1])?.[1];
    if (target && stage?.toLowerCase() === target.toLowerCase()) return i + 1;
    last = i + 1;
  }
  return last;
};

export interface AnnotationOptions {
  /** Workspace root: annotation paths must be relative to the repository. */
  cwd?: string;
  /** The Dockerfile's text, to place image-level findings on its FROM line. */
  dockerfileText?: string;
  target?: string;
  perLevel?: number;
}

/**
 * Where a finding goes: its own line (columns only when it spans one line, as
 * GitHub requires), else — for findings about the image as a whole — the
 * Dockerfile's FROM line, else line 1 of the spec; with neither file it is an
 * annotation on the run without a file.
 */
const place = (f: Finding, r: GateResult, opts: AnnotationOptions): {properties: AnnotationProperties; note: string} => {
  const l = f.location;
  if (isSourceLocation(l)) {
    const endLine = l.endLine ?? l.line;
    const columns = endLine === l.line && l.column !== undefined ? {startColumn: l.column, ...(l.endColumn !== undefined && {endColumn: l.endColumn})} : {};
    return {properties: {file: relPath(l.file, opts.cwd), startLine: l.line, endLine, ...columns}, note: ''};
  }
  const about = `image ${r.image}`;
  if (r.dockerfile) {
    const line = (opts.dockerfileText && fromLine(opts.dockerfileText, opts.target)) || 1;
    return {properties: {file: relPath(r.dockerfile, opts.cwd), startLine: line, endLine: line}, note: ` (about ${about})`};
  }
  if (r.spec) return {properties: {file: relPath(r.spec, opts.cwd), startLine: 1, endLine: 1}, note: ` (about ${about})`};
  return {properties: {}, note: ''};
};

export const toAnnotation = (f: Finding, r: GateResult, opts: AnnotationOptions = {}): Annotation => {
  const {properties, note} = place(f, r, opts);
  const port = findingPort(f);
  return {
    level: LEVEL[f.severity],
    // Messages can quote container logs: strip terminal escapes before they reach the runner.
    message: cut(sanitize(f.message) + note, MESSAGE_MAX),
    properties: {title: cut(`portgate ${f.rule}${port ? ` ${port}` : ''}: ${RULES[f.rule as RuleId]?.title ?? f.rule}`, TITLE_MAX), ...properties}
  };
};

/** Every finding as an annotation, most important first, capped per level. */
export const planAnnotations = (r: GateResult, opts: AnnotationOptions = {}): AnnotationPlan => {
  const perLevel = opts.perLevel ?? PER_LEVEL;
  const used: Record<AnnotationLevel, number> = {error: 0, warning: 0, notice: 0};
  const annotations: Annotation[] = [];
  let unannotated = 0;
  for (const f of [...r.findings].sort(compareForAnnotation)) {
    const level = LEVEL[f.severity];
    if (used[level] >= perLevel) {
      unannotated++;
      continue;
    }
    used[level]++;
    annotations.push(toAnnotation(f, r, opts));
  }
  return {annotations, unannotated};
};
