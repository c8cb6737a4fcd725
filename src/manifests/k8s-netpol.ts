import {isScalar, type YAMLMap} from 'yaml';
import {parseCidr} from '../policy/cidr.js';
import type {K8sMeta, LabelSelector, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort} from './k8s-model.js';
import {asMap, entry, fail, locate, optMap, optPort, optPortOrName, optSeq, optStr, protocolField, stringMap, type Y} from './yaml-read.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

const strings = (y: Y, map: YAMLMap, key: string): string[] =>
  (optSeq(y, map, key)?.value ?? []).map(n => (isScalar(n) && typeof n.value !== 'object' ? String(n.value) : fail(y, n, `\`${key}\` must list strings`)));

/** `matchLabels` + `matchExpressions`, with the API server's own rules for operators and values. */
export const readLabelSelector = (y: Y, map: YAMLMap, at = locate(y, map)): LabelSelector => {
  const matchExpressions = (optSeq(y, map, 'matchExpressions')?.value ?? []).map(node => {
    const e = asMap(y, node, 'a matchExpressions entry');
    const key = optStr(y, e, 'key') ?? fail(y, e, 'a matchExpressions entry needs `key`');
    const op = optStr(y, e, 'operator') ?? fail(y, e, 'a matchExpressions entry needs `operator`');
    const operator = OPERATORS.find(o => o === op.value) ?? fail(y, entry(y, e, 'operator')!.value, `\`operator\` must be In, NotIn, Exists or DoesNotExist, not "${op.value}"`);
    const values = strings(y, e, 'values');
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && !values.length) fail(y, e, `operator ${operator} needs a non-empty \`values\` list`);
    if (!needsValues && values.length) fail(y, entry(y, e, 'values')!.value, `operator ${operator} takes no \`values\``);
    return {key: key.value, operator, values};
  });
  return {matchLabels: stringMap(y, optMap(y, map, 'matchLabels')?.value), matchExpressions, at};
};

const readPort = (y: Y, node: YAMLMap): NetworkPolicyPort => {
  const port = optPortOrName(y, node, 'port');
  const end = optPort(y, node, 'endPort');
  if (end && port === undefined) fail(y, entry(y, node, 'endPort')!.value, '`endPort` needs a numeric `port` where the range starts');
  if (end && typeof port?.value === 'string') fail(y, entry(y, node, 'endPort')!.value, '`endPort` cannot follow a named port: write the first port of the range as a number');
  if (end && typeof port?.value === 'number' && end.value < port.value) fail(y, entry(y, node, 'endPort')!.value, `\`endPort\` ${end.value} is below \`port\` ${port.value}`);
  return {
    protocol: protocolField(y, node),
    ...(port && {port: port.value}),
    ...(end && {endPort: end.value}),
    at: port?.at ?? locate(y, node)
  };
};

const readPeer = (y: Y, node: YAMLMap): NetworkPolicyPeer => {
  const pod = optMap(y, node, 'podSelector');
  const ns = optMap(y, node, 'namespaceSelector');
  const block = optMap(y, node, 'ipBlock')?.value;
  if (block && (pod || ns)) fail(y, node, 'a `from` entry with `ipBlock` cannot also have `podSelector` or `namespaceSelector`');
  if (!block && !pod && !ns) fail(y, node, 'a `from` entry needs `podSelector`, `namespaceSelector` or `ipBlock`');
  if (block) {
    const cidr = optStr(y, block, 'cidr') ?? fail(y, block, '`ipBlock` needs `cidr`');
    const except = strings(y, block, 'except');
    for (const c of [cidr.value, ...except]) if (!parseCidr(c)) fail(y, block, `"${c}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
    return {ipBlock: {cidr: cidr.value, except}};
  }
  return {...(pod && {podSelector: readLabelSelector(y, pod.value, pod.at)}), ...(ns && {namespaceSelector: readLabelSelector(y, ns.value, ns.at)})};
};

const readRule = (y: Y, node: YAMLMap): NetworkPolicyIngressRule => {
  const ports = optSeq(y, node, 'ports')?.value.map(p => readPort(y, asMap(y, p, 'a NetworkPolicy port')));
  const from = optSeq(y, node, 'from')?.value.map(p => readPeer(y, asMap(y, p, 'a `from` entry')));
  return {...(ports && {ports}), ...(from && {from}), at: locate(y, node)};
};

/**
 * networking.k8s.io/v1 NetworkPolicy: the pods it selects, its policy types
 * as written, and its ingress rules. Egress rules are only noted: portgate
 * checks what may reach the image, not what it may reach.
 */
export const readNetworkPolicy = (y: Y, obj: YAMLMap, meta: K8sMeta): NetworkPolicy => {
  const spec = optMap(y, obj, 'spec')?.value ?? fail(y, obj, `NetworkPolicy ${meta.name} has no \`spec\``);
  const sel = optMap(y, spec, 'podSelector');
  const types = optSeq(y, spec, 'policyTypes')?.value.map(n =>
    isScalar(n) && (n.value === 'Ingress' || n.value === 'Egress') ? n.value : fail(y, n, '`policyTypes` entries must be Ingress or Egress')
  );
  const ingress = (optSeq(y, spec, 'ingress')?.value ?? []).map(n => readRule(y, asMap(y, n, 'an ingress rule')));
  return {
    ...meta,
    // An absent podSelector is read as the empty one, which selects every pod of the namespace.
    podSelector: sel ? readLabelSelector(y, sel.value, sel.at) : {matchLabels: {}, matchExpressions: [], at: meta.at},
    ...(types && {policyTypes: types}),
    ingress,
    hasEgress: !!optSeq(y, spec, 'egress')?.value.length
  };
};
