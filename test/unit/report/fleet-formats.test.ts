import {spawnSync} from 'node:child_process';
import {describe, expect, it, test} from 'vitest';
import {compareFleet} from '../../../src/baseline/fleet.js';
import {fleetReport, serviceReport, type FleetJsonReport, type ServiceOutcome} from '../../../src/fleet/result.js';
import {FLEET_WRITERS} from '../../../src/report/fleet.js';
import {fleetCodeQualityIssues} from '../../../src/report/fleet/codequality.js';
import {FLEET_AUTOMATION_ID, fleetSarifLog} from '../../../src/report/fleet/sarif.js';
import {FORMAT_NAMES, FORMATS} from '../../../src/report/index.js';
import {LIMIT} from '../../../src/report/markdown.js';
import {displayWidth} from '../../../src/report/wrap.js';
import {baselineFixture, FLEET_CWD, fleetFixture, fleetOutcomes} from './fleet-fixtures.js';
import {loadResult} from './fixtures.js';
import {DOCS_URL, RULES} from '../../../src/findings/rules.js';
import {loadFleet} from '../../../src/fleet/load.js';
import type {Finding} from '../../../src/model.js';

// eslint-disable-next-line no-control-regex
const ESC = /\u001b/;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[\d;]*m/g;
const fleet = fleetFixture();
const compared = compareFleet(fleet, baselineFixture(), 'main.json');
const reports = [
  ['fleet', fleet],
  ['compared', compared]
] as const;

const make = (outcomes: ServiceOutcome[]): FleetJsonReport => fleetReport(outcomes.map(o => serviceReport(o, FLEET_CWD)), {failOn: 'error', fleet: 'portgate.fleet.yml', totalMs: 1});

describe.each(reports)('every fleet format, %s', (_name, r) => {
  it.each(FORMAT_NAMES)('%s is deterministic, independent of the order services finished in, newline-terminated, escape-free', format => {
    const out = FLEET_WRITERS[format](r, {});
    const shuffled = {...r, services: [...r.services].reverse()};
    expect(FLEET_WRITERS[format](fleetReport(shuffled.services, {failOn: r.failOn, fleet: r.fleet, totalMs: r.timing.totalMs}), {})).toBe(FLEET_WRITERS[format](fleetReport(r.services, {failOn: r.failOn, fleet: r.fleet, totalMs: r.timing.totalMs}), {}));
    expect(out.endsWith('\n')).toBe(true);
    expect(out).not.toMatch(ESC);
  });
});

describe('a report someone else wrote (a job artifact) can carry any service name and rule id', () => {
  const evil = 'svc\u001b]0;pwned\u0007\n::error::x <b>@admin</b> | `';
  const base = make([{name: 'web', image: 'web:1', timeMs: 1, result: loadResult('failing-service')}]);
  const r = compareFleet(
    make([{name: evil, image: 'web:2', timeMs: 1, result: {...loadResult('failing-service'), image: 'web:2', findings: loadResult('failing-service').findings.map(f => ({...f, rule: `${f.rule}\u001b[2J`}))}}, {name: `${evil}2`, image: 'x', timeMs: 1, error: 'e', code: 3}]),
    {...base, services: base.services.map(s => ({...s, name: evil}))},
    'main.json'
  );
  it.each(FORMAT_NAMES.filter(f => f !== 'json'))('%s has no escape, and no line a runner would read as a command', format => {
    const out = FLEET_WRITERS[format](r, {});
    expect(out).not.toMatch(ESC);
    expect(out).not.toMatch(/^\s*::error/m);
  });
});

describe('text', () => {
  it('lists every service in the table, failing ones first (risky first), and gives each failing one its single-image report', () => {
    const out = FLEET_WRITERS.text(fleet, {});
    const table = out.split('\n').slice(2, 11).map(l => l.split(/\s+/)[0]);
    expect(table).toEqual(['SERVICE', 'edge', 'orders', 'worker', 'billing', 'search', 'gateway', 'proxy', 'web']);
    const orders = fleet.services.find(s => s.name === 'orders')!;
    expect(out).toContain(FORMATS.text({...loadResult('failing-service'), ...{}}, {}).split('\n')[0]);
    expect(out).toMatch(/── orders fails, with a risky port ──\nportgate registry\.example\.com:5000\/shop\/orders:ci-7f3c2e1\n/);
    expect(out).not.toMatch(/── (web|gateway|proxy) /);
    expect(orders.status).toBe('fail');
  });

  it('says why a service could not be gated, and the table says it could not', () => {
    const out = FLEET_WRITERS.text(fleet, {});
    expect(out).toMatch(/^billing +registry\.example\.com\/shop\/billing:\$\{TAG\} +could not be gated \(exit 2\) +— +— /m);
    expect(out).toMatch(/Could not be gated\n {2}billing \(registry\.example\.com\/shop\/billing:\$\{TAG\}\): exit 2\n {4}portgate\.fleet\.yml:14:5: billing's image/);
  });

  it('leads with what the change introduced, then what it resolved', () => {
    const lines = FLEET_WRITERS.text(compared, {}).split('\n');
    expect(lines[2]).toBe('Compared with main.json: 15 new, 2 resolved');
    expect(lines[3]).toBe('  new listener 5005/tcp in service orders: 0.0.0.0 (java, pid 1)');
    expect(lines[5]).toBe('  new finding risky-port 5005/tcp in service orders: error at services/orders/Dockerfile:27');
    const firstResolved = lines.findIndex(l => l.startsWith('  resolved '));
    expect(firstResolved).toBeGreaterThan(lines.findIndex(l => l.startsWith('  new ')));
    expect(lines[firstResolved]).toBe('  resolved listener 9229/tcp in service orders: 0.0.0.0 (node, pid 9)');
    expect(lines.slice(0, firstResolved + 3).join('\n')).not.toMatch(/^SERVICE/m);
  });

  test.each([48, 60, 80, 120])('%i columns: no line is wider, and colour changes nothing else', columns => {
    const out = FLEET_WRITERS.text(compared, {columns});
    for (const l of out.split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(columns);
    expect(FLEET_WRITERS.text(compared, {columns, color: true}).replace(SGR, '')).toBe(out);
  });

  it('without a width (a file, a pipe), rows are whole', () => {
    expect(FLEET_WRITERS.text(fleet, {}).split('\n').some(l => displayWidth(l) > 120)).toBe(true);
  });
});

describe('markdown', () => {
  it('a one-screen summary, then a collapsed section per service, failing ones first', () => {
    const md = FLEET_WRITERS.markdown(fleet, {});
    const summaries = [...md.matchAll(/^<details><summary>\S+ <b>([\w.-]+)<\/b>/gm)].map(m => m[1]);
    expect(summaries).toEqual(['edge', 'orders', 'worker', 'billing', 'search', 'gateway', 'proxy', 'web']);
    expect(md.indexOf('| Service | Image | Verdict |')).toBeLessThan(md.indexOf('<details>'));
    expect(md.split('\n').indexOf('| Service | Image | Verdict | Errors | Warnings | Time |')).toBeLessThan(10);
    // Every <details> is closed, and no text from an image closes one early.
    expect(md.match(/^<details>/gm)!.length).toBe(md.match(/^<\/details>$/gm)!.length);
  });

  it('leads with the changes, before the table', () => {
    const md = FLEET_WRITERS.markdown(compared, {});
    expect(md.indexOf('**Compared with `main.json`**: 15 new, 2 resolved.')).toBeGreaterThan(0);
    expect(md.indexOf('**Compared with')).toBeLessThan(md.indexOf('| Service |'));
    expect(md.indexOf('🆕 **new listener** `5005/tcp` in service **orders**')).toBeLessThan(md.indexOf('✅ **resolved listener** `9229/tcp`'));
  });

  // A fleet far past a comment: 120 services, each with 40 findings and a long log.
  const big = make(
    Array.from({length: 120}, (_, i): ServiceOutcome => {
      const r = loadResult('failing-service');
      const findings = Array.from({length: 40}, (_f, k) => ({...r.findings[k % r.findings.length]!, message: `${'long message '.repeat(30)}${k}`}));
      return {name: `svc-${String(i).padStart(3, '0')}`, image: r.image, timeMs: 1000, result: {...r, findings, container: {...r.container!, logs: 'log line\n'.repeat(3000)}}};
    })
  );

  it(`stays under ${LIMIT} bytes (GitHub: 65,536 characters), says which sections it left out and where the full report is`, () => {
    const md = FLEET_WRITERS.markdown(big, {fullReport: 'reports/portgate.json'});
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(LIMIT);
    expect(md.length).toBeLessThanOrEqual(65_536);
    const note = /_(\d+) service sections left out to fit a comment \(65,536 characters\): (svc-\d+(, svc-\d+)*)(, and (\d+) more)?\. Every service is in the JSON report `reports\/portgate\.json` and the text report\._\n$/.exec(md);
    expect(note).not.toBeNull();
    const shown = md.match(/^<details><summary>\S+ <b>/gm)!.length;
    expect(shown).toBeGreaterThan(0);
    expect(shown + Number(note![1])).toBe(120);
    // The table names every service it can; the sections kept are the first ones.
    expect(md).toContain('<b>svc-000</b>');
    expect(md.match(/^<details>/gm)!.length).toBe(md.match(/^<\/details>$/gm)!.length);
  });

  it('without a JSON report to point at, it says how to get one', () => {
    expect(FLEET_WRITERS.markdown(big, {})).toMatch(/Every service is in the JSON report \(`--report json=FILE`\) and the text report\._\n$/);
  });

  it('a small fleet is never cut', () => {
    expect(FLEET_WRITERS.markdown(fleet, {})).not.toMatch(/left out/);
  });
});

describe('SARIF', () => {
  const log = fleetSarifLog(fleet);
  const run = log.runs[0]!;

  it('is one run (GitHub rejects several runs of one tool and category), with every gated service\'s findings', () => {
    expect(log.runs).toHaveLength(1);
    const total = fleet.services.reduce((n, s) => n + (s.report?.findings.length ?? 0), 0);
    expect(run.results).toHaveLength(total);
    expect(run.automationDetails).toEqual({id: FLEET_AUTOMATION_ID});
    expect(FLEET_AUTOMATION_ID).toBe('portgate/fleet/');
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
  });

  it('names the service in each result\'s message and properties, and locates it in the service\'s own files', () => {
    const orders = run.results.filter(x => x.properties?.service === 'orders');
    expect(orders.length).toBe(fleet.services.find(s => s.name === 'orders')!.report!.findings.length);
    for (const x of orders) {
      expect(x.message.text.startsWith('Service orders: ')).toBe(true);
      expect(x.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^services\/orders\//);
      expect(x.properties!.image).toBe('registry.example.com:5000/shop/orders:ci-7f3c2e1');
    }
  });

  it('gives the same rule on the same port in the same file two fingerprints in two services', () => {
    const twins = make(['a', 'b'].map(name => ({name, image: 'shop/api:1', timeMs: 1, result: loadResult('failing-service')})));
    const results = fleetSarifLog(twins).runs[0]!.results;
    const prints = results.map(x => x.partialFingerprints['portgateFingerprint/v1']);
    expect(new Set(prints).size).toBe(prints.length);
    const a = results.filter(x => x.properties!.service === 'a').map(x => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}`);
    expect(a).toEqual(results.filter(x => x.properties!.service === 'b').map(x => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}`));
  });

  it('reports a service it could not gate as a tool execution error, the run then not successful', () => {
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    const notes = run.invocations[0]!.toolExecutionNotifications!;
    expect(notes.map(n => n.properties.service)).toEqual(['billing', 'search']);
    expect(notes[1]!.message.text).toMatch(/^Service search \(registry\.example\.com\/shop\/search:ci\) could not be gated \(exit 3\): image registry/);
    const ok = fleetSarifLog(make([{name: 'web', image: 'web:1', timeMs: 1, result: loadResult('passing')}])).runs[0]!.invocations[0]!;
    expect(ok).toEqual({executionSuccessful: true});
  });

  it('carries the baseline state of each compared finding', () => {
    const states = fleetSarifLog(compared).runs[0]!.results.filter(x => x.properties!.service === 'orders').map(x => `${x.ruleId}:${x.baselineState}`);
    expect(states).toContain('risky-port:new');
    expect(states).toContain('bound-to-loopback:unchanged');
  });
});

describe('Code Quality', () => {
  it('is one list with every service\'s counting findings, fingerprints unique across services', () => {
    const issues = fleetCodeQualityIssues(fleet);
    const counting = fleet.services.reduce((n, s) => n + (s.report?.findings.filter(f => !('suppressed' in f)).length ?? 0), 0);
    expect(issues).toHaveLength(counting);
    expect(new Set(issues.map(i => i.fingerprint)).size).toBe(issues.length);
    expect(issues.every(i => /^Service [\w-]+: /.test(i.description))).toBe(true);
    const twins = fleetCodeQualityIssues(make(['a', 'b'].map(name => ({name, image: 'shop/api:1', timeMs: 1, result: loadResult('failing-service')}))));
    expect(new Set(twins.map(i => i.fingerprint)).size).toBe(twins.length);
  });

  it('keeps fingerprints when the image tag changes', () => {
    const retag = (o: ServiceOutcome): ServiceOutcome => ('result' in o ? {...o, image: `${o.image}-next`, result: {...o.result, image: o.result.image.replace(/:[^/:@]+(@.*)?$/, ':next')}} : o);
    expect(fleetCodeQualityIssues(make(fleetOutcomes().map(retag))).map(i => i.fingerprint)).toEqual(fleetCodeQualityIssues(make(fleetOutcomes())).map(i => i.fingerprint));
  });
});

// A real XML parser (Python's expat): suites, their cases and counts.
const PARSE = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
def suite(s):
    cases = s.findall('testcase')
    return {'name': s.get('name'), 'tests': int(s.get('tests')), 'failures': int(s.get('failures')), 'errors': int(s.get('errors')),
            'props': {p.get('name'): p.get('value') for p in s.find('properties')},
            'cases': [{'name': c.get('name'), 'classname': c.get('classname'), 'failed': c.find('failure') is not None,
                       'error': None if c.find('error') is None else {'type': c.find('error').get('type'), 'message': c.find('error').get('message'), 'text': c.find('error').text}} for c in cases]}
print(json.dumps({'name': root.get('name'), 'tests': int(root.get('tests')), 'failures': int(root.get('failures')), 'errors': int(root.get('errors')),
                  'suites': [suite(s) for s in root.findall('testsuite')]}))
`;
const hasPython = spawnSync('python3', ['-c', 'import xml.etree.ElementTree'], {stdio: 'ignore'}).status === 0;

describe.skipIf(!hasPython)('JUnit', () => {
  const parse = (xml: string) => {
    const p = spawnSync('python3', ['-c', PARSE], {input: xml, encoding: 'utf8'});
    if (p.status !== 0) throw new Error(`not well-formed XML:\n${p.stderr}`);
    return JSON.parse(p.stdout) as {name: string; tests: number; failures: number; errors: number; suites: {name: string; tests: number; failures: number; errors: number; props: Record<string, string>; cases: {name: string; classname: string; failed: boolean; error: {type: string; message: string; text: string} | null}[]}[]};
  };
  const doc = parse(FLEET_WRITERS.junit(fleet, {}));

  it('one <testsuites> with a <testsuite> per service, named after it: the single-image suite', () => {
    expect(doc.suites.map(s => s.name)).toEqual(fleet.services.map(s => s.name));
    const orders = doc.suites.find(s => s.name === 'orders')!;
    const single = parse(FORMATS.junit(loadResult('failing-service'), {})).suites[0]!;
    expect(orders.cases).toEqual(single.cases);
    expect(orders.props).toMatchObject({image: 'registry.example.com:5000/shop/orders:ci-7f3c2e1', verdict: 'fail'});
  });

  it('a service that could not be gated is a suite with one errored case', () => {
    const search = doc.suites.find(s => s.name === 'search')!;
    expect(search).toMatchObject({tests: 1, failures: 0, errors: 1});
    expect(search.cases).toEqual([{name: 'gate', classname: 'portgate.service', failed: false, error: expect.objectContaining({type: 'exit-3'})}]);
    expect(search.cases[0]!.error!.message).toBe('could not be gated: image registry.example.com/shop/search:ci: pull failed: manifest unknown');
    expect(search.cases[0]!.error!.text).toContain('::error::pwned </details> ```` @admin | <b>x</b>');
  });

  it('the totals are the sums of the suites', () => {
    const sum = (k: 'tests' | 'failures' | 'errors') => doc.suites.reduce((n, s) => n + s[k], 0);
    expect([doc.tests, doc.failures, doc.errors]).toEqual([sum('tests'), sum('failures'), sum('errors')]);
    expect(doc.errors).toBe(2);
    expect(doc.failures).toBeGreaterThan(0);
  });
});

describe('the least-privilege and mesh rules through the fleet writers and the fleet file', () => {
  const NEW = ['privileged-port', 'root-listener', 'k8s-privileged-port-denied', 'k8s-non-root-refused'] as const;
  const at = (line: number) => ({file: 'k8s/web.yaml', line});
  const base = loadResult('passing');
  const findings: Finding[] = [
    {rule: 'k8s-non-root-refused', severity: 'error', message: 'container web of Deployment web: it sets runAsNonRoot: true (k8s/web.yaml:13) without runAsUser, and the image has no USER (so root), so the kubelet refuses to start it.', location: at(13)},
    {rule: 'k8s-privileged-port-denied', severity: 'error', port: 80, protocol: 'tcp', message: 'container web of Deployment web drops every capability (`drop: [ALL]` at k8s/web.yaml:14): it will crash in production. Before it ships, listen on 8080.', location: at(14)},
    {rule: 'root-listener', severity: 'warning', port: 8080, protocol: 'tcp', message: "The image's USER is 10001, but k8s/web.yaml:12 runs it as uid 0 (root): remove that setting.", location: at(12)},
    {rule: 'privileged-port', severity: 'note', port: 443, protocol: 'tcp', message: '443/tcp listens on 0.0.0.0 (nginx, pid 1) as root: listen on 8443.', location: {image: base.image}},
    {rule: 'risky-port', severity: 'error', port: 15000, protocol: 'tcp', category: 'service-mesh-admin', message: '15000/tcp is the Envoy admin interface (Istio sidecar): stop it, or bind it to 127.0.0.1.', location: {image: base.image}}
  ];
  const r = make([{name: 'web', image: base.image, timeMs: 1, result: {...base, findings, verdict: 'fail'}}]);

  test('SARIF: one driver rule per new id, in catalogue order, with its default level, description, help that says how to fix it, and its README section', () => {
    const log = fleetSarifLog(r);
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.map(x => x.id)).toEqual(['risky-port', 'privileged-port', 'root-listener', 'k8s-privileged-port-denied', 'k8s-non-root-refused']);
    for (const id of NEW) {
      const d = rules.find(x => x.id === id)!;
      const m = RULES[id];
      expect(d.defaultConfiguration.level).toBe(m.severity);
      expect(d.fullDescription.text).toBe(m.description);
      expect(d.help.text).toBe(`${m.description} How to fix: ${m.fix}`);
      expect(d.helpUri).toBe(`${DOCS_URL}#${id.startsWith('k8s-') ? 'findings' : 'rules'}`);
    }
    expect(log.runs[0]!.results.map(x => `${x.ruleId}:${x.level}:${rules[x.ruleIndex]!.id}`)).toEqual([
      'risky-port:error:risky-port', 'k8s-privileged-port-denied:error:k8s-privileged-port-denied', 'k8s-non-root-refused:error:k8s-non-root-refused', 'root-listener:warning:root-listener', 'privileged-port:note:privileged-port'
    ]);
  });

  test('Code Quality grades them by the catalogue; the mesh admin port as critical', () => {
    expect(fleetCodeQualityIssues(r).map(i => `${i.check_name}:${i.severity}`)).toEqual([
      'risky-port:critical', 'k8s-privileged-port-denied:major', 'k8s-non-root-refused:major', 'root-listener:major', 'privileged-port:info'
    ]);
  });

  it.each(FORMAT_NAMES)('%s names every one of them', format => {
    const out = FLEET_WRITERS[format](r, {});
    for (const id of NEW) expect(out, id).toContain(format === 'markdown' ? `\`${id}\`` : id);
  });

  test("the fleet file's defaults.rules takes the new ids, and still refuses a typo", () => {
    const fleetFile = (rules: string) => `version: 1\ndefaults:\n  rules:\n${rules}services:\n  - {name: web, image: web:1}\n`;
    expect(loadFleet(fleetFile('    privileged-port: error\n    k8s-non-root-refused: warning\n    root-listener: "off"\n'), 'portgate.fleet.yml').defaults.rules).toEqual({'privileged-port': 'error', 'k8s-non-root-refused': 'warning', 'root-listener': 'off'});
    expect(() => loadFleet(fleetFile('    privileged-ports: error\n'), 'portgate.fleet.yml')).toThrow(/unknown rule `privileged-ports` in defaults\.rules\. Did you mean `privileged-port`/);
  });
});
