import {describe, expect, it} from 'vitest';
import type {GateResult} from '../../../src/model.js';
import {fromJsonReport} from '../../../src/report/from-json.js';
import {FORMATS, FORMAT_NAMES} from '../../../src/report/index.js';
import {toJsonReport} from '../../../src/report/json.js';
import {CWD, FIXTURES, hostileResult, loadResult} from './fixtures.js';

/**
 * A fleet job keeps each service as its JSON document, and `portgate merge`
 * renders from those documents: every writer must print, from the document,
 * byte for byte what it printed from the run's own result.
 */
const marked = (): GateResult => {
  const r = loadResult('failing-service');
  return {
    ...r,
    findings: r.findings.map((f, i) => (f.suppressed ? f : {...f, baseline: i % 2 ? 'new' : 'unchanged'})),
    listening: r.listening.map((l, i) => ({...l, baseline: i % 2 ? 'unchanged' : 'new'})),
    container: {...r.container!, ephemeral: [32768, 60999]},
    baseline: {
      report: 'main.json',
      status: 'compared',
      image: 'registry.example.com:5000/shop/orders:ci-0000000',
      resolved: {
        findings: [{rule: 'risky-port', severity: 'error', port: 9229, protocol: 'tcp', message: 'Node inspector \u001b[31m', location: {file: 'Dockerfile', line: 3}, category: 'debug'}],
        listening: [{port: 9229, protocol: 'tcp', address: '0.0.0.0', family: 'ipv4', scope: 'wildcard', process: {pid: 1, name: 'node', command: 'node --inspect'}}]
      }
    }
  };
};

const all: [string, GateResult][] = [...FIXTURES.map(n => [n, loadResult(n)] as [string, GateResult]), ['hostile', hostileResult()], ['with a baseline', marked()]];

describe.each(all)('fromJsonReport(toJsonReport(r)), %s', (_name, r) => {
  const back = fromJsonReport(toJsonReport(r, CWD));

  it.each(FORMAT_NAMES)('%s prints the same bytes', format => {
    expect(FORMATS[format](back, {cwd: CWD})).toBe(FORMATS[format](r, {cwd: CWD}));
  });

  it('the text report too, in colour and at a terminal width', () => {
    expect(FORMATS.text(back, {cwd: CWD, color: true, columns: 60})).toBe(FORMATS.text(r, {cwd: CWD, color: true, columns: 60}));
  });

  it('is a fixed point: the document it gives back is the document it read', () => {
    const doc = toJsonReport(r, CWD);
    expect(toJsonReport(fromJsonReport(doc))).toEqual(doc);
    expect(JSON.stringify(toJsonReport(fromJsonReport(doc)))).toBe(JSON.stringify(doc));
  });
});

it('keeps what the JSON adds for comparisons: marks, the baseline section, the ephemeral range', () => {
  const back = fromJsonReport(toJsonReport(marked(), CWD));
  expect(back.baseline?.resolved.findings.map(f => `${f.rule} ${f.port}`)).toEqual(['risky-port 9229']);
  expect(back.baseline?.resolved.listening.map(l => l.port)).toEqual([9229]);
  expect(back.findings.filter(f => f.baseline === 'new').length).toBeGreaterThan(0);
  expect(back.listening.filter(l => l.baseline === 'new').length).toBeGreaterThan(0);
  expect(back.container?.ephemeral).toEqual([32768, 60999]);
});
