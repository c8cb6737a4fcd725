import type {FleetJsonReport} from '../../fleet/result.js';
import {describeChangeCounts} from '../changes.js';
import {describeCounts, describeFailOn, sanitize} from '../common.js';
import {LIMIT, bytes, cell, changeItems, code, fit, markdownReport} from '../markdown.js';
import {neutralizeCommands} from '../sanitize.js';
import {countOf, fleetChanges, sectionResult, seconds, servicesInOrder, type FleetWriterOptions, type ServiceView} from './common.js';

/**
 * The fleet for a PR comment, a job summary or an MR note: one screen of
 * summary (verdict, counts, what changed against a baseline, the table with
 * failing services first), then a collapsed <details> section per service
 * holding its single-image Markdown report, failing services first.
 *
 * The whole stays under LIMIT bytes (60 000; GitHub refuses comments over
 * 65 536 characters, and a character is at least a byte). The summary takes
 * what it needs (the table at most TABLE_LIMIT); failing and ungated
 * services then share what is left, in order, each an equal share of it but
 * at least SECTION_MIN (a section that needs less leaves the rest to the
 * next), and passing services share the remainder likewise. A section
 * renders within its share (markdownReport cuts its own rows, saying so);
 * one that no longer fits is left out, and a last line names the services
 * left out and where the complete report is.
 */

const TABLE_LIMIT = 16_000;
/** Kept free for the line naming left-out sections. */
const RESERVE = 3_000;
const ERROR_LIMIT = 4_000;
/** A section smaller than this shows too little: rather fewer sections, each readable. */
const SECTION_MIN = 4_000;
const NAMES_SHOWN = 30;
/** Characters of a could-not-be-gated reason in the table. */
const REASON_SHOWN = 100;

const verdictCell = (v: ServiceView): string => {
  if (v.s.status === 'pass') return '✅ passes';
  if (v.s.status === 'fail') return v.risky ? '❌ fails (risky port)' : '❌ fails';
  const first = sanitize(v.s.error ?? '').split('\n', 1)[0]!.trim();
  // The reason's first words; its section has all of it.
  return `💥 could not be gated (exit ${v.s.code}): ${cell([...first].length > REASON_SHOWN ? `${[...first].slice(0, REASON_SHOWN).join('')}…` : first)}`;
};

const tableRows = (views: readonly ServiceView[]): string[] => {
  const rows = views.map(v => {
    const gated = v.s.status !== 'error';
    return `| ${v.s.status === 'pass' ? cell(v.s.name) : `**${cell(v.s.name)}**`} | ${code(v.s.image)} | ${verdictCell(v)} | ${gated ? countOf(v, 'error') : '—'} | ${gated ? countOf(v, 'warning') : '—'} | ${seconds(v.s.timeMs).replace(' ', '\u00a0')} |`;
  });
  const more = (n: number) => `_… and ${n} more service${n === 1 ? '' : 's'} (all passing ones last); see the JSON report._`;
  return ['| Service | Image | Verdict | Errors | Warnings | Time |', '| --- | --- | --- | --- | --- | --- |', ...fit(rows, TABLE_LIMIT, more)];
};

const changesBlock = (r: FleetJsonReport, views: readonly ServiceView[]): string[] => {
  const c = fleetChanges(r, views);
  if (!c) return [];
  const items = [
    ...changeItems('new', c.introduced),
    ...c.wholesale.map(w => `- 🆕 ${cell(w)}`),
    ...c.notCompared.map(n => `- ⏸️ ${cell(n)}`),
    ...changeItems('resolved', c.resolved)
  ];
  return [`**Compared with ${code(c.report)}**: ${describeChangeCounts(c.count)}.`, ...(items.length ? ['', ...items] : []), ''];
};

const summaryLine = (v: ServiceView): string => {
  if (v.s.status === 'error') return `💥 <b>${cell(v.s.name)}</b>: could not be gated (exit ${v.s.code})`;
  const counts = `${countOf(v, 'error')} error${countOf(v, 'error') === 1 ? '' : 's'}, ${countOf(v, 'warning')} warning${countOf(v, 'warning') === 1 ? '' : 's'}`;
  return `${v.s.status === 'pass' ? '✅' : '❌'} <b>${cell(v.s.name)}</b>: ${v.s.status === 'pass' ? 'passes' : v.risky ? 'fails, with a risky port' : 'fails'} (${counts})`;
};

/** A fenced block that no backtick run inside can close. */
const fenced = (text: string): string[] => {
  const fence = '`'.repeat(Math.max(3, ...(text.match(/`{3,}/g) ?? []).map(m => m.length + 1)));
  return [`${fence}text`, text, fence];
};

const errorBody = (v: ServiceView): string => {
  let text = sanitize(v.s.error ?? '').trimEnd();
  if (bytes(text) > ERROR_LIMIT) text = `${Buffer.from(text).subarray(0, ERROR_LIMIT).toString('utf8').replace(/\n[^\n]*$/, '')}\n[… cut …]`;
  return `${fenced(text).join('\n')}\n`;
};

/** The section of one service, its body rendered within `limit` bytes. */
const section = (v: ServiceView, limit: number): string => {
  const body = v.result ? markdownReport(sectionResult(v.result), {}, limit) : errorBody(v);
  return `<details><summary>${summaryLine(v)}</summary>\n\n${body}\n</details>\n`;
};

export const fleetMarkdown = (r: FleetJsonReport, opts: FleetWriterOptions = {}): string => {
  const views = servicesInOrder(r);
  const s = r.summary;
  const pass = r.verdict === 'pass';
  const head = [
    `## ${pass ? '✅' : '❌'} portgate fleet ${pass ? 'passed' : 'failed'}: ${code(r.fleet)}`,
    '',
    `${s.services} service${s.services === 1 ? '' : 's'}: ${s.passed} passed, ${s.failed} failed, ${s.errors} could not be gated · ${describeCounts(s.findings)}; the gate ${describeFailOn(r.failOn)}.`,
    '',
    ...changesBlock(r, views),
    ...tableRows(views),
    ...(views.length ? ['', '### Services', ''] : [])
  ].join('\n');
  let remaining = LIMIT - bytes(head) - RESERVE;
  const sections: string[] = [];
  const cut: string[] = [];
  const urgent = views.filter(v => v.s.status !== 'pass');
  const rest = views.filter(v => v.s.status === 'pass');
  for (const group of [urgent, rest]) {
    group.forEach((v, i) => {
      // An equal share of what is left, but never less than a useful section while the budget lasts: the first (most important) sections win.
      const share = Math.min(remaining, Math.max(SECTION_MIN, Math.floor(remaining / (group.length - i))));
      const overhead = bytes(section({...v, result: undefined, s: {...v.s, error: ''}}, 0));
      const text = share > overhead ? section(v, Math.min(LIMIT, share - overhead)) : '';
      if (text && bytes(text) <= share) {
        sections.push(text);
        remaining -= bytes(text);
      } else cut.push(v.s.name);
    });
  }
  const where = opts.fullReport ? `the JSON report ${code(opts.fullReport)}` : 'the JSON report (`--report json=FILE`)';
  const names = cut.slice(0, NAMES_SHOWN).map(cell).join(', ') + (cut.length > NAMES_SHOWN ? `, and ${cut.length - NAMES_SHOWN} more` : '');
  const note = cut.length ? [`_${cut.length} service section${cut.length === 1 ? '' : 's'} left out to fit a comment (65,536 characters): ${names}. Every service is in ${where} and the text report._\n`] : [];
  return neutralizeCommands(`${[head, ...sections, ...note].join('\n')}`.replace(/\n*$/, '\n'));
};
