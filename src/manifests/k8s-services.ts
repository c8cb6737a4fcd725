import type {Finding, Protocol} from '../model.js';
import type {Container, Ingress, IngressBackend, K8sObjects, Service, ServicePort, Workload} from './k8s-model.js';
import {finding, sensitivity, unreachable, type ImageView, type ManifestContext} from './image-view.js';
import {podMeshes, sidecarPort, type PodMesh} from './k8s-mesh.js';

/** Where a Service port lands in one selected workload. */
type Target =
  | {kind: 'gated'; container: Container; port: number; protocol: Protocol}
  /** Served by a container that does not run the gated image: another gate's business. */
  | {kind: 'other'}
  | {kind: 'broken'; why: string; fix: string};

const P = (p: Protocol): string => p.toUpperCase();
const labelText = (m: Record<string, string>): string => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ');
const where = (c: Container, w: Workload): string => `container ${c.name} of ${w.kind} ${w.name}`;

export const selects = (svc: Service, w: Workload): boolean =>
  !!svc.selector && w.namespace === svc.namespace && Object.entries(svc.selector).every(([k, v]) => w.labels[k] === v);

/**
 * Kubernetes' own resolution: a number goes to that port of the pod; a name
 * to the container port with that name *and* the Service port's protocol.
 * A port no container lists that the pod's mesh sidecar serves (Istio's
 * 15020 metrics, 15021 health; a name its injector will add) is the
 * sidecar's: `meshes` are the pod's (k8s-mesh.ts).
 */
export const resolveTarget = (sp: ServicePort, w: Workload, gated: Container[], meshes: PodMesh[] = []): Target => {
  const serving = w.containers.filter(c => c.role !== 'init');
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') {
    const owners = serving.filter(c => c.ports.some(p => p.containerPort === target && p.protocol === sp.protocol));
    if (owners.length && !owners.some(c => gated.includes(c))) return {kind: 'other'};
    if (!owners.length && sidecarPort(meshes, gated, target, sp.protocol)) return {kind: 'other'};
    return {kind: 'gated', container: owners.find(c => gated.includes(c)) ?? gated[0]!, port: target, protocol: sp.protocol};
  }
  const named = serving.flatMap(c => c.ports.filter(p => p.name === target).map(p => ({c, p})));
  const hit = named.find(n => n.p.protocol === sp.protocol) ?? named[0];
  if (hit && !gated.includes(hit.c)) return {kind: 'other'};
  if (!hit && sidecarPort(meshes, gated, target, sp.protocol)) return {kind: 'other'};
  if (hit?.p.protocol === sp.protocol) return {kind: 'gated', container: hit.c, port: hit.p.containerPort, protocol: sp.protocol};
  if (hit) {
    return {
      kind: 'broken',
      why: `"${target}" is ${hit.p.containerPort}/${P(hit.p.protocol)} in ${where(hit.c, w)}, and Kubernetes matches a named targetPort by name and protocol, so no endpoint gets this ${P(sp.protocol)} port`,
      fix: `set \`protocol: ${P(hit.p.protocol)}\` on the Service port, or add a ${P(sp.protocol)} container port named "${target}"`
    };
  }
  const names = serving.flatMap(c => c.ports.flatMap(p => (p.name ? [`${p.name} (${p.containerPort}/${P(p.protocol)})`] : [])));
  return {
    kind: 'broken',
    why: `no container port of ${w.kind} ${w.name} is named "${target}" (named ports: ${names.join(', ') || 'none'})`,
    fix: `set targetPort to one of them, or add \`name: ${target}\` to the container port it should reach`
  };
};

/** "`targetPort: http` (8080/TCP)", the ports this container serves on that protocol. */
const suggest = (c: Container, protocol: Protocol, view: ImageView): string => {
  const own = c.ports.filter(p => p.protocol === protocol && view.get(p.containerPort, protocol)?.reachable);
  const alt = own.length
    ? own.map(p => `\`targetPort: ${p.name ?? p.containerPort}\`${p.name ? ` (${p.containerPort})` : ''}`)
    : view.facts.filter(f => f.protocol === protocol && f.reachable).map(f => `\`targetPort: ${f.port}\``);
  return alt.length ? ` (e.g. ${alt.join(' or ')})` : '';
};

const portLabel = (svc: Service, sp: ServicePort): string => `Service ${svc.name} port ${sp.name ? `"${sp.name}" ` : ''}${sp.port}/${P(sp.protocol)}`;

const checkPort = (svc: Service, sp: ServicePort, w: Workload, gated: Container[], view: ImageView, ctx: ManifestContext, meshes: PodMesh[]): Finding[] => {
  const out: Finding[] = [];
  const t = resolveTarget(sp, w, gated, meshes);
  const at = sp.targetPortAt ?? sp.at;
  if (t.kind === 'other') return out;
  if (t.kind === 'broken') return [finding('k8s-target-port-not-listening', `${portLabel(svc, sp)}: targetPort ${sp.targetPort}: ${t.why}: ${t.fix}.`, sp.port, sp.protocol, at)];
  const bad = unreachable(view, t.port, t.protocol);
  if (sp.targetPort === undefined) {
    const name = t.container.ports.find(p => p.containerPort === t.port && p.protocol === t.protocol)?.name;
    const write = bad ? 'write the container port it should reach as targetPort' : `write \`targetPort: ${name ?? t.port}\``;
    out.push(finding('k8s-target-port-omitted', `${portLabel(svc, sp)} has no targetPort, so it defaults to ${sp.port}: ${write} so the wiring is explicit.`, sp.port, sp.protocol, sp.at));
  }
  if (bad) {
    const head =
      sp.targetPort === undefined
        ? `${portLabel(svc, sp)} has no targetPort, so Kubernetes sends its traffic to port ${sp.port} of the pod, but in ${where(t.container, w)} ${bad.problem}`
        : `${portLabel(svc, sp)} → targetPort ${sp.targetPort}${typeof sp.targetPort === 'string' ? ` (${t.port})` : ''} in ${where(t.container, w)}: ${bad.problem}`;
    const cpOk = !!bad.otherProtocol && t.container.ports.some(p => p.containerPort === t.port && p.protocol === bad.otherProtocol);
    const fix = bad.otherProtocol
      ? `set \`protocol: ${P(bad.otherProtocol)}\` on the Service port${cpOk ? '' : ' and the container port'}`
      : bad.problem.includes('loopback')
        ? 'make the process bind 0.0.0.0 (or ::), or stop routing a Service to it'
        : `point targetPort at a port the container serves${suggest(t.container, t.protocol, view)}, or fix the service`;
    out.push(finding('k8s-target-port-not-listening', `${head}: ${fix}.${view.note}`, t.port, t.protocol, at));
  }
  const sens = (svc.type === 'LoadBalancer' || svc.type === 'NodePort') && sensitivity(ctx, t.port, t.protocol);
  if (sens) {
    const msg = `${portLabel(svc, sp)} is type ${svc.type}, so it exposes ${t.port}/${t.protocol} of ${where(t.container, w)} outside the cluster, but ${sens}: serve this port from a separate ClusterIP Service, or remove it from this one.`;
    out.push(finding('k8s-external-sensitive-port', msg, t.port, t.protocol, sp.at));
  }
  return out;
};

const closest = (svc: Service, ws: Workload[]): string => {
  const sel = Object.entries(svc.selector ?? {});
  const scored = ws.filter(w => w.namespace === svc.namespace).map(w => ({w, n: sel.filter(([k, v]) => w.labels[k] === v).length}));
  const best = scored.sort((a, b) => b.n - a.n)[0];
  if (!best?.n) return '';
  const missing = sel.filter(([k, v]) => best.w.labels[k] !== v).map(([k, v]) => `${k}=${v}`);
  return ` (closest: ${best.w.kind} ${best.w.name} lacks ${missing.join(', ')})`;
};

/**
 * Gated workloads a Service sends traffic to. Helm charts often give a CronJob
 * the same selector labels as the Deployment; its pods come and go, so when a
 * long-running workload is selected too, only that one is checked.
 */
const servingTargets = (selected: Workload[], gated: Map<Workload, Container[]>): Workload[] => {
  const ws = selected.filter(w => gated.has(w));
  const serving = ws.filter(w => !w.batch);
  return serving.length ? serving : ws;
};

/**
 * An Ingress backend naming a Service the manifests do not define: portgate
 * cannot follow it, so whatever it exposes goes unchecked. An Ingress routes
 * only to Services in its own namespace, so a same-named one elsewhere is named.
 */
const missingService = (objs: K8sObjects, ing: Ingress, b: IngressBackend): Finding => {
  const here = objs.services.filter(s => s.namespace === ing.namespace).map(s => s.name);
  const elsewhere = objs.services.filter(s => s.name === b.service).map(s => s.namespace);
  const hint = elsewhere.length
    ? `; a Service ${b.service} exists in namespace ${elsewhere.join(', ')}, but an Ingress routes only to Services in its own namespace`
    : ` (Services there: ${here.join(', ') || 'none'})`;
  const port = typeof b.port === 'string' ? `"${b.port}"` : b.port;
  const msg = `Ingress ${ing.name} routes to Service ${b.service} port ${port}, but no Service ${b.service} is in namespace ${ing.namespace} of the given manifests${hint}, so portgate cannot tell what it exposes: pass the manifests that define it, or fix the name.`;
  return finding('k8s-ingress-no-service', msg, undefined, undefined, b.serviceAt);
};

/** Service and Ingress wiring into the workloads that run the gated image. */
export const serviceFindings = (objs: K8sObjects, gated: Map<Workload, Container[]>, view: ImageView, ctx: ManifestContext): Finding[] => {
  const out: Finding[] = [];
  for (const svc of objs.services) {
    if (!svc.selector || svc.type === 'ExternalName') continue;
    const selected = objs.workloads.filter(w => selects(svc, w));
    if (!selected.length) {
      const msg = `Service ${svc.name} selects ${labelText(svc.selector)} but no pod template in namespace ${svc.namespace} has all these labels${closest(svc, objs.workloads)}: fix the selector or the workload's pod template labels.`;
      out.push(finding('k8s-service-no-workload', msg, undefined, undefined, svc.selectorAt ?? svc.at));
    }
    for (const w of servingTargets(selected, gated)) {
      const meshes = podMeshes(w, objs);
      for (const sp of svc.ports) {
        out.push(...checkPort(svc, sp, w, gated.get(w)!, view, ctx, meshes));
      }
    }
  }
  for (const ing of objs.ingresses) {
    for (const b of ing.backends) {
      const svc = objs.services.find(s => s.name === b.service && s.namespace === ing.namespace);
      if (!svc) {
        out.push(missingService(objs, ing, b));
        continue;
      }
      const sp = svc.ports.find(p => (typeof b.port === 'number' ? p.port === b.port : p.name === b.port));
      if (!sp) continue;
      for (const w of servingTargets(objs.workloads.filter(x => selects(svc, x)), gated)) {
        const t = resolveTarget(sp, w, gated.get(w)!, podMeshes(w, objs));
        const sens = t.kind === 'gated' && sensitivity(ctx, t.port, t.protocol);
        if (t.kind !== 'gated' || !sens) continue;
        const msg = `Ingress ${ing.name} routes to Service ${svc.name} port ${b.port}, which reaches ${t.port}/${t.protocol} of ${where(t.container, w)} from outside the cluster, but ${sens}: point this backend at another Service port, or remove it.`;
        out.push(finding('k8s-external-sensitive-port', msg, t.port, t.protocol, b.at));
      }
    }
  }
  return out;
};
