import type {Finding, GateResult, Severity} from '../model.js';
import {isSourceLocation} from '../model.js';
import {describeFailOn, describeFindings, describeLocation, describeSuppression, findingPort, relPath, sanitize, sortFindings, type WriterOptions} from './common.js';
import {neutralizeCommands} from './sanitize.js';
import {NONE, NOT_RUN, portCells, portRows, verdictParts, worst, type PortRow} from './table.js';
import {changesOf, describeChangeCounts, describeNewItems, uncompared, type Change} from './changes.js';

/**
 * One Markdown body for the GitHub job summary, a sticky PR comment and a
 * GitLab MR note. PR comments are capped at 64 KiB (summaries at 1 MiB), so the
 * document is kept under LIMIT bytes by dropping table rows and findings from
 * the end with an "N more" line. File positions are plain `file:line` text, not
 * links: a link would need the repository URL and commit, which the writer
 * does not know. Limits: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 * (job summary, 1 MiB) and the 65,536-character issue-comment body limit.
 */
export const LIMIT = 60_000;
const LOG_LIMIT = 8_000;
const PORTS_LIMIT = 20_000;

export const ICON: Record<Severity, string> = {error: '❌', warning: '⚠️', note: 'ℹ️'};
/** A finding an `accept:` entry suppressed: shown, not counted. */
const SUPPRESSED = '🔕';
/** New in this change, compared with a baseline report. */
export const NEW = '🆕';
const RESOLVED = '✅';
/** At most this many changes of each kind are listed; the JSON report has them all. */
const CHANGES_SHOWN = 40;

/**
 * Table-cell text from the image or the spec: escape what would break the table
 * (`|`, newlines), inject HTML (`<`, `&`) or ping people (`@name`). Backticks
 * stay: rule messages use them for code.
 */
export const cell = (s: string): string =>
  sanitize(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')
    .replaceAll('@', '@\u200b')
    .replace(/\n+/g, '<br>');

/** A code span that survives backticks inside the text (CommonMark: a longer fence). */
export const code = (s: string): string => {
  const text = sanitize(s).replace(/\n+/g, ' ').replaceAll('|', '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map(m => m.length));
  const fence = '`'.repeat(longest + 1);
  return text.startsWith('`') || text.endsWith('`') ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
};

export const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Takes rows while they fit in `budget` bytes; the rest become one "N more" line. */
export const fit = (rows: string[], budget: number, more: (n: number) => string): string[] => {
  let used = 0;
  const kept: string[] = [];
  for (const row of rows) {
    used += bytes(row) + 1;
    if (used > budget) return [...kept, '', more(rows.length - kept.length)];
    kept.push(row);
  }
  return kept;
};

/**
 * A rule id in the narrow verdict column: a browser breaks a table cell after
 * any hyphen when the table is wider than the comment, so `undeclared-listener`
 * would wrap mid-id. Non-breaking hyphens (U+2011) keep it whole; the findings
 * table below carries the ids in plain ASCII for copying.
 */
const unbroken = (rule: string): string => rule.replaceAll('-', '\u2011');

const verdictCell = (row: PortRow): string => {
  const parts = verdictParts(row);
  if (!parts.length) return '✅ ok';
  const w = worst(row);
  return `${w ? ICON[w.severity] : SUPPRESSED} ${parts.map(p => code(unbroken(p.rule)) + cell(p.note)).join(', ')}`;
};

const portTable = (r: GateResult, portsLimit: number): string[] => {
  const rows = portRows(r);
  if (rows.length === 0) return ['_No ports in any view: nothing EXPOSEd, declared or listening._'];
  const lines = rows.map(row => {
    const c = portCells(row, r.container !== undefined);
    const listening = c.listening === NONE || c.listening === NOT_RUN ? c.listening : code(c.listening);
    return `| ${code(c.port)} | ${cell(c.expose)} | ${listening} | ${cell(c.spec)} | ${verdictCell(row)} |`;
  });
  const more = (n: number) => `_… and ${n} more port${n === 1 ? '' : 's'} not shown; see the JSON report._`;
  return ['| Port | EXPOSE | Listening | Spec | Verdict |', '| --- | --- | --- | --- | --- |', ...fit(lines, portsLimit, more)];
};

/** The first line of a message: the container-exited log tail goes in the <details> block instead. */
const firstLine = (s: string): string => {
  const [first, ...rest] = s.split('\n');
  return rest.some(l => l.trim()) ? `${first!.trim()} …` : first!.trim();
};

const findingRow = (f: Finding, r: GateResult, cwd: string | undefined): string => {
  const where = !f.location ? NONE : isSourceLocation(f.location) ? code(describeLocation(f.location, r, cwd)) : describeLocation(f.location, r, cwd);
  const port = findingPort(f);
  // The rule id heads the message's cell, the widest column: in a column of its own, a table wider
  // than the comment squeezed it to its longest hyphen-separated part and the id wrapped. A no-break
  // space keeps the severity icon with its word.
  const severity = (f.suppressed ? `${SUPPRESSED}\u00a0suppressed (${f.severity})` : `${ICON[f.severity]}\u00a0${f.severity}`) + (f.baseline === 'new' ? `<br>${NEW}\u00a0new` : '');
  const message = f.suppressed ? `${cell(firstLine(f.message))}<br>_${cell(describeSuppression(f, cwd))}_` : cell(firstLine(f.message));
  return `| ${severity} | ${code(f.rule)}<br>${message} | ${port ? code(port) : NONE} | ${where} |`;
};

const logsBlock = (r: GateResult, logLimit: number): string[] => {
  const raw = r.container?.logs?.trimEnd();
  if (!raw) return [];
  let logs = sanitize(raw);
  // Keep the tail: the last lines are the ones explaining a crash.
  if (bytes(logs) > logLimit) logs = `[… earlier output cut …]\n${Buffer.from(logs).subarray(-logLimit).toString('utf8').replace(/^[^\n]*\n/, '')}`;
  const fence = '`'.repeat(Math.max(3, ...(logs.match(/`{3,}/g) ?? []).map(m => m.length + 1)));
  const what = r.container?.exited ? `exited with code ${r.container.exitCode ?? 'unknown'}` : 'log tail';
  return ['', `<details><summary>Container logs (${what})</summary>`, '', `${fence}text`, logs, fence, '', '</details>'];
};

/** One change as a list item: `- 🆕 **new finding** `risky-port` `5005/tcp` in service **api**: ❌ error at `Dockerfile:4``. */
const changeItem = (state: 'new' | 'resolved', c: Change, service?: string): string => {
  const what = [c.rule, c.port].flatMap(x => (x ? [code(x)] : [])).join(' ');
  const where = c.subject === 'finding' ? `${ICON[c.severity!]} ${c.severity}${c.detail ? ` at ${code(c.detail)}` : ''}` : code(c.detail);
  return `- ${state === 'new' ? NEW : RESOLVED} **${state} ${c.subject}**${what ? ` ${what}` : ''}${service ? ` in service **${cell(service)}**` : ''}: ${where}`;
};

/** A list of changes, the first CHANGES_SHOWN of each kind. */
export const changeItems = (state: 'new' | 'resolved', cs: readonly {change: Change; service?: string}[]): string[] => {
  const shown = cs.slice(0, CHANGES_SHOWN).map(x => changeItem(state, x.change, x.service));
  const more = cs.length - shown.length;
  return more > 0 ? [...shown, `- _… and ${more} more ${state === 'new' ? 'new' : 'resolved'} item${more === 1 ? '' : 's'}; the JSON report marks them all._`] : shown;
};

/**
 * Compared with a baseline: what this change introduced, then what it
 * resolved, first thing after the heading (and so first in the PR comment).
 */
const changesBlock = (r: GateResult, cwd: string | undefined): string[] => {
  const c = changesOf(r, cwd);
  if (!c) return [];
  const why = uncompared(c.comparison, r.image);
  if (why) return [`**Compared with ${code(c.comparison.report)}**: ${cell(why)} (${describeNewItems(c)}).`, ''];
  const items = [...changeItems('new', c.introduced.map(change => ({change}))), ...changeItems('resolved', c.resolved.map(change => ({change})))];
  return [`**Compared with ${code(c.comparison.report)}** (${code(c.comparison.image ?? '')}): ${describeChangeCounts(c.count)}.`, ...(items.length ? ['', ...items] : []), ''];
};

/**
 * The report in at most `limit` bytes (toMarkdown: LIMIT). The port table
 * may take a third of it and the log tail a seventh (at LIMIT: 20 000 and
 * 8 000 bytes); findings get what is left. The fleet report gives each
 * service's section a smaller limit.
 */
export const markdownReport = (r: GateResult, opts: WriterOptions, limit: number): string => {
  const pass = r.verdict === 'pass';
  const head = [
    `## ${pass ? '✅' : '❌'} portgate ${pass ? 'passed' : 'failed'}: ${code(r.image)}`,
    '',
    ...changesBlock(r, opts.cwd),
    `${r.findings.length ? describeFindings(r.findings) : 'No findings'}; the gate ${describeFailOn(r.failOn)}.`,
    '',
    [
      `Dockerfile ${r.dockerfile ? code(relPath(r.dockerfile, opts.cwd)) : NONE}`,
      `spec ${r.spec ? code(relPath(r.spec, opts.cwd)) : 'none (EXPOSE compared with the runtime)'}`,
      r.container ? `probe ${code(r.container.reader)}${r.container.trusted ? '' : ' (untrusted)'}` : 'static-only: the image was not run',
      `${(r.timing.totalMs / 1000).toFixed(1)} s`
    ].join(' · '),
    '',
    ...portTable(r, Math.min(PORTS_LIMIT, Math.floor(limit / 3)))
  ];
  const logs = logsBlock(r, Math.min(LOG_LIMIT, Math.floor(limit / 7)));
  const sorted = sortFindings(r.findings);
  const findings = sorted.length
    ? ['', '### Findings', '', '| Severity | Finding | Port | Location |', '| --- | --- | --- | --- |']
    : [];
  const budget = limit - bytes([...head, ...findings, ...logs].join('\n')) - 200;
  const more = (n: number) => `_… and ${n} more finding${n === 1 ? '' : 's'} not shown; see the SARIF or JSON report._`;
  const rows = fit(sorted.map(f => findingRow(f, r, opts.cwd)), budget, more);
  return neutralizeCommands(`${[...head, ...findings, ...rows, ...logs].join('\n')}\n`);
};

export const toMarkdown = (r: GateResult, opts: WriterOptions): string => markdownReport(r, opts, LIMIT);
