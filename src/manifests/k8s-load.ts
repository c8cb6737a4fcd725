import type {YAMLMap} from 'yaml';
import {InputError} from '../errors.js';
import type {SourceLocation} from '../model.js';
import {checkRendered} from './helm.js';
import type {Ingress, IngressBackend, K8sMeta, K8sObjects, Service} from './k8s-model.js';
import {readWorkload} from './k8s-pod.js';
import {readNetworkPolicy} from './k8s-netpol.js';
import {asMap, fail, locatedStringMap, optMap, optPort, optPortOrName, optSeq, optStr, parseDocs, protocolField, stringMap, type Y} from './yaml-read.js';

export interface ManifestSource {
  file: string;
  text: string;
}

/** `generateName` objects have no name yet: they cannot clash. */
const UNNAMED = '(unnamed)';

const readMeta = (y: Y, obj: YAMLMap): K8sMeta => {
  const kind = optStr(y, obj, 'kind') ?? fail(y, obj, 'not a Kubernetes object: no `kind` (is this a values file rather than rendered manifests?)');
  const metadata = optMap(y, obj, 'metadata')?.value;
  const name = metadata && optStr(y, metadata, 'name');
  return {
    kind: kind.value,
    name: name?.value ?? UNNAMED,
    namespace: (metadata && optStr(y, metadata, 'namespace')?.value) || 'default',
    at: name?.at ?? kind.at
  };
};

const readService = (y: Y, obj: YAMLMap, meta: K8sMeta): Service => {
  const spec = optMap(y, obj, 'spec')?.value ?? fail(y, obj, `Service ${meta.name} has no \`spec\``);
  const selector = optMap(y, spec, 'selector');
  const ports = (optSeq(y, spec, 'ports')?.value ?? []).map(node => {
    const p = asMap(y, node, 'a Service port');
    const port = optPort(y, p, 'port') ?? fail(y, p, 'a Service port needs `port`');
    const target = optPortOrName(y, p, 'targetPort');
    const name = optStr(y, p, 'name')?.value;
    const nodePort = optPort(y, p, 'nodePort')?.value;
    return {
      port: port.value,
      protocol: protocolField(y, p),
      at: port.at,
      ...(name !== undefined && {name}),
      ...(target && {targetPort: target.value, targetPortAt: target.at}),
      ...(nodePort !== undefined && {nodePort})
    };
  });
  const sel = selector && stringMap(y, selector.value);
  return {
    ...meta,
    type: optStr(y, spec, 'type')?.value ?? 'ClusterIP',
    ...(sel && Object.keys(sel).length && {selector: sel, selectorAt: selector.at}),
    ports
  };
};

/** networking.k8s.io/v1 `service: {name, port: {number|name}}`, or v1beta1 `serviceName`/`servicePort`. */
const readBackend = (y: Y, backend: YAMLMap): IngressBackend[] => {
  const svc = optMap(y, backend, 'service')?.value;
  if (svc) {
    const name = optStr(y, svc, 'name') ?? fail(y, svc, 'an Ingress backend service needs `name`');
    const portMap = optMap(y, svc, 'port')?.value ?? fail(y, svc, 'an Ingress backend service needs `port`');
    const port = optPort(y, portMap, 'number') ?? optStr(y, portMap, 'name') ?? fail(y, portMap, 'an Ingress backend port needs `number` or `name`');
    return [{service: name.value, port: port.value, at: port.at, serviceAt: name.at}];
  }
  const legacy = optStr(y, backend, 'serviceName');
  const port = optPortOrName(y, backend, 'servicePort');
  return legacy && port ? [{service: legacy.value, port: port.value, at: port.at, serviceAt: legacy.at}] : [];
};

const readIngress = (y: Y, obj: YAMLMap, meta: K8sMeta): Ingress => {
  const spec = optMap(y, obj, 'spec')?.value;
  const backends: IngressBackend[] = [];
  if (!spec) return {...meta, backends};
  const def = optMap(y, spec, 'defaultBackend') ?? optMap(y, spec, 'backend');
  if (def) backends.push(...readBackend(y, def.value));
  for (const rule of optSeq(y, spec, 'rules')?.value ?? []) {
    const http = optMap(y, asMap(y, rule, 'an Ingress rule'), 'http')?.value;
    for (const path of (http && optSeq(y, http, 'paths')?.value) ?? []) {
      const backend = optMap(y, asMap(y, path, 'an Ingress path'), 'backend')?.value;
      if (backend) backends.push(...readBackend(y, backend));
    }
  }
  return {...meta, backends};
};

/** Where each kind/namespace/name was first defined, across every file and document. */
type Seen = Map<string, SourceLocation>;

const where = (l: SourceLocation): string => `${l.file}:${l.line}`;

/**
 * Two objects of one kind, namespace and name: `kubectl apply` keeps the last
 * silently, so which one deploys the image would be a guess. Often a file
 * passed twice, or a chart rendered into the folder twice.
 */
const checkUnique = (meta: K8sMeta, seen: Seen): void => {
  if (meta.name === UNNAMED) return;
  const key = `${meta.kind}\0${meta.namespace}\0${meta.name}`;
  const first = seen.get(key);
  if (first) {
    const message = `${meta.kind} ${meta.namespace}/${meta.name} is defined twice, here and at ${where(first)}: kubectl would apply only the last one, so portgate cannot tell which is deployed. Remove one of them (was a file passed twice?)`;
    throw new InputError(message, meta.at.file, meta.at.line, meta.at.column);
  }
  seen.set(key, meta.at);
};

const readObject = (y: Y, obj: YAMLMap, into: K8sObjects, seen: Seen): void => {
  const meta = readMeta(y, obj);
  const items = meta.kind.endsWith('List') ? optSeq(y, obj, 'items') : undefined;
  if (items) {
    for (const item of items.value) readObject(y, asMap(y, item, `an item of ${meta.kind}`), into, seen);
    return;
  }
  checkUnique(meta, seen);
  if (meta.kind === 'Service') into.services.push(readService(y, obj, meta));
  else if (meta.kind === 'Ingress') into.ingresses.push(readIngress(y, obj, meta));
  else if (meta.kind === 'NetworkPolicy') into.networkPolicies.push(readNetworkPolicy(y, obj, meta));
  else if (meta.kind === 'Namespace') {
    const metadata = optMap(y, obj, 'metadata')?.value;
    into.namespaces.push({...meta, labels: locatedStringMap(y, metadata && optMap(y, metadata, 'labels')?.value)});
  }
  else {
    const w = readWorkload(y, obj, meta);
    if (w) into.workloads.push(w);
  }
};

/**
 * Parses rendered manifests (`helm template`, `kustomize build`, `kubectl get
 * -o yaml`): several `---` documents per file, `List` objects, comments and
 * empty documents. Kinds that do not route traffic are skipped. YAML 1.1, as
 * kubectl reads it (`hostNetwork: yes` is true).
 */
export function loadKubernetes(sources: ManifestSource[]): K8sObjects {
  const into: K8sObjects = {workloads: [], services: [], ingresses: [], networkPolicies: [], namespaces: []};
  const seen: Seen = new Map();
  for (const src of sources) {
    checkRendered(src);
    for (const {y, root} of parseDocs(src.file, src.text, '1.1')) if (root) readObject(y, root, into, seen);
  }
  return into;
}
