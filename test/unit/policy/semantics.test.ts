import {BlockList} from 'node:net';
import {describe, expect, it} from 'vitest';
import {loadKubernetes} from '../../../src/manifests/index.js';
import type {Protocol} from '../../../src/model.js';
import {inCidr, parseCidr} from '../../../src/policy/cidr.js';
import {isAllowed, namespaceLabels, type Peer, type Pod} from '../../../src/policy/semantics.js';

// Policies as the Kubernetes documentation writes them
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/), loaded by portgate's own reader.
const DOCS: Record<string, string> = {
  // "The NetworkPolicy resource", verbatim.
  'test-network-policy': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
`,
  // "Default deny all ingress traffic".
  'default-deny-ingress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
  - Ingress
`,
  // "Allow all ingress traffic".
  'allow-all-ingress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-ingress
spec:
  podSelector: {}
  ingress:
  - {}
  policyTypes:
  - Ingress
`,
  // "Default deny all egress traffic": isolates egress only.
  'default-deny-egress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
spec:
  podSelector: {}
  policyTypes:
  - Egress
`,
  // "Behavior of to and from selectors": one element with both selectors (AND) ...
  'and-selectors': `
kind: NetworkPolicy
metadata: {name: and-selectors}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          user: alice
      podSelector:
        matchLabels:
          role: client
`,
  // ... and two elements (OR).
  'or-selectors': `
kind: NetworkPolicy
metadata: {name: or-selectors}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          user: alice
    - podSelector:
        matchLabels:
          role: client
`,
  // "Targeting a range of ports" (the page's example is egress; the port semantics are the same for ingress).
  'port-range': `
kind: NetworkPolicy
metadata: {name: multi-port-ingress}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - protocol: TCP
      port: 32000
      endPort: 32768
`,
  // "Targeting a Namespace by its name".
  'by-namespace-name': `
kind: NetworkPolicy
metadata: {name: from-monitoring}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: monitoring
`,
  // API reference, NetworkPolicyPort: a named port, a port-less UDP entry (every UDP port).
  'named-and-protocol': `
kind: NetworkPolicy
metadata: {name: named}
spec:
  podSelector: {matchLabels: {app: dns}}
  ingress:
  - ports:
    - port: metrics
    - protocol: UDP
`,
  // API reference, policyTypes: unset with egress rules = [Ingress, Egress], so ingress is isolated although no rule allows it.
  'egress-rules-only': `
kind: NetworkPolicy
metadata: {name: egress-rules-only}
spec:
  podSelector: {matchLabels: {role: db}}
  egress:
  - ports: [{port: 53, protocol: UDP}]
`,
  // Written policyTypes without Ingress: its ingress rules are ignored.
  'explicit-egress-with-ingress-rules': `
kind: NetworkPolicy
metadata: {name: explicit-egress}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Egress]
  ingress:
  - ports: [{port: 6379}]
`,
  // Label selector operators (labels page, "Set-based requirement").
  'expressions': `
kind: NetworkPolicy
metadata: {name: expressions}
spec:
  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [backend, db]}
    - {key: canary, operator: DoesNotExist}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: env, operator: NotIn, values: [dev]}
        - {key: team, operator: Exists}
`,
  // A policy in another namespace never selects a pod of this one.
  'other-namespace': `
kind: NetworkPolicy
metadata: {name: deny-in-web, namespace: web}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`
};

const load = (...names: string[]) => loadKubernetes(names.map(n => ({file: `${n}.yaml`, text: DOCS[n]!}))).networkPolicies;

const pod = (namespace: string, labels: Record<string, string>, ports: Pod['ports'] = []): Pod => ({namespace, labels, ports});
const from = (namespace: string, labels: Record<string, string> = {}, nsLabels: Record<string, string> = {}): Peer => ({namespace, labels, namespaceLabels: namespaceLabels(namespace, nsLabels)});
const ip = (address: string): Peer => ({ip: address});

const DB = pod('default', {role: 'db'});
const DNS = pod('default', {app: 'dns'}, [{name: 'metrics', containerPort: 9153, protocol: 'tcp'}, {name: 'dns', containerPort: 53, protocol: 'udp'}]);

// prettier-ignore
const cases: {docs: string[]; why: string; to: Pod; peer: Peer; port: number; protocol?: Protocol; allowed: boolean}[] = [
  {docs: ['test-network-policy'], why: 'role=frontend pod of the same namespace, TCP 6379', to: DB, peer: from('default', {role: 'frontend'}), port: 6379, allowed: true},
  {docs: ['test-network-policy'], why: 'the same peer on another port', to: DB, peer: from('default', {role: 'frontend'}), port: 6380, allowed: false},
  {docs: ['test-network-policy'], why: 'the same peer and port over UDP', to: DB, peer: from('default', {role: 'frontend'}), port: 6379, protocol: 'udp', allowed: false},
  {docs: ['test-network-policy'], why: 'any pod of a project=myproject namespace', to: DB, peer: from('apps', {}, {project: 'myproject'}), port: 6379, allowed: true},
  {docs: ['test-network-policy'], why: 'role=frontend in another namespace (podSelector alone means the policy\'s namespace)', to: DB, peer: from('web', {role: 'frontend'}), port: 6379, allowed: false},
  {docs: ['test-network-policy'], why: 'unlabelled pod of the same namespace', to: DB, peer: from('default'), port: 6379, allowed: false},
  {docs: ['test-network-policy'], why: '172.17.0.5 is in the ipBlock', to: DB, peer: ip('172.17.0.5'), port: 6379, allowed: true},
  {docs: ['test-network-policy'], why: '172.17.1.5 is in its except', to: DB, peer: ip('172.17.1.5'), port: 6379, allowed: false},
  {docs: ['test-network-policy'], why: '172.17.2.0 is past the except', to: DB, peer: ip('172.17.2.0'), port: 6379, allowed: true},
  {docs: ['test-network-policy'], why: '10.1.1.1 is outside the ipBlock', to: DB, peer: ip('10.1.1.1'), port: 6379, allowed: false},
  {docs: ['test-network-policy'], why: 'a role=cache pod is not selected, so not isolated', to: pod('default', {role: 'cache'}), peer: ip('10.1.1.1'), port: 1234, allowed: true},
  {docs: ['test-network-policy'], why: 'a role=db pod of another namespace is not selected', to: pod('web', {role: 'db'}), peer: ip('10.1.1.1'), port: 1234, allowed: true},
  {docs: ['default-deny-ingress'], why: 'default deny: same-namespace pod', to: DB, peer: from('default', {role: 'frontend'}), port: 80, allowed: false},
  {docs: ['default-deny-ingress'], why: 'default deny: pods of other namespaces are not selected', to: pod('web', {}), peer: from('default'), port: 80, allowed: true},
  {docs: ['allow-all-ingress'], why: 'allow all: any address, any port', to: DB, peer: ip('198.51.100.1'), port: 65535, protocol: 'sctp', allowed: true},
  {docs: ['default-deny-ingress', 'allow-all-ingress'], why: 'policies add up: allow-all wins over default deny', to: DB, peer: from('web'), port: 22, allowed: true},
  {docs: ['default-deny-egress'], why: 'an Egress-only policy leaves ingress open', to: DB, peer: from('web'), port: 22, allowed: true},
  {docs: ['and-selectors'], why: 'AND: role=client in a user=alice namespace', to: DB, peer: from('alice-ns', {role: 'client'}, {user: 'alice'}), port: 80, allowed: true},
  {docs: ['and-selectors'], why: 'AND: role=client in the policy\'s own namespace', to: DB, peer: from('default', {role: 'client'}), port: 80, allowed: false},
  {docs: ['and-selectors'], why: 'AND: another pod in a user=alice namespace', to: DB, peer: from('alice-ns', {role: 'server'}, {user: 'alice'}), port: 80, allowed: false},
  {docs: ['or-selectors'], why: 'OR: role=client in the policy\'s own namespace', to: DB, peer: from('default', {role: 'client'}), port: 80, allowed: true},
  {docs: ['or-selectors'], why: 'OR: any pod in a user=alice namespace', to: DB, peer: from('alice-ns', {role: 'server'}, {user: 'alice'}), port: 80, allowed: true},
  {docs: ['or-selectors'], why: 'OR: role=client in a third namespace', to: DB, peer: from('web', {role: 'client'}), port: 80, allowed: false},
  {docs: ['port-range'], why: 'endPort: first port of the range', to: DB, peer: from('web'), port: 32000, allowed: true},
  {docs: ['port-range'], why: 'endPort: last port, inclusive', to: DB, peer: from('web'), port: 32768, allowed: true},
  {docs: ['port-range'], why: 'endPort: one past the range', to: DB, peer: from('web'), port: 32769, allowed: false},
  {docs: ['port-range'], why: 'endPort: one before the range', to: DB, peer: from('web'), port: 31999, allowed: false},
  {docs: ['by-namespace-name'], why: 'kubernetes.io/metadata.name is every namespace\'s own label', to: DB, peer: from('monitoring'), port: 9090, allowed: true},
  {docs: ['by-namespace-name'], why: 'another namespace', to: DB, peer: from('logging'), port: 9090, allowed: false},
  {docs: ['named-and-protocol'], why: 'named port resolves to the container port with that name (TCP default)', to: DNS, peer: from('web'), port: 9153, allowed: true},
  {docs: ['named-and-protocol'], why: 'a port-less UDP entry allows every UDP port', to: DNS, peer: from('web'), port: 53, protocol: 'udp', allowed: true},
  {docs: ['named-and-protocol'], why: 'but not TCP on the same number', to: DNS, peer: from('web'), port: 53, allowed: false},
  {docs: ['named-and-protocol'], why: 'a name no container port has matches nothing', to: pod('default', {app: 'dns'}, [{name: 'prom', containerPort: 9153, protocol: 'tcp'}]), peer: from('web'), port: 9153, allowed: false},
  {docs: ['named-and-protocol'], why: 'a named port matches only with its protocol', to: pod('default', {app: 'dns'}, [{name: 'metrics', containerPort: 9153, protocol: 'udp'}]), peer: from('web'), port: 9153, protocol: 'udp', allowed: true},
  {docs: ['egress-rules-only'], why: 'policyTypes unset: Ingress always applies, so no ingress rule = deny', to: DB, peer: from('default'), port: 6379, allowed: false},
  {docs: ['explicit-egress-with-ingress-rules'], why: 'policyTypes [Egress]: its ingress rules do not isolate', to: DB, peer: from('default'), port: 22, allowed: true},
  {docs: ['expressions'], why: 'In and DoesNotExist select tier=db; NotIn matches an absent env; Exists needs team', to: pod('default', {tier: 'db'}), peer: from('default', {team: 'a'}), port: 5432, allowed: true},
  {docs: ['expressions'], why: 'NotIn refuses env=dev', to: pod('default', {tier: 'db'}), peer: from('default', {team: 'a', env: 'dev'}), port: 5432, allowed: false},
  {docs: ['expressions'], why: 'Exists refuses a peer without team', to: pod('default', {tier: 'db'}), peer: from('default', {env: 'prod'}), port: 5432, allowed: false},
  {docs: ['expressions'], why: 'DoesNotExist: a canary pod is not selected, so not isolated', to: pod('default', {tier: 'db', canary: 'true'}), peer: from('default'), port: 5432, allowed: true},
  {docs: ['expressions'], why: 'In: tier=web is not selected', to: pod('default', {tier: 'web'}), peer: from('default'), port: 5432, allowed: true},
  {docs: ['other-namespace'], why: 'a deny-all in namespace web does not touch namespace default', to: DB, peer: from('web'), port: 80, allowed: true},
  {docs: ['other-namespace'], why: '... but does isolate the pods of web', to: pod('web', {role: 'db'}), peer: from('web'), port: 80, allowed: false}
];

describe('isAllowed: NetworkPolicy ingress semantics on the Kubernetes documentation\'s examples', () => {
  it.each(cases)('$docs.0: $why → $allowed', ({docs, to, peer, port, protocol, allowed}) => {
    expect(isAllowed(load(...docs), to, peer, port, protocol)).toBe(allowed);
  });

  it('no policy at all: every pod accepts everything', () => {
    expect(isAllowed([], DB, ip('203.0.113.9'), 22)).toBe(true);
  });
});

describe('CIDR matching for ipBlock', () => {
  // prettier-ignore
  const probes = ['172.17.0.0', '172.17.255.255', '172.18.0.0', '10.0.0.1', '0.0.0.0', '255.255.255.255', 'fd00::1', 'fd00:0:0:1::', 'fe80::1', '::1', '::', '::ffff:10.0.0.1', '2001:db8::8:800:200c:417a'];
  const blocks = ['172.17.0.0/16', '172.17.1.0/24', '10.0.0.0/8', '0.0.0.0/0', '10.0.0.1', 'fd00::/8', 'fd00:0:0:1::/64', '::/0', '::1/128', '2001:db8::/32', '::ffff:0:0/96'];

  it.each(blocks)('agrees with node:net BlockList for %s', block => {
    const [addr, bits] = block.split('/');
    const family = addr!.includes(':') ? 'ipv6' : 'ipv4';
    const list = new BlockList();
    list.addSubnet(addr!, Number(bits ?? (family === 'ipv4' ? 32 : 128)), family);
    for (const p of probes.filter(x => x.includes(':') === (family === 'ipv6'))) expect([p, inCidr(p, block)]).toEqual([p, list.check(p, family)]);
  });

  it.each(['10.0.0.0/33', '10.0.0/8', '256.0.0.0/8', '1.2.3.4/8/1', 'fd00:::/8', 'fd00::/129', '1:2:3:4:5:6:7:8:9/64', 'x', '01.2.3.4/8', ''])('refuses %j', text => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('never matches across families', () => {
    expect(inCidr('10.0.0.1', '::/0')).toBe(false);
    expect(inCidr('::1', '0.0.0.0/0')).toBe(false);
  });
});
