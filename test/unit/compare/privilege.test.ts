import {describe, expect, test} from 'vitest';
import {kubeletRefusal, parseUser, podCapabilities, privilegeFindings, unprivilegedAlternative, type PrivilegeInput} from '../../../src/compare/privilege.js';
import {evaluate, verdictOf} from '../../../src/compare/evaluate.js';
import {deployedContainers, loadDeployment} from '../../../src/gate/manifests.js';
import {locate} from '../../../src/findings/where.js';
import type {Finding, Listener, Protocol, SourceLocation} from '../../../src/model.js';
import {deployedLayer, planSandbox, specLayers} from '../../../src/sandbox/index.js';
import {loadSpec} from '../../../src/spec/index.js';
import {expose, input} from './build.js';

const IMAGE = 'registry.example.com/shop/web:1.0';

/** A listener as a trusted reader reports it: the socket's uid and its owner's. */
const listen = (port: number, uid: number, o: {address?: string; protocol?: Protocol; name?: string; socketUid?: number} = {}): Listener => {
  const address = o.address ?? '0.0.0.0';
  return {
    port,
    protocol: o.protocol ?? 'tcp',
    address,
    family: 'ipv4',
    scope: address.startsWith('127.') ? 'loopback' : 'wildcard',
    uid: o.socketUid ?? uid,
    process: {pid: 7, name: o.name ?? 'nginx', exe: `/usr/sbin/${o.name ?? 'nginx'}`, uid, command: o.name ?? 'nginx'}
  };
};

/** A Deployment (or Job) running the image: `container` lines go under the container (line 11 is its image), `pod` lines under the pod spec. */
const k8s = (container: string[] = [], pod: string[] = [], kind = 'Deployment'): string =>
  [
    'apiVersion: apps/v1', //                          1
    `kind: ${kind}`, //                                2
    'metadata: {name: web}', //                        3
    'spec:', //                                        4
    '  selector: {matchLabels: {app: web}}', //        5
    '  template:', //                                  6
    '    metadata: {labels: {app: web}}', //           7
    '    spec:', //                                    8
    ...pod.map(l => `      ${l}`),
    '      containers:',
    '        - name: web',
    `          image: ${IMAGE}`,
    ...container.map(l => `          ${l}`)
  ].join('\n') + '\n';

const ANCHORS = {command: {file: 'Dockerfile', line: 9}, from: {file: 'Dockerfile', line: 1}};

interface Case {
  listening?: Listener[];
  served?: {port: number; protocol: Protocol}[];
  user?: string;
  manifest?: string;
  compose?: string;
  /** portgate.yml's run: lines. */
  run?: string;
}

/** Runs the rules as the gate does: the sandbox plan from the deployment and portgate.yml, the deployment's containers. */
const judge = (c: Case): Finding[] => {
  const deployment = loadDeployment(IMAGE, {
    ...(c.manifest && {manifests: [{file: 'k8s.yaml', text: c.manifest}]}),
    ...(c.compose && {compose: [{file: 'compose.yaml', text: c.compose}]})
  });
  const containers = deployedContainers(deployment);
  const spec = c.run ? loadSpec(`version: 1\nports: []\nrun:\n${c.run}`, 'portgate.yml') : undefined;
  const plan = planSandbox([
    ...(containers[0] ? [deployedLayer(containers[0].run, containers[0].what, containers[0].at, c.user ?? '')] : []),
    ...(spec ? specLayers(spec.run, spec.file, spec.locations.runKeys) : [])
  ]);
  const input: PrivilegeInput = {
    image: IMAGE,
    listening: c.listening,
    ...(c.served && {served: c.served}),
    imageUser: c.user,
    ...(plan.user && {ranAs: plan.user}),
    deployments: containers,
    where: s => locate(s, ANCHORS, IMAGE),
    note: ' (static)'
  };
  return privilegeFindings(input);
};

const brief = (f: Finding) => `${f.rule} ${f.severity} ${f.port ?? '-'} @ ${(f.location as SourceLocation).file}:${(f.location as SourceLocation).line}`;

describe('privilegeFindings: who may bind a port below 1024, and where the deployment stops it', () => {
  // prettier-ignore
  const cases: [string, Case, string[]][] = [
    // Without a deployment, the run's owner decides.
    ['zero config: nginx as root on 80 is a design choice: a note at the command',
      {listening: [listen(80, 0)], user: ''}, ['privileged-port note 80 @ Dockerfile:9']],
    ['zero config: root on loopback 953 (rndc) needs the capability too',
      {listening: [listen(953, 0, {address: '127.0.0.1', name: 'named'})], user: ''}, ['privileged-port note 953 @ Dockerfile:9']],
    ['zero config: uid 10001 on 80 binds only because the sandbox lowers the port floor: a warning',
      {listening: [listen(80, 10001)], user: '10001'}, ['privileged-port warning 80 @ Dockerfile:9']],
    ['zero config: uid 10001 on 8080 needs nothing',
      {listening: [listen(8080, 10001)], user: '10001'}, []],
    ['zero config: no USER, named starts as root and binds 53 as uid 101 (bind): it kept the capability, a note, not a warning',
      {listening: [listen(53, 101, {protocol: 'udp', name: 'named'}), listen(953, 101, {address: '127.0.0.1', name: 'named'})], user: ''}, ['privileged-port note 53 @ Dockerfile:9', 'privileged-port note 953 @ Dockerfile:9']],
    ['zero config: USER root, the same',
      {listening: [listen(53, 101, {name: 'named'})], user: 'root'}, ['privileged-port note 53 @ Dockerfile:9']],
    ['zero config: USER www-data (a name) on 80 as uid 33: non-root from the start, a warning',
      {listening: [listen(80, 33)], user: 'www-data'}, ['privileged-port warning 80 @ Dockerfile:9']],
    ['zero config: the image user unknown and a non-root owner: a warning',
      {listening: [listen(80, 33)]}, ['privileged-port warning 80 @ Dockerfile:9']],
    ['zero config: 53/udp as root',
      {listening: [listen(53, 0, {protocol: 'udp', name: 'named'})], user: ''}, ['privileged-port note 53 @ Dockerfile:9']],
    // Kubernetes: the pod decides.
    ['default pod, root on 80: root keeps NET_BIND_SERVICE, nothing to say',
      {listening: [listen(80, 0)], user: '', manifest: k8s()}, []],
    ['drop: [ALL], root on 80: it will crash, at the drop line',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'])}, ['k8s-privileged-port-denied error 80 @ k8s.yaml:13']],
    ['drop: [ALL] + add: [NET_BIND_SERVICE], root: the restricted add-back works for root',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}'])}, []],
    ['add and drop of NET_BIND_SERVICE: containerd applies the drop last',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {add: [NET_BIND_SERVICE], drop: [NET_BIND_SERVICE]}'])}, ['k8s-privileged-port-denied error 80 @ k8s.yaml:13']],
    ['drop: [CHOWN] leaves NET_BIND_SERVICE',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [CHOWN]}'])}, []],
    ['runAsNonRoot + drop: [ALL] for a root image on 80: the kubelet refuses it, and once it runs non-root it cannot bind',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  runAsNonRoot: true', '  capabilities: {drop: [ALL]}'])},
      ['k8s-non-root-refused error - @ k8s.yaml:13', 'k8s-privileged-port-denied error 80 @ k8s.yaml:14']],
    ['runAsUser 10001 + drop: [ALL] + add: [NET_BIND_SERVICE]: only a file capability would bind it: a warning, not a crash',
      {listening: [listen(80, 10001)], user: '', manifest: k8s(['securityContext:', '  runAsUser: 10001', '  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}'])},
      ['privileged-port warning 80 @ k8s.yaml:13']],
    ['runAsUser 10001 in a default pod: the same uncertainty',
      {listening: [listen(80, 10001)], user: '', manifest: k8s(['securityContext: {runAsUser: 10001}'])}, ['privileged-port warning 80 @ k8s.yaml:12']],
    ['the pod sysctl ip_unprivileged_port_start=0 binds it anywhere, even non-root without capabilities',
      {listening: [listen(80, 10001)], user: '10001', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'], ['securityContext:', '  sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]'])}, []],
    ['a sysctl above the port does not help',
      {listening: [listen(80, 10001)], user: '10001', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'], ['securityContext:', '  sysctls: [{name: net/ipv4/ip_unprivileged_port_start, value: "443"}]'])}, ['k8s-privileged-port-denied error 80 @ k8s.yaml:15']],
    ['hostNetwork: the node’s floor applies and a pod sysctl cannot change it',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'], ['hostNetwork: true', 'securityContext:', '  sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]'])},
      ['k8s-privileged-port-denied error 80 @ k8s.yaml:16']],
    ['an entrypoint that starts as root and binds after dropping to uid 33: the socket’s uid decides',
      {listening: [listen(80, 33)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'])}, ['k8s-privileged-port-denied error 80 @ k8s.yaml:13']],
    ['default pod, named starts as root and binds 53 as uid 101: it had the capability and keeps it, nothing to say',
      {listening: [listen(53, 101, {protocol: 'udp', name: 'named'})], user: '', manifest: k8s()}, []],
    ['runAsUser: 0 over a root image, named binds as uid 101 after switching: the same',
      {listening: [listen(53, 101, {protocol: 'udp', name: 'named'})], user: '', manifest: k8s(['securityContext: {runAsUser: 0}'])}, []],
    ['a Job runs another command: its capabilities say nothing about these listeners',
      {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'], [], 'Job').replace('  selector: {matchLabels: {app: web}}\n', '')}, []],
    ['Compose runs it under Docker, whose port floor is 0: nothing to say',
      {listening: [listen(80, 10001)], user: '10001', compose: `services:\n  web:\n    image: ${IMAGE}\n    cap_drop: [ALL]\n`}, []],
    ['static-only: EXPOSE 80 (and portgate.yml) stand in, once, the image USER says root',
      {served: [{port: 80, protocol: 'tcp'}, {port: 80, protocol: 'tcp'}], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'])}, ['k8s-privileged-port-denied error 80 @ k8s.yaml:13']],
    ['static-only without a deployment: no run, no note',
      {served: [{port: 80, protocol: 'tcp'}], user: ''}, []],
    ['static-only, image user unknown: nothing is claimed',
      {served: [{port: 80, protocol: 'tcp'}], manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'])}, []]
  ];
  test.each(cases)('%s', (_name, c, want) => {
    expect(judge(c).map(brief)).toEqual(want);
  });

  test('the note names the unprivileged alternative for the program that owns the port, and the Service mapping', () => {
    const [f] = judge({listening: [listen(80, 0)], user: ''});
    expect(f!.message).toContain('nginx `listen 8080;`');
    expect(f!.message).toContain("map the Service's `port: 80` to `targetPort: 8080`");
    expect(f!.message).toContain('restricted Pod Security Standard');
  });

  test('a process that switched user after starting as root: the note says it keeps the capability, and where that ends', () => {
    const [f] = judge({listening: [listen(53, 101, {protocol: 'udp', name: 'named'})], user: ''});
    expect(f!.message).toMatch(/^53\/udp listens on .* as uid 101, which the process switched to after starting as root/);
    expect(f!.message).toContain('keeps across the switch');
    expect(f!.message).toContain('`capabilities: {drop: [ALL]}`');
    expect(f!.message).toContain('BIND `listen-on port 8053 { any; };`');
    expect(f!.message).toContain("map the Service's `port: 53` to `targetPort: 8053`");
  });

  test('a non-root owner: the warning says precisely where it binds and where it fails', () => {
    const [f] = judge({listening: [listen(80, 10001)], user: '10001'});
    expect(f!.message).toMatch(/as uid 10001, not root/);
    expect(f!.message).toMatch(/Docker ≥ 20\.10 and containerd ≥ 2\.0, sets net\.ipv4\.ip_unprivileged_port_start=0/);
    expect(f!.message).toMatch(/containerd 1\.x or CRI-O a non-root process gets EACCES/);
  });

  test('the crash finding says it will crash in production, why, and every fix that applies to a root process', () => {
    const [f] = judge({listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'])});
    expect(f!.message).toMatch(/^container web of Deployment web drops every capability \(`drop: \[ALL\]` at k8s\.yaml:13\)/);
    expect(f!.message).toContain('the container will crash in production');
    expect(f!.message).toContain('containerd 1.x, CRI-O');
    expect(f!.message).toContain('nginx `listen 8080;`');
    expect(f!.message).toContain('`net.ipv4.ip_unprivileged_port_start: "80"`');
    expect(f!.message).toContain('add NET_BIND_SERVICE back');
  });

  test('for a non-root process, adding the capability back is not offered as a fix', () => {
    const fs = judge({listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  runAsNonRoot: true', '  capabilities: {drop: [ALL]}'])});
    const denied = fs.find(f => f.rule === 'k8s-privileged-port-denied')!;
    expect(denied.message).toContain('must run as a non-root user (runAsNonRoot: true, k8s.yaml:13)');
    expect(denied.message).not.toContain('add NET_BIND_SERVICE back');
    const refused = fs.find(f => f.rule === 'k8s-non-root-refused')!;
    expect(refused.message).toContain('image will run as root');
    expect(refused.message).toContain("portgate ran it as the image's user, root, and root owns 80/tcp");
  });

  test('an entrypoint that drops from root to uid 33 before it binds: said so, and adding the capability back is not offered', () => {
    const [f] = judge({listening: [listen(80, 33)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'])});
    expect(f!.message).toContain('its process starts as root (the image has no USER) but binds as uid 33 (it drops privileges before it listens) and cannot get CAP_NET_BIND_SERVICE');
    expect(f!.message).not.toContain('add NET_BIND_SERVICE back');
  });

  test('hostNetwork: no sysctl fix is offered, and the message says why', () => {
    const [f] = judge({listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  capabilities: {drop: [ALL]}'], ['hostNetwork: true'])});
    expect(f!.message).toContain("crash in production on every node: with hostNetwork: true the node's own net.ipv4.ip_unprivileged_port_start applies");
    expect(f!.message).not.toContain('securityContext.sysctls');
  });
});

describe('kubeletRefusal: runAsNonRoot as the kubelet checks it', () => {
  const run = (lines: string[]) => loadDeployment(IMAGE, {manifests: [{file: 'k8s.yaml', text: k8s(['securityContext:', ...lines.map(l => `  ${l}`)])}]});
  const refusal = (lines: string[], user: string | undefined) => {
    const [c] = deployedContainers(run(lines));
    const r = kubeletRefusal(c!.run, user);
    return r && `${/"([^"]+)"/.exec(r.reason)![1]} @ ${r.at.line}`;
  };
  // prettier-ignore
  test.each<[string, string[], string | undefined, string | undefined]>([
    ['no USER: root',                         ['runAsNonRoot: true'],                  '',           'container has runAsNonRoot and image will run as root @ 13'],
    ['USER 0:0',                              ['runAsNonRoot: true'],                  '0:0',        'container has runAsNonRoot and image will run as root @ 13'],
    ['USER root is a name',                   ['runAsNonRoot: true'],                  'root',       'container has runAsNonRoot and image has non-numeric user (root), cannot verify user is non-root @ 13'],
    ['USER app is a name',                    ['runAsNonRoot: true'],                  'app:app',    'container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root @ 13'],
    ['USER 10001',                            ['runAsNonRoot: true'],                  '10001',      undefined],
    ['runAsUser 10001 over a root image',     ['runAsNonRoot: true', 'runAsUser: 10001'], '',        undefined],
    ['runAsUser 0',                           ['runAsNonRoot: true', 'runAsUser: 0'],  '10001',      "container's runAsUser breaks non-root policy @ 14"],
    ['runAsNonRoot: false',                   ['runAsNonRoot: false'],                 '',           undefined],
    ['image user unknown (static-only)',      ['runAsNonRoot: true'],                  undefined,    undefined]
  ])('%s', (_name, lines, user, want) => {
    expect(refusal(lines, user)).toBe(want);
  });
});

describe('root-listener: root owns a listener the image or the pod says is not root', () => {
  test('runAsUser: 0 over an image whose USER is 10001: at the manifest line, with the port-floor facts for 80', () => {
    const fs = judge({listening: [listen(80, 0), listen(8080, 0)], user: '10001', manifest: k8s(['securityContext: {runAsUser: 0}'])});
    const f = fs.find(x => x.rule === 'root-listener')!;
    expect(brief(f)).toBe('root-listener warning 80 @ k8s.yaml:12');
    expect(f.related).toEqual([{port: 8080, protocol: 'tcp'}]);
    expect(f.message).toMatch(/^The image's USER is 10001, but k8s\.yaml:12 \(container web of Deployment web\) runs it as uid 0 \(root\)/);
    expect(f.message).toContain('If it runs as root to bind 80/tcp: as USER 10001 it binds it under Docker ≥ 20.10 and on containerd ≥ 2.0 nodes');
    expect(f.message).toContain('on containerd 1.x and CRI-O nodes it fails with EACCES unless the pod sets that sysctl');
  });

  test('Compose `user: root` over a non-root image', () => {
    const fs = judge({listening: [listen(8080, 0)], user: 'app', compose: `services:\n  web:\n    image: ${IMAGE}\n    user: root\n`});
    expect(fs.map(brief)).toEqual(['root-listener warning 8080 @ compose.yaml:4']);
  });

  test("portgate.yml's run.user: root while the pod runs it as 10001: the run is not production's", () => {
    const fs = judge({listening: [listen(8080, 0)], user: '', manifest: k8s(['securityContext: {runAsUser: 10001}']), run: '  user: root\n'});
    expect(fs.map(brief)).toEqual(['root-listener warning 8080 @ portgate.yml:4']);
    expect(fs[0]!.message).toContain('runAsUser: 10001 (k8s.yaml:12)');
  });

  test('an image USER name that is uid 0 in its /etc/passwd', () => {
    const fs = judge({listening: [listen(8080, 0)], user: 'app'});
    expect(fs.map(brief)).toEqual(['root-listener warning 8080 @ Dockerfile:1']);
    expect(fs[0]!.message).toContain('app is uid 0 in the image');
  });

  // prettier-ignore
  test.each<[string, Case]>([
    ['a root image run as root', {listening: [listen(8080, 0)], user: ''}],
    ['a non-root image run as its user', {listening: [listen(8080, 10001)], user: '10001'}],
    ['a name that is not uid 0', {listening: [listen(8080, 1000)], user: 'app'}],
    ['runAsNonRoot without runAsUser over a root image: the kubelet refusal says it', {listening: [listen(8080, 0)], user: '', manifest: k8s(['securityContext: {runAsNonRoot: true}'])}]
  ])('no finding: %s', (_name, c) => {
    expect(judge(c).filter(f => f.rule === 'root-listener')).toEqual([]);
  });
});

describe('the semantics tables', () => {
  test('parseUser reads Config.User as the kubelet does', () => {
    expect([parseUser(''), parseUser('0'), parseUser('0:0'), parseUser('root'), parseUser('10001:10001'), parseUser('nginx')].map(u => u.kind)).toEqual(['root', 'root', 'root', 'root', 'uid', 'name']);
  });

  test('podCapabilities: the default set, ALL, and containerd’s order (adds, then drops)', () => {
    const caps = (add: string[], drop: string[]) => {
      const [c] = deployedContainers(loadDeployment(IMAGE, {manifests: [{file: 'k8s.yaml', text: k8s(['securityContext:', `  capabilities: {add: [${add.join(', ')}], drop: [${drop.join(', ')}]}`])}]}));
      return podCapabilities(c!.run).has('NET_BIND_SERVICE');
    };
    expect([caps([], []), caps([], ['ALL']), caps(['NET_BIND_SERVICE'], ['ALL']), caps(['CAP_NET_BIND_SERVICE'], ['all']), caps(['ALL'], ['NET_BIND_SERVICE'])]).toEqual([true, false, true, true, false]);
  });

  test('unprivileged alternatives', () => {
    expect([80, 443, 22, 53, 25].map(unprivilegedAlternative)).toEqual([8080, 8443, 2222, 8053, 8025]);
  });
});

describe("severities are the spec's to change (rules:), like every rule's", () => {
  const evaluated = (rules: string, c: Case) => {
    // portgate.yml declares and the Dockerfile EXPOSEs what listens, so only the privilege rules speak.
    const ports = (c.listening ?? []).map(l => `  - port: ${l.port}\n`).join('');
    const spec = loadSpec(`version: 1\nports:\n${ports}rules:\n${rules}`, 'portgate.yml');
    return evaluate(
      input({
        image: IMAGE,
        listening: c.listening ?? [],
        declared: spec.ports,
        exposed: (c.listening ?? []).map(l => expose(l.port)),
        extra: judge(c),
        overrides: spec.rules
      })
    );
  };
  const rows = (fs: Finding[]) => fs.map(f => `${f.rule} ${f.severity}`);
  const root80: Case = {listening: [listen(80, 0)], user: ''};
  const denied: Case = {listening: [listen(80, 0)], user: '', manifest: k8s(['securityContext:', '  runAsNonRoot: true', '  capabilities: {drop: [ALL]}'])};
  const rootOver: Case = {listening: [listen(8080, 0)], user: '10001', manifest: k8s(['securityContext: {runAsUser: 0}'])};

  // prettier-ignore
  test.each<[string, string, Case, string[], 'pass' | 'fail']>([
    ['privileged-port as the defaults give it: a note, the gate passes',   '  unserved-port-listening: error\n', root80,   ['privileged-port note'], 'pass'],
    ['privileged-port: error, for teams that ban ports below 1024',       '  privileged-port: error\n',         root80,   ['privileged-port error'], 'fail'],
    ['privileged-port: off',                                              '  privileged-port: "off"\n',         root80,   [], 'pass'],
    ['the crash and the refusal, as errors by default',                   '  privileged-port: error\n',         denied,   ['k8s-non-root-refused error', 'k8s-privileged-port-denied error'], 'fail'],
    ['both lowered to warnings',                                          '  k8s-privileged-port-denied: warning\n  k8s-non-root-refused: warning\n', denied, ['k8s-non-root-refused warning', 'k8s-privileged-port-denied warning'], 'pass'],
    ['root-listener, a warning by default',                               '  privileged-port: error\n',         rootOver, ['root-listener warning'], 'pass'],
    ['root-listener: error',                                              '  root-listener: error\n',           rootOver, ['root-listener error'], 'fail']
  ])('%s', (_name, rules, c, want, verdict) => {
    const fs = evaluated(rules, c);
    expect(rows(fs).sort()).toEqual(want);
    expect(verdictOf(fs, 'error')).toBe(verdict);
  });

  test('the schema knows the four rule ids, so a typo is an error at load', () => {
    for (const id of ['privileged-port', 'root-listener', 'k8s-privileged-port-denied', 'k8s-non-root-refused']) expect(() => loadSpec(`version: 1\nports: []\nrules:\n  ${id}: warning\n`, 'portgate.yml')).not.toThrow();
    expect(() => loadSpec('version: 1\nports: []\nrules:\n  privileged-ports: warning\n', 'portgate.yml')).toThrow(/privileged-ports/);
  });
});
