import {InputError} from '../errors.js';
import type {K8sObjects, LabelSelector, Workload} from '../manifests/k8s-model.js';
import {gatedContainers} from '../manifests/k8s-check.js';
import type {SourceLocation} from '../model.js';
import type {PolicyTarget} from './generate.js';
import {objectNameIssue} from './labels.js';

/** What says which pods the policy is for: the manifests' workload, flags, or both (flags win). */
export interface TargetOptions {
  image?: string;
  containerName?: string;
  podSelector?: Record<string, string>;
  namespace?: string;
  name?: string;
}

const where = (l: SourceLocation): string => `${l.file}:${l.line}`;
const labelText = (m: Record<string, string>): string => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',');
const selector = (m: Record<string, string>): LabelSelector => ({matchLabels: m, matchExpressions: []});
const isEmpty = (s: LabelSelector): boolean => !Object.keys(s.matchLabels).length && !s.matchExpressions.length;

const checkedName = (name: string, from: string): string => {
  const issue = objectNameIssue(name);
  if (issue) throw new InputError(`the policy name ${issue} (${from}): pass --name NAME.`);
  return name;
};

/** A workload's pods: its own spec.selector where it has one (stable across releases), else its pod template labels. */
const fromWorkload = (w: Workload, ports: PolicyTarget['containerPorts'], o: TargetOptions): PolicyTarget => {
  const own = w.selector ?? {...selector(w.labels), at: w.at};
  if (!o.podSelector && isEmpty(own)) {
    throw new InputError(`${w.kind} ${w.name} has no pod labels, so no NetworkPolicy can select only its pods: add labels to its pod template, or pass --pod-selector KEY=VALUE.`, w.at.file, w.at.line, w.at.column);
  }
  const podsFrom = o.podSelector
    ? `the pods --pod-selector ${labelText(o.podSelector)} selects`
    : `the pods of ${w.kind} ${w.name}: its ${w.selector ? 'spec.selector' : 'pod template labels'} (${where(own.at ?? w.at)})`;
  return {
    name: checkedName(o.name ?? `${w.name}-ingress`, o.name ? '--name' : `derived from ${w.kind} ${w.name}`),
    namespace: o.namespace ?? w.namespace,
    podSelector: o.podSelector ? selector(o.podSelector) : own,
    containerPorts: ports,
    podsFrom,
    namespaceFrom: o.namespace ? '--namespace' : `namespace of ${w.kind} ${w.name} (${where(w.at)})`,
    ...(w.hostNetwork && {notes: [`WARNING: ${w.kind} ${w.name} sets hostNetwork: true (${where(w.hostNetwork)}), and NetworkPolicies do not apply to pods on the host network.`]})
  };
};

/**
 * The pods to write a policy for. With manifests: every long-running
 * workload whose containers run the image (as `check` matches it; a Job or
 * CronJob only when nothing else runs it), one policy each. Without: the
 * pods --pod-selector and --namespace name. Throws InputError saying what is
 * missing.
 */
export const policyTargets = (objs: K8sObjects | undefined, o: TargetOptions): PolicyTarget[] => {
  if (!objs) {
    const missing = [...(o.podSelector ? [] : ['--pod-selector KEY=VALUE']), ...(o.namespace ? [] : ['--namespace NAME'])];
    if (missing.length) {
      throw new InputError(`portgate policy needs to know which pods the policy is for: pass --manifests with the workload that runs the image (and --image REF), or ${missing.join(' and ')}.`);
    }
    const first = Object.entries(o.podSelector!)[0]!;
    return [
      {
        name: checkedName(o.name ?? `${first[1]}-ingress`, o.name ? '--name' : 'derived from --pod-selector'),
        namespace: o.namespace!,
        podSelector: selector(o.podSelector!),
        containerPorts: [],
        podsFrom: `the pods --pod-selector ${labelText(o.podSelector!)} selects`,
        namespaceFrom: '--namespace'
      }
    ];
  }
  if (o.image === undefined && o.containerName === undefined) {
    throw new InputError('--manifests: say which container runs the image the policy is for: pass --image REF (or --container NAME).');
  }
  const gated = [...gatedContainers(objs, {image: o.image ?? '', ...(o.containerName !== undefined && {containerName: o.containerName}), listeners: [], declared: [], exposed: [], isRisky: () => undefined})];
  const serving = gated.filter(([w]) => !w.batch);
  const targets = (serving.length ? serving : gated).map(([w, cs]) => fromWorkload(w, cs.flatMap(c => c.ports), o));
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.namespace}/${t.name}`;
    if (seen.has(key)) throw new InputError(`two workloads that run the image would get the same policy ${key}: pick one with --container NAME, or drop --name / --namespace.`);
    seen.add(key);
  }
  return targets;
};
