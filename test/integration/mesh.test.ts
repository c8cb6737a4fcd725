import {readFileSync} from 'node:fs';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {runGate, type GateOptions} from '../../src/gate/run-gate.js';
import type {GateResult} from '../../src/model.js';
import {loadSpec} from '../../src/spec/index.js';
import {buildImage, leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildProbeImage, listener, removeImages} from '../helpers/images.js';

/**
 * Service-mesh ports on the real engine: FROM-scratch images whose listener
 * executable is named `envoy` (as in Istio's proxy image) or `consul`, so
 * the owners the trusted reader sees are the mesh's; the same ports held by
 * an application; and an application gated with the Deployment `istioctl
 * kube-inject` renders.
 */

const P = 'portgate-mesh-';
const img = (name: string) => `${P}${name}:test`;

/** A FROM-scratch image running the static listener as `path` (its /proc/PID/exe), with `tail` Dockerfile lines. */
const buildAs = (tag: string, path: string, tail: string) =>
  buildImage({tag, files: {bin: listener(), Dockerfile: `FROM scratch\nCOPY bin ${path}\nENTRYPOINT ["${path}"]\n${tail}\n`}});

const ISTIO_PORTS = (admin: string) => `CMD ["tcp", "${admin}", "15000", "0.0.0.0", "15021", "0.0.0.0", "15090"]`;
const CONSUL_PORTS = 'CMD ["tcp", "0.0.0.0", "8300", "0.0.0.0", "8301", "0.0.0.0", "8500", "0.0.0.0", "8600"]';

beforeAll(async () => {
  await buildProbeImage();
  await Promise.all([
    buildAs(img('envoy-open'), '/usr/local/bin/envoy', ISTIO_PORTS('0.0.0.0')),
    buildAs(img('envoy-local'), '/usr/local/bin/envoy', ISTIO_PORTS('127.0.0.1')),
    buildAs(img('squatter'), '/app/server', 'CMD ["tcp", "0.0.0.0", "8080", "0.0.0.0", "15021", "0.0.0.0", "15090"]\nEXPOSE 8080'),
    buildAs(img('consul'), '/bin/consul', CONSUL_PORTS),
    buildAs(img('consul-acl'), '/bin/consul', `ENV CONSUL_LOCAL_CONFIG='{"acl": {"enabled": true, "default_policy": "deny"}}'\n${CONSUL_PORTS}`),
    buildAs(img('reviews'), '/app/reviews', 'EXPOSE 9080\nCMD ["tcp", "0.0.0.0", "9080"]')
  ]);
}, 300_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

const gate = (image: string, o: Partial<GateOptions> = {}): Promise<GateResult> =>
  runGate({image, timeoutMs: 20_000, settle: 1_000, probe: 'auto', probeImage: PROBE_IMAGE, failOn: 'error', ...o}, new DockerEngine());

const rules = (r: GateResult) => r.findings.map(f => `${f.rule}:${f.port ?? ''}`).sort();
const owners = (r: GateResult) => [...new Set(r.listening.map(l => l.process?.name))];

describe('an image that runs Envoy (Istio’s ports, owned by `envoy`)', () => {
  test('admin 15000 on 0.0.0.0: the one finding, with the mesh table’s reason; 15021 and 15090 are expected', async () => {
    const r = await gate(img('envoy-open'));
    expect(owners(r)).toEqual(['envoy']);
    expect(r.listening.map(l => `${l.address}:${l.port}`).sort()).toEqual(['0.0.0.0:15000', '0.0.0.0:15021', '0.0.0.0:15090']);
    expect(rules(r)).toEqual(['risky-port:15000']);
    expect(r.findings[0]).toMatchObject({severity: 'error', category: 'service-mesh-admin'});
    expect(r.findings[0]!.message).toMatch(/^15000\/tcp is the Envoy admin interface \(Istio sidecar\): .*\/quitquitquit.* It listens on 0\.0\.0\.0 \(envoy, pid \d+\)/);
    expect(r.verdict).toBe('fail');
  });

  test('admin 15000 on 127.0.0.1, as Istio binds it: nothing to report, with or without a spec that declares none of them', async () => {
    const r = await gate(img('envoy-local'));
    expect(r.listening.find(l => l.port === 15000)).toMatchObject({address: '127.0.0.1', scope: 'loopback'});
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
    const specced = await gate(img('envoy-local'), {spec: loadSpec('version: 1\nports: []\n', 'portgate.yml')});
    expect(specced.findings).toEqual([]);
  });

  test('an application on 15021 and 15090 squats on Istio’s ports: still risky, and not EXPOSEd', async () => {
    const r = await gate(img('squatter'));
    expect(owners(r)).toEqual(['server']);
    expect(rules(r)).toEqual(['listener-not-exposed:15021', 'listener-not-exposed:15090', 'risky-port:15021', 'risky-port:15090']);
    expect(r.findings.find(f => f.rule === 'risky-port')!.message).toContain('collides with the sidecar in a meshed pod');
  });
});

describe('a Consul agent (ports owned by `consul`)', () => {
  test('its HTTP API on 0.0.0.0 without ACLs is the finding; server RPC, gossip and DNS are expected', async () => {
    const r = await gate(img('consul'));
    expect(owners(r)).toEqual(['consul']);
    expect(rules(r)).toEqual(['risky-port:8500']);
    expect(r.findings[0]!.message).toContain("Without ACLs, whoever reaches Consul's HTTP API reads and writes its key/value store");
  });

  test('ACLs enabled by the Deployment that runs the agent (CONSUL_LOCAL_CONFIG in its env): the API may listen beyond loopback', async () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: consul}',
      'spec:',
      '  selector: {matchLabels: {app: consul}}',
      '  template:',
      '    metadata: {labels: {app: consul}}',
      '    spec:',
      '      containers:',
      '        - name: consul',
      `          image: ${img('consul')}`,
      '          env:',
      `            - {name: CONSUL_LOCAL_CONFIG, value: '{"acl": {"enabled": true, "default_policy": "deny"}}'}`,
      '          ports: [{containerPort: 8300}, {containerPort: 8301}, {containerPort: 8500}, {containerPort: 8600}]'
    ].join('\n');
    const r = await gate(img('consul'), {manifests: [{file: 'k8s/consul.yaml', text}]});
    expect(r.container?.sandbox?.settings.find(s => s.setting === 'env')).toMatchObject({value: 'CONSUL_LOCAL_CONFIG', from: expect.stringContaining('k8s/consul.yaml')});
    expect(rules(r)).toEqual(['k8s-netpol-missing:']);
  });

  test('ACLs enabled in CONSUL_LOCAL_CONFIG: the API may listen beyond loopback', async () => {
    const r = await gate(img('consul-acl'));
    expect(r.findings).toEqual([]);
  });
});

describe('an application gated with the Deployment istioctl kube-inject renders', () => {
  const manifest = () => {
    const text = readFileSync('test/fixtures/manifests/mesh/istio-injected.yaml', 'utf8');
    return [{file: 'k8s/reviews.yaml', text}];
  };

  test('probes rewritten to 15020 and Services on the sidecar’s ports are the sidecar’s: the gate passes', async () => {
    const r = await gate(img('reviews'), {manifests: manifest(), containerName: 'reviews'});
    expect(r.container?.sandbox?.notes ?? []).toEqual([]);
    expect(r.listening.map(l => l.port)).toEqual([9080]);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  test('the same Deployment without the mesh (istio-proxy renamed): the rewritten probes and the metrics Service fail', async () => {
    const [m] = manifest();
    const r = await gate(img('reviews'), {manifests: [{...m!, text: m!.text.replace('name: istio-proxy', 'name: proxy')}], containerName: 'reviews'});
    expect(rules(r)).toEqual(['k8s-netpol-undeclared-port:15020', 'k8s-netpol-undeclared-port:15021', 'k8s-probe-port-not-listening:15020', 'k8s-probe-port-not-listening:15020', 'k8s-target-port-not-listening:15020']);
  });
});
