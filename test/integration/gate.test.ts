import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {runGate, type GateOptions} from '../../src/gate/run-gate.js';
import {loadSpec} from '../../src/spec/index.js';
import type {GateResult} from '../../src/model.js';
import {leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildListenerImage, buildProbeImage, removeImages} from '../helpers/images.js';

const P = 'portgate-gate-';
const img = (name: string) => `${P}${name}:test`;

beforeAll(async () => {
  await buildProbeImage();
  await Promise.all([
    buildListenerImage(img('v4'), 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]'),
    buildListenerImage(img('v6only'), 'EXPOSE 8080\nCMD ["tcp", "::", "8080", "--v6only"]'),
    buildListenerImage(img('dual'), 'EXPOSE 8080\nCMD ["tcp", "::", "8080"]'),
    buildListenerImage(img('binds'), 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "127.0.0.1", "6060", "::1", "6061"]'),
    buildListenerImage(img('late'), 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--delay", "2"]'),
    buildListenerImage(img('crash'), 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--exit-after", "1", "3"]'),
    buildListenerImage(img('instant-crash'), 'EXPOSE 8080\nCMD ["bogus-protocol"]'),
    buildListenerImage(img('nonroot'), 'USER 10001:10001\nEXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]'),
    buildListenerImage(img('reuse'), 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--reuseport", "3"]'),
    // Two processes need a shell; busybox sh starts the UDP listener beside the TCP one.
    buildListenerImage(img('tcpudp'), 'EXPOSE 8080 5353/udp\nENTRYPOINT ["sh", "-c", "/listen udp 0.0.0.0 5353 & exec /listen tcp :: 8080"]', {shell: true}),
    buildListenerImage(img('shell'), 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "0.0.0.0", "9229"]', {shell: true}),
    // Binds per interface, like BIND's named: loopback and the container's own address, not the wildcard.
    buildListenerImage(img('per-interface'), 'EXPOSE 53/udp\nENTRYPOINT ["sh", "-c", "exec /listen udp 127.0.0.1 53 $(hostname -i) 53"]', {shell: true})
  ]);
}, 300_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

const gate = (image: string, o: Omit<Partial<GateOptions>, 'spec'> & {spec?: string} = {}): Promise<GateResult> =>
  runGate(
    {
      image,
      timeoutMs: 10_000,
      settle: 1_000,
      probe: 'auto',
      probeImage: PROBE_IMAGE,
      failOn: 'error',
      ...o,
      spec: o.spec === undefined ? undefined : loadSpec(o.spec, 'portgate.yml')
    },
    new DockerEngine()
  );

const seen = (r: GateResult) => r.listening.map(l => `${l.protocol} ${l.address} ${l.port} ${l.family} ${l.scope}`).sort();
const rules = (r: GateResult) => r.findings.map(f => `${f.rule}:${f.port ?? ''}`).sort();

describe('listeners in a FROM-scratch image with no shell', () => {
  test('IPv4 wildcard, matching EXPOSE: pass', async () => {
    const r = await gate(img('v4'));
    expect(seen(r)).toEqual(['tcp 0.0.0.0 8080 ipv4 wildcard']);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.container).toMatchObject({exited: false, reader: 'host', trusted: true, timedOut: false});
    expect(r.listening[0]!.process?.command).toBe('/listen tcp 0.0.0.0 8080');
  });

  test('IPv6-only and dual-stack wildcards are both seen as :: in tcp6', async () => {
    expect(seen(await gate(img('v6only')))).toEqual(['tcp :: 8080 ipv6 wildcard']);
    expect(seen(await gate(img('dual')))).toEqual(['tcp :: 8080 ipv6 wildcard']);
  });

  test('loopback and wildcard binds are told apart', async () => {
    const r = await gate(img('binds'), {spec: 'version: 1\nports:\n  - port: 8080\n  - port: 6060\n    exposure: internal\n'});
    expect(seen(r)).toEqual(['tcp 0.0.0.0 8080 ipv4 wildcard', 'tcp 127.0.0.1 6060 ipv4 loopback', 'tcp ::1 6061 ipv6 loopback']);
    expect(rules(r)).toEqual(['bound-to-loopback:6060', 'undeclared-loopback-listener:6061']);
  });

  test('SO_REUSEPORT duplicates fold into one listener', async () => {
    expect(seen(await gate(img('reuse')))).toEqual(['tcp 0.0.0.0 8080 ipv4 wildcard']);
  });

  test('a listener that opens late is waited for', async () => {
    const r = await gate(img('late'), {spec: 'version: 1\nports:\n  - port: 8080\n'});
    expect(seen(r)).toEqual(['tcp 0.0.0.0 8080 ipv4 wildcard']);
    expect(r.verdict).toBe('pass');
    expect(r.timing.waitMs).toBeGreaterThanOrEqual(2_000);
  });

  test('a declared port that never opens fails after the timeout, with the logs', async () => {
    const r = await gate(img('v4'), {timeoutMs: 2_000, spec: 'version: 1\nports:\n  - port: 8080\n  - port: 8081\n    exposure: internal\n'});
    expect(rules(r)).toEqual(['declared-not-listening:8081']);
    expect(r.container?.timedOut).toBe(true);
    expect(r.findings[0]!.message).toContain('within the 2s timeout');
    expect(r.container?.logs).toContain('bound tcp');
  });

  test('a container that crashes is reported with exit code and log tail', async () => {
    const r = await gate(img('crash'));
    expect(r.container).toMatchObject({exited: true, exitCode: 3});
    expect(rules(r)).toEqual(['container-exited:']);
    expect(r.findings[0]!.message).toMatch(/exited with code 3[\s\S]*bound tcp 0\.0\.0\.0:8080/);
    expect(r.verdict).toBe('fail');
  });

  test('a container that dies at once is a crash, not a probe error, with every reader', async () => {
    // auto: a missing probe image must not matter, the exit is what happened.
    for (const [probe, probeImage] of [['auto', 'portgate-gate-no-such-probe:1'], ['sidecar', PROBE_IMAGE]] as const) {
      const r = await gate(img('instant-crash'), {probe, probeImage});
      expect(r.container).toMatchObject({exited: true, exitCode: 2});
      expect(rules(r)).toEqual(['container-exited:', 'exposed-not-listening:8080']);
      expect(r.container?.logs).toMatch(/usage/i);
    }
  });

  test("the spec's run: section replaces the command and the user", async () => {
    const spec = 'version: 1\nports:\n  - port: 9090\n    exposure: internal\nrun:\n  command: ["tcp", "127.0.0.1", "9091", "0.0.0.0", "9090"]\n  user: "4242:4242"\n  env: {MODE: test}\n  settle: 500ms\n';
    const r = await gate(img('v4'), {spec});
    expect(seen(r)).toEqual(['tcp 0.0.0.0 9090 ipv4 wildcard', 'tcp 127.0.0.1 9091 ipv4 loopback']);
    expect(r.listening.map(l => l.uid)).toEqual([4242, 4242]);
    // The image still EXPOSEs 8080, which the replaced command no longer serves.
    expect(rules(r)).toEqual(['exposed-not-declared:8080', 'undeclared-loopback-listener:9091']);
  });

  test('a non-root process is attributed to its socket', async () => {
    const r = await gate(img('nonroot'));
    expect(r.listening).toHaveLength(1);
    expect(r.listening[0]).toMatchObject({uid: 10001, process: {command: '/listen tcp 0.0.0.0 8080'}});
  });
});

describe('the isolated network', () => {
  test.each(['host', 'sidecar'] as const)('%s reader: a per-interface binder is reachable on its own address, not judged loopback-only', async probe => {
    const r = await gate(img('per-interface'), {probe, spec: 'version: 1\nports:\n  - port: 53/udp\n'});
    const scopes = r.listening.map(l => l.scope).sort();
    expect(scopes).toEqual(['loopback', 'specific']);
    expect(r.listening.find(l => l.scope === 'specific')?.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // Only the least-privilege note that DNS on 53 needs root or CAP_NET_BIND_SERVICE.
    expect(r.findings.map(f => `${f.rule}:${f.severity}:${f.port}`)).toEqual(['privileged-port:note:53']);
  });
});

describe('reader modes agree', () => {
  test.each(['host', 'sidecar', 'exec'] as const)('%s reader: TCP + UDP from two processes', async probe => {
    const r = await gate(img('tcpudp'), {probe});
    expect(seen(r)).toEqual(['tcp :: 8080 ipv6 wildcard', 'udp 0.0.0.0 5353 ipv4 wildcard']);
    expect(r.container?.reader).toBe(probe);
    expect(rules(r)).toEqual(probe === 'exec' ? ['untrusted-reader:'] : []);
    if (probe !== 'exec') expect(r.listening.map(l => l.process?.command).sort()).toEqual(['/listen tcp :: 8080', '/listen udp 0.0.0.0 5353']);
  });

  test('the sidecar reader flags a Node inspector port the spec does not know', async () => {
    const r = await gate(img('shell'), {probe: 'sidecar', spec: 'version: 1\nports:\n  - port: 8080\n'});
    expect(rules(r)).toEqual(['risky-port:9229', 'undeclared-listener:9229']);
  });
});
