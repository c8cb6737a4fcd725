import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {checkKubernetes, loadKubernetes, type ManifestSource} from '../../../src/manifests/index.js';
import type {Protocol} from '../../../src/model.js';
import {generatePolicy, isAllowed, namespaceLabels, policyTargets, renderPolicies, validatePolicy, type Peer, type Pod, type TargetOptions} from '../../../src/policy/index.js';
import {loadSpec, parsePeerFlag, type Spec} from '../../../src/spec/index.js';
import {ctx, fixture} from '../manifests/build.js';

/**
 * Golden outputs of `portgate policy` (test/unit/policy/__outputs__), each
 * also validated against the Kubernetes schema and run through the
 * NetworkPolicy semantics: who may reach which port once it is applied.
 */

const from = (namespace: string, labels: Record<string, string> = {}): Peer => ({namespace, labels, namespaceLabels: namespaceLabels(namespace)});
const OUTSIDE: Peer = {ip: '203.0.113.7'};

interface Probe {
  port: number;
  protocol?: Protocol;
  peer: Peer;
  allowed: boolean;
  why: string;
}

interface Case {
  name: string;
  spec: string;
  manifests: ManifestSource[];
  options: TargetOptions;
  internalFrom?: string[];
  /** The pods the policy is for, as Kubernetes would see them (labels, named ports). */
  pod: Pod;
  probes: Probe[];
}

const SHOP_API_SPEC = `version: 1
ports:
  - port: 8080
    name: http
  - port: 9090
    name: metrics
    exposure: internal
  - port: 6060
    name: pprof
    exposure: loopback
`;

const LEDGER_SPEC = `version: 1
ports:
  - port: 8443
    name: https
  - port: 9090
    exposure: internal
  - port: "7000-7010/udp"
    exposure: internal
  - port: 6060
    exposure: loopback
dynamic:
  - process: java
    exposure: internal
    max: 2
    reason: "JMX/RMI: the JVM opens its RMI ports at random"
policy:
  internalFrom:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
      podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}
    - podSelector:
        matchExpressions:
          - {key: app, operator: In, values: [gateway]}
`;

const LEDGER = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ledger
  namespace: payments
spec:
  serviceName: ledger
  selector:
    matchLabels: {app: ledger}
  template:
    metadata:
      labels: {app: ledger, version: "3.1"}
    spec:
      containers:
        - name: ledger
          image: ghcr.io/acme/ledger:3.1
          ports:
            - {name: https, containerPort: 8443}
            - {containerPort: 9090}
`;

/** The same image in two namespaces, and a CronJob (one task: gets no policy). */
const TWO_ENVS = ['staging', 'prod']
  .map(
    ns => `apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: worker, canary: "no"}}
  template:
    metadata: {labels: {app: worker, canary: "no"}}
    spec:
      containers:
        - {name: worker, image: "registry.example.com/worker:2", ports: [{name: admin, containerPort: 8081}]}
`
  )
  .concat(`apiVersion: batch/v1
kind: CronJob
metadata: {name: worker-gc, namespace: prod}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: worker-gc}}
        spec:
          containers: [{name: gc, image: "registry.example.com/worker:2", args: [gc]}]
`)
  .join('---\n');

// prettier-ignore
const cases: Case[] = [
  {
    name: 'helm-chart', spec: SHOP_API_SPEC, manifests: [fixture('k8s/helm-api.yaml')], options: {image: 'registry.example.com/team/api:sha-4f2a9c1'},
    pod: {namespace: 'default', labels: {'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'shop'}, ports: [{name: 'http', containerPort: 8080, protocol: 'tcp'}, {name: 'metrics', containerPort: 9090, protocol: 'tcp'}]},
    probes: [
      {port: 8080, peer: from('web', {app: 'anything'}), allowed: true, why: 'public: a pod of another namespace'},
      {port: 8080, peer: OUTSIDE, allowed: true, why: 'public: an address outside the cluster'},
      {port: 9090, peer: from('default', {app: 'prometheus'}), allowed: true, why: 'internal: a pod of the same namespace'},
      {port: 9090, peer: from('monitoring', {app: 'prometheus'}), allowed: false, why: 'internal: a pod of another namespace'},
      {port: 9090, peer: OUTSIDE, allowed: false, why: 'internal: an outside address'},
      {port: 6060, peer: from('default'), allowed: false, why: 'loopback: even the same namespace'},
      {port: 5005, peer: from('default'), allowed: false, why: 'undeclared'},
      {port: 8080, protocol: 'udp', peer: from('web'), allowed: false, why: 'public port, other protocol'}
    ]
  },
  {
    name: 'internal-from-spec', spec: LEDGER_SPEC, manifests: [{file: 'ledger.yaml', text: LEDGER}], options: {image: 'ghcr.io/acme/ledger:3.2'},
    pod: {namespace: 'payments', labels: {app: 'ledger', version: '3.1'}, ports: [{name: 'https', containerPort: 8443, protocol: 'tcp'}, {containerPort: 9090, protocol: 'tcp'}]},
    probes: [
      {port: 8443, peer: OUTSIDE, allowed: true, why: 'public, named https'},
      {port: 9090, peer: from('monitoring', {'app.kubernetes.io/name': 'prometheus'}), allowed: true, why: 'internal: the configured monitoring pods'},
      {port: 9090, peer: from('payments', {app: 'gateway'}), allowed: true, why: 'internal: the configured gateway (In)'},
      {port: 9090, peer: from('payments', {app: 'batch'}), allowed: false, why: 'internal: same namespace no longer counts once internalFrom is set'},
      {port: 9090, peer: from('monitoring', {'app.kubernetes.io/name': 'grafana'}), allowed: false, why: 'internal: other pods of the monitoring namespace'},
      {port: 9090, peer: from('web', {'app.kubernetes.io/name': 'prometheus'}), allowed: false, why: 'internal: a prometheus outside monitoring'},
      {port: 7005, protocol: 'udp', peer: from('payments', {app: 'gateway'}), allowed: true, why: 'internal UDP range (endPort)'},
      {port: 7011, protocol: 'udp', peer: from('payments', {app: 'gateway'}), allowed: false, why: 'one past the UDP range'},
      {port: 7005, peer: from('payments', {app: 'gateway'}), allowed: false, why: 'the UDP range over TCP'},
      {port: 40000, peer: from('monitoring', {'app.kubernetes.io/name': 'prometheus'}), allowed: true, why: 'dynamic internal (JMX/RMI): the ephemeral range'},
      {port: 32767, peer: from('monitoring', {'app.kubernetes.io/name': 'prometheus'}), allowed: false, why: 'below the ephemeral range'},
      {port: 6060, peer: from('payments', {app: 'gateway'}), allowed: false, why: 'loopback'}
    ]
  },
  {
    name: 'flags-deny-all', spec: 'version: 1\nports:\n  - port: 6060\n    exposure: loopback\n', manifests: [], options: {podSelector: {app: 'worker'}, namespace: 'jobs'},
    pod: {namespace: 'jobs', labels: {app: 'worker'}, ports: []},
    probes: [
      {port: 6060, peer: from('jobs'), allowed: false, why: 'loopback'},
      {port: 80, peer: OUTSIDE, allowed: false, why: 'nothing is public'}
    ]
  },
  {
    name: 'two-namespaces-internal-from-flag', spec: 'version: 1\nports:\n  - port: 8081\n    exposure: internal\n', manifests: [{file: 'worker.yaml', text: TWO_ENVS}],
    options: {image: 'registry.example.com/worker:2'}, internalFrom: ['{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}}'],
    // canary: "no" must stay a string for kubectl, which reads YAML 1.1 (where a bare no is false).
    pod: {namespace: 'prod', labels: {app: 'worker', canary: 'no'}, ports: [{name: 'admin', containerPort: 8081, protocol: 'tcp'}]},
    probes: [
      {port: 8081, peer: from('ops', {app: 'console'}), allowed: true, why: 'internal: any pod of ops (--internal-from)'},
      {port: 8081, peer: from('prod', {app: 'api'}), allowed: false, why: 'internal: same namespace is not in --internal-from'}
    ]
  },
  {
    name: 'udp-named-port', spec: 'version: 1\nports:\n  - port: 53/udp\n    name: dns\n  - port: 9153\n    exposure: internal\n', manifests: [fixture('k8s/dns-udp.yaml')], options: {image: 'example/dns-cache:2.0'},
    pod: {namespace: 'infra', labels: {app: 'resolver'}, ports: [{name: 'dns', containerPort: 53, protocol: 'udp'}, {name: 'metrics', containerPort: 9153, protocol: 'tcp'}]},
    probes: [
      {port: 53, protocol: 'udp', peer: OUTSIDE, allowed: true, why: 'public UDP, named dns with protocol UDP'},
      {port: 53, peer: OUTSIDE, allowed: false, why: 'not over TCP'},
      {port: 9153, peer: from('infra'), allowed: true, why: 'internal, named metrics'}
    ]
  }
];

const generate = (c: Case) => {
  const spec: Spec = loadSpec(c.spec, 'portgate.yml');
  const objs = c.manifests.length ? loadKubernetes(c.manifests) : undefined;
  const internal = c.internalFrom ? {peers: c.internalFrom.map(parsePeerFlag), from: 'the peers of --internal-from'} : spec.policy?.internalFrom && {peers: spec.policy.internalFrom, from: `the peers of policy.internalFrom (portgate.yml:${spec.policy.internalFromAt!.line})`};
  const policies = policyTargets(objs, c.options).map(t => generatePolicy(spec, t, internal));
  for (const p of policies) validatePolicy(p.object);
  return {spec, text: renderPolicies(policies), count: policies.length};
};

describe.each(cases)('portgate policy: $name', c => {
  const {spec, text, count} = generate(c);

  it('renders the golden output', async () => {
    await expect(text).toMatchFileSnapshot(`__outputs__/${c.name}.yaml`);
  });

  it('is valid YAML whose every document passes the Kubernetes schema (kubernetes-models)', () => {
    const docs = parseAllDocuments(text);
    expect(Array.isArray(docs) && docs.length).toBe(count);
    for (const d of docs as ReturnType<typeof parseAllDocuments> & unknown[]) {
      expect(d.errors).toEqual([]);
      expect(() => new NetworkPolicy(d.toJS()).validate()).not.toThrow();
    }
  });

  it.each(c.probes)('once applied: $why (port $port) → $allowed', probe => {
    const policies = loadKubernetes([{file: 'generated.yaml', text}]).networkPolicies;
    expect(isAllowed(policies, c.pod, probe.peer, probe.port, probe.protocol ?? 'tcp')).toBe(probe.allowed);
  });

  if (c.manifests.length) it('passes `check --manifests` with the manifests it was made from: no NetworkPolicy finding', () => {
    const objs = loadKubernetes([...c.manifests, {file: 'generated.yaml', text}]);
    const image = c.options.image!;
    const fs = checkKubernetes(objs, ctx({image, declared: spec.ports, dynamic: spec.dynamic, listeners: undefined}));
    expect(fs.filter(f => f.rule.startsWith('k8s-netpol-'))).toEqual([]);
  });
});

describe('the generator and its checks', () => {
  it('one policy per long-running workload that runs the image; the CronJob gets none', () => {
    const {text} = generate(cases[3]!);
    const docs = loadKubernetes([{file: 'g.yaml', text}]).networkPolicies;
    expect(docs.map(p => `${p.namespace}/${p.name}`)).toEqual(['staging/worker-ingress', 'prod/worker-ingress']);
  });

  it('an object the Kubernetes schema refuses is a portgate bug: a plain Error (exit 4) with the validator\'s message', () => {
    const bad = {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'x'}, spec: {podSelector: {}, ingress: [{ports: [{port: 80, protocol: 'tcp'}]}]}} as never;
    let err: unknown;
    try {
      validatePolicy(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('Error');
    expect((err as Error).message).toMatch(/^the generated NetworkPolicy x does not pass the Kubernetes schema: .*protocol must be equal to one of the allowed values/);
  });

  it('--namespace and --pod-selector override the workload\'s; --name the default WORKLOAD-ingress', () => {
    const spec = loadSpec(SHOP_API_SPEC, 'portgate.yml');
    const [t] = policyTargets(loadKubernetes([fixture('k8s/helm-api.yaml')]), {image: 'registry.example.com/team/api', namespace: 'shop', podSelector: {app: 'api'}, name: 'api-in'});
    const p = generatePolicy(spec, t!);
    expect(p.object.metadata).toEqual({name: 'api-in', namespace: 'shop'});
    expect(p.object.spec?.podSelector).toEqual({matchLabels: {app: 'api'}});
    // Named ports still come from the container that runs the image.
    expect(p.object.spec?.ingress?.map(r => r.ports?.map(x => x.port))).toEqual([['http'], ['metrics']]);
  });

  // prettier-ignore
  it.each([
    ['neither manifests nor flags', undefined, {}, /which pods the policy is for: pass --manifests .* or --pod-selector KEY=VALUE and --namespace NAME\.$/],
    ['a selector without namespace', undefined, {podSelector: {app: 'a'}}, /or --namespace NAME\.$/],
    ['manifests without --image or --container', 'k8s/helm-api.yaml', {}, /pass --image REF \(or --container NAME\)/],
    ['manifests that do not run the image', 'k8s/helm-api.yaml', {image: 'nginx'}, /no container in the manifests runs nginx/],
    ['a derived name that is not a valid object name', undefined, {podSelector: {app: 'My_App'}, namespace: 'x'}, /^the policy name "My_App-ingress" is not a valid object name: .* \(derived from --pod-selector\): pass --name NAME\.$/]
  ])('says what is missing: %s', (_, file, options, msg) => {
    expect(() => policyTargets(file ? loadKubernetes([fixture(file)]) : undefined, options as TargetOptions)).toThrow(msg);
  });

  it('says in the header when the pods are on the host network, where no NetworkPolicy applies', () => {
    const spec = loadSpec('version: 1\nports:\n  - port: 9100\n', 'portgate.yml');
    const [t] = policyTargets(loadKubernetes([fixture('k8s/node-agent.yaml')]), {image: 'quay.io/prometheus/node-exporter:v1.8.1'});
    expect(generatePolicy(spec, t!).header.at(-1)).toMatch(/^WARNING: DaemonSet node-exporter sets hostNetwork: true \(test\/fixtures\/manifests\/k8s\/node-agent\.yaml:\d+\), and NetworkPolicies do not apply to pods on the host network\.$/);
    expect(generatePolicy(spec, policyTargets(undefined, {podSelector: {app: 'a'}, namespace: 'x'})[0]!).header.join('\n')).not.toMatch(/hostNetwork/);
  });

  it('a workload without pod labels cannot be selected: exit 2 at the workload', () => {
    const pod = {file: 'pod.yaml', text: 'kind: Pod\nmetadata: {name: solo}\nspec: {containers: [{name: a, image: nginx}]}\n'};
    expect(() => policyTargets(loadKubernetes([pod]), {image: 'nginx'})).toThrow(/Pod solo has no pod labels, so no NetworkPolicy can select only its pods/);
    expect(policyTargets(loadKubernetes([pod]), {image: 'nginx', podSelector: {run: 'solo'}})[0]!.podSelector.matchLabels).toEqual({run: 'solo'});
  });
});
