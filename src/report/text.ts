import type {Finding, GateResult, Severity} from '../model.js';
import {
  GROUPS,
  describeEngine,
  describeFailOn,
  describeFindings,
  describeLocation,
  describeSuppression,
  findingPort,
  groupFinding,
  relPath,
  sanitize,
  sortFindings,
  type FindingGroup,
  type WriterOptions
} from './common.js';
import {COLUMNS, NONE, portCells, portRows, worst, type PortCells} from './table.js';
import {neutralizeCommands, safeLine} from './sanitize.js';
import {changeDetail, changeHead, changesOf, describeChangeCounts, describeNewItems, uncompared} from './changes.js';
import {displayWidth, fitColumns, padTo, wrapLine} from './wrap.js';
import {line, painter, render, type Line, type Paint, type Seg, type Style} from './terminal.js';

/**
 * The terminal report: context line, aligned port table, findings grouped by
 * importance, and a last line a CI log reader can grep for. Colour only when
 * the caller asks (the CLI decides from the TTY, NO_COLOR and --color); long
 * lines wrap only when it gives a terminal width (`columns`: stdout is a TTY),
 * so files and pipes get whole rows.
 */

const SEVERITY_STYLE: Record<Severity, Style> = {error: 'red', warning: 'yellow', note: 'cyan'};
const HEADINGS: Record<FindingGroup, string> = {
  risky: 'Risky ports',
  error: 'Errors',
  warning: 'Warnings',
  note: 'Notes',
  suppressed: 'Suppressed by accept: in portgate.yml, not counted'
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const contextLine = (r: GateResult, cwd: string | undefined): Line => {
  const parts = [
    `Dockerfile: ${r.dockerfile ? safeLine(relPath(r.dockerfile, cwd)) : NONE}`,
    `spec: ${r.spec ? safeLine(relPath(r.spec, cwd)) : 'none (EXPOSE vs runtime)'}`,
    r.container ? `probe: ${safeLine(r.container.reader)}${r.container.trusted ? '' : ' (untrusted)'}` : 'static-only: the image was not run',
    ...(r.engine ? [`engine: ${safeLine(describeEngine(r.engine))}`] : []),
    `took ${seconds(r.timing.totalMs)}`
  ];
  return line('', [parts.join('   '), 'dim']);
};

/** The smallest a column may shrink to in a narrow terminal (its heading; 8 for the port), cutting words only below their length. */
const MIN_WIDTH: Record<keyof PortCells, number> = {port: 8, expose: 6, listening: 9, spec: 4, verdict: 7};
const GAP = 2;

/**
 * The port table. In a terminal of `columns` columns the widest columns give
 * way first and their cells wrap inside the column, so a row takes several
 * lines rather than running past the edge; elsewhere rows are whole.
 */
const table = (r: GateResult, paint: Paint, columns: number | undefined): string[] => {
  const rows = portRows(r);
  if (rows.length === 0) return render(line('', 'No ports in any view: nothing EXPOSEd, declared or listening.'), paint, columns);
  const keys = Object.keys(COLUMNS) as (keyof PortCells)[];
  const cells = rows.map(row => portCells(row, r.container !== undefined));
  // A reduce, not Math.max(...): a range EXPOSE can make 131,070 rows, past the argument limit.
  const natural = keys.map(k => cells.reduce((w, c) => Math.max(w, displayWidth(c[k])), displayWidth(COLUMNS[k])));
  const longestWord = (k: keyof PortCells) => cells.reduce((w, c) => Math.max(w, ...c[k].split(/\s+/).map(displayWidth)), displayWidth(COLUMNS[k]));
  const widths = columns === undefined ? natural : fitColumns(natural, keys.map(longestWord), keys.map(k => MIN_WIDTH[k]), columns - GAP * (keys.length - 1));
  const layout = (c: Record<keyof PortCells, string>, style: (k: keyof PortCells, v: string) => Style[]): string[] => {
    const pieces = keys.map((k, i) => (widths[i]! < natural[i]! ? wrapLine(c[k], widths[i]!) : [c[k]]));
    const height = pieces.reduce((h, p) => Math.max(h, p.length), 1);
    return Array.from({length: height}, (_, n) =>
      keys
        .map((k, i) => {
          const text = pieces[i]![n] ?? '';
          return paint(i === keys.length - 1 ? text : padTo(text, widths[i]!), ...style(k, text));
        })
        .join(' '.repeat(GAP))
        .trimEnd()
    );
  };
  const header = layout(COLUMNS, () => ['bold']);
  const body = cells.flatMap((c, i) => {
    const w = worst(rows[i]!);
    return layout(c, (k, v) => (k === 'verdict' ? [w ? SEVERITY_STYLE[w.severity] : c.verdict === 'ok' ? 'green' : 'dim'] : v.trimEnd() === NONE ? ['dim'] : []));
  });
  return [...header, ...body];
};

/** Image-controlled or multi-line text, one Line per line, at an indent. */
const indent = (text: string, prefix: string, next = prefix): Line[] => sanitize(text).split('\n').map(l => (l ? line(next, prefix + l) : line('')));

const findingLines = (f: Finding, r: GateResult, cwd: string | undefined, withSeverity: boolean): Line[] => {
  const style = SEVERITY_STYLE[f.severity];
  // Rule ids and paths are portgate's own in a run, but a report read back (a fleet job's) could carry anything.
  const parts: (Seg | undefined)[] = [withSeverity ? [f.severity, style] : undefined, [safeLine(describeLocation(f.location, r, cwd))], [safeLine(f.rule), style], findingPort(f) ? [findingPort(f)!] : undefined];
  const shown = parts.filter((p): p is Seg => !!p && p[0] !== '');
  const isNew: Seg[] = f.baseline === 'new' ? [['  '], ['new', 'bold']] : [];
  const head = line('    ', '  ', ...shown.flatMap((p, i) => (i === 0 ? [p] : [['  '] as Seg, p])), ...isNew);
  const accepted = f.suppressed ? [line('      ', '      ', [sanitize(describeSuppression(f, cwd)), 'dim'])] : [];
  return [head, ...indent(f.message, '      '), ...accepted];
};

/**
 * The findings in report order, under one heading per group: risky ports
 * first (whatever their severity, which each line then shows), then errors,
 * warnings, notes, and last the suppressed ones, each with the entry that
 * accepted it.
 */
const findingsSection = (r: GateResult, cwd: string | undefined): Line[] => {
  const sorted = sortFindings(r.findings);
  const group = groupFinding(r.findings);
  return GROUPS.flatMap(g => {
    const members = sorted.filter(f => group(f) === g);
    if (members.length === 0) return [];
    const style: Style = g === 'risky' ? SEVERITY_STYLE[members[0]!.severity] : g === 'suppressed' ? 'dim' : SEVERITY_STYLE[g];
    const withSeverity = g === 'risky' || g === 'suppressed';
    return [line(''), line('', [`${HEADINGS[g]} (${members.length})`, 'bold', style]), ...members.flatMap(f => findingLines(f, r, cwd, withSeverity))];
  });
};

/**
 * Compared with a baseline: what this change introduced, then what it
 * resolved, before anything else (exported for the fleet report, which
 * leads with every service's).
 */
export const changesSection = (r: GateResult, cwd: string | undefined, service?: string): Line[] => {
  const c = changesOf(r, cwd);
  if (!c) return [];
  const why = uncompared(c.comparison, r.image, service);
  const item = (state: 'new' | 'resolved') => (x: (typeof c.introduced)[number]) =>
    line('      ', '  ', [safeLine(changeHead(state, x, service)), 'bold', state === 'new' ? 'yellow' : 'green'], `: ${safeLine(changeDetail(x))}`);
  if (why) return [line('    ', ['Compared with ', 'bold'], [safeLine(c.comparison.report), 'bold'], `: ${safeLine(why)} (${describeNewItems(c)}).`)];
  return [
    line('    ', ['Compared with ', 'bold'], [safeLine(c.comparison.report), 'bold'], ` (${safeLine(c.comparison.image ?? '')}): ${describeChangeCounts(c.count)}`),
    ...c.introduced.map(item('new')),
    ...c.resolved.map(item('resolved'))
  ];
};

/** The sandbox settings that are not portgate's defaults, with where each came from; and what it did not copy. */
const sandboxSection = (r: GateResult): Line[] => {
  const sb = r.container?.sandbox;
  const set = sb?.settings.filter(s => !s.isDefault) ?? [];
  if (!sb || (!set.length && !sb.notes.length)) return [];
  const w = set.reduce((m, s) => Math.max(m, s.setting.length), 0);
  return [
    line(''),
    line('', ["Sandbox (settings that are not portgate's defaults)", 'bold']),
    ...set.map(s => line('    ', `  ${safeLine(s.setting).padEnd(w)}  ${sanitize(s.value)}  `, [`from ${sanitize(s.from)}`, 'dim'])),
    ...sb.notes.map(n => line('    ', '  ', ['note:', 'dim'], ` ${sanitize(n)}`))
  ];
};

/** The log tail, unless a finding (container-exited) already quotes it. */
const logsSection = (r: GateResult): Line[] => {
  const logs = r.container?.logs?.trim();
  if (!logs || r.findings.some(f => f.message.includes(logs))) return [];
  const what = r.container?.exited ? `exited with code ${r.container.exitCode ?? 'unknown'}` : 'log tail';
  return [line(''), line('', [`Container logs (${what})`, 'bold']), ...indent(logs, '  | ')];
};

const verdictLine = (r: GateResult): Line => {
  const summary = r.findings.length ? describeFindings(r.findings) : 'no findings';
  const word: Seg = r.verdict === 'pass' ? ['PASS', 'bold', 'green'] : ['FAIL', 'bold', 'red'];
  return line('', word, ` ${safeLine(r.image)}: ${summary} (gate ${describeFailOn(r.failOn)})`);
};

/** The narrowest terminal the layout adapts to; narrower ones wrap as if this wide. */
export const MIN_COLUMNS = 48;

export const toText = (r: GateResult, opts: WriterOptions): string => {
  const paint = painter(opts.color ?? false);
  const columns = opts.columns === undefined ? undefined : Math.max(MIN_COLUMNS, Math.floor(opts.columns));
  const lines: Line[] = [
    line('', ['portgate', 'bold'], ` ${safeLine(r.image)}`),
    contextLine(r, opts.cwd),
    line(''),
    ...changesSection(r, opts.cwd).flatMap((l, i, all) => (i === all.length - 1 ? [l, line('')] : [l]))
  ];
  const after: Line[] = [...findingsSection(r, opts.cwd), ...sandboxSection(r), ...logsSection(r), line(''), verdictLine(r)];
  const out = [...lines.flatMap(l => render(l, paint, columns)), ...table(r, paint, columns), ...after.flatMap(l => render(l, paint, columns))];
  return neutralizeCommands(`${out.join('\n')}\n`);
};
