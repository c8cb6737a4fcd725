import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {runGate, type GateOptions} from '../../src/gate/run-gate.js';
import type {Finding, GateResult, SourceLocation} from '../../src/model.js';
import {leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildListenerImage, buildProbeImage, removeImages} from '../helpers/images.js';
import {ensureRealServiceImages} from '../helpers/real-services.js';
import {loadSpec} from '../../src/spec/index.js';

/**
 * Least privilege from the run, on the real engine: who binds a port below
 * 1024, as which uid, and whether the deployment that runs the image lets it.
 * The sandbox (like Docker ≥ 20.10) sets net.ipv4.ip_unprivileged_port_start
 * to 0, so a non-root process binds 80 here; the rules say where it will not.
 */

const P = 'portgate-privilege-';
const ROOT_80 = `${P}root80:test`;
const USER_8080 = `${P}user8080:test`;
const USER_80 = `${P}user80:test`;
const NGINX = 'portgate-real-nginx:test';
const BIND = 'portgate-real-bind9:test';

beforeAll(async () => {
  await buildProbeImage();
  await ensureRealServiceImages();
  await Promise.all([
    buildListenerImage(ROOT_80, 'EXPOSE 80\nCMD ["tcp", "0.0.0.0", "80"]'),
    buildListenerImage(USER_8080, 'USER 10001:10001\nEXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]'),
    buildListenerImage(USER_80, 'USER 10001:10001\nEXPOSE 80\nCMD ["tcp", "0.0.0.0", "80"]')
  ]);
}, 45 * 60_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

const gate = (image: string, o: Partial<GateOptions> = {}): Promise<GateResult> =>
  runGate({image, timeoutMs: 30_000, probe: 'auto', probeImage: PROBE_IMAGE, failOn: 'error', ...o}, new DockerEngine());

const at = (f: Finding): string => {
  const l = f.location as SourceLocation;
  return `${l.file}:${l.line}`;
};
const brief = (r: GateResult): string[] => r.findings.map(f => `${f.rule} ${f.severity} ${f.port ?? '-'} @ ${at(f)}`);

/** A Deployment that runs `image`; `securityContext` lines go under the container (line 13 on). */
const deployment = (image: string, securityContext: string[]) => ({
  file: 'k8s/web.yaml',
  text: [
    'apiVersion: apps/v1', //                      1
    'kind: Deployment', //                         2
    'metadata: {name: web}', //                    3
    'spec:', //                                    4
    '  selector: {matchLabels: {app: web}}', //    5
    '  template:', //                              6
    '    metadata: {labels: {app: web}}', //       7
    '    spec:', //                                8
    '      containers:', //                        9
    '        - name: web', //                      10
    `          image: ${image}`, //                11
    '          securityContext:', //               12
    ...securityContext.map(l => `            ${l}`),
    '          ports: [{name: http, containerPort: 80}]'
  ].join('\n')
});

describe('zero configuration: the run decides', () => {
  test('a FROM-scratch listener as root on 80: a note naming the unprivileged alternative; the gate passes', async () => {
    const r = await gate(ROOT_80);
    expect(r.listening).toMatchObject([{port: 80, uid: 0, process: {uid: 0}}]);
    expect(r.findings.map(f => `${f.rule} ${f.severity} ${f.port}`)).toEqual(['privileged-port note 80']);
    // No Dockerfile given: the finding is about the image as a whole.
    expect(r.findings[0]!.location).toEqual({image: ROOT_80});
    expect(r.findings[0]!.message).toContain("listen on 8080 and map the Service's `port: 80` to `targetPort: 8080`");
    expect(r.verdict).toBe('pass');
  });

  test('the same listener as uid 10001 on 8080: nothing to say', async () => {
    const r = await gate(USER_8080);
    expect(r.listening).toMatchObject([{port: 8080, uid: 10001}]);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  test('uid 10001 on 80 binds only because the sandbox lowers the port floor, as Docker does: a warning that says where it fails', async () => {
    const r = await gate(USER_80);
    expect(r.listening).toMatchObject([{port: 80, uid: 10001, process: {uid: 10001}}]);
    expect(r.findings.map(f => `${f.rule} ${f.severity} ${f.port}`)).toEqual(['privileged-port warning 80']);
    expect(r.findings[0]!.message).toMatch(/containerd 1\.x or CRI-O a non-root process gets EACCES/);
    expect(r.verdict).toBe('pass');
  });

  test('real BIND from Debian starts as root and binds 53 and 953 as bind: notes, not warnings (it keeps the capability)', async () => {
    const r = await gate(BIND);
    const privileged = r.findings.filter(x => x.rule === 'privileged-port');
    expect(r.listening.filter(l => l.port === 53).every(l => l.uid !== 0 && l.process?.name === 'named')).toBe(true);
    expect(privileged.map(f => `${f.severity} ${f.port}/${f.protocol}`).sort()).toEqual(['note 53/tcp', 'note 53/udp', 'note 953/tcp']);
    expect(privileged[0]!.message).toContain('which the process switched to after starting as root');
    expect(privileged[0]!.message).toContain('BIND `listen-on port 8053 { any; };`');
    expect(r.verdict).toBe('pass');
  });

  test('real nginx from Debian, as root on 80: the note names nginx’s own directive', async () => {
    const r = await gate(NGINX);
    const f = r.findings.find(x => x.rule === 'privileged-port')!;
    expect(f).toMatchObject({severity: 'note', port: 80});
    expect(f.message).toContain('nginx `listen 8080;`');
    expect(r.verdict).toBe('pass');
  });
});

describe("severities from portgate.yml's rules:", () => {
  test('privileged-port: error makes the root listener on 80 fail the gate; k8s-privileged-port-denied: warning lets the crash through as a warning', async () => {
    const spec = (rules: string) => loadSpec(`version: 1\nports:\n  - port: 80\nrules:\n${rules}`, 'portgate.yml');
    const strict = await gate(ROOT_80, {spec: spec('  privileged-port: error\n')});
    expect(strict.findings.map(f => `${f.rule} ${f.severity} ${f.port}`)).toEqual(['privileged-port error 80']);
    expect(strict.verdict).toBe('fail');
    const lenient = await gate(ROOT_80, {spec: spec('  k8s-privileged-port-denied: warning\n  k8s-netpol-missing: "off"\n'), manifests: [deployment(ROOT_80, ['capabilities: {drop: [ALL]}'])]});
    expect(brief(lenient)).toEqual(['k8s-privileged-port-denied warning 80 @ k8s/web.yaml:13']);
    expect(lenient.verdict).toBe('pass');
  });

  test("a fleet's defaults.rules apply under the service's own rules:", async () => {
    const org = {file: 'portgate.fleet.yml', rules: {'privileged-port': 'warning' as const}};
    const r = await gate(ROOT_80, {org});
    expect(r.findings.map(f => `${f.rule} ${f.severity} ${f.port}`)).toEqual(['privileged-port warning 80']);
    const own = await gate(ROOT_80, {org, spec: loadSpec('version: 1\nports:\n  - port: 80\nrules:\n  privileged-port: "off"\n', 'portgate.yml')});
    expect(own.findings).toEqual([]);
  });
});

describe('deployed: the manifest decides, at its line', () => {
  test('runAsNonRoot + drop: [ALL] for the image that binds 80 as root: the kubelet refuses it, and once non-root it would crash binding 80', async () => {
    const r = await gate(ROOT_80, {manifests: [deployment(ROOT_80, ['runAsNonRoot: true', 'capabilities: {drop: [ALL]}'])]});
    // The run copied the drop: no capabilities at all, yet 80 bound (the sandbox's port floor is 0).
    const caps = r.container?.sandbox?.settings.find(s => s.setting === 'capabilities');
    expect(caps).toMatchObject({from: 'k8s/web.yaml:14 (container web of Deployment web)'});
    expect(caps?.value).toMatch(/^none \(without .*NET_BIND_SERVICE/);
    expect(r.listening).toMatchObject([{port: 80, uid: 0}]);
    expect(brief(r).filter(b => !b.startsWith('k8s-netpol-missing'))).toEqual(['k8s-non-root-refused error - @ k8s/web.yaml:13', 'k8s-privileged-port-denied error 80 @ k8s/web.yaml:14']);
    const denied = r.findings.find(f => f.rule === 'k8s-privileged-port-denied')!;
    expect(denied.message).toContain('will crash in production on nodes that leave net.ipv4.ip_unprivileged_port_start at 1024 (containerd 1.x, CRI-O)');
    expect(r.verdict).toBe('fail');
  });

  test('a non-root image binding 80 under drop: [ALL]: the crash, without a refusal', async () => {
    const r = await gate(USER_80, {manifests: [deployment(USER_80, ['capabilities: {drop: [ALL]}'])]});
    expect(brief(r).filter(b => !b.startsWith('k8s-netpol-missing'))).toEqual(['k8s-privileged-port-denied error 80 @ k8s/web.yaml:13']);
    expect(r.findings[0]!.message).toContain("its process runs as uid 10001 (the image's USER 10001:10001) and cannot get CAP_NET_BIND_SERVICE");
  });

  test('the restricted add-back for a root process: drop: [ALL] + add: [NET_BIND_SERVICE] binds 80, nothing to say', async () => {
    const r = await gate(ROOT_80, {manifests: [deployment(ROOT_80, ['capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}'])]});
    expect(brief(r).filter(b => !b.startsWith('k8s-netpol-missing'))).toEqual([]);
  });

  test('runAsUser: 0 over an image whose USER is 10001: root owns the listener, at the manifest line', async () => {
    const text = deployment(USER_8080, ['runAsUser: 0']).text.replace('containerPort: 80', 'containerPort: 8080');
    const r = await gate(USER_8080, {manifests: [{file: 'k8s/web.yaml', text}]});
    expect(r.listening).toMatchObject([{port: 8080, uid: 0, process: {uid: 0}}]);
    expect(brief(r).filter(b => !b.startsWith('k8s-netpol-missing'))).toEqual(['root-listener warning 8080 @ k8s/web.yaml:13']);
    expect(r.findings.find(f => f.rule === 'root-listener')!.message).toMatch(/^The image's USER is 10001:10001, but k8s\/web\.yaml:13 \(container web of Deployment web\) runs it as uid 0 \(root\)/);
  });

  test('real nginx in a default pod: root keeps NET_BIND_SERVICE, no privilege finding', async () => {
    const r = await gate(NGINX, {manifests: [deployment(NGINX, ['allowPrivilegeEscalation: false'])]});
    expect(r.container?.exited).toBe(false);
    expect(r.findings.filter(f => ['privileged-port', 'k8s-privileged-port-denied', 'root-listener', 'k8s-non-root-refused'].includes(f.rule))).toEqual([]);
  });
});
