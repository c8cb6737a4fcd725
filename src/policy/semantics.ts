import type {Protocol} from '../model.js';
import type {LabelSelector, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer} from '../manifests/k8s-model.js';
import {inCidr} from './cidr.js';

/**
 * NetworkPolicy ingress semantics, as the Kubernetes documentation states
 * them. Each rule below cites its source:
 *
 * [concepts] https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * [api]      https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 * [labels]   https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 *
 * 1. A policy applies to the pods of its own namespace that its podSelector
 *    selects; an empty podSelector selects every pod of the namespace [api: spec.podSelector].
 * 2. policyTypes defaults to Ingress, plus Egress when the policy has egress
 *    rules; written explicitly, it is taken as written [api: spec.policyTypes].
 * 3. A pod is isolated for ingress when at least one policy with Ingress in
 *    its policyTypes selects it; a pod no such policy selects accepts all
 *    ingress [concepts: "The two sorts of pod isolation"].
 * 4. Policies are additive: an isolated pod accepts a connection when any
 *    rule of any policy that selects it allows it; no policy can deny what
 *    another allows [concepts: "The two sorts of pod isolation"].
 * 5. A rule allows a connection when both its `from` and its `ports` match;
 *    an empty or absent list matches everything [api: NetworkPolicyIngressRule].
 * 6. A `from` entry with only podSelector selects pods in the policy's own
 *    namespace; with only namespaceSelector, every pod of the selected
 *    namespaces; with both, the pods matching podSelector in the namespaces
 *    matching namespaceSelector [concepts: "Behavior of to and from selectors"].
 *    Namespaces carry the label kubernetes.io/metadata.name = their name
 *    [concepts: "Targeting a Namespace by its name"].
 * 7. ipBlock matches addresses in `cidr` and not in any `except`. It is meant
 *    for cluster-external addresses; whether a pod's own IP matches is up to
 *    the network plugin, so here a pod peer never matches an ipBlock and an
 *    address peer never matches a selector [concepts: "Behavior of to and from selectors"].
 * 8. A port entry's protocol defaults to TCP; without `port` it matches every
 *    port of that protocol; with `endPort`, the inclusive range port..endPort;
 *    a named port matches the selected pod's container port with that name
 *    and protocol, and nothing when there is none [api: NetworkPolicyPort;
 *    concepts: "Targeting a range of ports"].
 * 9. A label selector ANDs its matchLabels and matchExpressions; In needs the
 *    label with one of the values, NotIn is true when the label is absent or
 *    has none of them, Exists / DoesNotExist test the key; an empty selector
 *    matches everything [labels].
 *
 * Not modelled: hostNetwork pods (policies do not apply to them), traffic from
 * the node the pod runs on (always allowed), replies to the pod's own
 * connections, and egress.
 */

export type Labels = Record<string, string>;

/** The pod receiving traffic; `ports` are its containers' ports, for named ports (rule 8). */
export interface Pod {
  namespace: string;
  labels: Labels;
  ports: {name?: string; containerPort: number; protocol: Protocol}[];
}

/** Who connects: a pod (with the labels of its namespace), or an address outside the cluster. */
export type Peer = {namespace: string; labels: Labels; namespaceLabels: Labels} | {ip: string};

/** The labels every namespace has (rule 6), plus any others it was given. */
export const namespaceLabels = (name: string, extra: Labels = {}): Labels => ({...extra, 'kubernetes.io/metadata.name': name});

/** Rule 9. */
export const matchesSelector = (s: LabelSelector, labels: Labels): boolean =>
  Object.entries(s.matchLabels).every(([k, v]) => labels[k] === v) &&
  s.matchExpressions.every(e => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && e.values.includes(labels[e.key]!);
      case 'NotIn':
        return !has || !e.values.includes(labels[e.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });

/** Rule 2. */
export const policyTypes = (p: NetworkPolicy): ('Ingress' | 'Egress')[] => p.policyTypes ?? ['Ingress', ...(p.hasEgress ? (['Egress'] as const) : [])];

/** Rules 1 and 2: the policies that decide what may reach `pod`. */
export const ingressPoliciesFor = (policies: NetworkPolicy[], pod: Pick<Pod, 'namespace' | 'labels'>): NetworkPolicy[] =>
  policies.filter(p => p.namespace === pod.namespace && policyTypes(p).includes('Ingress') && matchesSelector(p.podSelector, pod.labels));

/** Rules 6 and 7, for one `from` entry of a policy in `namespace`. */
const peerMatches = (entry: NetworkPolicyPeer, namespace: string, peer: Peer): boolean => {
  if ('ip' in peer) return !!entry.ipBlock && inCidr(peer.ip, entry.ipBlock.cidr) && !entry.ipBlock.except.some(c => inCidr(peer.ip, c));
  if (entry.ipBlock) return false;
  const nsOk = entry.namespaceSelector ? matchesSelector(entry.namespaceSelector, peer.namespaceLabels) : peer.namespace === namespace;
  return nsOk && (!entry.podSelector || matchesSelector(entry.podSelector, peer.labels));
};

/** A range of ports a rule allows, on one protocol, or on all of them (a rule without `ports`). */
export interface PortSpan {
  protocol: Protocol | 'any';
  from: number;
  to: number;
  /** The `ports:` entry it comes from; absent for a rule without ports. */
  entry?: NonNullable<NetworkPolicyIngressRule['ports']>[number];
}

/** Rules 5 and 8: what a rule's `ports` allow on `pod`, with named ports resolved. */
export const allowedSpans = (rule: NetworkPolicyIngressRule, pod: Pick<Pod, 'ports'>): PortSpan[] => {
  if (!rule.ports?.length) return [{protocol: 'any', from: 1, to: 65535}];
  return rule.ports.flatMap((entry): PortSpan[] => {
    const {protocol, port, endPort} = entry;
    if (port === undefined) return [{protocol, from: 1, to: 65535, entry}];
    if (typeof port === 'number') return [{protocol, from: port, to: endPort ?? port, entry}];
    const named = pod.ports.find(p => p.name === port && p.protocol === protocol);
    return named ? [{protocol, from: named.containerPort, to: named.containerPort, entry}] : [];
  });
};

const inSpans = (spans: PortSpan[], port: number, protocol: Protocol): boolean =>
  spans.some(s => (s.protocol === 'any' || s.protocol === protocol) && port >= s.from && port <= s.to);

/** Rule 5: one rule of a policy in `namespace`. */
export const ruleAllows = (rule: NetworkPolicyIngressRule, namespace: string, pod: Pod, peer: Peer, port: number, protocol: Protocol): boolean =>
  (!rule.from?.length || rule.from.some(e => peerMatches(e, namespace, peer))) && inSpans(allowedSpans(rule, pod), port, protocol);

/** Rules 1-9: may `peer` open a connection to `port`/`protocol` of `pod`? */
export const isAllowed = (policies: NetworkPolicy[], pod: Pod, peer: Peer, port: number, protocol: Protocol = 'tcp'): boolean => {
  const selecting = ingressPoliciesFor(policies, pod);
  if (!selecting.length) return true;
  return selecting.some(p => p.ingress.some(r => ruleAllows(r, p.namespace, pod, peer, port, protocol)));
};
