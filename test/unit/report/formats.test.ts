import {describe, expect, it} from 'vitest';
import type {Finding, GateResult, Listener} from '../../../src/model.js';
import {FORMATS, FORMAT_NAMES, isFormat} from '../../../src/report/index.js';
import {toJsonReport} from '../../../src/report/json.js';
import {LIMIT} from '../../../src/report/markdown.js';
import {portRows, verdictCell} from '../../../src/report/table.js';
import {evaluate} from '../../../src/compare/evaluate.js';
import {declare, expose, input, listen} from '../compare/build.js';
import {CWD, FIXTURES, hostileResult, loadResult, reversed} from './fixtures.js';

// eslint-disable-next-line no-control-regex
const ESC = /\u001b/;
const all = [...FIXTURES.map(name => [name, loadResult(name)] as const), ['hostile', hostileResult()] as const];

describe('registry', () => {
  it('has exactly the documented formats', () => {
    expect(Object.keys(FORMATS)).toEqual(FORMAT_NAMES);
    expect(FORMAT_NAMES).toEqual(['text', 'json', 'markdown', 'sarif', 'gitlab-codequality', 'junit']);
    expect(isFormat('sarif')).toBe(true);
    expect(isFormat('toString')).toBe(false);
  });
});

describe.each(all)('every format, %s', (_, result) => {
  it.each(FORMAT_NAMES)('%s is deterministic, order-independent, newline-terminated, escape-free', format => {
    const out = FORMATS[format](result, {cwd: CWD});
    expect(FORMATS[format](reversed(result), {cwd: CWD})).toBe(out);
    expect(out.endsWith('\n')).toBe(true);
    // JSON formats keep the hostile text, JSON-escaped as \u001b; nothing emits a raw ESC.
    expect(out).not.toMatch(ESC);
  });
});

describe('table', () => {
  it('has one row per port/protocol from any view or finding, in port order', () => {
    expect(portRows(loadResult('failing-service')).map(r => r.key)).toEqual([
      '53/tcp', '53/udp', '5005/tcp', '8080/tcp', '8081/tcp', '8443/tcp', '9000/tcp', '9100/tcp'
    ]);
  });

  it('names every rule that concerns a port, most important first, instead of "(+1)"', () => {
    const cells = Object.fromEntries(portRows(loadResult('failing-service')).map(r => [r.key, verdictCell(r)]));
    expect(cells['5005/tcp']).toBe('debug-agent-configured, risky-port, undeclared-listener');
    expect(cells['8443/tcp']).toBe('declared-not-listening, public-not-exposed');
    expect(cells['8080/tcp']).toBe('expose-host-part-ignored');
  });

  // The comparison itself, then the table: what the user sees for a TCP listener on 53 when the spec says 53/udp.
  const gate = (o: Parameters<typeof input>[0]): GateResult => {
    const i = input(o);
    return {...loadResult('passing'), dockerfile: undefined, spec: 'portgate.yml', exposed: i.exposed, listening: i.listening ?? [], declared: i.declared ?? [], findings: evaluate(i)};
  };

  it.each([
    ['a TCP listener while the spec declares 53/udp', {listening: [listen(53, '0.0.0.0', 'tcp')], declared: [declare(53, 'internal', 'udp')]}],
    ['a UDP listener while the spec declares 53/tcp', {listening: [listen(53, '0.0.0.0', 'udp')], declared: [declare(53, 'internal', 'tcp')]}],
    ['EXPOSE 53 (tcp) for a UDP server, no spec', {exposed: [expose(53)], listening: [listen(53, '0.0.0.0', 'udp')], declared: undefined}]
  ])('never reads ok on a port a finding concerns: %s', (_name, views) => {
    const rows = portRows(gate(views));
    expect(rows.map(r => r.key)).toEqual(['53/tcp', '53/udp']);
    for (const row of rows) expect(verdictCell(row), row.key).toMatch(/^protocol-mismatch/);
    expect(rows.map(verdictCell)).toContain(`protocol-mismatch (see ${rows.find(r => r.findings.length)!.key})`);
  });

  it('an IPv4-mapped loopback bind (::ffff:127.0.0.1) is loopback in the findings and the text table', () => {
    const internal = gate({listening: [listen(6060, '::ffff:127.0.0.1', 'tcp', 7)], declared: [declare(6060, 'internal')]});
    expect(internal.findings.map(f => f.rule)).toEqual(['bound-to-loopback']);
    const loopback = gate({listening: [listen(6060, '::ffff:127.0.0.1', 'tcp', 7)], declared: [declare(6060, 'loopback')]});
    expect(loopback.findings).toEqual([]);
    const row = FORMATS.text(loopback, {cwd: CWD}).split('\n').find(l => l.startsWith('6060/tcp'))!;
    expect(row).toMatch(/::ffff:127\.0\.0\.1 \(app, pid 7\)\s+loopback\s+ok$/);
  });

  it('marks each port of a dynamic entry over its max, and a rule found twice on one port', () => {
    const ls = [33001, 33002, 33003].map(p => ({...listen(p, '0.0.0.0', 'tcp', 7), process: {pid: 7, name: 'java', exe: '/usr/bin/java', command: 'java'}}));
    const dynamic = [{process: 'java', range: 'ephemeral' as const, protocol: 'tcp' as const, exposure: 'internal' as const, max: 2, reason: 'JMX', location: {file: 'portgate.yml', line: 9, column: 5}}];
    const rows = portRows(gate({listening: ls, declared: [], dynamic}));
    expect(rows.map(verdictCell)).toEqual(['undeclared-listener (see findings)', 'undeclared-listener (see findings)', 'undeclared-listener (see findings)']);
    const twice = {...loadResult('passing'), findings: [0, 1].map(i => ({rule: 'k8s-target-port-not-listening', severity: 'error' as const, port: 8080, protocol: 'tcp' as const, message: `m${i}`}))};
    expect(verdictCell(portRows(twice)[0]!)).toBe('k8s-target-port-not-listening ×2');
  });
});

describe('text', () => {
  it('colours only when asked, and colour is the only difference', () => {
    const r = loadResult('failing-service');
    const plain = FORMATS.text(r, {color: false});
    const color = FORMATS.text(r, {color: true});
    expect(color).toContain('\u001b[1;31mFAIL\u001b[0m');
    expect(color).toContain('\u001b[31mrisky-port');
    // eslint-disable-next-line no-control-regex
    expect(color.replace(/\u001b\[[\d;]*m/g, '')).toBe(plain);
  });

  it('lists risky ports first, under their own heading and with their severity, then the rest by severity', () => {
    const text = FORMATS.text(loadResult('failing-service'), {});
    const headings = text.split('\n').filter(l => /^(Risky ports|Errors|Warnings|Notes) \(/.test(l));
    expect(headings).toEqual(['Risky ports (3)', 'Errors (5)', 'Warnings (1)', 'Notes (1)']);
    expect(text).toContain('Risky ports (3)\n  error  Dockerfile:21  debug-agent-configured  5005/tcp\n');
    expect(text).toMatch(/\n {2}error {2}Dockerfile:27 {2}risky-port {2}5005\/tcp\n/);
    expect(text).toMatch(/\n {2}error {2}portgate\.yml:4 {2}undeclared-listener {2}5005\/tcp\n/);
  });

  it('names the engine on the context line, with why it was chosen unless it was the default', () => {
    const engine = {name: 'Podman', version: '4.3.1', apiVersion: '1.41', address: 'unix:///run/podman/podman.sock', chosenBy: '/var/run/docker.sock is missing'};
    const context = (chosenBy: string) => FORMATS.text({...loadResult('passing'), engine: {...engine, chosenBy}}, {}).split('\n').find(l => l.includes('probe:'));
    expect(context('/var/run/docker.sock is missing')).toContain('   engine: Podman 4.3.1 at unix:///run/podman/podman.sock (/var/run/docker.sock is missing)   took ');
    expect(context('DOCKER_HOST')).toContain('engine: Podman 4.3.1 at unix:///run/podman/podman.sock (DOCKER_HOST)   took ');
    expect(context('the default socket')).toContain('engine: Podman 4.3.1 at unix:///run/podman/podman.sock   took ');
    expect(FORMATS.text(loadResult('passing'), {})).not.toContain('engine:');
  });

  it('ends with a one-line verdict', () => {
    const lines = FORMATS.text(loadResult('no-spec'), {}).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('PASS localhost:5000/edge/proxy:pr-481: 1 error, 1 warning, 0 notes (gate never fails)');
  });
});

describe('json', () => {
  it('has the documented top-level keys in a fixed order', () => {
    const out = JSON.parse(FORMATS.json(loadResult('failing-service'), {}));
    expect(Object.keys(out)).toEqual(['version', 'verdict', 'failOn', 'image', 'dockerfile', 'spec', 'exposed', 'listening', 'declared', 'findings', 'container', 'timing']);
    expect(Object.keys(out.timing)[0]).toBe('totalMs');
    expect(Object.keys(out.findings.find((f: {rule: string}) => f.rule === 'bound-to-loopback'))).toEqual(['rule', 'severity', 'port', 'protocol', 'message', 'location']);
    expect(Object.keys(out.findings[0])).toEqual(['rule', 'severity', 'port', 'protocol', 'message', 'location', 'category']);
    expect(out.findings.find((f: {rule: string}) => f.rule === 'protocol-mismatch').related).toEqual([{port: 53, protocol: 'udp'}]);
  });

  it('names the engine that ran the image, before container, when one answered', () => {
    const engine = {name: 'Podman', version: '4.3.1', apiVersion: '1.41', address: 'unix:///run/podman/podman.sock', chosenBy: '/var/run/docker.sock is missing'};
    const out = JSON.parse(FORMATS.json({...loadResult('failing-service'), engine}, {}));
    expect(Object.keys(out)).toEqual(['version', 'verdict', 'failOn', 'image', 'dockerfile', 'spec', 'exposed', 'listening', 'declared', 'findings', 'engine', 'container', 'timing']);
    expect(out.engine).toEqual(engine);
  });

  it('writes container: null when nothing ran, and drops fields the contract does not name', () => {
    const r: GateResult = {...loadResult('passing'), container: undefined};
    expect(toJsonReport(r).container).toBeNull();
    expect(toJsonReport(r).listening[0]).not.toHaveProperty('inode');
  });
});

describe('markdown', () => {
  const huge = (): GateResult => {
    const listening: Listener[] = [];
    const findings: Finding[] = [];
    for (let port = 1000; port < 4000; port++) {
      listening.push({port, protocol: 'tcp', address: '0.0.0.0', family: 'ipv4', scope: 'wildcard', process: {pid: 1, name: 'busybox', command: 'busybox'}});
      findings.push({rule: 'undeclared-listener', severity: 'error', port, protocol: 'tcp', message: `${port}/tcp listens on 0.0.0.0 but portgate.yml does not declare it.`, location: {image: 'big'}});
    }
    return {...loadResult('crashed'), listening, findings};
  };

  it(`stays under ${LIMIT} bytes and says how much it left out`, () => {
    const md = FORMATS.markdown(huge(), {});
    expect(Buffer.byteLength(md)).toBeLessThan(LIMIT);
    expect(md).toMatch(/_… and \d+ more ports not shown; see the JSON report\._/);
    expect(md).toMatch(/_… and \d+ more findings not shown; see the SARIF or JSON report\._/);
    expect(md).toContain('<details><summary>Container logs (exited with code 1)</summary>');
  });

  it('keeps hostile text from breaking tables, injecting HTML or mentioning people', () => {
    const md = FORMATS.markdown(hostileResult(), {cwd: CWD});
    // Code spans render literally (no HTML, no mentions); everything outside them must be escaped.
    const prose = md.replace(/(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)/g, '');
    expect(prose).not.toContain('<script>');
    expect(prose).not.toMatch(/@admin/);
    expect(prose).toContain('&lt;script&gt;');
    // Every row has as many cells as its table's header (the port table 5, the findings table 4).
    let cells = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('| ')) {
        cells = 0;
        continue;
      }
      const n = line.replace(/\\\|/g, '').split('|').length - 2;
      cells ||= n;
      expect(n, line).toBe(cells);
    }
    // The logs contain ``` and ````: the fence must be longer than both.
    expect(md).toMatch(/\n`````text\nbefore\n```\nfenced ```` text\n```\nafter\n`````\n/);
  });
});

describe('--static-only results (the image was not run)', () => {
  const {container: _ran, ...rest} = loadResult('failing-service');
  const result: GateResult = {...rest, listening: []};

  it.each(['text', 'markdown'] as const)('%s says the image was not run instead of claiming nothing listens', format => {
    const out = FORMATS[format](result, {cwd: CWD});
    expect(out).toContain('static-only: the image was not run');
    expect(out).toContain('(not run)');
    expect(FORMATS[format](loadResult('failing-service'), {cwd: CWD})).not.toContain('(not run)');
  });

  it('json reports no container', () => {
    expect(JSON.parse(FORMATS.json(result, {})).container).toBeNull();
  });
});
