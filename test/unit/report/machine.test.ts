import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import type {GateResult} from '../../../src/model.js';
import {toCodeQualityIssues} from '../../../src/report/codequality.js';
import {FORMATS} from '../../../src/report/index.js';
import {toSarifLog} from '../../../src/report/sarif.js';
import {portRows, otherFindings} from '../../../src/report/table.js';
import {CWD, FIXTURES, hostileResult, loadResult} from './fixtures.js';

const all = [...FIXTURES.map(name => [name, loadResult(name)] as const), ['hostile', hostileResult()] as const];

/** The same findings, each moved down ten lines: fingerprints must not notice. */
const shifted = (r: GateResult): GateResult => ({
  ...r,
  findings: r.findings.map(f => (f.location && 'file' in f.location ? {...f, location: {...f.location, line: f.location.line + 10}} : f))
});

describe.each(all)('SARIF structure, %s', (_, r) => {
  const log = toSarifLog(r, CWD);
  const run = log.runs[0]!;

  it('indexes rules correctly and locates every result in a relative or file: URI', () => {
    expect(run.results).toHaveLength(r.findings.length);
    for (const res of run.results) {
      expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
      const uri = res.locations[0]!.physicalLocation.artifactLocation.uri;
      expect(uri).toMatch(/^(file:\/\/\/|[^/:#?\s]+(\/[^/:#?\s]+)*$)/);
      expect(res.locations[0]!.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(run.results.map(x => x.partialFingerprints['portgateFingerprint/v1'])).size).toBe(run.results.length);
  });

  it('keeps fingerprints when lines move', () => {
    const moved = toSarifLog(shifted(r), CWD).runs[0]!.results;
    expect(moved.map(x => x.partialFingerprints)).toEqual(run.results.map(x => x.partialFingerprints));
  });
});

describe.each(all)('Code Quality, %s', (_, r) => {
  const text = FORMATS['gitlab-codequality'](r, {cwd: CWD});
  const issues = JSON.parse(text) as ReturnType<typeof toCodeQualityIssues>;

  it('is a BOM-less JSON array whose issues carry every required field', () => {
    expect(text.charCodeAt(0)).toBe('['.charCodeAt(0));
    expect(Array.isArray(issues)).toBe(true);
    for (const i of issues) {
      expect(i.description).toEqual(expect.any(String));
      expect(i.description).not.toBe('');
      expect(i.check_name).toMatch(/^[a-z0-9-]+$/);
      expect(i.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(i.severity);
      expect(i.location.path).not.toBe('');
      expect(Number.isInteger(i.location.lines.begin) && i.location.lines.begin >= 1).toBe(true);
    }
    expect(new Set(issues.map(i => i.fingerprint)).size).toBe(issues.length);
  });

  it('keeps fingerprints when lines move or the image tag changes', () => {
    const retagged = {...shifted(r), image: r.image.replace(/:[^/:@]+(@.*)?$/, ':next')};
    expect(toCodeQualityIssues(retagged, CWD).map(i => i.fingerprint)).toEqual(issues.map(i => i.fingerprint));
  });
});

it('grades issues by rule and risky-port category, not by severity alone: an open JDWP port outranks a loopback-bound metrics port', () => {
  const byRule = Object.fromEntries(toCodeQualityIssues(loadResult('failing-service')).map(i => [i.check_name, i.severity]));
  expect(byRule).toMatchObject({'risky-port': 'blocker', 'bound-to-loopback': 'major', 'exposed-not-declared': 'minor', 'undeclared-loopback-listener': 'info', 'expose-host-part-ignored': 'info'});
});

// --- JUnit ------------------------------------------------------------------

interface ParsedCase {
  classname: string;
  name: string;
  failure: {type: string; message: string; text: string} | null;
  out: string | null;
}
interface Parsed {
  tests: number;
  failures: number;
  suite: {name: string; tests: number; failures: number};
  cases: ParsedCase[];
}

// A real XML parser (Python's expat via ElementTree): it rejects anything not well-formed.
const PARSE = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
suite = root.find('testsuite')
def case(c):
    f = c.find('failure'); o = c.find('system-out')
    return {'classname': c.get('classname'), 'name': c.get('name'), 'out': None if o is None else o.text,
            'failure': None if f is None else {'type': f.get('type'), 'message': f.get('message'), 'text': f.text}}
print(json.dumps({'tests': int(root.get('tests')), 'failures': int(root.get('failures')),
    'suite': {'name': suite.get('name'), 'tests': int(suite.get('tests')), 'failures': int(suite.get('failures'))},
    'cases': [case(c) for c in suite.findall('testcase')]}))
`;
const hasPython = spawnSync('python3', ['-c', 'import xml.etree.ElementTree'], {stdio: 'ignore'}).status === 0;
const parseXml = (xml: string): Parsed => {
  const p = spawnSync('python3', ['-c', PARSE], {input: xml, encoding: 'utf8'});
  if (p.status !== 0) throw new Error(`not well-formed XML:\n${p.stderr}`);
  return JSON.parse(p.stdout) as Parsed;
};

/** A fallback check that needs no parser: balanced tags, quoted attributes, only the five entities or numeric ones. */
const checkTokens = (xml: string): void => {
  const stack: string[] = [];
  for (const [tok] of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<[^>]*>|[^<]+/g)) {
    if (!tok.startsWith('<')) {
      expect(tok).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)|>/);
      continue;
    }
    const m = /^<(\/?)([\w.-]+)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>$/.exec(tok);
    expect(m, tok).not.toBeNull();
    if (m![1]) expect(stack.pop()).toBe(m![2]);
    else if (!m![4]) stack.push(m![2]!);
  }
  expect(stack).toEqual([]);
};

describe.each(all)('JUnit, %s', (_, r) => {
  const xml = FORMATS.junit(r, {cwd: CWD});

  it('is well-formed by token check', () => checkTokens(xml));

  it.skipIf(!hasPython)('parses, with one case per port row plus one per other finding, failing at failOn', () => {
    const doc = parseXml(xml);
    const rows = portRows(r);
    expect(doc.cases.map(c => c.name).slice(0, rows.length)).toEqual(rows.map(row => row.key));
    expect(doc.cases).toHaveLength(rows.length + otherFindings(r).length);
    expect(new Set(doc.cases.map(c => `${c.classname} ${c.name}`)).size).toBe(doc.cases.length);
    const failed = doc.cases.filter(c => c.failure).length;
    expect([doc.tests, doc.failures, doc.suite.tests, doc.suite.failures]).toEqual([doc.cases.length, failed, doc.cases.length, failed]);
    expect(doc.suite.name).toBe(`portgate ${r.image}`);
    if (r.failOn === 'never') expect(failed).toBe(0);
    if (r.verdict === 'fail') expect(failed).toBeGreaterThan(0);
  });
});

it.skipIf(!hasPython)('JUnit round-trips hostile text through escaping', () => {
  const doc = parseXml(FORMATS.junit(hostileResult(), {cwd: CWD}));
  const first = doc.cases.find(c => c.name === '80/tcp')!;
  expect(first.failure!.message).toBe('first x <script>alert(1)</script> & "q" \'a\' ]]> | @admin `tick` \ufffdend');
  expect(first.failure!.text).toContain('second line');
  expect(doc.cases.map(c => c.name)).toEqual(['80/tcp', '443/tcp', 'risky-port', 'future-rule']);
});
