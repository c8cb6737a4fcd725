import {describe, expect, test} from 'vitest';
import {terminalColumns} from '../../../src/cli/main.js';
import {FORMATS} from '../../../src/report/index.js';
import {MIN_COLUMNS} from '../../../src/report/text.js';
import {displayWidth, fitColumns, wrapLine} from '../../../src/report/wrap.js';
import {RULES} from '../../../src/findings/rules.js';
import {CWD, FIXTURES, hostileResult, loadResult} from './fixtures.js';

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[\d;]*m/g, '');
/** Every visible character, in order-free form: wrapping may only move text and spaces, never drop or add any. */
// neutralizeCommands may add a zero-width space where a wrapped line would start with `::`.
const chars = (s: string) => [...s.replace(/[\s\u200b]+/g, '')].sort().join('');

describe('displayWidth', () => {
  // prettier-ignore
  test.each([
    ['plain', 'abc', 3], ['em dash', '—', 1], ['CJK', '日本語', 6], ['emoji', '🚀x', 3],
    ['combining accent', 'e\u0301', 1], ['zero-width space', 'a\u200bb', 2], ['empty', '', 0]
  ])('%s', (_name, s, w) => {
    expect(displayWidth(s)).toBe(w);
  });
});

describe('wrapLine', () => {
  // prettier-ignore
  test.each<[string, string, number, string[]]>([
    ['fits',                   'short line',                     20, ['short line']],
    ['breaks at spaces',       'one two three four',             9,  ['one two', 'three', 'four']],
    ['drops spaces at breaks', 'aaa     bbb',                    5,  ['aaa', 'bbb']],
    ['cuts a long word',       'see /very/long/path/file ok',    8,  ['see', '/very/lo', 'ng/path/', 'file ok']],
    ['keeps indentation',      '    db = connect(url)',          12, ['    db =', 'connect(url)']],
    ['counts wide characters', '日本語 日本語',                   6,  ['日本語', '日本語']]
  ])('%s', (_name, line, width, expected) => {
    const pieces = wrapLine(line, width);
    expect(pieces).toEqual(expected);
    for (const p of pieces) expect(displayWidth(p)).toBeLessThanOrEqual(width);
  });
});

test('fitColumns: the widest column gives way first, down to its longest word, and only then cuts words', () => {
  // PORT, EXPOSE, LISTENING, SPEC, VERDICT of a wide table in 72 columns (80 minus the gaps).
  expect(fitColumns([8, 13, 25, 18, 42], [8, 6, 9, 9, 28], [8, 6, 9, 4, 7], 72)).toEqual([8, 12, 12, 12, 28]);
  expect(fitColumns([8, 13, 25, 18, 42], [8, 6, 9, 9, 28], [8, 6, 9, 4, 7], 50)).toEqual([8, 6, 9, 9, 18]);
  expect(fitColumns([5, 9], [3, 3], [3, 3], 20)).toEqual([5, 9]);
  expect(fitColumns([5, 5], [5, 5], [5, 5], 4)).toEqual([5, 5]);
});

const all = [...FIXTURES.map(name => [name, loadResult(name)] as const), ['hostile', hostileResult()] as const];

describe.each(all)('text report in a terminal, %s', (_name, r) => {
  const full = FORMATS.text(r, {cwd: CWD});

  test.each([48, 60, 80, 100])('%i columns: no line is wider, nothing is lost, colour changes nothing else', columns => {
    const out = FORMATS.text(r, {cwd: CWD, columns});
    for (const l of out.split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(columns);
    expect(chars(out)).toBe(chars(full));
    expect(plain(FORMATS.text(r, {cwd: CWD, columns, color: true}))).toBe(out);
  });

  test('a terminal wide enough, or none (a file, a pipe): whole rows, as without a width', () => {
    expect(FORMATS.text(r, {cwd: CWD, columns: 10_000})).toBe(full);
    expect(full.split('\n').some(l => displayWidth(l) > 100)).toBe(_name !== 'passing');
  });
});

test(`narrower than ${MIN_COLUMNS} columns lays out as ${MIN_COLUMNS}`, () => {
  const r = loadResult('failing-service');
  expect(FORMATS.text(r, {columns: 12})).toBe(FORMATS.text(r, {columns: MIN_COLUMNS}));
});

test('a table row that does not fit wraps inside its columns: aligned, and rule ids are never cut', () => {
  const lines = FORMATS.text(loadResult('failing-service'), {columns: 80}).split('\n');
  const header = lines.findIndex(l => l.startsWith('PORT'));
  const at = lines[header]!.indexOf('VERDICT');
  const row = lines.findIndex(l => l.startsWith('5005/tcp'));
  expect([lines[row]!.slice(at), lines[row + 1]!.slice(at), lines[row + 2]!.slice(at)]).toEqual(['debug-agent-configured,', 'risky-port,', 'undeclared-listener']);
  const table = lines.slice(header + 1, lines.indexOf('', header));
  expect(table.length).toBeGreaterThan(8);
  // Every line keeps the two-space gap in front of each column, so cells stay in their columns.
  const starts = ['EXPOSE', 'LISTENING', 'SPEC', 'VERDICT'].map(h => lines[header]!.indexOf(h));
  for (const l of table) for (const st of starts) expect(l.padEnd(st).slice(st - 2, st), l).toBe('  ');
  for (const l of table) for (const word of l.slice(at).split(/[\s,]+/).filter(w => /^[a-z]/.test(w))) expect(Object.keys(RULES)).toContain(word);
});

test('only a terminal gets a width: not a file (--output), not a pipe', () => {
  expect(terminalColumns({isTty: true, columns: 90}, undefined)).toBe(90);
  expect(terminalColumns({isTty: true, columns: 90}, 'report.txt')).toBeUndefined();
  expect(terminalColumns({isTty: false, columns: 90}, undefined)).toBeUndefined();
});
