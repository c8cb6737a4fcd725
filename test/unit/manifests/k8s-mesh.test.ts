import {describe, expect, test} from 'vitest';
import {riskyPort} from '../../../src/compare/risky-ports.js';
import type {Finding, Listener, Protocol} from '../../../src/model.js';
import type {ManifestContext, ManifestSource} from '../../../src/manifests/index.js';
import {checkKubernetes, loadKubernetes} from '../../../src/manifests/index.js';
import {appProbers, podMeshes, sidecarPort} from '../../../src/manifests/k8s-mesh.js';
import {brief, ctx, declare, expose, fixture, lineOf, listen, row} from './build.js';

/**
 * A service mesh beside the gated image: ports its sidecar serves in the pod
 * (Istio's 15020, 15021, 15090; a Consul agent's 8600) are the sidecar's, in
 * Services, probes and NetworkPolicies; the application's own probes that
 * Istio rewrote are checked where Istio keeps them. Each fixture is also
 * checked with the mesh taken out, to show what portgate said before.
 */

const INJECTED = 'mesh/istio-injected.yaml';
const ANNOTATED = 'mesh/istio-annotated.yaml';
const NAMESPACE = 'mesh/istio-namespace.yaml';
const CONSUL = 'mesh/consul-agent.yaml';

const REVIEWS = 'registry.example.com/shop/reviews:2.3.0';
// reviews serves HTTP on 9080, declared public and EXPOSEd.
const app: Partial<ManifestContext> = {image: REVIEWS, listeners: [listen(9080)], declared: [declare(9080)], exposed: [expose(9080)]};

/** A listener owned by a program, as the run names it by its executable. */
const owned = (port: number, name: string, address = '0.0.0.0', protocol: Protocol = 'tcp'): Listener => ({...listen(port, address, protocol), process: {pid: 1, name, exe: `/usr/local/bin/${name}`, command: name}});

/** The fixture's text with `edit` applied: the same manifests without the mesh. */
const edited = (name: string, edit: (text: string) => string): ManifestSource => ({...fixture(name), text: edit(fixture(name).text)});

const check = (sources: ManifestSource[], c: Partial<ManifestContext>): Finding[] =>
  checkKubernetes(loadKubernetes(sources), ctx(c)).filter(f => f.rule !== 'k8s-netpol-missing');

const APP_PROBERS = lineOf(INJECTED, "value: '{\"/app-health/reviews/livez\":{\"httpGet\":{\"path\":\"/health\",\"port\":9080,\"scheme\":\"HTTP\"},\"timeoutSeconds\":1},\"/app-health/reviews/readyz\":{\"httpGet\":{\"path\":\"/ready\",\"port\":9080,\"scheme\":\"HTTP\"},\"timeoutSeconds\":1}}'");

// prettier-ignore
const cases: {name: string; sources: ManifestSource[]; ctx: Partial<ManifestContext>; want: ReturnType<typeof row>[]}[] = [
  {name: 'kube-inject output: rewritten probes on 15020, a Service and a NetworkPolicy on the sidecar’s ports: nothing against the app',
    sources: [fixture(INJECTED)], ctx: app, want: []},
  {name: 'kube-inject output, the app bound to loopback: the original probes fail where Istio keeps them (ISTIO_KUBE_APP_PROBERS)',
    sources: [fixture(INJECTED)], ctx: {...app, listeners: [listen(9080, '127.0.0.1')]}, want: [
      row('k8s-container-port-not-listening', 'warning', 9080, INJECTED, lineOf(INJECTED, 'containerPort: 9080')),
      row('k8s-probe-port-not-listening', 'error', 9080, INJECTED, APP_PROBERS),
      row('k8s-probe-port-not-listening', 'error', 9080, INJECTED, APP_PROBERS),
      row('k8s-target-port-not-listening', 'error', 9080, INJECTED, lineOf(INJECTED, 'targetPort: http'))]},
  {name: 'the same pod without the mesh (istio-proxy renamed): 15020 is the app’s, and nothing serves it',
    sources: [edited(INJECTED, t => t.replace('name: istio-proxy', 'name: proxy'))], ctx: app, want: [
      row('k8s-probe-port-not-listening', 'error', 15020, INJECTED, lineOf(INJECTED, 'port: 15020', 1)),
      row('k8s-probe-port-not-listening', 'error', 15020, INJECTED, lineOf(INJECTED, 'port: 15020', 2)),
      row('k8s-target-port-not-listening', 'error', 15020, INJECTED, lineOf(INJECTED, 'targetPort: 15020')),
      row('k8s-netpol-undeclared-port', 'warning', 15020, INJECTED, lineOf(INJECTED, 'port: 15020', 4)),
      row('k8s-netpol-undeclared-port', 'warning', 15021, INJECTED, lineOf(INJECTED, 'port: 15021', 3))]},
  {name: 'annotated pod template, not injected yet: the Service’s 15020 and http-envoy-prom, and the policy’s mesh ports, are the sidecar’s',
    sources: [fixture(ANNOTATED)], ctx: app, want: []},
  {name: 'the annotation says "false": no sidecar, so those ports reach the app',
    sources: [edited(ANNOTATED, t => t.replace('sidecar.istio.io/inject: "true"', 'sidecar.istio.io/inject: "false"'))], ctx: app, want: [
      row('k8s-target-port-not-listening', 'error', 15020, ANNOTATED, lineOf(ANNOTATED, '{name: http-monitoring, port: 15020, targetPort: 15020}')),
      row('k8s-target-port-not-listening', 'error', 15090, ANNOTATED, lineOf(ANNOTATED, '{name: http-envoy-prom, port: 15090, targetPort: http-envoy-prom}')),
      row('k8s-netpol-undeclared-port', 'warning', 15020, ANNOTATED, lineOf(ANNOTATED, 'port: 15020')),
      row('k8s-netpol-undeclared-port', 'warning', 15021, ANNOTATED, lineOf(ANNOTATED, 'port: 15021')),
      row('k8s-netpol-undeclared-port', 'warning', 15090, ANNOTATED, lineOf(ANNOTATED, 'port: 15090'))]},
  {name: 'namespace istio-injection=enabled: the injected Deployment’s 15020 is the sidecar’s; the one that opts out gets none',
    sources: [fixture(NAMESPACE)], ctx: app, want: [
      row('k8s-target-port-not-listening', 'error', 15020, NAMESPACE, lineOf(NAMESPACE, '{name: http-monitoring, port: 15020, targetPort: 15020}', 2))]},
  {name: 'the Namespace not among the manifests: its label is unknown, so no sidecar is assumed',
    sources: [edited(NAMESPACE, t => t.replace('istio-injection: enabled', 'team: shop'))], ctx: app, want: [
      row('k8s-target-port-not-listening', 'error', 15020, NAMESPACE, lineOf(NAMESPACE, '{name: http-monitoring, port: 15020, targetPort: 15020}', 1)),
      row('k8s-target-port-not-listening', 'error', 15020, NAMESPACE, lineOf(NAMESPACE, '{name: http-monitoring, port: 15020, targetPort: 15020}', 2))]},
  {name: 'a Consul agent container: the Service’s 8600/UDP is the agent’s DNS',
    sources: [fixture(CONSUL)], ctx: {image: 'registry.example.com/shop/orders:4.1.0', listeners: [listen(3000)], declared: [declare(3000)]}, want: []},
  {name: 'without the agent, 8600/UDP reaches the app',
    sources: [edited(CONSUL, t => t.replace(/ {8}- name: consul\n.*\n.*\n/, ''))], ctx: {image: 'registry.example.com/shop/orders:4.1.0', listeners: [listen(3000)], declared: [declare(3000)]}, want: [
      // Three lines fewer above it.
      row('k8s-target-port-not-listening', 'error', 8600, CONSUL, lineOf(CONSUL, '{name: consul-dns, port: 8600, targetPort: 8600, protocol: UDP}') - 3)]},
  {name: 'gating the proxy image itself (--container istio-proxy): its unlisted 15001, 15006, 15020, 15021 are Istio’s design, not omissions',
    sources: [fixture(INJECTED)], ctx: {image: 'docker.io/istio/proxyv2:1.22.0', containerName: 'istio-proxy',
      listeners: [owned(15000, 'envoy', '127.0.0.1'), owned(15001, 'envoy'), owned(15006, 'envoy'), owned(15021, 'envoy'), owned(15090, 'envoy'), owned(15020, 'pilot-agent', '::')]}, want: []},
  {name: 'gating the proxy image, an application owns 15021: that listener is not the mesh’s, so the container must list it',
    sources: [fixture(INJECTED)], ctx: {image: 'docker.io/istio/proxyv2:1.22.0', containerName: 'istio-proxy',
      listeners: [owned(15021, 'app'), owned(15090, 'envoy'), owned(15020, 'pilot-agent', '::')]}, want: [
      row('k8s-listener-not-declared', 'warning', 15021, INJECTED, lineOf(INJECTED, 'ports:', 2))]}
];

describe('checkKubernetes with a service mesh in the pod', () => {
  test.each(cases)('$name', ({sources, ctx: c, want}) => {
    expect(check(sources, c).map(brief)).toEqual(want);
  });
});

describe('an ingress gateway behind a LoadBalancer: the mesh table decides what may be exposed', () => {
  const gateway = `apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers:
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.22.0
          ports:
            - {name: http2, containerPort: 8080}
            - {name: status-port, containerPort: 15021}
            - {name: admin, containerPort: 15000}
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports:
    - {name: status-port, port: 15021, targetPort: 15021}
    - {name: http2, port: 80, targetPort: 8080}
    - {name: admin, port: 15000, targetPort: 15000}
`;
  const run = (owner: string, admin: string) =>
    checkKubernetes(loadKubernetes([{file: 'gateway.yaml', text: gateway}]), {
      image: 'docker.io/istio/proxyv2:1.22.0',
      listeners: [owned(8080, owner), owned(15021, owner), owned(15000, owner, admin), owned(15090, owner)],
      declared: [],
      exposed: [],
      isRisky: riskyPort
    })
      .filter(f => f.rule === 'k8s-external-sensitive-port')
      .map(f => `${f.port}: ${/is a risky port \((.*)\) and portgate\.yml/.exec(f.message)?.[1]}`);

  test('Envoy’s own 15021 behind the load balancer is its health check; its admin 15000 on 0.0.0.0 must not be exposed', () => {
    expect(run('envoy', '0.0.0.0')).toEqual(['15000: the Envoy admin interface (Istio sidecar)']);
  });

  test('an application squatting on 15021 is still the risky catalog’s business', () => {
    expect(run('app', '0.0.0.0')).toEqual(['15021: the Istio sidecar health port', '15000: the Envoy admin interface (Istio)']);
  });
});

describe('podMeshes and the sidecar’s ports', () => {
  const load = (name: string) => loadKubernetes([fixture(name)]);

  // prettier-ignore
  test.each<[string, string, string[]]>([
    [INJECTED,  'reviews',       [`istio: container istio-proxy (test/fixtures/manifests/${INJECTED}:${lineOf(INJECTED, 'name: istio-proxy')})`]],
    [ANNOTATED, 'reviews',       [`istio: sidecar.istio.io/inject: "true" (test/fixtures/manifests/${ANNOTATED}:${lineOf(ANNOTATED, 'sidecar.istio.io/inject: "true"')})`]],
    [NAMESPACE, 'reviews',       [`istio: namespace shop has istio-injection=enabled (test/fixtures/manifests/${NAMESPACE}:${lineOf(NAMESPACE, 'istio-injection: enabled')})`]],
    [NAMESPACE, 'reviews-batch', []],
    [CONSUL,    'orders',        [`consul: container consul (test/fixtures/manifests/${CONSUL}:${lineOf(CONSUL, 'name: consul')})`]]
  ])('%s, %s', (file, workload, want) => {
    const objs = load(file);
    const w = objs.workloads.find(x => x.name === workload)!;
    expect(podMeshes(w, objs).map(m => `${m.mesh}: ${m.why}`)).toEqual(want);
  });

  test('a revision label on the namespace injects too', () => {
    const objs = loadKubernetes([edited(NAMESPACE, t => t.replace('istio-injection: enabled', 'istio.io/rev: canary'))]);
    expect(podMeshes(objs.workloads[0]!, objs).map(m => m.why)).toEqual([`namespace shop has istio.io/rev=canary (test/fixtures/manifests/${NAMESPACE}:8)`]);
  });

  // prettier-ignore
  test.each<[number | string, Protocol, string | undefined]>([
    [15020, 'tcp', 'istio 15020'], [15021, 'tcp', 'istio 15021'], [15090, 'tcp', 'istio 15090'], [15006, 'tcp', 'istio 15006'],
    ['http-envoy-prom', 'tcp', 'istio 15090'],
    [15000, 'tcp', undefined],   // the admin port is pod-internal: nothing outside the pod reaches it
    [15053, 'udp', undefined],   // the DNS proxy too
    [15020, 'udp', undefined],
    [9080, 'tcp', undefined]
  ])('the annotated pod’s sidecar serves %s/%s: %s', (port, protocol, want) => {
    const objs = load(ANNOTATED);
    const hit = sidecarPort(podMeshes(objs.workloads[0]!, objs), [], port, protocol);
    expect(hit && `${hit.mesh.mesh} ${hit.entry.port}`).toBe(want);
  });

  test('a mesh that is the gated image itself serves nothing "beside" it', () => {
    const objs = load(INJECTED);
    const w = objs.workloads[0]!;
    const proxy = w.containers.find(c => c.name === 'istio-proxy')!;
    expect(sidecarPort(podMeshes(w, objs), [proxy], 15020, 'tcp')).toBeUndefined();
  });

  test('ISTIO_KUBE_APP_PROBERS: the application’s original probes, by container and kind; anything else gives none', () => {
    const objs = load(INJECTED);
    const [mesh] = podMeshes(objs.workloads[0]!, objs);
    expect(appProbers(mesh!).map(p => `${p.container} ${p.kind}.${p.handler} ${p.port} @ ${p.at.line}`)).toEqual([
      `reviews livenessProbe.httpGet 9080 @ ${APP_PROBERS}`,
      `reviews readinessProbe.httpGet 9080 @ ${APP_PROBERS}`
    ]);
    const broken = loadKubernetes([edited(INJECTED, t => t.replace('"timeoutSeconds":1}}', '"timeoutSeconds":1}'))]);
    expect(appProbers(podMeshes(broken.workloads[0]!, broken)[0]!)).toEqual([]);
  });
});

describe('podMeshes from inline manifests: every way the pod or its Namespace asks for (or refuses) a sidecar', () => {
  /** A Namespace `shop` with `nsLabels`, then a Deployment `web` in `namespace` whose template has `podMeta` lines and `containers`. */
  const manifests = (o: {nsLabels?: string[]; namespace?: string; podMeta?: string[]; containers?: string[]; init?: string[]}): string =>
    [
      ...(o.nsLabels ? ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: shop', ...(o.nsLabels.length ? ['  labels:', ...o.nsLabels.map(l => `    ${l}`)] : []), '---'] : []),
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: {name: web, namespace: ${o.namespace ?? 'shop'}}`,
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata:',
      ...(o.podMeta ?? ['labels: {app: web}']).map(l => `      ${l}`),
      '    spec:',
      ...(o.init ? ['      initContainers:', ...o.init.map(l => `        ${l}`)] : []),
      '      containers:',
      '        - {name: web, image: registry.example.com/shop/web:1.0}',
      ...(o.containers ?? []).map(l => `        ${l}`)
    ].join('\n') + '\n';
  const meshes = (o: Parameters<typeof manifests>[0]) => {
    const objs = loadKubernetes([{file: 'k8s.yaml', text: manifests(o)}]);
    const w = objs.workloads.find(x => x.name === 'web')!;
    return podMeshes(w, objs).map(m => `${m.mesh}: ${m.why}`);
  };

  // prettier-ignore
  test.each<[string, Parameters<typeof manifests>[0], string[]]>([
    ['nothing about a mesh',                                          {},                                                                                  []],
    ['the inject annotation "true"',                                  {podMeta: ['labels: {app: web}', 'annotations:', '  sidecar.istio.io/inject: "true"']},  ['istio: sidecar.istio.io/inject: "true" (k8s.yaml:10)']],
    ['the inject label "true"',                                       {podMeta: ['labels:', '  app: web', '  sidecar.istio.io/inject: "true"']},                ['istio: sidecar.istio.io/inject: "true" (k8s.yaml:10)']],
    ['the inject annotation "false"',                                 {podMeta: ['labels: {app: web}', 'annotations:', '  sidecar.istio.io/inject: "false"']}, []],
    ['namespace istio-injection=enabled',                             {nsLabels: ['istio-injection: enabled']},                                           ['istio: namespace shop has istio-injection=enabled (k8s.yaml:6)']],
    ['namespace istio-injection=disabled',                            {nsLabels: ['istio-injection: disabled']},                                          []],
    ['namespace istio-injection=disabled wins over istio.io/rev',     {nsLabels: ['istio-injection: disabled', 'istio.io/rev: canary']},                  []],
    ['namespace istio.io/rev=canary',                                 {nsLabels: ['istio.io/rev: canary']},                                                ['istio: namespace shop has istio.io/rev=canary (k8s.yaml:6)']],
    ['namespace enabled, the pod opts out by annotation',             {nsLabels: ['istio-injection: enabled'], podMeta: ['labels: {app: web}', 'annotations: {sidecar.istio.io/inject: "false"}']}, []],
    ['namespace disabled, the pod opts in: the pod’s word wins',      {nsLabels: ['istio-injection: disabled'], podMeta: ['labels: {app: web}', 'annotations: {sidecar.istio.io/inject: "true"}']}, ['istio: sidecar.istio.io/inject: "true" (k8s.yaml:16)']],
    ['the enabled Namespace is another one',                          {nsLabels: ['istio-injection: enabled'], namespace: 'billing'},                     []],
    ['a Namespace without labels',                                    {nsLabels: []},                                                                      []],
    ['istio-proxy injected as a container',                           {containers: ['- {name: istio-proxy, image: docker.io/istio/proxyv2:1.22.0}']},     ['istio: container istio-proxy (k8s.yaml:12)']],
    ['istio-proxy injected as a native sidecar (restartPolicy: Always)', {init: ['- {name: istio-proxy, image: docker.io/istio/proxyv2:1.22.0, restartPolicy: Always}']}, ['istio: container istio-proxy (k8s.yaml:11)']],
    ['istio-init alone, a plain init container, serves nothing',     {init: ['- {name: istio-init, image: docker.io/istio/proxyv2:1.22.0}']},             []],
    ['a container named consul',                                      {containers: ['- {name: consul, image: registry.example.com/infra/agent:1.18}']},   ['consul: container consul (k8s.yaml:12)']],
    ['a hashicorp/consul image under another name',                   {containers: ['- {name: agent, image: hashicorp/consul:1.18}']},                    ['consul: container agent (k8s.yaml:12)']],
    ['the Docker Hub library image consul',                           {containers: ['- {name: agent, image: consul:1.15}']},                              ['consul: container agent (k8s.yaml:12)']],
    ['consul-dataplane is not an agent: it serves none of the agent’s ports', {containers: ['- {name: dataplane, image: hashicorp/consul-dataplane:1.4}']}, []],
    ['both meshes in one pod',                                        {podMeta: ['labels: {app: web}', 'annotations: {sidecar.istio.io/inject: "true"}'], containers: ['- {name: consul, image: hashicorp/consul:1.18}']},
      ['istio: sidecar.istio.io/inject: "true" (k8s.yaml:9)', 'consul: container consul (k8s.yaml:13)']]
  ])('%s', (_name, o, want) => {
    expect(meshes(o)).toEqual(want);
  });

  test('loadKubernetes keeps the lines: pod template labels and annotations, Namespace labels', () => {
    const objs = loadKubernetes([{file: 'k8s.yaml', text: manifests({nsLabels: ['istio-injection: enabled', 'team: shop'], podMeta: ['labels:', '  app: web', '  version: 2', 'annotations:', '  prometheus.io/port: 15020'], containers: []})}]);
    expect(objs.namespaces.map(n => [n.name, Object.fromEntries(Object.entries(n.labels).map(([k, v]) => [k, `${v.value}@${v.at.line}`]))])).toEqual([['shop', {'istio-injection': 'enabled@6', team: 'shop@7'}]]);
    const w = objs.workloads[0]!;
    expect(w.labels).toEqual({app: 'web', version: '2'});
    expect(Object.fromEntries(Object.entries(w.labelsAt).map(([k, v]) => [k, v.line]))).toEqual({app: 17, version: 18});
    // An unquoted number is read as text, as kubectl would refuse it but charts write it.
    expect(w.annotations['prometheus.io/port']).toMatchObject({value: '15020', at: {file: 'k8s.yaml', line: 20}});
  });
});
