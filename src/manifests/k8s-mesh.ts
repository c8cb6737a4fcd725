import type {Protocol, SourceLocation} from '../model.js';
import {MESH_PORTS, meshPort, type Mesh, type MeshPort} from '../compare/mesh.js';
import {parseImageRef} from './image-match.js';
import type {Container, K8sObjects, Workload} from './k8s-model.js';

/**
 * Which service mesh runs beside the containers of a pod, as the manifests
 * show it: Istio's injected `istio-proxy` container, the injection the pod
 * template or its Namespace asks for, or a Consul agent container. Ports the
 * mesh serves in the pod (compare/mesh.ts) are then the sidecar's, not the
 * gated image's. Pure.
 */
export interface PodMesh {
  mesh: Mesh;
  /** Why portgate thinks so, with the line: `container istio-proxy (k8s.yaml:40)`. */
  why: string;
  at: SourceLocation;
  /** The mesh's container, when the manifests already have it (rendered by `istioctl kube-inject` or the injector). */
  container?: Container;
}

const place = (l: SourceLocation): string => `${l.file}:${l.line}`;

const INJECT = 'sidecar.istio.io/inject';

/** Istio's sidecar in this pod: injected already, or asked for by the pod template (annotation or label) or by its Namespace. */
const istio = (w: Workload, objs: K8sObjects): PodMesh | undefined => {
  const proxy = w.containers.find(c => c.name === 'istio-proxy' && c.role !== 'init');
  if (proxy) return {mesh: 'istio', why: `container istio-proxy (${place(proxy.at)})`, at: proxy.at, container: proxy};
  const annotation = w.annotations[INJECT];
  const label = w.labels[INJECT];
  const pod = annotation ?? (label !== undefined ? {value: label, at: w.labelsAt[INJECT]!} : undefined);
  // The pod's own word wins over its Namespace's, as in Istio's injection webhook.
  if (pod) return pod.value === 'true' ? {mesh: 'istio', why: `${INJECT}: "true" (${place(pod.at)})`, at: pod.at} : undefined;
  const ns = objs.namespaces.find(n => n.name === w.namespace);
  const injection = ns?.labels['istio-injection'];
  if (injection) return injection.value === 'enabled' ? {mesh: 'istio', why: `namespace ${ns!.name} has istio-injection=enabled (${place(injection.at)})`, at: injection.at} : undefined;
  const rev = ns?.labels['istio.io/rev'];
  if (rev) return {mesh: 'istio', why: `namespace ${ns!.name} has istio.io/rev=${rev.value} (${place(rev.at)})`, at: rev.at};
  return undefined;
};

/** A Consul agent container in the pod: named `consul`, or running a `…/consul` image. */
const consul = (w: Workload): PodMesh | undefined => {
  const agent = w.containers.find(c => c.role !== 'init' && (c.name === 'consul' || parseImageRef(c.image).name.endsWith('/consul')));
  return agent && {mesh: 'consul', why: `container ${agent.name} (${place(agent.at)})`, at: agent.at, container: agent};
};

export const podMeshes = (w: Workload, objs: K8sObjects): PodMesh[] => [istio(w, objs), consul(w)].filter((m): m is PodMesh => !!m);

/**
 * The mesh port of this pod that the mesh's sidecar serves on the pod's
 * address, when the mesh is not the gated image itself (`gated` are the
 * containers that run it): a Service targetPort, a probe or a NetworkPolicy
 * port there belongs to the sidecar. By number, or (not injected yet) by the
 * name Istio's injector gives it.
 */
export const sidecarPort = (meshes: PodMesh[], gated: Container[], port: number | string, protocol: Protocol): {mesh: PodMesh; entry: MeshPort} | undefined => {
  for (const mesh of meshes) {
    if (mesh.container && gated.includes(mesh.container)) continue;
    const entry = typeof port === 'number' ? meshPort(mesh.mesh, port, protocol) : MESH_PORTS.find(m => m.mesh === mesh.mesh && m.portName === port && (m.protocol ?? protocol) === protocol);
    if (entry?.reach === 'pod') return {mesh, entry};
  }
  return undefined;
};

/** The ports a pod's mesh serves on the pod's address (what a NetworkPolicy may open for it), except where the mesh is one of `gated`. */
export const sidecarPorts = (meshes: PodMesh[], gated: Container[]): {port: number; protocol: Protocol}[] =>
  meshes
    .filter(m => !(m.container && gated.includes(m.container)))
    .flatMap(m => MESH_PORTS.filter(p => p.mesh === m.mesh && p.reach === 'pod').flatMap(p => (p.protocol ? [p.protocol] : (['tcp', 'udp'] as const)).map(protocol => ({port: p.port, protocol}))));

/** One probe of ISTIO_KUBE_APP_PROBERS: the application's own probe, which the sidecar runs for the kubelet. */
export interface AppProber {
  /** `/app-health/web/readyz`. */
  path: string;
  /** The application container it checks. */
  container: string;
  /** `readinessProbe`, from the path's last part (livez, readyz, startupz). */
  kind: string;
  handler: 'httpGet' | 'tcpSocket' | 'grpc';
  port: number | string;
  /** The ISTIO_KUBE_APP_PROBERS value. */
  at: SourceLocation;
}

const KINDS: Record<string, string> = {livez: 'livenessProbe', readyz: 'readinessProbe', startupz: 'startupProbe'};

/**
 * The application probes Istio rewrote to its agent's port 15020
 * (`/app-health/<container>/<livez|readyz|startupz>`), as the istio-proxy
 * container's ISTIO_KUBE_APP_PROBERS keeps them. A value that is not this
 * JSON gives none: portgate does not guess.
 */
export const appProbers = (mesh: PodMesh): AppProber[] => {
  const env = mesh.container?.run.env.find(e => e.name === 'ISTIO_KUBE_APP_PROBERS');
  if (!env) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.value);
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== 'object') return [];
  return Object.entries(parsed as Record<string, unknown>).flatMap(([path, probe]) => {
    const m = /^\/app-health\/([^/]+)\/(livez|readyz|startupz)$/.exec(path);
    if (!m || !probe || typeof probe !== 'object') return [];
    for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const h = (probe as Record<string, unknown>)[handler] as {port?: unknown} | undefined;
      const port = h?.port;
      if (typeof port === 'number' || (typeof port === 'string' && port !== '')) return [{path, container: m[1]!, kind: KINDS[m[2]!]!, handler, port, at: env.at}];
    }
    return [];
  });
};
