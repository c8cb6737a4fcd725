import type {AnnotationProperties} from '@actions/core';
import type {FleetJsonReport} from '../fleet/result.js';
import type {Finding, GateResult, Severity} from '../model.js';
import {servicesInOrder} from '../report/fleet/common.js';
import {isSourceLocation} from '../model.js';
import {RULES, type RuleId} from '../findings/rules.js';
import {activeFindings, findingPort, imageWideNote, relPath, sanitize, sortFindings} from '../report/common.js';

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

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export interface AnnotationOptions {
  /** Workspace root: annotation paths must be relative to the repository. */
  cwd?: string;
  perLevel?: number;
}

/**
 * Where a finding goes: its own line (columns only when it spans one line, as
 * GitHub requires). The pipeline already gave findings about the image as a
 * whole the FROM, ENTRYPOINT/CMD or `ports:` line (findings/where.ts); one
 * without a line (no Dockerfile was given) is an annotation on the run,
 * saying so.
 */
const place = (f: Finding, r: GateResult, opts: AnnotationOptions): {properties: AnnotationProperties; note: string} => {
  const l = f.location;
  if (isSourceLocation(l)) {
    const endLine = l.endLine ?? l.line;
    const columns = endLine === l.line && l.column !== undefined ? {startColumn: l.column, ...(l.endColumn !== undefined && {endColumn: l.endColumn})} : {};
    return {properties: {file: relPath(l.file, opts.cwd), startLine: l.line, endLine, ...columns}, note: ''};
  }
  return {properties: {}, note: imageWideNote(r)};
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

/**
 * Every finding as an annotation, in the reports' order (report/common.ts
 * sortFindings: risky ports first, then severity, then rule importance), so
 * the most important win the scarce slots; capped per level.
 */
export const planAnnotations = (r: GateResult, opts: AnnotationOptions = {}): AnnotationPlan => {
  const perLevel = opts.perLevel ?? PER_LEVEL;
  const used: Record<AnnotationLevel, number> = {error: 0, warning: 0, notice: 0};
  const annotations: Annotation[] = [];
  let unannotated = 0;
  // Suppressed findings are shown in the job summary and the reports, not as annotations on the diff.
  for (const f of sortFindings(activeFindings(r.findings))) {
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

/**
 * A fleet's findings as annotations, one step's worth: first one error per
 * service that could not be gated (no file to point at), then each service's
 * findings, services in the reports' order (failing ones with a risky port
 * first) and findings in theirs; each title and message names its service.
 * Capped per level as for one image.
 */
export const planFleetAnnotations = (r: FleetJsonReport, opts: AnnotationOptions = {}): AnnotationPlan => {
  const perLevel = opts.perLevel ?? PER_LEVEL;
  const used: Record<AnnotationLevel, number> = {error: 0, warning: 0, notice: 0};
  const annotations: Annotation[] = [];
  let unannotated = 0;
  const add = (a: Annotation) => {
    if (used[a.level] >= perLevel) return void unannotated++;
    used[a.level]++;
    annotations.push(a);
  };
  const views = servicesInOrder(r);
  for (const v of views) {
    if (v.s.status !== 'error') continue;
    const name = sanitize(v.s.name);
    add({level: 'error', message: cut(`Service ${name} (${sanitize(v.s.image)}) could not be gated (exit ${v.s.code}): ${sanitize(v.s.error ?? '')}`, MESSAGE_MAX), properties: {title: cut(`portgate ${name}: could not be gated`, TITLE_MAX)}});
  }
  for (const v of views) {
    if (!v.result) continue;
    const name = sanitize(v.s.name);
    for (const f of sortFindings(activeFindings(v.result.findings))) {
      const a = toAnnotation(f, v.result, opts);
      add({...a, message: cut(`Service ${name}: ${a.message}`, MESSAGE_MAX), properties: {...a.properties, title: cut(`portgate ${name}: ${String(a.properties.title).replace(/^portgate /, '')}`, TITLE_MAX)}});
    }
  }
  return {annotations, unannotated};
};
