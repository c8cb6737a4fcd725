import {portKey, type Acceptance, type ContainerOutcome, type DeclaredPort, type DynamicPort, type ExposedPort, type Finding, type Listener, type Severity, type SeveritySetting, type SourceLocation} from '../model.js';
import {applySuppressions} from '../findings/suppress.js';
import {finding} from '../findings/finding.js';
import {dynamicRules} from './dynamic.js';
import {meshPortOf} from './mesh.js';
import {exitMessage} from './exit.js';
import {exposeRules, protocolMismatches, riskyRules, specRules, type RiskyLookup, type RunFacts} from './rules.js';
import {indexViews, where} from './views.js';
import type {Anchors} from '../findings/where.js';

export interface EvaluateInput {
  image: string;
  exposed: ExposedPort[];
  /** undefined = not observed (static-only: the image was not run), so only the static rules apply. */
  listening: Listener[] | undefined;
  /** undefined = no portgate.yml. */
  declared: DeclaredPort[] | undefined;
  /** portgate.yml's `dynamic:` entries. */
  dynamic?: DynamicPort[];
  /** The target's ip_local_port_range (where `dynamic: ports: ephemeral` points). */
  ephemeral?: [number, number];
  /** The spec's `ports:` key: where an undeclared listener is fixed. */
  portsLocation?: SourceLocation;
  /** The Dockerfile lines findings without a line of their own point at (findings/where.ts). */
  anchors?: Anchors;
  /** undefined when no container ran. */
  container: ContainerOutcome | undefined;
  waitedMs: number;
  /** Findings produced earlier in the pipeline (e.g. Dockerfile warnings), subject to the same overrides. */
  extra?: Finding[];
  overrides?: Record<string, SeveritySetting>;
  /** portgate.yml's `accept:` entries, applied after the overrides, and today (UTC, YYYY-MM-DD) for their `until:`. */
  suppressions?: {accept: Acceptance[]; today: string};
  risky: RiskyLookup;
}

const RANK: Record<Severity, number> = {error: 3, warning: 2, note: 1};

/** Every listener of the port is owned by a mesh executable, on a port that mesh reserves. */
const meshOwned = (ls: Listener[]): boolean => {
  const owners = ls.map(l => l.process?.name);
  return owners.every((o): o is string => o !== undefined) && !!meshPortOf(ls[0]!.port, ls[0]!.protocol, owners);
};

/** Spec rules that compare EXPOSE with portgate.yml only, so they hold without listeners. */
const STATIC_SPEC_RULES = new Set<string>(['exposed-not-declared', 'public-not-exposed', 'loopback-port-exposed']);

/** True when a finding of this severity fails a gate configured with `failOn`. */
export const failsAt = (severity: Severity, failOn: Severity | 'never'): boolean => failOn !== 'never' && RANK[severity] >= RANK[failOn];

/** The gate's verdict: a finding at or above `failOn` fails it, unless an `accept:` entry suppresses it. */
export const verdictOf = (findings: readonly Finding[], failOn: Severity | 'never'): 'pass' | 'fail' =>
  findings.some(f => !f.suppressed && failsAt(f.severity, failOn)) ? 'fail' : 'pass';

/**
 * The comparison: three views in, findings out. Pure, so every rule is tested
 * with plain objects and no engine. Without listeners (static-only) the rules
 * that need them are skipped: EXPOSE vs spec and risky EXPOSEd ports remain.
 */
export const evaluate = (input: EvaluateInput): Finding[] => {
  const ephemeral = input.ephemeral ?? [32768, 60999];
  const claimed = new Set([...input.exposed, ...(input.declared ?? [])].map(portKey));
  const judged = (input.listening ?? []).filter(l => !unjudged(l, ephemeral, input.risky, claimed));
  const anchors: Anchors = {...input.anchors, ...(input.portsLocation && {specPorts: input.portsLocation})};
  const views = indexViews(input.image, input.exposed, judged, input.declared, anchors);
  const c = input.container;
  const run: RunFacts = {timedOut: c?.timedOut ?? false, exited: c?.exited ?? false, waitedMs: input.waitedMs};
  const observed = input.listening !== undefined;
  const mismatch = observed ? protocolMismatches(views) : {findings: [], keys: new Set<string>()};
  const undeclared = views.declared ? [...views.listening.keys()].filter(k => !views.declared!.has(k) && !mismatch.keys.has(k)) : [];
  const dynamic = observed && input.dynamic?.length ? dynamicRules(views, input.dynamic, undeclared, ephemeral) : {accepted: new Set<string>(), findings: []};
  // A mesh serving its own ports (Envoy's 15021, a Consul agent's 8301) declares them: judged by the mesh table, not as undeclared.
  const mesh = new Set([...views.listening].filter(([, ls]) => meshOwned(ls)).map(([k]) => k));
  const findings = [
    ...(input.extra ?? []),
    ...mismatch.findings,
    ...(views.declared
      ? specRules(views, views.declared, run, new Set([...mismatch.keys]), new Set([...dynamic.accepted, ...mesh]), ephemeral, input.risky).filter(f => observed || STATIC_SPEC_RULES.has(f.rule))
      : observed
        ? exposeRules(views, run, mismatch.keys, input.risky, mesh)
        : []),
    ...dynamic.findings,
    ...riskyRules(views, input.risky, dynamic.accepted)
  ];
  if (c?.exited) findings.push(finding('container-exited', exitMessage(c), {location: where(views, 'process')}));
  if (c && !c.trusted) {
    findings.push(finding('untrusted-reader', `Listeners were read by running \`cat\` from ${input.image} itself (--probe ${c.reader}); a hostile image can fake them.`, {location: where(views, 'image')}));
  }
  const overridden = applyOverrides(findings, input.overrides ?? {});
  const s = input.suppressions;
  if (!s?.accept.length) return overridden;
  // Findings about the entries themselves get the same overrides (`suppression-unused: off`).
  return applyOverrides(applySuppressions(overridden, s.accept, s.today), input.overrides ?? {});
};

/**
 * A socket that was open only for a moment during start-up, on a port the
 * kernel picked (the ephemeral range): a DNS lookup's unconnected UDP socket,
 * a start-up helper's distribution port (RabbitMQ's boot runs short-lived
 * Erlang nodes). It is reported (as seen briefly) but judged by no rule: a
 * port the service serves is still open when the wait ends, and a known
 * debug or admin port is never excused.
 */
export const startupArtifact = (l: Listener, [lo, hi]: [number, number], risky: RiskyLookup): boolean =>
  !!l.transient && l.port >= lo && l.port <= hi && !risky(l.port, l.protocol, l.process ? [l.process.name] : []);

/**
 * A UDP socket on a port the kernel picked that nothing EXPOSEs or declares:
 * a client's unconnected socket (a resolver's, a metrics client's; RabbitMQ's
 * beam.smp keeps one open at the end of about a third of its runs), not a
 * service anyone could find. /proc/net cannot tell it from a server, so it is
 * reported and judged by no rule, like a start-up artifact, instead of
 * failing one run in three; a known risky port is never excused, and a port
 * the Dockerfile or the spec names is judged as named. A TCP listener on a
 * kernel-picked port (JMX's RMI) is still judged: it accepts connections.
 */
export const udpClientSocket = (l: Listener, [lo, hi]: [number, number], risky: RiskyLookup, claimed: ReadonlySet<string>): boolean =>
  l.protocol === 'udp' && l.port >= lo && l.port <= hi && !claimed.has(portKey(l)) && !risky(l.port, l.protocol, l.process ? [l.process.name] : []);

/** What the rules leave alone: start-up artifacts and UDP client sockets. `claimed`: the `port/protocol` keys EXPOSEd or declared. */
export const unjudged = (l: Listener, ephemeral: [number, number], risky: RiskyLookup, claimed: ReadonlySet<string>): boolean =>
  startupArtifact(l, ephemeral, risky) || udpClientSocket(l, ephemeral, risky, claimed);

export const applyOverrides = (findings: Finding[], overrides: Record<string, SeveritySetting>): Finding[] =>
  findings.flatMap(f => {
    const o = overrides[f.rule];
    if (o === 'off') return [];
    return [o ? {...f, severity: o} : f];
  });
