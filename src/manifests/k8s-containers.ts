import type {Finding, Protocol} from '../model.js';
import {meshPortOf} from '../compare/mesh.js';
import type {Container, K8sObjects, Workload} from './k8s-model.js';
import {appProbers, podMeshes, sidecarPort, type AppProber} from './k8s-mesh.js';
import {finding, sensitivity, unreachable, type ImageView, type ManifestContext} from './image-view.js';

const where = (c: Container, w: Workload): string => `container ${c.name} of ${w.kind} ${w.name}`;

/** "8080/tcp, 5005/tcp (JDWP)": what host networking puts on the node. */
const onNode = (view: ImageView, ctx: ManifestContext): string =>
  view.facts.map(f => `${f.port}/${f.protocol}${sensitivity(ctx, f.port, f.protocol) ? ` (${ctx.isRisky(f.port, f.protocol)?.name ?? 'not public in portgate.yml'})` : ''}`).join(', ') ||
  'none';

/** Every listener of the port is owned by a service mesh's executable, on a port that mesh reserves. */
const meshOwned = (ctx: ManifestContext, port: number, protocol: Protocol): boolean => {
  const ls = (ctx.listeners ?? []).filter(l => l.port === port && l.protocol === protocol);
  return ls.length > 0 && ls.every(l => l.process) && !!meshPortOf(port, protocol, ls.map(l => l.process!.name));
};

/** An application probe Istio's sidecar runs for the kubelet (ISTIO_KUBE_APP_PROBERS), checked against the image as the probe itself would be. */
const appProberFindings = (p: AppProber, c: Container, w: Workload, view: ImageView): Finding[] => {
  const head = `${where(c, w)}: its ${p.kind}.${p.handler}, which the Istio sidecar runs for the kubelet (ISTIO_KUBE_APP_PROBERS, ${p.path}),`;
  const named = typeof p.port === 'string' ? c.ports.find(x => x.name === p.port) : undefined;
  if (typeof p.port === 'string' && !named) {
    return [finding('k8s-probe-port-not-listening', `${head} names port "${p.port}", which no port of this container has, so the probe fails: name a containerPort "${p.port}" or use the number.`, undefined, undefined, p.at)];
  }
  const port = named?.containerPort ?? (p.port as number);
  const bad = unreachable(view, port, 'tcp');
  if (!bad) return [];
  const msg = `${head} connects to ${port}/tcp, but ${bad.problem}, so the probe will fail and the kubelet will restart the container or keep it unready: point the probe at a port the container serves.${view.note}`;
  return [finding('k8s-probe-port-not-listening', msg, port, 'tcp', p.at)];
};

/** containerPort entries, probes, host networking and listeners missing from `ports`, for containers that run the gated image. */
export const containerFindings = (gated: Map<Workload, Container[]>, view: ImageView, ctx: ManifestContext, objs?: K8sObjects): Finding[] => {
  const out: Finding[] = [];
  for (const [w, containers] of gated) {
    const meshes = objs ? podMeshes(w, objs) : [];
    if (w.hostNetwork) {
      const msg = `${w.kind} ${w.name} sets hostNetwork: true, so the pod bypasses its own network namespace, Services and NetworkPolicies: every port the image serves is open on the node's interfaces (${onNode(view, ctx)}), loopback ones to every process on the node. Remove hostNetwork unless this is a node agent.${view.note}`;
      out.push(finding('k8s-host-network', msg, undefined, undefined, w.hostNetwork));
    }
    for (const c of containers.filter(x => x.role !== 'init')) {
      for (const p of c.ports) {
        const proto = p.protocol.toUpperCase();
        if (p.hostPort !== undefined && p.hostPortAt) {
          const msg = `${where(c, w)} sets hostPort ${p.hostPort} for ${p.containerPort}/${proto}, which opens it on the IP of every node the pod runs on, bypassing the Service (and, with many CNI plugins, NetworkPolicies). Remove hostPort and use a Service.`;
          out.push(finding('k8s-host-network', msg, p.containerPort, p.protocol, p.hostPortAt));
        }
        const bad = unreachable(view, p.containerPort, p.protocol);
        if (!bad) continue;
        const fix = bad.otherProtocol ? `set \`protocol: ${bad.otherProtocol.toUpperCase()}\`` : bad.problem.includes('loopback') ? 'bind the process to 0.0.0.0 (or ::)' : 'remove this entry or fix the service';
        out.push(finding('k8s-container-port-not-listening', `${where(c, w)} declares containerPort ${p.containerPort}/${proto}, but ${bad.problem}: ${fix}.${view.note}`, p.containerPort, p.protocol, p.at));
      }
      for (const probe of c.probes) {
        const named = typeof probe.port === 'string' ? c.ports.find(p => p.name === probe.port) : undefined;
        if (typeof probe.port === 'string' && !named) {
          const msg = `${where(c, w)}: ${probe.label}.port "${probe.port}" names no port of this container, so the kubelet's probe fails: name a containerPort "${probe.port}" or use the number.`;
          out.push(finding('k8s-probe-port-not-listening', msg, undefined, undefined, probe.at));
          continue;
        }
        const port = named?.containerPort ?? (probe.port as number);
        // A probe the mesh rewrote to its agent (Istio's /app-health/… on 15020) is answered by the sidecar; ISTIO_KUBE_APP_PROBERS holds the original, checked below.
        if (!named && !c.ports.some(p => p.containerPort === port) && sidecarPort(meshes, containers, port, 'tcp')) continue;
        const bad = unreachable(view, port, 'tcp');
        if (!bad) continue;
        const msg = `${where(c, w)}: ${probe.label} connects to ${port}/tcp on the pod IP, but ${bad.problem}, so the probe will fail and the kubelet will restart the container or keep it unready: point the probe at a port the container serves.${view.note}`;
        out.push(finding('k8s-probe-port-not-listening', msg, port, 'tcp', probe.at));
      }
      for (const prober of meshes.flatMap(appProbers).filter(x => x.container === c.name)) out.push(...appProberFindings(prober, c, w, view));
      // A Job runs the image for one task, usually with another command: its listeners are not expected.
      if (w.batch) continue;
      const listed = new Set(c.ports.map(p => p.containerPort));
      // A mesh's own ports (the injected istio-proxy lists only 15090, yet serves 15001, 15006, 15020, 15021) are the mesh's design, not an omission.
      for (const f of view.facts.filter(x => x.reachable && !listed.has(x.port) && !meshOwned(ctx, x.port, x.protocol))) {
        const msg = `${where(c, w)} does not list ${f.port}/${f.protocol} under \`ports\`, but ${view.staticMode ? `it is ${f.where}` : `the image listens on it (${f.where})`}: add \`- containerPort: ${f.port}\`${f.protocol === 'tcp' ? '' : ` with \`protocol: ${f.protocol.toUpperCase()}\``} and a name, or stop the listener.${view.note}`;
        out.push(finding('k8s-listener-not-declared', msg, f.port, f.protocol, c.portsAt ?? c.at));
      }
    }
  }
  return out;
};
