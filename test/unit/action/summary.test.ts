import {readFileSync} from 'node:fs';
import {expect, test} from 'vitest';
import {SUMMARY_MAX_BYTES, summaryMarkdown, truncateMarkdown, unannotatedLine} from '../../../src/action/summary.js';
import {FORMATS} from '../../../src/report/index.js';
import type {GateResult} from '../../../src/model.js';

const failing = JSON.parse(readFileSync('test/fixtures/results/failing-service.json', 'utf8')) as GateResult;

test('the summary is the markdown report when every finding is annotated', () => {
  expect(summaryMarkdown(failing, {unannotated: 0})).toBe(FORMATS.markdown(failing, {}));
});

test('then a line on the findings the annotation cap left out', () => {
  const md = summaryMarkdown(failing, {unannotated: 3});
  expect(md.startsWith(FORMATS.markdown(failing, {}).trimEnd())).toBe(true);
  expect(md.endsWith('\n\n> [!NOTE]\n> 3 findings are not annotated on the files: GitHub shows at most 10 annotations of each level per step. All findings are listed above and in the JSON and SARIF reports.\n')).toBe(true);
  expect(unannotatedLine(1)).toContain('> 1 finding is not annotated');
  expect(unannotatedLine(0)).toBe('');
});

test('truncateMarkdown cuts at a line boundary under the byte budget and says so', () => {
  const md = Array.from({length: 100}, (_, i) => `| row ${i} | ✅ |`).join('\n');
  const out = truncateMarkdown(md, 200, '_cut_\n');
  expect(Buffer.byteLength(out)).toBeLessThanOrEqual(200);
  expect(out.endsWith('\n\n_cut_\n')).toBe(true);
  expect(out.split('\n').filter(l => l.startsWith('|')).every(l => /^\| row \d+ \| ✅ \|$/.test(l))).toBe(true);
  expect(truncateMarkdown('short\n', 200, '_cut_\n')).toBe('short\n');
  expect(SUMMARY_MAX_BYTES).toBeLessThan(1024 * 1024);
});
