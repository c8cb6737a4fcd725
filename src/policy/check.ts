import type {Finding, Protocol} from '../model.js';
import type {Container, ContainerPort, K8sObjects, NetworkPolicy, NetworkPolicyIngressRule, Workload} from '../manifests/k8s-model.js';
import {finding, type ManifestContext} from '../manifests/image-view.js';
import {podMeshes, sidecarPorts} from '../manifests/k8s-mesh.js';
import {declaredRanges, rangeText, type DeclaredRange} from './ports.js';
import {allowedSpans, ingressPoliciesFor, matchesSelector, type Pod, type PortSpan} from './semantics.js';

const PROTOCOLS: Protocol[] = ['tcp', 'udp', 'sctp'];

const labelText = (m: Record<string, string>): string => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';

/** The runs of a span's ports that no declared range and no other known port covers, by interval subtraction. */
const uncovered = (span: PortSpan, protocol: Protocol, known: DeclaredRange[], others: {port: number; protocol: Protocol}[]): [number, number][] => {
  const covers = [...known.filter(r => r.protocol === protocol), ...others.filter(e => e.protocol === protocol).map(e => ({from: e.port, to: e.port}))].sort((a, b) => a.from - b.from);
  const gaps: [number, number][] = [];
  let next = span.from;
  for (const c of covers) {
    if (c.to < next) continue;
    if (c.from > span.to) break;
    if (c.from > next) gaps.push([next, c.from - 1]);
    next = c.to + 1;
  }
  if (next <= span.to) gaps.push([next, span.to]);
  return gaps;
};

const spanText = (s: PortSpan): string => {
  const e = s.entry;
  if (!e) return 'has no `ports`, so it allows every port (TCP, UDP and SCTP)';
  const proto = e.protocol.toUpperCase();
  if (e.port === undefined) return `allows every ${proto} port (a \`ports\` entry without \`port\`)`;
  if (typeof e.port === 'string') return `allows port "${e.port}" (${s.from}/${e.protocol})`;
  return e.endPort !== undefined ? `allows ${proto} ports ${e.port}-${e.endPort}` : `allows ${s.from}/${e.protocol}`;
};

/** Loopback and undeclared ports one ingress rule lets through to `pod`. */
const ruleFindings = (p: NetworkPolicy, index: number, rule: NetworkPolicyIngressRule, pod: Pod, w: Workload, sidecars: ContainerPort[], ctx: ManifestContext): Finding[] => {
  const out: Finding[] = [];
  const head = `NetworkPolicy ${p.name} (ingress rule ${index + 1}) selects the pods of ${w.kind} ${w.name} and`;
  const known = declaredRanges(ctx.declared, ctx.dynamic);
  // A port another container of the pod lists (an Envoy sidecar's), or its mesh sidecar serves (Istio's 15020, 15021, 15090), is that image's business, not this spec's.
  const covered = [...ctx.exposed, ...sidecars.map(c => ({port: c.containerPort, protocol: c.protocol}))];
  for (const span of allowedSpans(rule, pod)) {
    const at = span.entry?.at ?? rule.at;
    const protocols = span.protocol === 'any' ? PROTOCOLS : [span.protocol];
    const loopback = known.filter(r => r.exposure === 'loopback' && protocols.includes(r.protocol) && r.from <= span.to && r.to >= span.from);
    if (loopback.length) {
      const list = loopback.map(r => `${rangeText(r)} (${r.location.file}:${r.location.line})`).join(', ');
      const msg = `${head} ${spanText(span)}, but portgate.yml declares ${list} loopback: only the pod itself may reach ${loopback.length > 1 || loopback[0]!.to > loopback[0]!.from ? 'them' : 'it'}. ${span.entry ? 'Remove it from the rule' : 'List the ports this rule should open under `ports`'} (\`portgate policy\` writes a policy from portgate.yml).`;
      out.push(finding('k8s-netpol-loopback-port', msg, Math.max(loopback[0]!.from, span.from), loopback[0]!.protocol, at));
    }
    const gaps = protocols.flatMap(proto => uncovered(span, proto, known, covered).map(([from, to]) => ({from, to, protocol: proto})));
    const open = gaps.map(rangeText);
    if (!gaps.length) continue;
    const whole = !span.entry || span.entry.port === undefined;
    const single = span.from === span.to && span.protocol !== 'any';
    const shown = open.length > 6 ? `${open.slice(0, 6).join(', ')} and ${open.length - 6} more ranges` : open.join(', ');
    const what = whole
      ? 'including every port portgate.yml does not declare and the image does not EXPOSE'
      : single
        ? 'which portgate.yml does not declare and the image does not EXPOSE'
        : `of which neither portgate.yml nor EXPOSE declares ${shown}`;
    const fix = whole
      ? `List only the declared ports under \`ports\` (${known.filter(r => r.exposure !== 'loopback').map(rangeText).join(', ') || 'none is declared public or internal'})`
      : `Remove ${single ? 'it' : 'them'} from the rule, or declare ${single ? 'it' : 'them'} in portgate.yml`;
    const msg = `${head} ${spanText(span)}, ${what}, so a listener added later is reachable without review. ${fix}.`;
    out.push(finding('k8s-netpol-undeclared-port', msg, whole ? undefined : gaps[0]!.from, whole ? undefined : gaps[0]!.protocol, at));
  }
  return out;
};

const missing = (objs: K8sObjects, w: Workload, pod: Pod): Finding => {
  const inNs = objs.networkPolicies.filter(p => p.namespace === w.namespace);
  const egressOnly = inNs.filter(p => matchesSelector(p.podSelector, pod.labels)).map(p => p.name);
  const others = egressOnly.length
    ? ` (${egressOnly.join(', ')} ${egressOnly.length > 1 ? 'select them' : 'selects them'} for Egress only)`
    : inNs.length
      ? ` (NetworkPolicies in namespace ${w.namespace}: ${inNs.map(p => p.name).join(', ')}; none selects ${labelText(w.labels)})`
      : '';
  const msg = `No NetworkPolicy in the given manifests restricts ingress to the pods of ${w.kind} ${w.name} in namespace ${w.namespace}${others}, so they accept connections on every port from every pod in the cluster: add one (\`portgate policy\` writes it from portgate.yml), or pass the manifests that hold it.`;
  return finding('k8s-netpol-missing', msg, undefined, undefined, w.at);
};

/**
 * NetworkPolicies of the workloads that run the gated image: rules that let
 * in a loopback or undeclared port, and pods no policy isolates. Pods on the
 * host network are skipped: policies do not apply to them, and
 * k8s-host-network already says so.
 */
export const networkPolicyFindings = (objs: K8sObjects, gated: Map<Workload, Container[]>, ctx: ManifestContext): Finding[] => {
  const out: Finding[] = [];
  for (const [w, mine] of gated) {
    if (w.hostNetwork) continue;
    const meshPorts = sidecarPorts(podMeshes(w, objs), []).map(p => ({containerPort: p.port, protocol: p.protocol, at: w.at}));
    const sidecars = [...w.containers.filter(c => c.role !== 'init' && !mine.includes(c)).flatMap(c => c.ports), ...meshPorts];
    const pod: Pod = {namespace: w.namespace, labels: w.labels, ports: w.containers.filter(c => c.role !== 'init').flatMap(c => c.ports)};
    const selecting = ingressPoliciesFor(objs.networkPolicies, pod);
    // A Job's pods run one task and are gone: an unrestricted one is not the gate's concern.
    if (!selecting.length && !w.batch) out.push(missing(objs, w, pod));
    for (const p of selecting) p.ingress.forEach((rule, i) => out.push(...ruleFindings(p, i, rule, pod, w, sidecars, ctx)));
  }
  return out;
};
