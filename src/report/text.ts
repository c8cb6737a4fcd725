import type {Finding, GateResult, Severity} from '../model.js';
import {
  GROUPS,
  countBySeverity,
  describeCounts,
  describeFailOn,
  describeLocation,
  findingPort,
  groupFinding,
  relPath,
  sanitize,
  sortFindings,
  type FindingGroup,
  type WriterOptions
} from './common.js';
import {COLUMNS, NONE, portCells, portRows, worst, type PortCells} from './table.js';
import {neutralizeCommands} from './sanitize.js';

/**
 * The terminal report: context line, aligned port table, findings grouped by
 * severity, and a last line a CI log reader can grep for. Colour only when the
 * caller asks (the CLI decides from the TTY, NO_COLOR and --color).
 */

type Style = 'red' | 'yellow' | 'cyan' | 'green' | 'dim' | 'bold';
const SGR: Record<Style, string> = {red: '31', yellow: '33', cyan: '36', green: '32', dim: '2', bold: '1'};
type Paint = (s: string, ...styles: Style[]) => string;

const painter = (color: boolean): Paint => (s, ...styles) =>
  color && styles.length && s ? `\u001b[${styles.map(st => SGR[st]).join(';')}m${s}\u001b[0m` : s;

const SEVERITY_STYLE: Record<Severity, Style> = {error: 'red', warning: 'yellow', note: 'cyan'};
const HEADINGS: Record<FindingGroup, string> = {risky: 'Risky ports', error: 'Errors', warning: 'Warnings', note: 'Notes'};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const contextLine = (r: GateResult, cwd: string | undefined): string => {
  const parts = [
    `Dockerfile: ${r.dockerfile ? relPath(r.dockerfile, cwd) : NONE}`,
    `spec: ${r.spec ? relPath(r.spec, cwd) : 'none (EXPOSE vs runtime)'}`,
    r.container ? `probe: ${r.container.reader}${r.container.trusted ? '' : ' (untrusted)'}` : 'static-only: the image was not run',
    `took ${seconds(r.timing.totalMs)}`
  ];
  return parts.join('   ');
};

const table = (r: GateResult, paint: Paint): string[] => {
  const rows = portRows(r);
  if (rows.length === 0) return ['No ports in any view: nothing EXPOSEd, declared or listening.'];
  const keys = Object.keys(COLUMNS) as (keyof PortCells)[];
  const cells = rows.map(row => portCells(row, r.container !== undefined));
  // A reduce, not Math.max(...): a range EXPOSE can make 131,070 rows, past the argument limit.
  const width = (k: keyof PortCells) => cells.reduce((w, c) => Math.max(w, c[k].length), COLUMNS[k].length);
  const widths = keys.map(width);
  const line = (c: Record<keyof PortCells, string>, style: (k: keyof PortCells, v: string) => string) =>
    keys
      .map((k, i) => (i === keys.length - 1 ? style(k, c[k]) : style(k, c[k].padEnd(widths[i]!))))
      .join('  ')
      .trimEnd();
  const header = line(COLUMNS, (_, v) => paint(v, 'bold'));
  const body = cells.map((c, i) => {
    const w = worst(rows[i]!);
    return line(c, (k, v) =>
      k === 'verdict' ? paint(v, w ? SEVERITY_STYLE[w.severity] : 'green') : v.trimEnd() === NONE ? paint(v, 'dim') : v
    );
  });
  return [header, ...body];
};

const indent = (text: string, prefix: string): string[] => sanitize(text).split('\n').map(l => (l ? prefix + l : ''));

const findingLines = (f: Finding, r: GateResult, cwd: string | undefined, paint: Paint, withSeverity: boolean): string[] => {
  const head = [withSeverity && paint(f.severity, SEVERITY_STYLE[f.severity]), describeLocation(f.location, r, cwd), paint(f.rule, SEVERITY_STYLE[f.severity]), findingPort(f)];
  return [`  ${head.filter(Boolean).join('  ')}`, ...indent(f.message, '      ')];
};

/** The findings in report order, under one heading per group: risky ports first (whatever their severity, which each line then shows), then errors, warnings, notes. */
const findingsSection = (r: GateResult, cwd: string | undefined, paint: Paint): string[] => {
  const sorted = sortFindings(r.findings);
  const group = groupFinding(r.findings);
  return GROUPS.flatMap(g => {
    const members = sorted.filter(f => group(f) === g);
    if (members.length === 0) return [];
    const style = g === 'risky' ? SEVERITY_STYLE[members[0]!.severity] : SEVERITY_STYLE[g];
    return ['', paint(`${HEADINGS[g]} (${members.length})`, 'bold', style), ...members.flatMap(f => findingLines(f, r, cwd, paint, g === 'risky'))];
  });
};

/** The sandbox settings that are not portgate's defaults, with where each came from; and what it did not copy. */
const sandboxSection = (r: GateResult, paint: Paint): string[] => {
  const sb = r.container?.sandbox;
  const set = sb?.settings.filter(s => !s.isDefault) ?? [];
  if (!sb || (!set.length && !sb.notes.length)) return [];
  const w = set.reduce((m, s) => Math.max(m, s.setting.length), 0);
  return [
    '',
    paint('Sandbox (settings that are not portgate\'s defaults)', 'bold'),
    ...set.map(s => `  ${s.setting.padEnd(w)}  ${sanitize(s.value)}  ${paint(`from ${sanitize(s.from)}`, 'dim')}`),
    ...sb.notes.map(n => `  ${paint('note:', 'dim')} ${sanitize(n)}`)
  ];
};

/** The log tail, unless a finding (container-exited) already quotes it. */
const logsSection = (r: GateResult, paint: Paint): string[] => {
  const logs = r.container?.logs?.trim();
  if (!logs || r.findings.some(f => f.message.includes(logs))) return [];
  const what = r.container?.exited ? `exited with code ${r.container.exitCode ?? 'unknown'}` : 'log tail';
  return ['', paint(`Container logs (${what})`, 'bold'), ...indent(logs, '  | ')];
};

const verdictLine = (r: GateResult, paint: Paint): string => {
  const counts = countBySeverity(r.findings);
  const summary = r.findings.length ? describeCounts(counts) : 'no findings';
  const word = r.verdict === 'pass' ? paint('PASS', 'bold', 'green') : paint('FAIL', 'bold', 'red');
  return `${word} ${r.image}: ${summary} (gate ${describeFailOn(r.failOn)})`;
};

export const toText = (r: GateResult, opts: WriterOptions): string => {
  const paint = painter(opts.color ?? false);
  const lines = [
    `${paint('portgate', 'bold')} ${r.image}`,
    paint(contextLine(r, opts.cwd), 'dim'),
    '',
    ...table(r, paint),
    ...findingsSection(r, opts.cwd, paint),
    ...sandboxSection(r, paint),
    ...logsSection(r, paint),
    '',
    verdictLine(r, paint)
  ];
  return neutralizeCommands(`${lines.join('\n')}\n`);
};
