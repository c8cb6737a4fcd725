import type {FleetJsonReport} from '../../fleet/result.js';
import {changeDetail, changeHead, describeChangeCounts} from '../changes.js';
import {describeCounts, describeFailOn, sanitize} from '../common.js';
import {neutralizeCommands, safeLine} from '../sanitize.js';
import {line, painter, render, type Line, type Paint, type Style} from '../terminal.js';
import {MIN_COLUMNS, toText} from '../text.js';
import {displayWidth, fitColumns, padTo, wrapLine} from '../wrap.js';
import {countOf, fleetChanges, sectionResult, seconds, servicesInOrder, type FleetWriterOptions, type ServiceView} from './common.js';

/**
 * The fleet in a terminal or a CI log: the comparison with a baseline first
 * (what this change introduced, then what it resolved), the summary table
 * (failing services first), why each service that could not be gated could
 * not, then each failing service's single-image text report, and a last
 * line to grep for. Fits the terminal's width when the CLI gives one.
 */

const HEADER = ['SERVICE', 'IMAGE', 'VERDICT', 'ERRORS', 'WARNINGS', 'TIME'];
/** Below these a column does not shrink (the heading's length for the short ones). */
const MIN_WIDTH = [7, 5, 7, 6, 8, 4];
const GAP = 2;

const verdictOf = (v: ServiceView): {text: string; style: Style} =>
  v.s.status === 'pass' ? {text: 'pass', style: 'green'} : v.s.status === 'fail' ? {text: v.risky ? 'fail (risky port)' : 'fail', style: 'red'} : {text: `could not be gated (exit ${v.s.code})`, style: 'red'};

/** The summary table; in a terminal of `columns` columns, long cells (images) wrap inside their column. */
const table = (views: readonly ServiceView[], paint: Paint, columns: number | undefined): string[] => {
  const rows = views.map(v => {
    const gated = v.s.status !== 'error';
    return [safeLine(v.s.name), safeLine(v.s.image), verdictOf(v).text, gated ? String(countOf(v, 'error')) : '—', gated ? String(countOf(v, 'warning')) : '—', seconds(v.s.timeMs)];
  });
  const natural = HEADER.map((h, i) => rows.reduce((w, r) => Math.max(w, displayWidth(r[i]!)), displayWidth(h)));
  const longestWord = HEADER.map((h, i) => rows.reduce((w, r) => Math.max(w, ...r[i]!.split(/\s+/).map(displayWidth)), displayWidth(h)));
  const widths = columns === undefined ? natural : fitColumns(natural, longestWord, MIN_WIDTH, columns - GAP * (HEADER.length - 1));
  const layout = (cells: string[], style: (i: number) => Style[]): string[] => {
    const pieces = cells.map((c, i) => (widths[i]! < natural[i]! ? wrapLine(c, widths[i]!) : [c]));
    const height = pieces.reduce((h, p) => Math.max(h, p.length), 1);
    return Array.from({length: height}, (_, n) =>
      cells
        .map((_c, i) => {
          const text = pieces[i]![n] ?? '';
          // Padding stays outside the colour, so a line's trailing blanks trim the same with or without it.
          return i === cells.length - 1 ? paint(text, ...style(i)) : paint(text, ...style(i)) + padTo('', widths[i]! - displayWidth(text));
        })
        .join(' '.repeat(GAP))
        .trimEnd()
    );
  };
  return [...layout(HEADER, () => ['bold']), ...rows.flatMap((r, k) => layout(r, i => (i === 2 ? [verdictOf(views[k]!).style] : [])))];
};

const changesLines = (r: FleetJsonReport, views: readonly ServiceView[]): Line[] => {
  const c = fleetChanges(r, views);
  if (!c) return [];
  const item = (state: 'new' | 'resolved') => (x: (typeof c.introduced)[number]) =>
    line('      ', '  ', [safeLine(changeHead(state, x.change, x.service)), 'bold', state === 'new' ? 'yellow' : 'green'], `: ${safeLine(changeDetail(x.change))}`);
  return [
    line('    ', ['Compared with ', 'bold'], [safeLine(c.report), 'bold'], `: ${describeChangeCounts(c.count)}`),
    ...c.introduced.map(item('new')),
    ...c.wholesale.map(w => line('      ', '  ', [safeLine(w), 'yellow'])),
    ...c.notCompared.map(n => line('      ', '  ', [safeLine(n), 'dim'])),
    ...c.resolved.map(item('resolved')),
    line('')
  ];
};

const notGated = (views: readonly ServiceView[]): Line[] => {
  const failed = views.filter(v => v.s.status === 'error');
  if (!failed.length) return [];
  return [
    line(''),
    line('', ['Could not be gated', 'bold', 'red']),
    ...failed.flatMap(v => [
      line('    ', '  ', [safeLine(v.s.name), 'bold'], ` (${safeLine(v.s.image)}): exit ${v.s.code}`),
      ...sanitize(v.s.error ?? '').split('\n').map(l => line('      ', `    ${l}`))
    ])
  ];
};

export const fleetText = (r: FleetJsonReport, opts: FleetWriterOptions = {}): string => {
  const paint = painter(opts.color ?? false);
  const columns = opts.columns === undefined ? undefined : Math.max(MIN_COLUMNS, Math.floor(opts.columns));
  const views = servicesInOrder(r);
  const out = (ls: Line[]) => ls.flatMap(l => render(l, paint, columns));
  const sections = views
    .filter(v => v.s.status === 'fail' && v.result)
    .flatMap(v => [
      '',
      ...out([line('', [`── ${safeLine(v.s.name)} `, 'bold'], [v.risky ? 'fails, with a risky port' : 'fails', 'bold', 'red'], [' ──', 'bold'])]),
      toText(sectionResult(v.result!), {...(opts.color !== undefined && {color: opts.color}), ...(columns !== undefined && {columns})}).trimEnd()
    ]);
  const word: [string, ...Style[]] = r.verdict === 'pass' ? ['PASS', 'bold', 'green'] : ['FAIL', 'bold', 'red'];
  const s = r.summary;
  const lines = [
    ...out([line('', ['portgate fleet', 'bold'], ` ${safeLine(r.fleet)}: ${s.services} service${s.services === 1 ? '' : 's'}`), line('')]),
    ...out(changesLines(r, views)),
    ...table(views, paint, columns),
    ...out(notGated(views)),
    ...sections,
    '',
    ...out([line('', word, ` fleet: ${s.passed} passed, ${s.failed} failed, ${s.errors} could not be gated; ${describeCounts(s.findings)} (gate ${describeFailOn(r.failOn)})`)])
  ];
  return neutralizeCommands(`${lines.join('\n')}\n`);
};
