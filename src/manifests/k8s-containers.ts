import type {Finding} from '../model.js';
import type {Container, Workload} from './k8s-model.js';
import {finding, sensitivity, unreachable, type ImageView, type ManifestContext} from './image-view.js';

const where = (c: Container, w: Workload): string => `container ${c.name} of ${w.kind} ${w.name}`;

/** "8080/tcp, 5005/tcp (JDWP)": what host networking puts on the node. */
const onNode = (view: ImageView, ctx: ManifestContext): string =>
  view.facts.map(f => `${f.port}/${f.protocol}${sensitivity(ctx, f.port, f.protocol) ? ` (${ctx.isRisky(f.port, f.protocol)?.name ?? 'not public in portgate.yml'})` : ''}`).join(', ') ||
  'none';

/** containerPort entries, probes, host networking and listeners missing from `ports`, for containers that run the gated image. */
export const containerFindings = (gated: Map<Workload, Container[]>, view: ImageView, ctx: ManifestContext): Finding[] => {
  const out: Finding[] = [];
  for (const [w, containers] of gated) {
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
        const bad = unreachable(view, port, 'tcp');
        if (!bad) continue;
        const msg = `${where(c, w)}: ${probe.label} connects to ${port}/tcp on the pod IP, but ${bad.problem}, so the probe will fail and the kubelet will restart the container or keep it unready: point the probe at a port the container serves.${view.note}`;
        out.push(finding('k8s-probe-port-not-listening', msg, port, 'tcp', probe.at));
      }
      // A Job runs the image for one task, usually with another command: its listeners are not expected.
      if (w.batch) continue;
      const listed = new Set(c.ports.map(p => p.containerPort));
      for (const f of view.facts.filter(x => x.reachable && !listed.has(x.port))) {
        const msg = `${where(c, w)} does not list ${f.port}/${f.protocol} under \`ports\`, but ${view.staticMode ? `it is ${f.where}` : `the image listens on it (${f.where})`}: add \`- containerPort: ${f.port}\`${f.protocol === 'tcp' ? '' : ` with \`protocol: ${f.protocol.toUpperCase()}\``} and a name, or stop the listener.${view.note}`;
        out.push(finding('k8s-listener-not-declared', msg, f.port, f.protocol, c.portsAt ?? c.at));
      }
    }
  }
  return out;
};
