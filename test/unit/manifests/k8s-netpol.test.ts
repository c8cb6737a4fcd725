import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {loadKubernetes} from '../../../src/manifests/index.js';
import {fixture, lineOf} from './build.js';

const NP = 'k8s/netpol.yaml';
const at = (line: number) => expect.objectContaining({file: `test/fixtures/manifests/${NP}`, line});

describe('loadKubernetes: NetworkPolicies', () => {
  const objs = loadKubernetes([fixture(NP)]);
  const policy = (name: string) => objs.networkPolicies.find(p => p.name === name)!;

  it('reads every NetworkPolicy with its namespace, in file order', () => {
    expect(objs.networkPolicies.map(p => `${p.namespace}/${p.name}`)).toEqual([
      'shop/default-deny', 'shop/api-ingress', 'shop/from-gateway', 'shop/debug', 'shop/egress-only', 'web/web-open', 'shop/web-only'
    ]);
  });

  it('keeps policyTypes as written (undefined when absent) and notes egress rules, leaving defaults to the semantics', () => {
    expect([policy('default-deny').policyTypes, policy('debug').policyTypes, policy('egress-only').policyTypes]).toEqual([['Ingress'], undefined, ['Egress']]);
    expect([policy('debug').hasEgress, policy('egress-only').hasEgress, policy('api-ingress').hasEgress]).toEqual([true, false, false]);
  });

  it('reads selectors (matchLabels, matchExpressions, the empty one) with their lines', () => {
    expect(policy('default-deny').podSelector).toEqual({matchLabels: {}, matchExpressions: [], at: at(lineOf(NP, 'podSelector: {}'))});
    expect(policy('from-gateway').podSelector).toMatchObject({matchLabels: {}, matchExpressions: [{key: 'tier', operator: 'In', values: ['backend']}]});
    expect(policy('from-gateway').ingress[0]!.from).toEqual([{podSelector: {matchLabels: {app: 'gateway'}, matchExpressions: [], at: expect.anything()}}]);
  });

  it('reads ports: names, numbers, endPort, a protocol without port (TCP by default), each at its line', () => {
    const [open, monitoring] = policy('api-ingress').ingress;
    expect(open!.ports).toEqual([
      {protocol: 'tcp', port: 'http', at: at(lineOf(NP, 'port: http'))},
      {protocol: 'tcp', port: 6060, at: at(lineOf(NP, 'port: 6060'))},
      {protocol: 'tcp', port: 'admin', at: at(lineOf(NP, 'port: admin'))}
    ]);
    expect(monitoring!.ports).toEqual([
      {protocol: 'tcp', port: 'metrics', at: at(lineOf(NP, 'port: metrics'))},
      {protocol: 'tcp', port: 9000, endPort: 9100, at: at(lineOf(NP, 'port: 9000'))},
      {protocol: 'udp', at: at(lineOf(NP, 'protocol: UDP'))}
    ]);
    expect(monitoring!.from![0]!.namespaceSelector?.matchLabels).toEqual({'kubernetes.io/metadata.name': 'monitoring'});
    // A rule without ports or from: `ingress: [{}]`.
    expect(policy('web-open').ingress).toEqual([{at: expect.anything()}]);
  });

  it('reads a workload\'s own selector: LabelSelector, a ReplicationController\'s plain map, none for Pods and CronJobs', () => {
    expect(objs.workloads[0]!.selector).toEqual({matchLabels: {app: 'api'}, matchExpressions: [], at: at(lineOf(NP, 'selector:'))});
    const rc = 'kind: ReplicationController\nmetadata: {name: r}\nspec:\n  selector: {app: r}\n  template:\n    metadata: {labels: {app: r}}\n    spec: {containers: [{name: a, image: x}]}\n';
    expect(loadKubernetes([{file: 'rc.yaml', text: rc}]).workloads[0]!.selector).toEqual({matchLabels: {app: 'r'}, matchExpressions: [], at: {file: 'rc.yaml', line: 4, column: 3}});
    expect(loadKubernetes([fixture('k8s/cronjob.yaml')]).workloads[0]!.selector).toBeUndefined();
    expect(loadKubernetes([{file: 'pod.yaml', text: 'kind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec: {containers: [{name: a, image: x}]}\n'}]).workloads[0]!.selector).toBeUndefined();
  });

  it('reads ipBlock peers', () => {
    const text = 'kind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n';
    expect(loadKubernetes([{file: 'n.yaml', text}]).networkPolicies[0]!.ingress[0]!.from).toEqual([{ipBlock: {cidr: '10.0.0.0/8', except: ['10.1.0.0/16']}}]);
  });

  const np = (ingress: string) => `kind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n  ingress:\n${ingress}`;
  // prettier-ignore
  it.each([
    ['endPort without port', np('    - ports:\n        - endPort: 90\n'), 7, /`endPort` needs a numeric `port`/],
    ['endPort after a named port', np('    - ports:\n        - {port: http, endPort: 90}\n'), 7, /`endPort` cannot follow a named port/],
    ['endPort below port', np('    - ports:\n        - port: 90\n          endPort: 80\n'), 8, /`endPort` 80 is below `port` 90/],
    ['a lower-case protocol', np('    - ports:\n        - {port: 53, protocol: udp}\n'), 7, /`protocol` must be TCP, UDP or SCTP, not "udp"/],
    ['an unknown operator', np('    - from:\n        - podSelector:\n            matchExpressions: [{key: a, operator: Equals, values: [b]}]\n'), 8, /`operator` must be In, NotIn, Exists or DoesNotExist, not "Equals"/],
    ['In without values', np('    - from:\n        - podSelector:\n            matchExpressions: [{key: a, operator: In}]\n'), 8, /operator In needs a non-empty `values` list/],
    ['Exists with values', np('    - from:\n        - podSelector:\n            matchExpressions: [{key: a, operator: Exists, values: [b]}]\n'), 8, /operator Exists takes no `values`/],
    ['ipBlock with a selector', np('    - from:\n        - {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}\n'), 7, /`ipBlock` cannot also have/],
    ['an empty peer', np('    - from:\n        - {}\n'), 7, /needs `podSelector`, `namespaceSelector` or `ipBlock`/],
    ['a bad CIDR', np('    - from:\n        - ipBlock: {cidr: 10.0.0.0/33}\n'), 7, /"10.0.0.0\/33" is not a CIDR/],
    ['a lower-case policy type', 'kind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n  policyTypes: [ingress]\n', 5, /`policyTypes` entries must be Ingress or Egress/],
    ['no spec', 'kind: NetworkPolicy\nmetadata: {name: np}\n', 1, /NetworkPolicy np has no `spec`/]
  ])('throws InputError with file:line for %s', (_, text, line, msg) => {
    let err: unknown;
    try {
      loadKubernetes([{file: 'bad.yaml', text}]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(msg);
    expect([(err as InputError).file, (err as InputError).line]).toEqual(['bad.yaml', line]);
  });
});
