import type {DeclaredPort, DynamicPort, ExposedPort, Finding, Listener, Protocol, SourceLocation} from '../model.js';
import {portKey} from '../model.js';
import {describeListeners} from '../compare/views.js';
import {finding as makeFinding} from '../findings/finding.js';
import type {RuleId} from '../findings/rules.js';

/** One port the image serves: from its listeners, or (static mode) from portgate.yml and EXPOSE. */
export interface PortFact {
  port: number;
  protocol: Protocol;
  /** Bound beyond loopback, so traffic to the pod/container IP reaches it. */
  reachable: boolean;
  /** "0.0.0.0 (pid 1 node)" or "declared internal in portgate.yml". */
  where: string;
}

export interface ManifestContext {
  /** The gated image ref, e.g. `registry.example.com/team/api:1.2` or `api@sha256:…`. */
  image: string;
  /** Explicit override: the container (Kubernetes) or service (Compose) that runs the gated image. */
  containerName?: string;
  /** undefined in static-only mode (image not run): portgate.yml and EXPOSE stand in. */
  listeners: Listener[] | undefined;
  declared: DeclaredPort[];
  /** portgate.yml's `dynamic:` entries: ports the service picks at run time (NetworkPolicy checks count them as declared). */
  dynamic?: DynamicPort[];
  exposed: ExposedPort[];
  /** The risky-port catalog; `owners` are the executables that listen on the port (a mesh serving its own port is judged by the mesh table). */
  isRisky: (port: number, protocol: Protocol, owners?: readonly string[]) => {name: string} | undefined;
}

export interface ImageView {
  facts: PortFact[];
  get(port: number, protocol: Protocol): PortFact | undefined;
  staticMode: boolean;
  /** Appended to messages so a static result is not mistaken for a runtime one. */
  note: string;
  /** "listens on", or "serves" when portgate.yml and EXPOSE stand in, for messages. */
  verb: string;
}

/** Appended to findings that rest on portgate.yml and EXPOSE instead of a run. */
export const STATIC_NOTE = ' (static check: the image was not run, so portgate.yml and EXPOSE stand in for its listeners)';

export const imageView = (ctx: ManifestContext): ImageView => {
  const facts = new Map<string, PortFact>();
  if (ctx.listeners) {
    const byKey = new Map<string, Listener[]>();
    for (const l of ctx.listeners) byKey.set(portKey(l), [...(byKey.get(portKey(l)) ?? []), l]);
    for (const [key, ls] of byKey) {
      facts.set(key, {port: ls[0]!.port, protocol: ls[0]!.protocol, reachable: ls.some(l => l.scope !== 'loopback'), where: describeListeners(ls)});
    }
  } else {
    // A port declared `served: false` is EXPOSEd but not served: it stands in for no listener.
    const unserved = new Set(ctx.declared.filter(d => d.served === false).map(portKey));
    for (const d of ctx.declared) {
      if (unserved.has(portKey(d))) continue;
      facts.set(portKey(d), {port: d.port, protocol: d.protocol, reachable: d.exposure !== 'loopback', where: `declared ${d.exposure} in portgate.yml`});
    }
    for (const e of ctx.exposed) {
      if (!facts.has(portKey(e)) && !unserved.has(portKey(e))) facts.set(portKey(e), {port: e.port, protocol: e.protocol, reachable: true, where: 'EXPOSEd by the image'});
    }
  }
  const staticMode = !ctx.listeners;
  return {
    staticMode,
    facts: [...facts.values()].sort((a, b) => a.port - b.port),
    get: (port, protocol) => facts.get(portKey({port, protocol})),
    note: staticMode ? STATIC_NOTE : '',
    verb: staticMode ? 'serves' : 'listens on'
  };
};

/** Why traffic sent to `port/protocol` would not arrive, with the change that fixes it; undefined when it arrives. */
export const unreachable = (view: ImageView, port: number, protocol: Protocol): {problem: string; otherProtocol?: Protocol} | undefined => {
  const key = portKey({port, protocol});
  const fact = view.get(port, protocol);
  if (fact?.reachable) return undefined;
  if (fact) return {problem: `${key} is bound only to loopback (${fact.where}), which traffic from outside the container cannot reach`};
  const other = view.facts.find(f => f.port === port && f.protocol !== protocol);
  if (other) return {problem: `the image ${view.verb} ${port}/${other.protocol} (${other.where}), not ${key}`, otherProtocol: other.protocol};
  const known = view.facts.map(f => `${f.port}/${f.protocol}`).join(', ') || 'none';
  return {
    problem: view.staticMode ? `neither portgate.yml nor EXPOSE lists ${key} (they list: ${known})` : `nothing listens on ${key} (the image listens on: ${known})`
  };
};

/**
 * Why a port must not be reachable from outside: declared internal/loopback,
 * or in the risky catalog without a `reason:` in portgate.yml.
 */
export const sensitivity = (ctx: ManifestContext, port: number, protocol: Protocol): string | undefined => {
  const d = ctx.declared.find(x => x.port === port && x.protocol === protocol);
  if (d && d.exposure !== 'public') return `portgate.yml declares ${portKey(d)} ${d.exposure} (${d.location.file}:${d.location.line})`;
  const owners = (ctx.listeners ?? []).filter(l => l.port === port && l.protocol === protocol).flatMap(l => (l.process ? [l.process.name] : []));
  const risky = ctx.isRisky(port, protocol, owners);
  if (risky && !d?.reason) return `${port}/${protocol} is a risky port (${risky.name}) and portgate.yml gives no \`reason:\` for it`;
  return undefined;
};

/** The manifest checks' positional form of findings/finding. */
export const finding = (rule: RuleId, message: string, port: number | undefined, protocol: Protocol | undefined, location: SourceLocation): Finding =>
  makeFinding(rule, message, {port, protocol, location});

/** Sorted by place, duplicates dropped (one Service can select a workload twice through a CronJob sharing labels). */
export const tidy = (fs: Finding[]): Finding[] => {
  const seen = new Set<string>();
  const loc = (f: Finding): SourceLocation => f.location as SourceLocation;
  return fs
    .filter(f => {
      const k = `${f.rule}|${loc(f).file}|${loc(f).line}|${f.port}|${f.message}`;
      return !seen.has(k) && !!seen.add(k);
    })
    .sort((a, b) => loc(a).file.localeCompare(loc(b).file) || loc(a).line - loc(b).line || a.rule.localeCompare(b.rule));
};
