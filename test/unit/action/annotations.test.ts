import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {PER_LEVEL, planAnnotations, toAnnotation} from '../../../src/action/annotations.js';
import {BOOST, importance} from '../../../src/findings/rules.js';
import {sortFindings} from '../../../src/report/common.js';
import {RULES} from '../../../src/findings/rules.js';
import type {Finding, GateResult, Severity} from '../../../src/model.js';

const fixture = (name: string): GateResult => JSON.parse(readFileSync(`test/fixtures/results/${name}.json`, 'utf8')) as GateResult;

const result = (findings: Finding[], extra: Partial<GateResult> = {}): GateResult => ({
  version: 1,
  verdict: 'fail',
  image: 'app:ci',
  failOn: 'error',
  dockerfile: 'Dockerfile',
  spec: 'portgate.yml',
  exposed: [],
  listening: [],
  declared: [],
  findings,
  timing: {totalMs: 1},
  ...extra
});

const onImage = (rule: string, severity: Severity, port: number): Finding => ({rule, severity, port, protocol: 'tcp', message: `${rule} ${port}`, location: {image: 'app:ci'}});

describe('planAnnotations', () => {
  test('follows the reports’ one order: risky ports first, then severity, then rule importance, then file, line, port', () => {
    const r = fixture('failing-service');
    const plan = planAnnotations(r, {perLevel: 50});
    expect(plan.annotations.map(a => a.properties.title)).toEqual(sortFindings(r.findings).map(f => toAnnotation(f, r).properties.title));
    expect(plan.annotations[0]!.properties.title).toBe('portgate debug-agent-configured 5005/tcp: Debug agent configured');
    expect(plan.annotations.map(a => `${a.level} ${a.properties.title}`)).toEqual([
      'error portgate debug-agent-configured 5005/tcp: Debug agent configured',
      'error portgate risky-port 5005/tcp: Risky port',
      'error portgate undeclared-listener 5005/tcp: Listener not in the port spec',
      'error portgate exposed-not-declared 9000/tcp: EXPOSEd port not in the port spec',
      // Equal importance (3.0): in spec order.
      'error portgate declared-not-listening 8443/tcp: Declared port not listening',
      'error portgate public-not-exposed 8443/tcp: Public port not EXPOSEd',
      'error portgate bound-to-loopback 9100/tcp: Public or internal port bound only to loopback',
      'error portgate protocol-mismatch 53/tcp: TCP/UDP confusion',
      'warning portgate undeclared-loopback-listener 8081/tcp: Loopback listener not in the port spec',
      'notice portgate expose-host-part-ignored 8080/tcp: EXPOSE with an IP or host port'
    ]);
    expect(plan.unannotated).toBe(0);
  });

  test(`keeps ${PER_LEVEL} per level (one slot left for the action's own message) and counts the rest`, () => {
    const findings = [
      ...Array.from({length: 12}, (_, i) => onImage('exposed-not-listening', 'error', 9000 + i)),
      onImage('risky-port', 'error', 22),
      ...Array.from({length: 11}, (_, i) => onImage('undeclared-loopback-listener', 'warning', 7000 + i)),
      ...Array.from({length: 3}, (_, i) => onImage('dockerfile-mismatch', 'note', 6000 + i))
    ];
    const plan = planAnnotations(result(findings));
    const levels = plan.annotations.map(a => a.level);
    expect(levels.filter(l => l === 'error')).toHaveLength(9);
    expect(levels.filter(l => l === 'warning')).toHaveLength(9);
    expect(levels.filter(l => l === 'notice')).toHaveLength(3);
    expect(plan.unannotated).toBe(13 - 9 + (11 - 9));
    // The risky port came last in the input but wins the first slot; the cut drops the highest ports.
    expect(plan.annotations[0].message).toBe('risky-port 22 (About image app:ci as a whole; no file line applies.)');
    expect(plan.annotations[8].message).toBe('exposed-not-listening 9007 (About image app:ci as a whole; no file line applies.)');
  });

  test('security first, a crash before plain drift, hygiene last; boosts name real rules', () => {
    const ranked = ['expose-host-part-ignored', 'declared-not-listening', 'exposed-not-declared', 'container-exited', 'undeclared-listener', 'risky-port'];
    expect([...ranked].sort((a, b) => importance(b) - importance(a))).toEqual([...ranked].reverse());
    for (const rule of Object.keys(BOOST)) expect(RULES).toHaveProperty(rule);
  });

  test('a risky port downgraded to a warning still comes first: its slot is taken before any other warning', () => {
    const findings = [...Array.from({length: 9}, (_, i) => onImage('undeclared-loopback-listener', 'warning', 7000 + i)), {...onImage('risky-port', 'warning', 5005)}];
    const plan = planAnnotations(result(findings));
    expect(plan.annotations[0]!.properties.title).toBe('portgate risky-port 5005/tcp: Risky port');
    expect(plan.unannotated).toBe(1);
  });

  test('an unknown rule sorts after every known one of its severity', () => {
    const plan = planAnnotations(result([onImage('some-future-rule', 'error', 1), onImage('public-not-exposed', 'error', 2)]));
    expect(plan.annotations.map(a => a.properties.title)).toEqual(['portgate public-not-exposed 2/tcp: Public port not EXPOSEd', 'portgate some-future-rule 1/tcp: some-future-rule']);
  });
});

describe('toAnnotation placement', () => {
  const at = (location: Finding['location'], extra: Partial<GateResult> = {}, opts = {}) =>
    toAnnotation({rule: 'risky-port', severity: 'error', message: 'm', location}, result([], extra), opts).properties;

  test('a one-line location carries its columns', () => {
    expect(at({file: 'Dockerfile', line: 24, column: 8, endLine: 24, endColumn: 12})).toEqual({title: 'portgate risky-port: Risky port', file: 'Dockerfile', startLine: 24, endLine: 24, startColumn: 8, endColumn: 12});
  });

  test('a multi-line location drops the columns, as GitHub requires', () => {
    expect(at({file: 'portgate.yml', line: 3, column: 5, endLine: 6, endColumn: 2})).toMatchObject({file: 'portgate.yml', startLine: 3, endLine: 6});
    expect(at({file: 'portgate.yml', line: 3, column: 5, endLine: 6, endColumn: 2})).not.toHaveProperty('startColumn');
  });

  test('absolute paths in the workspace become repository-relative', () => {
    expect(at({file: '/home/runner/work/app/app/deploy/portgate.yml', line: 2}, {}, {cwd: '/home/runner/work/app/app'})).toMatchObject({file: 'deploy/portgate.yml', startLine: 2});
  });

  test('a finding without a file line (no Dockerfile was given) is an annotation on the run that says so', () => {
    expect(at({image: 'app:ci'}, {dockerfile: undefined})).toEqual({title: 'portgate risky-port: Risky port'});
    expect(toAnnotation({rule: 'risky-port', severity: 'error', message: 'm', location: {image: 'app:ci'}}, result([], {dockerfile: undefined})).message).toBe(
      'm (About image app:ci; no Dockerfile was given, so no file line applies.)'
    );
  });

  test('says which image an image-level message is about, and strips terminal escapes from logs', () => {
    const a = toAnnotation({rule: 'container-exited', severity: 'error', message: 'exited. Last log lines:\n\u001b[31mpanic\u001b[0m', location: {image: 'app:ci'}}, result([]));
    expect(a.message).toBe('exited. Last log lines:\npanic (About image app:ci as a whole; no file line applies.)');
    expect(a.level).toBe('error');
  });

  test('notes become notices', () => {
    expect(toAnnotation(onImage('expose-host-part-ignored', 'note', 80), result([])).level).toBe('notice');
  });
});
