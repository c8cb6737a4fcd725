import type {YAMLMap} from 'yaml';
import type {Container, ContainerPort, ContainerRole, K8sMeta, LabelSelector, Probe, Workload} from './k8s-model.js';
import {asMap, fail, locate, locatedStringMap, optBool, optMap, optPort, optPortOrName, optSeq, optStr, protocolField, stringMap, type Y} from './yaml-read.js';
import {readRun, readVolumes} from './k8s-run.js';
import {readLabelSelector} from './k8s-netpol.js';

/** Where each workload kind keeps its pod template (`[]` = the object is the pod). */
export const TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template']
};

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

const readPorts = (y: Y, c: YAMLMap): ContainerPort[] =>
  (optSeq(y, c, 'ports')?.value ?? []).map(node => {
    const p = asMap(y, node, 'a container port');
    const cp = optPort(y, p, 'containerPort') ?? fail(y, p, 'a container port needs `containerPort`');
    const name = optStr(y, p, 'name')?.value;
    const host = optPort(y, p, 'hostPort');
    return {
      containerPort: cp.value,
      protocol: protocolField(y, p),
      ...(name !== undefined && {name}),
      ...(host && {hostPort: host.value, hostPortAt: host.at}),
      at: cp.at
    };
  });

/** Probe handlers that connect to the pod's own IP (a `host:` sends them elsewhere). */
const readProbes = (y: Y, c: YAMLMap): Probe[] =>
  PROBES.flatMap(kind => {
    const probe = optMap(y, c, kind)?.value;
    if (!probe) return [];
    return (['httpGet', 'tcpSocket', 'grpc'] as const).flatMap(handler => {
      const h = optMap(y, probe, handler)?.value;
      if (!h || optStr(y, h, 'host')) return [];
      const port = handler === 'grpc' ? optPort(y, h, 'port') : optPortOrName(y, h, 'port');
      return port ? [{label: `${kind}.${handler}`, port: port.value, at: port.at}] : [];
    });
  });

const readContainers = (y: Y, spec: YAMLMap, key: 'containers' | 'initContainers'): Container[] => {
  const volumes = readVolumes(y, spec);
  return (optSeq(y, spec, key)?.value ?? []).map((node, i) => {
    const c = asMap(y, node, `${key}[${i}]`);
    const name = optStr(y, c, 'name');
    const always = optStr(y, c, 'restartPolicy')?.value === 'Always';
    const role: ContainerRole = key === 'containers' ? 'main' : always ? 'sidecar' : 'init';
    const portsAt = optSeq(y, c, 'ports')?.at;
    return {
      name: name?.value ?? `${key}[${i}]`,
      image: optStr(y, c, 'image')?.value ?? '',
      role,
      ports: readPorts(y, c),
      probes: readProbes(y, c),
      run: readRun(y, c, spec, volumes),
      at: name?.at ?? locate(y, c),
      ...(portsAt && {portsAt})
    };
  });
};

/** `spec.selector`: a LabelSelector, or a plain label map for a ReplicationController; Pods and CronJobs have none. */
const readSelector = (y: Y, obj: YAMLMap, kind: string): LabelSelector | undefined => {
  const spec = TEMPLATE_PATHS[kind]!.length ? optMap(y, obj, 'spec')?.value : undefined;
  const sel = spec && kind !== 'CronJob' ? optMap(y, spec, 'selector') : undefined;
  if (!sel) return undefined;
  return kind === 'ReplicationController' ? {matchLabels: stringMap(y, sel.value), matchExpressions: [], at: sel.at} : readLabelSelector(y, sel.value, sel.at);
};

/** Reads the pod template of a workload object; undefined when the kind has none. */
export const readWorkload = (y: Y, obj: YAMLMap, meta: K8sMeta): Workload | undefined => {
  const path = TEMPLATE_PATHS[meta.kind];
  if (!path) return undefined;
  let template: YAMLMap = obj;
  for (const key of path) {
    const next = optMap(y, template, key)?.value;
    if (!next) return fail(y, template, `${meta.kind} ${meta.name} has no \`${path.join('.')}\``);
    template = next;
  }
  const metadata = optMap(y, template, 'metadata')?.value;
  const labelMap = metadata && optMap(y, metadata, 'labels')?.value;
  const labels = stringMap(y, labelMap);
  const labelsAt = Object.fromEntries(Object.entries(locatedStringMap(y, labelMap)).map(([k, v]) => [k, v.at]));
  const annotations = locatedStringMap(y, metadata && optMap(y, metadata, 'annotations')?.value);
  const spec = optMap(y, template, 'spec')?.value;
  if (!spec) return fail(y, template, `${meta.kind} ${meta.name} has no pod \`spec\``);
  const hostNetwork = optBool(y, spec, 'hostNetwork');
  const selector = readSelector(y, obj, meta.kind);
  return {
    ...meta,
    labels,
    labelsAt,
    annotations,
    ...(selector && {selector}),
    ...(hostNetwork?.value && {hostNetwork: hostNetwork.at}),
    containers: [...readContainers(y, spec, 'initContainers'), ...readContainers(y, spec, 'containers')],
    batch: meta.kind === 'Job' || meta.kind === 'CronJob'
  };
};
