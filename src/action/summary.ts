import type {FleetJsonReport} from '../fleet/result.js';
import type {GateResult} from '../model.js';
import {fleetMarkdown} from '../report/fleet.js';
import {FORMATS} from '../report/index.js';
import {STEP_LIMIT} from './annotations.js';

/**
 * GitHub refuses a step summary over 1 MiB (the upload fails with an error
 * annotation; workflow-commands.md). Stay well below it, leaving room for
 * the closing lines.
 */
export const SUMMARY_MAX_BYTES = 1024 * 1024 - 4096;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Cuts at a line boundary below `max` bytes, so a table row is never half-rendered. */
export const truncateMarkdown = (md: string, max: number, note: string): string => {
  if (bytes(md) <= max) return md;
  const budget = max - bytes(note) - 2;
  let out = '';
  for (const line of md.split('\n')) {
    if (bytes(out) + bytes(line) + 1 > budget) break;
    out += `${line}\n`;
  }
  return `${out}\n${note}`;
};

/** One line on what the annotations left out, or '' when every finding has one. */
export const unannotatedLine = (n: number): string =>
  n === 0
    ? ''
    : `> [!NOTE]\n> ${n} finding${n === 1 ? ' is' : 's are'} not annotated on the files: GitHub shows at most ${STEP_LIMIT} annotations of each level per step. All findings are listed above and in the JSON and SARIF reports.\n`;

/** The job summary: the markdown report, then the line on unannotated findings. */
export const summaryMarkdown = (r: GateResult, opts: {cwd?: string; unannotated: number}): string => {
  const tail = unannotatedLine(opts.unannotated);
  const body = truncateMarkdown(FORMATS.markdown(r, {cwd: opts.cwd}), SUMMARY_MAX_BYTES - bytes(tail) - 2, '_Report truncated to fit the 1 MiB job-summary limit; the JSON report has everything._\n');
  return tail ? `${body.trimEnd()}\n\n${tail}` : body;
};

/** A fleet's job summary: its Markdown report (summary table, a collapsed section per service), then the line on unannotated findings. */
export const fleetSummaryMarkdown = (r: FleetJsonReport, opts: {unannotated: number; fullReport?: string}): string => {
  const tail = unannotatedLine(opts.unannotated);
  const body = truncateMarkdown(fleetMarkdown(r, opts.fullReport !== undefined ? {fullReport: opts.fullReport} : {}), SUMMARY_MAX_BYTES - bytes(tail) - 2, '_Report truncated to fit the 1 MiB job-summary limit; the JSON report has everything._\n');
  return tail ? `${body.trimEnd()}\n\n${tail}` : body;
};
