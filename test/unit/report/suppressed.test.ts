import {describe, expect, test} from 'vitest';
import {planAnnotations} from '../../../src/action/annotations.js';
import {countBySeverity, describeFindings} from '../../../src/report/common.js';
import {toCodeQualityIssues} from '../../../src/report/codequality.js';
import {FORMATS} from '../../../src/report/index.js';
import {toJsonReport} from '../../../src/report/json.js';
import {toSarifLog} from '../../../src/report/sarif.js';
import {portRows, verdictCell} from '../../../src/report/table.js';
import {CWD, loadResult} from './fixtures.js';

// accepted.json: two findings suppressed by accept: (one on a port, one without), one whose entry expired, one unused entry.
const r = loadResult('accepted');
const suppressed = r.findings.filter(f => f.suppressed);

test('the fixture holds what these tests are about', () => {
  expect(suppressed.map(f => f.rule).sort()).toEqual(['k8s-host-network', 'undeclared-loopback-listener']);
  expect(r.findings.map(f => f.rule)).toEqual(expect.arrayContaining(['suppression-expired', 'suppression-unused']));
});

describe('suppressed findings are shown as suppressed in every report, never dropped silently, never counted', () => {
  test('counts: not among errors, warnings and notes; said separately', () => {
    expect(countBySeverity(r.findings)).toEqual({error: 0, warning: 2, note: 1});
    expect(describeFindings(r.findings)).toBe('0 errors, 2 warnings, 1 note, 2 suppressed');
  });

  test('text: listed last under their own heading with the entry and reason; the port row says so instead of ok', () => {
    const text = FORMATS.text(r, {cwd: CWD});
    const tail = text.slice(text.indexOf('Suppressed by accept: in portgate.yml, not counted (2)'));
    expect(tail).toContain('accepted at portgate.yml:14 until 2027-03-31: Envoy\'s admin interface; declared with the 2.4 configuration');
    expect(tail).toContain('accepted at portgate.yml:19: node-local ingress gateway');
    expect(verdictCell(portRows(r).find(row => row.key === '9901/tcp')!)).toBe('undeclared-loopback-listener (suppressed)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('PASS registry.example.com/edge/gateway:2.3.0: 0 errors, 2 warnings, 1 note, 2 suppressed (gate fails on errors)');
  });

  test('markdown: a suppressed row per finding with the reason', () => {
    const md = FORMATS.markdown(r, {cwd: CWD});
    expect(md.split('\n').filter(l => l.startsWith('| 🔕\u00a0suppressed (warning) |'))).toHaveLength(2);
    expect(md).toContain('| 🔕 `undeclared\u2011loopback\u2011listener` (suppressed) |');
  });

  test('JSON: the finding keeps its place, with the entry that suppressed it', () => {
    const f = toJsonReport(r).findings.find(x => x.rule === 'undeclared-loopback-listener')!;
    expect(f.suppressed).toEqual({reason: "Envoy's admin interface; declared with the 2.4 configuration", until: '2027-03-31', location: {file: 'portgate.yml', line: 14, column: 5}});
  });

  test('SARIF: every finding is a result; suppressed ones carry an external, accepted suppression with the reason as justification', () => {
    const results = toSarifLog(r, CWD).runs[0]!.results;
    expect(results).toHaveLength(r.findings.length);
    const withSuppression = results.filter(x => 'suppressions' in x);
    expect(withSuppression.map(x => x.ruleId).sort()).toEqual(['k8s-host-network', 'undeclared-loopback-listener']);
    expect(withSuppression.find(x => x.ruleId === 'undeclared-loopback-listener')!.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: "Envoy's admin interface; declared with the 2.4 configuration (accepted until 2027-03-31)",
        location: {physicalLocation: {artifactLocation: {uri: 'portgate.yml'}, region: {startLine: 14, startColumn: 5}}}
      }
    ]);
  });

  test('Code Quality cannot mark an issue suppressed, so suppressed findings are left out (and only they)', () => {
    expect(toCodeQualityIssues(r).map(i => i.check_name)).toEqual(r.findings.filter(f => !f.suppressed).map(f => f.rule));
  });

  test('JUnit: a case whose findings are all suppressed is skipped, with the reason, and counted as skipped', () => {
    const xml = FORMATS.junit(r, {cwd: CWD});
    expect(xml).toContain('<testsuites name="portgate" tests="7" failures="0" errors="0" skipped="2"');
    expect(xml).toContain('<skipped message="suppressed: k8s-host-network, accepted at portgate.yml:19: node-local ingress gateway: it must bind the node&apos;s ports"/>'.replace('&apos;', "'"));
  });

  test('annotations: only findings that count take a slot', () => {
    const plan = planAnnotations(r);
    expect(plan.annotations.map(a => a.properties.title)).toEqual([
      'portgate k8s-target-port-omitted 8080/tcp: Service targetPort omitted',
      'portgate suppression-expired: Suppression expired',
      'portgate suppression-unused: Suppression matches nothing'
    ]);
  });

  test('a suppressed finding that would fail the gate does not', () => {
    const errorOnly = {...r, failOn: 'warning' as const, findings: suppressed};
    expect(FORMATS.junit(errorOnly, {}).match(/<failure/g)).toBeNull();
  });
});
