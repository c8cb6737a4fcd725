import type {INetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type {IIoK8sApiNetworkingV1NetworkPolicyPeer as K8sPeer} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type {IIoK8sApiNetworkingV1NetworkPolicyPort as K8sPort} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type {IIoK8sApimachineryPkgApisMetaV1LabelSelector as K8sSelector} from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type {DeclaredPort, DynamicPort, SourceLocation} from '../model.js';
import type {ContainerPort, LabelSelector, NetworkPolicyPeer} from '../manifests/k8s-model.js';
import {declaredRanges, LINUX_EPHEMERAL, rangeText, type DeclaredRange} from './ports.js';

/** The pods a policy is for, and where each fact came from (for the comments). */
export interface PolicyTarget {
  name: string;
  namespace: string;
  podSelector: LabelSelector;
  /** Ports of the container that runs the image: a declared port they name is written by name. */
  containerPorts: ContainerPort[];
  /** e.g. `the pods of Deployment shop-api (deploy/k8s.yaml:4)` or `--pod-selector app=api`. */
  podsFrom: string;
  /** e.g. `namespace of Deployment shop-api (deploy/k8s.yaml:5)` or `--namespace`. */
  namespaceFrom: string;
  /** What the reader of the policy must know about these pods (added to the header). */
  notes?: string[];
}

/** Who may reach internal ports, and where that was said (`policy.internalFrom (portgate.yml:14)`, `--internal-from`). */
export interface InternalPeers {
  peers: NetworkPolicyPeer[];
  from: string;
}

/** A comment for the node at `path`: above it (`before`), or at the end of its line (`inline`). */
export interface PolicyComment {
  path: (string | number)[];
  place: 'before' | 'inline';
  text: string;
}

export interface GeneratedPolicy {
  object: INetworkPolicy;
  /** Above the document. */
  header: string[];
  comments: PolicyComment[];
}

export interface SpecPorts {
  file: string;
  ports: DeclaredPort[];
  dynamic: DynamicPort[];
}

const where = (l: SourceLocation): string => `${l.file}:${l.line}`;

/** The Kubernetes form: empty parts left out, so `{}` selects everything. */
export const selectorObject = (s: LabelSelector): K8sSelector => ({
  ...(Object.keys(s.matchLabels).length && {matchLabels: {...s.matchLabels}}),
  ...(s.matchExpressions.length && {matchExpressions: s.matchExpressions.map(e => ({key: e.key, operator: e.operator, ...(e.values.length && {values: [...e.values]})}))})
});

const peerObject = (p: NetworkPolicyPeer): K8sPeer => ({
  ...(p.namespaceSelector && {namespaceSelector: selectorObject(p.namespaceSelector)}),
  ...(p.podSelector && {podSelector: selectorObject(p.podSelector)})
});

/** One `ports:` entry for a declared range: by name where the container names that port, else by number (and endPort). */
const portEntry = (r: DeclaredRange, target: PolicyTarget): {entry: K8sPort; note: string} => {
  const named = r.from === r.to ? target.containerPorts.find(p => p.containerPort === r.from && p.protocol === r.protocol && p.name) : undefined;
  const ephemeral = r.dynamic && r.from === LINUX_EPHEMERAL[0] && r.to === LINUX_EPHEMERAL[1] ? "Linux's default ephemeral range" : undefined;
  const about = [r.name, ephemeral].filter(Boolean).join(', ');
  const what = `${r.dynamic ? 'dynamic ' : ''}${rangeText(r)} ${r.exposure}${about ? ` (${about})` : ''}`;
  const note = `${where(r.location)} ${what}${named ? `; containerPort ${named.containerPort} is named ${named.name} (${where(named.at)})` : ''}`;
  const protocol = r.protocol.toUpperCase() as K8sPort['protocol'];
  if (named) return {entry: {port: named.name!, protocol}, note};
  return {entry: {port: r.from, ...(r.to > r.from && {endPort: r.to}), protocol}, note};
};

/**
 * The NetworkPolicy portgate.yml implies for `target`: Ingress only; public
 * ports open to every peer; internal ports open to `internal` (default: the
 * pods of the same namespace); loopback ports, and every other port, closed.
 * Comments say which spec line each port comes from.
 */
export const generatePolicy = (spec: SpecPorts, target: PolicyTarget, internal?: InternalPeers): GeneratedPolicy => {
  const ranges = declaredRanges(spec.ports, spec.dynamic);
  const groups = [
    {exposure: 'public', text: 'public ports: no `from`, so every peer may connect (any pod, any address)'},
    {exposure: 'internal', text: `internal ports: only from ${internal?.from ?? `the pods of namespace ${target.namespace} (the default: set policy.internalFrom in ${spec.file} to choose others)`}`}
  ] as const;
  const comments: PolicyComment[] = [];
  const ingress = groups.flatMap(g => {
    const rs = ranges.filter(r => r.exposure === g.exposure);
    if (!rs.length) return [];
    const entries = rs.map(r => portEntry(r, target));
    const from = g.exposure === 'internal' ? (internal?.peers ?? [{podSelector: {matchLabels: {}, matchExpressions: []}}]).map(peerObject) : undefined;
    return [{rule: {...(from && {from}), ports: entries.map(e => e.entry)}, notes: entries.map(e => e.note), text: g.text}];
  });
  ingress.forEach((r, i) => {
    comments.push({path: ['spec', 'ingress', i], place: 'before', text: r.text});
    r.notes.forEach((n, j) => comments.push({path: ['spec', 'ingress', i, 'ports', j, 'port'], place: 'inline', text: n}));
  });
  comments.push(
    {path: ['metadata', 'namespace'], place: 'inline', text: target.namespaceFrom},
    {path: ['spec', 'podSelector'], place: 'before', text: target.podsFrom},
    {path: ['spec', 'policyTypes'], place: 'before', text: 'Ingress only: these pods accept no connection the rules below do not allow; their egress is not restricted.'}
  );
  if (!ingress.length) comments.push({path: ['spec', 'ingress'], place: 'before', text: `${spec.file} declares no public or internal port: all ingress is denied.`});
  const loopback = ranges.filter(r => r.exposure === 'loopback');
  const header = [
    `Generated by \`portgate policy\` from ${spec.file}: change ${spec.file} and regenerate rather than edit this file.`,
    `\`portgate check --manifests\` compares NetworkPolicies with ${spec.file}.`,
    ...(loopback.length ? [`Loopback ports get no rule, so they are closed: ${loopback.map(r => `${rangeText(r)} (${where(r.location)})`).join(', ')}.`] : []),
    ...(target.notes ?? [])
  ];
  const object: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {name: target.name, namespace: target.namespace},
    spec: {podSelector: selectorObject(target.podSelector), policyTypes: ['Ingress'], ingress: ingress.map(r => r.rule)}
  };
  return {object, header, comments};
};
