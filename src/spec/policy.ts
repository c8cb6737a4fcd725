import {parse} from 'yaml';
import {InputError} from '../errors.js';
import type {SourceLocation} from '../model.js';
import type {LabelSelector, NetworkPolicyPeer} from '../manifests/k8s-model.js';
import {labelKeyIssue, labelValueIssue} from '../policy/labels.js';
import {pathLabel, type Issue, type Path, type SourcePositions} from './positions.js';
import {schemaIssues} from './validate.js';

/** The spec's `policy:` section: how `portgate policy` writes the NetworkPolicy. */
export interface SpecPolicy {
  /** Who may reach internal ports; undefined = the pods of the service's own namespace. */
  internalFrom?: NetworkPolicyPeer[];
  /** The `internalFrom:` key, for comments in the generated policy. */
  internalFromAt?: SourceLocation;
}

/** The shapes the schema guarantees once it has passed. */
interface RawSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {key: string; operator: LabelSelector['matchExpressions'][number]['operator']; values?: string[]}[];
}
interface RawPeer {
  podSelector?: RawSelector;
  namespaceSelector?: RawSelector;
}
export interface RawPolicy {
  internalFrom?: RawPeer[];
}

const toSelector = (raw: RawSelector): LabelSelector => ({
  matchLabels: {...raw.matchLabels},
  matchExpressions: (raw.matchExpressions ?? []).map(e => ({key: e.key, operator: e.operator, values: e.values ?? []}))
});

/** What the schema cannot say: label syntax, and which operators take values. */
const peerIssues = (peer: RawPeer, path: Path): Issue[] =>
  (['podSelector', 'namespaceSelector'] as const).flatMap(field => {
    const s = peer[field];
    if (!s) return [];
    const at = [...path, field];
    const labels = Object.entries(s.matchLabels ?? {}).flatMap(([k, v]): Issue[] => {
      const key = labelKeyIssue(k);
      const value = labelValueIssue(k, v);
      return [...(key ? [{path: [...at, 'matchLabels', k], at: 'key' as const, message: `${key}.`}] : []), ...(value ? [{path: [...at, 'matchLabels', k], message: `${value}.`}] : [])];
    });
    const exprs = (s.matchExpressions ?? []).flatMap((e, i): Issue[] => {
      const here = [...at, 'matchExpressions', i];
      const needs = e.operator === 'In' || e.operator === 'NotIn';
      const problems = [labelKeyIssue(e.key), ...(e.values ?? []).map(v => labelValueIssue(e.key, v))].filter((m): m is string => !!m).map(m => ({path: here, message: `${m}.`}));
      if (needs && !e.values?.length) problems.push({path: here, message: `${pathLabel(here)}: operator ${e.operator} needs a non-empty \`values\` list.`});
      if (!needs && e.values?.length) problems.push({path: [...here, 'values'], message: `${pathLabel(here)}: operator ${e.operator} takes no \`values\`: remove them.`});
      return problems;
    });
    return [...labels, ...exprs];
  });

/** `policy:` of a spec the schema accepted; problems go to `issues`. */
export const buildPolicy = (raw: RawPolicy, positions: SourcePositions, issues: Issue[]): SpecPolicy => {
  if (!raw.internalFrom) return {};
  raw.internalFrom.forEach((p, i) => issues.push(...peerIssues(p, ['policy', 'internalFrom', i])));
  return {internalFrom: raw.internalFrom.map(p => ({...(p.podSelector && {podSelector: toSelector(p.podSelector)}), ...(p.namespaceSelector && {namespaceSelector: toSelector(p.namespaceSelector)})})), internalFromAt: positions.locate(['policy', 'internalFrom'], 'key').location};
};

/**
 * `--internal-from`: one peer as a YAML flow mapping, written like an entry
 * of the spec's `policy.internalFrom` and checked by the same schema, e.g.
 * `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}`.
 */
export const parsePeerFlag = (text: string): NetworkPolicyPeer => {
  const example = 'e.g. --internal-from \'{podSelector: {matchLabels: {app: gateway}}}\'';
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new InputError(`--internal-from "${text}" is not YAML: ${(e as Error).message.split('\n')[0]}. Write one peer as a flow mapping, ${example}.`);
  }
  const path: Path = ['policy', 'internalFrom', 0];
  const issues = schemaIssues({version: 1, ports: [], policy: {internalFrom: [data]}});
  const problems = issues.length ? issues : peerIssues(data as RawPeer, path);
  const [first] = problems;
  if (first) throw new InputError(`--internal-from "${text}": ${first.message.replace('policy.internalFrom[0]', 'the peer')} Write one peer as a flow mapping, ${example}.`);
  const peer = data as RawPeer;
  return {...(peer.podSelector && {podSelector: toSelector(peer.podSelector)}), ...(peer.namespaceSelector && {namespaceSelector: toSelector(peer.namespaceSelector)})};
};
