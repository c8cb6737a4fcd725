import {describe, expect, it} from 'vitest';
import {evaluate} from '../../../src/compare/evaluate.js';
import {checkKubernetes, loadKubernetes, type ManifestContext} from '../../../src/manifests/index.js';
import type {DynamicPort, Finding} from '../../../src/model.js';
import {loadSpec} from '../../../src/spec/index.js';
import {brief, ctx, declare, expose, fixture, lineOf, listen, row} from '../manifests/build.js';

const NP = 'k8s/netpol.yaml';
const API = 'k8s/helm-api.yaml';
const IMAGE = 'registry.example.com/team/api:1.2.0';

const policyFindings = (fs: Finding[]) => fs.filter(f => f.rule.startsWith('k8s-netpol-'));
const check = (texts: {file: string; text: string}[], c: Partial<ManifestContext>) => policyFindings(checkKubernetes(loadKubernetes(texts), ctx(c)));

// The api image as portgate.yml declares it: HTTP public, metrics internal, pprof loopback.
const apiSpec = [declare(8080), declare(9090, 'internal'), declare(6060, 'loopback')];

/** A Deployment of the image in namespace shop, labels app=api, and the given documents after it. */
const deployment = (...docs: string[]) => ({
  file: 'k8s.yaml',
  text: [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop-api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/team/api:1.2.0\n          ports: [{name: http, containerPort: 8080}]\n',
    ...docs
  ].join('---\n')
});
const policy = (name: string, spec: string, ns = 'shop') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}`;

describe('check --manifests: NetworkPolicies of the pods that run the image', () => {
  it('flags loopback and undeclared ports each selecting policy lets in, at the port entry or the rule; ignores what does not apply', () => {
    const fs = check([fixture(NP)], {declared: apiSpec});
    expect(fs.map(brief)).toEqual([
      row('k8s-netpol-loopback-port', 'error', 6060, NP, lineOf(NP, 'port: 6060')),
      row('k8s-netpol-undeclared-port', 'warning', 9000, NP, lineOf(NP, 'port: 9000')),
      row('k8s-netpol-undeclared-port', 'warning', undefined, NP, lineOf(NP, 'protocol: UDP')),
      // from-gateway's only rule has no ports: both rules fire at the rule.
      row('k8s-netpol-loopback-port', 'error', 6060, NP, lineOf(NP, 'from:', 2)),
      row('k8s-netpol-undeclared-port', 'warning', undefined, NP, lineOf(NP, 'from:', 2)),
      // debug has no policyTypes but egress rules: still an Ingress policy.
      row('k8s-netpol-undeclared-port', 'warning', 5005, NP, lineOf(NP, 'port: 5005'))
    ]);
  });

  it('messages say which policy, which rule, which ports, and what to do', () => {
    const m = check([fixture(NP)], {declared: apiSpec}).map(f => f.message);
    expect(m[0]).toBe(
      'NetworkPolicy api-ingress (ingress rule 1) selects the pods of Deployment shop-api and allows 6060/tcp, but portgate.yml declares 6060/tcp (portgate.yml:20) loopback: only the pod itself may reach it. Remove it from the rule (`portgate policy` writes a policy from portgate.yml).'
    );
    expect(m[1]).toBe(
      'NetworkPolicy api-ingress (ingress rule 2) selects the pods of Deployment shop-api and allows TCP ports 9000-9100, of which neither portgate.yml nor EXPOSE declares 9000-9089/tcp, 9091-9100/tcp, so a listener added later is reachable without review. Remove them from the rule, or declare them in portgate.yml.'
    );
    expect(m[2]).toMatch(/allows every UDP port \(a `ports` entry without `port`\), including every port portgate.yml does not declare/);
    expect(m[3]).toMatch(/NetworkPolicy from-gateway \(ingress rule 1\) .* has no `ports`, so it allows every port \(TCP, UDP and SCTP\), but portgate.yml declares 6060\/tcp .* List the ports this rule should open under `ports`/);
    expect(m[4]).toMatch(/List only the declared ports under `ports` \(8080\/tcp, 9090\/tcp\)\.$/);
    expect(m[5]).toMatch(/NetworkPolicy debug \(ingress rule 1\) .* allows 5005\/tcp, which portgate.yml does not declare and the image does not EXPOSE/);
  });

  it('judges policies, not listeners: static mode and a run give the same findings', () => {
    const run = check([fixture(NP)], {declared: apiSpec, listeners: [listen(8080), listen(9090), listen(6060, '127.0.0.1')]});
    expect(check([fixture(NP)], {declared: apiSpec, listeners: undefined})).toEqual(run);
  });

  it('without a spec, EXPOSE is the declaration; with one, dynamic: entries count as declared', () => {
    const open = deployment(policy('open', '  podSelector: {}\n  ingress:\n    - ports: [{port: 8080}, {port: 40000, endPort: 40100}]\n'));
    expect(check([open], {declared: [], exposed: [expose(8080)]}).map(f => [f.rule, f.port])).toEqual([['k8s-netpol-undeclared-port', 40000]]);
    const jmx: DynamicPort = {process: 'java', range: [40000, 40100], protocol: 'tcp', exposure: 'internal', max: 2, reason: 'RMI', location: {file: 'portgate.yml', line: 9}};
    expect(check([open], {declared: [declare(8080)], dynamic: [jmx]})).toEqual([]);
    const loopback = {...jmx, exposure: 'loopback' as const};
    expect(check([open], {declared: [declare(8080)], dynamic: [loopback]}).map(f => [f.rule, f.port])).toEqual([['k8s-netpol-loopback-port', 40000]]);
  });

  it('a policy in the manifests that lists exactly the declared public and internal ports passes', () => {
    const exact = deployment(policy('exact', '  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - ports: [{port: http}]\n    - from: [{podSelector: {}}]\n      ports: [{port: 9090}]\n'));
    expect(check([exact], {declared: apiSpec})).toEqual([]);
  });

  it('a port another container of the pod lists (the Envoy sidecar\'s "proxy") is not this image\'s to declare', () => {
    const np = {file: 'np.yaml', text: policy('api', '  podSelector: {matchLabels: {app.kubernetes.io/name: api}}\n  ingress:\n    - ports: [{port: http}, {port: proxy}, {port: 7777}]\n', 'default')};
    expect(check([fixture(API), np], {declared: apiSpec}).map(f => [f.rule, f.port, f.location && 'line' in f.location && f.location.line])).toEqual([['k8s-netpol-undeclared-port', 7777, 7]]);
  });

  describe('k8s-netpol-missing', () => {
    it('a workload no Ingress policy selects: at its name, with nothing else to say when there are no policies', () => {
      const fs = check([fixture(API)], {declared: apiSpec});
      expect(fs.map(brief)).toEqual([row('k8s-netpol-missing', 'warning', undefined, API, lineOf(API, 'name: shop-api', 3))]);
      expect(fs[0]!.message).toBe(
        'No NetworkPolicy in the given manifests restricts ingress to the pods of Deployment shop-api in namespace default, so they accept connections on every port from every pod in the cluster: add one (`portgate policy` writes it from portgate.yml), or pass the manifests that hold it.'
      );
    });

    it.each([
      ['a policy selects them for Egress only', policy('egress', '  podSelector: {}\n  policyTypes: [Egress]\n'), /\(egress selects them for Egress only\)/],
      ['the namespace has policies for other pods', policy('web', '  podSelector: {matchLabels: {app: web}}\n'), /\(NetworkPolicies in namespace shop: web; none selects app=api\)/],
      ['a policy selects them in another namespace', policy('deny', '  podSelector: {}\n', 'default'), /restricts ingress to the pods of Deployment shop-api in namespace shop, so/]
    ])('says why when %s', (_, doc, msg) => {
      const fs = check([deployment(doc)], {declared: apiSpec});
      expect(fs.map(f => f.rule)).toEqual(['k8s-netpol-missing']);
      expect(fs[0]!.message).toMatch(msg);
    });

    it('not for a Job or CronJob (pods that run one task), nor for host-network pods (policies do not apply; k8s-host-network says so)', () => {
      const cron = fixture('k8s/cronjob.yaml');
      const noHost = {file: cron.file, text: cron.text.replace(/\n {10}hostNetwork: true/, '')};
      expect(check([noHost], {image: 'ghcr.io/acme/orders:4.1.0'})).toEqual([]);
      expect(check([fixture('k8s/node-agent.yaml')], {image: 'quay.io/prometheus/node-exporter:v1.8.1'})).toEqual([]);
    });
  });

  it('new rule ids are accepted by the spec\'s rules: and their severities overridden like any other', () => {
    const spec = loadSpec('version: 1\nports: []\nrules:\n  k8s-netpol-missing: off\n  k8s-netpol-undeclared-port: error\n  k8s-netpol-loopback-port: warning\n', 'portgate.yml');
    const extra = checkKubernetes(loadKubernetes([fixture(NP), fixture(API)]), ctx({image: IMAGE, declared: apiSpec}));
    const judged = policyFindings(evaluate({image: IMAGE, exposed: [], listening: undefined, declared: [], container: undefined, waitedMs: 0, extra, overrides: spec.rules, risky: () => undefined}));
    expect(new Set(judged.map(f => `${f.rule}:${f.severity}`))).toEqual(new Set(['k8s-netpol-undeclared-port:error', 'k8s-netpol-loopback-port:warning']));
    expect(policyFindings(extra).some(f => f.rule === 'k8s-netpol-missing')).toBe(true);
  });
});
