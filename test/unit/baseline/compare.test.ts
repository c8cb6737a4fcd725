import {describe, expect, test} from 'vitest';
import {compareWithBaseline, markAllNew} from '../../../src/baseline/compare.js';
import type {Finding, GateResult, Listener, Protocol} from '../../../src/model.js';
import {portKey} from '../../../src/model.js';

/** A listener owned by `exe`. */
const l = (port: number, address = '0.0.0.0', exe = '/app/server', extra: Partial<Listener> = {}): Listener => ({
  port,
  protocol: 'tcp',
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  scope: address.startsWith('127.') ? 'loopback' : 'wildcard',
  process: {pid: 7, name: exe.split('/').pop()!, exe, command: exe},
  ...extra
});

/** A finding of `rule` on `port` (tcp unless `port` is `53/udp`), in `file` at `line`. */
const f = (rule: string, port: number | string | undefined, file = 'Dockerfile', line = 3, extra: Partial<Finding> = {}): Finding => {
  const [p, proto] = typeof port === 'string' ? port.split('/') : [port, 'tcp'];
  return {
    rule,
    severity: 'error',
    ...(p !== undefined && {port: Number(p), protocol: proto as Protocol}),
    message: `${rule} on ${p}`,
    location: file === 'image' ? {image: 'app'} : {file, line},
    ...extra
  };
};

const result = (image: string, listening: Listener[], findings: Finding[], extra: Partial<GateResult> = {}): GateResult => ({
  version: 1,
  verdict: findings.length ? 'fail' : 'pass',
  image,
  failOn: 'error',
  dockerfile: 'Dockerfile',
  exposed: [{port: 8080, protocol: 'tcp', origin: 'dockerfile', location: {file: 'Dockerfile', line: 5}}],
  listening,
  declared: [],
  findings,
  container: {exited: false, timedOut: false, reader: 'host', trusted: true},
  timing: {totalMs: 1},
  ...extra
});

/** `9229/tcp:new` per listener, `risky-port 9229:new` per finding, resolved ones with `-`. */
const summary = (r: GateResult) => ({
  status: r.baseline!.status,
  listening: r.listening.map(x => `${portKey(x)} ${x.address}:${x.baseline ?? '(none)'}`),
  findings: r.findings.map(x => `${x.rule} ${x.port ?? ''}:${x.baseline ?? '(none)'}`),
  resolved: [...r.baseline!.resolved.listening.map(x => `-${portKey(x)} ${x.address}`), ...r.baseline!.resolved.findings.map(x => `-${x.rule} ${x.port ?? ''}`)]
});

const compare = (cur: GateResult, base: GateResult) => summary(compareWithBaseline(cur, base, {report: 'main.json'}));

// prettier-ignore
describe.each([
  ['two builds of one image, nothing changed: every item unchanged',
    result('api:sha-2', [l(8080)], [f('exposed-not-declared', 8080)]),
    result('api:sha-1', [l(8080)], [f('exposed-not-declared', 8080)]),
    {status: 'compared', listening: ['8080/tcp 0.0.0.0:unchanged'], findings: ['exposed-not-declared 8080:unchanged'], resolved: []}],
  ['a build that adds a debug listener: the listener and its finding are new',
    result('api:sha-2', [l(8080), l(9229, '0.0.0.0', '/usr/bin/node')], [f('risky-port', 9229)]),
    result('api:sha-1', [l(8080)], []),
    {status: 'compared', listening: ['8080/tcp 0.0.0.0:unchanged', '9229/tcp 0.0.0.0:new'], findings: ['risky-port 9229:new'], resolved: []}],
  ['a build that closes it: resolved, listener and finding',
    result('api:sha-3', [l(8080)], []),
    result('api:sha-2', [l(8080), l(9229)], [f('risky-port', 9229)]),
    {status: 'compared', listening: ['8080/tcp 0.0.0.0:unchanged'], findings: [], resolved: ['-9229/tcp 0.0.0.0', '-risky-port 9229']}],
  ['a finding whose line moved is the same finding',
    result('api:2', [], [f('exposed-not-declared', 8080, 'Dockerfile', 40)]),
    result('api:1', [], [f('exposed-not-declared', 8080, 'Dockerfile', 4)]),
    {status: 'compared', listening: [], findings: ['exposed-not-declared 8080:unchanged'], resolved: []}],
  ['the same rule and port in another file is another finding',
    result('api:2', [], [f('k8s-target-port-not-listening', 8080, 'deploy/b.yaml')]),
    result('api:1', [], [f('k8s-target-port-not-listening', 8080, 'deploy/a.yaml')]),
    {status: 'compared', listening: [], findings: ['k8s-target-port-not-listening 8080:new'], resolved: ['-k8s-target-port-not-listening 8080']}],
  ['the same rule on another protocol is another finding',
    result('dns:2', [], [f('undeclared-listener', '53/udp')]),
    result('dns:1', [], [f('undeclared-listener', '53/tcp')]),
    {status: 'compared', listening: [], findings: ['undeclared-listener 53:new'], resolved: ['-undeclared-listener 53']}],
  ['an image-wide finding (no Dockerfile) keeps its identity',
    result('api:2', [], [f('container-exited', undefined, 'image')]),
    result('api:1', [], [f('container-exited', undefined, 'image', 1, {message: 'other words, pid 9'})]),
    {status: 'compared', listening: [], findings: ['container-exited :unchanged'], resolved: []}],
  ['repeats are counted: one more than before is new',
    result('api:2', [], [f('k8s-target-port-not-listening', 8080, 'k8s.yaml', 3), f('k8s-target-port-not-listening', 8080, 'k8s.yaml', 9)]),
    result('api:1', [], [f('k8s-target-port-not-listening', 8080, 'k8s.yaml', 3)]),
    {status: 'compared', listening: [], findings: ['k8s-target-port-not-listening 8080:unchanged', 'k8s-target-port-not-listening 8080:new'], resolved: []}],
  ['one fewer than before is resolved',
    result('api:2', [], [f('k8s-target-port-not-listening', 8080, 'k8s.yaml', 3)]),
    result('api:1', [], [f('k8s-target-port-not-listening', 8080, 'k8s.yaml', 3), f('k8s-target-port-not-listening', 8080, 'k8s.yaml', 9)]),
    {status: 'compared', listening: [], findings: ['k8s-target-port-not-listening 8080:unchanged'], resolved: ['-k8s-target-port-not-listening 8080']}],
  ['a listener is its port: 0.0.0.0 now and :: before is the same listener',
    result('api:2', [l(8080, '0.0.0.0'), l(8080, '::')], []),
    result('api:1', [l(8080, '::')], []),
    {status: 'compared', listening: ['8080/tcp 0.0.0.0:unchanged', '8080/tcp :::unchanged'], findings: [], resolved: []}],
  ['a tag and a digest of one repository compare',
    result('registry:5000/shop/api@sha256:abcd', [l(8080)], []),
    result('registry:5000/shop/api:main', [l(8080)], []),
    {status: 'compared', listening: ['8080/tcp 0.0.0.0:unchanged'], findings: [], resolved: []}],
  ['another repository compares with nothing: all new, nothing resolved',
    result('web:2', [l(8080)], [f('risky-port', 5005)]),
    result('api:1', [l(8080), l(9229)], [f('risky-port', 9229)]),
    {status: 'other-image', listening: ['8080/tcp 0.0.0.0:new'], findings: ['risky-port 5005:new'], resolved: []}],
  ['suppressed findings are neither marked nor resolved: they do not count',
    result('api:2', [], [f('exposed-not-declared', 9000, 'Dockerfile', 3, {suppressed: {reason: 'base image', location: {file: 'portgate.yml', line: 9}}})]),
    result('api:1', [], [f('unserved-port-listening', 7000, 'Dockerfile', 3, {suppressed: {reason: 'x', location: {file: 'portgate.yml', line: 9}}})]),
    {status: 'compared', listening: [], findings: ['exposed-not-declared 9000:(none)'], resolved: []}],
  ['a finding an accept: entry now suppresses is resolved (it no longer counts)',
    result('api:2', [], [f('exposed-not-declared', 9000, 'Dockerfile', 3, {suppressed: {reason: 'base image', location: {file: 'portgate.yml', line: 9}}})]),
    result('api:1', [], [f('exposed-not-declared', 9000)]),
    {status: 'compared', listening: [], findings: ['exposed-not-declared 9000:(none)'], resolved: ['-exposed-not-declared 9000']}]
] as const)('%s', (_name, cur, base, expected) => {
  test('marks', () => {
    expect(compare(cur, base)).toEqual(expected);
  });
});

describe('ports the kernel picks at run time (ephemeral range, not EXPOSEd, declared or risky)', () => {
  const java = '/usr/lib/jvm/bin/java';
  // prettier-ignore
  test.each([
    ['other numbers, as many: unchanged',      [41001, 41002],        [38000, 39000],        ['41001/tcp 0.0.0.0:unchanged', '41002/tcp 0.0.0.0:unchanged'], []],
    ['one more than before: one new',          [41001, 41002, 41003], [38000, 41001],        ['41001/tcp 0.0.0.0:unchanged', '41002/tcp 0.0.0.0:unchanged', '41003/tcp 0.0.0.0:new'], []],
    ['one fewer: one resolved',                [41001],               [38000, 41001],        ['41001/tcp 0.0.0.0:unchanged'], ['-38000/tcp 0.0.0.0']],
    ['none before: all new',                   [41001],               [],                    ['41001/tcp 0.0.0.0:new'], []]
  ])('%s', (_name, now, then, listening, resolved) => {
    const s = compare(result('jmx:2', [l(9010, '0.0.0.0', java), ...now.map(p => l(p, '0.0.0.0', java))], []), result('jmx:1', [l(9010, '0.0.0.0', java), ...then.map(p => l(p, '0.0.0.0', java))], []));
    expect(s.listening.slice(1)).toEqual(listening);
    expect(s.resolved).toEqual(resolved);
  });

  test('another owner of such ports is another listener', () => {
    const s = compare(result('jmx:2', [l(41001, '0.0.0.0', '/usr/bin/python3')], []), result('jmx:1', [l(41001, '0.0.0.0', '/usr/bin/java')], []));
    expect(s.listening).toEqual(['41001/tcp 0.0.0.0:new']);
    expect(s.resolved).toEqual(['-41001/tcp 0.0.0.0']);
  });

  test('a finding on such a port is keyed by its owner too, so a new random number is no new finding', () => {
    const s = compare(result('jmx:2', [l(41001, '0.0.0.0', java)], [f('undeclared-listener', 41001, 'portgate.yml')]), result('jmx:1', [l(38555, '0.0.0.0', java)], [f('undeclared-listener', 38555, 'portgate.yml')]));
    expect(s.findings).toEqual(['undeclared-listener 41001:unchanged']);
    expect(s.resolved).toEqual([]);
  });

  test('an EXPOSEd, declared or risky port in that range is a port like any other', () => {
    const cur = result('dbg:2', [l(40000, '0.0.0.0', '/usr/bin/dlv'), l(45000), l(46000)], [], {
      exposed: [{port: 45000, protocol: 'tcp', origin: 'dockerfile'}],
      declared: [{port: 46000, protocol: 'tcp', exposure: 'internal', location: {file: 'portgate.yml', line: 3}}]
    });
    const base = result('dbg:1', [l(40001, '0.0.0.0', '/usr/bin/dlv'), l(45001), l(46001)], [], {
      exposed: [{port: 45001, protocol: 'tcp', origin: 'dockerfile'}],
      declared: [{port: 46001, protocol: 'tcp', exposure: 'internal', location: {file: 'portgate.yml', line: 3}}]
    });
    expect(compare(cur, base).listening).toEqual(['40000/tcp 0.0.0.0:new', '45000/tcp 0.0.0.0:new', '46000/tcp 0.0.0.0:new']);
  });

  test('a socket open for a moment on such a port during start-up is left out on both sides', () => {
    const s = compare(result('app:2', [l(8080), l(50123, '0.0.0.0', '/app/server', {transient: true, protocol: 'udp'})], []), result('app:1', [l(8080), l(40999, '0.0.0.0', '/app/server', {transient: true, protocol: 'udp'})], []));
    expect(s.listening).toEqual(['8080/tcp 0.0.0.0:unchanged', '50123/udp 0.0.0.0:(none)']);
    expect(s.resolved).toEqual([]);
  });

  test('a UDP client socket still open at the end (a kernel-picked port nothing names) is left out on both sides', () => {
    const s = compare(result('app:2', [l(8080), l(46825, '0.0.0.0', '/usr/lib/erlang/erts/bin/beam.smp', {protocol: 'udp'})], []), result('app:1', [l(8080)], []));
    expect(s.listening).toEqual(['8080/tcp 0.0.0.0:unchanged', '46825/udp 0.0.0.0:(none)']);
    expect(s.resolved).toEqual([]);
  });

  test('the report\'s own ephemeral range decides', () => {
    const narrow = {exited: false, timedOut: false, reader: 'host' as const, trusted: true, ephemeral: [20000, 20999] as [number, number]};
    const s = compare(result('app:2', [l(20500)], [], {container: narrow}), result('app:1', [l(20600)], [], {container: narrow}));
    expect(s.listening).toEqual(['20500/tcp 0.0.0.0:unchanged']);
  });
});

test('marks from an earlier comparison are replaced, not kept', () => {
  const cur = result('api:2', [{...l(8080), baseline: 'new'}], [{...f('risky-port', 5005), baseline: 'new'}]);
  expect(compare(cur, result('api:1', [l(8080)], [f('risky-port', 5005)]))).toMatchObject({listening: ['8080/tcp 0.0.0.0:unchanged'], findings: ['risky-port 5005:unchanged']});
});

test('the comparison names the report and the image it gated; resolved items carry no marks', () => {
  const r = compareWithBaseline(result('api:2', [], []), result('api:1', [l(9229)], [f('risky-port', 9229)]), {report: 'artifacts/main.json'});
  expect(r.baseline).toMatchObject({report: 'artifacts/main.json', status: 'compared', image: 'api:1'});
  expect([...r.baseline!.resolved.findings, ...r.baseline!.resolved.listening].every(x => !('baseline' in x))).toBe(true);
});

test('paths compare as reports print them: an absolute path under cwd is the relative one', () => {
  const cur = result('api:2', [], [f('exposed-not-declared', 8080, '/repo/services/api/Dockerfile')]);
  const s = summary(compareWithBaseline(cur, result('api:1', [], [f('exposed-not-declared', 8080, 'services/api/Dockerfile')]), {report: 'main.json', cwd: '/repo'}));
  expect(s.findings).toEqual(['exposed-not-declared 8080:unchanged']);
});

test('markAllNew: every counting item is new, nothing resolved', () => {
  const r = markAllNew(result('api:2', [l(8080)], [f('risky-port', 5005), f('x', 1, 'Dockerfile', 1, {suppressed: {reason: 'r', location: {file: 'portgate.yml', line: 1}}})]), {report: 'main.json', status: 'absent'});
  expect(summary(r)).toEqual({status: 'absent', listening: ['8080/tcp 0.0.0.0:new'], findings: ['risky-port 5005:new', 'x 1:(none)'], resolved: []});
});
