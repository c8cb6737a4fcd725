import type {DeclaredPort, Finding, Listener, Protocol, RiskCategory} from '../model.js';
import {portKey} from '../model.js';
import {finding} from '../findings/finding.js';
import {describeExpose, describeListeners, exposeLocation, isBeyondLoopback, otherProtocols, where, type Views} from './views.js';
import {dynamicHint} from './dynamic.js';

/** Facts about the run that change how a missing listener is explained. */
export interface RunFacts {
  timedOut: boolean;
  exited: boolean;
  waitedMs: number;
}

const why = (run: RunFacts): string =>
  run.exited
    ? 'the container exited before it opened'
    : run.timedOut
      ? `nothing opened it within the ${Math.round(run.waitedMs / 1000)}s timeout`
      : 'the other listeners had settled without it';

/** Keys the team expects to listen: the spec's (but `served: false`), or EXPOSE's when there is no spec. */
const expectedKeys = (v: Views): Set<string> =>
  new Set(v.declared ? [...v.declared].filter(([, d]) => d.served !== false).map(([k]) => k) : v.exposed.keys());

/**
 * TCP/UDP confusion: a port expected on one protocol, listening only on another
 * (e.g. `EXPOSE 53` is 53/tcp while a DNS server binds 53/udp). Reported once,
 * and both halves are withheld from the other rules so the user sees one cause.
 */
export const protocolMismatches = (v: Views): {findings: Finding[]; keys: Set<string>} => {
  const expected = expectedKeys(v);
  const findings: Finding[] = [];
  const keys = new Set<string>();
  for (const key of expected) {
    if (v.listening.has(key)) continue;
    const want = v.declared?.get(key) ?? v.exposed.get(key)!;
    for (const proto of otherProtocols(want.protocol)) {
      const actual = portKey({port: want.port, protocol: proto});
      const ls = v.listening.get(actual);
      if (!ls || expected.has(actual)) continue;
      const source = v.declared?.get(key) ? 'portgate.yml declares it' : describeExpose(v.exposed.get(key)!);
      const fix = v.declared ? `set \`protocol: ${proto}\` in portgate.yml` : `write \`EXPOSE ${want.port}/${proto}\``;
      findings.push(
        finding('protocol-mismatch', `${key} is expected (${source}) but the process listens on ${actual} at ${describeListeners(ls)}: ${fix}, or fix the service.`, {
          port: want.port,
          protocol: want.protocol,
          location: 'exposure' in want ? want.location : exposeLocation(want, v),
          related: [{port: want.port, protocol: proto}]
        })
      );
      keys.add(key).add(actual);
    }
  }
  return {findings, keys};
};

/** Rules that apply when portgate.yml exists. `dynamic` holds listeners accepted without a `ports:` entry (`dynamic:` matches, a mesh's own ports). */
export const specRules = (
  v: Views,
  declared: Map<string, DeclaredPort>,
  run: RunFacts,
  skip: Set<string>,
  dynamic: Set<string> = new Set(),
  ephemeral: [number, number] = [32768, 60999],
  risky: RiskyLookup = () => undefined
): Finding[] => {
  const out: Finding[] = [];
  for (const [key, ls] of v.listening) {
    if (skip.has(key) || declared.has(key) || dynamic.has(key)) continue;
    const {port, protocol} = ls[0]!;
    const loc = {port, protocol, location: where(v, 'undeclared')};
    const risk = riskOf(ls, risky);
    out.push(
      isBeyondLoopback(ls)
        ? finding(
            'undeclared-listener',
            risk
              ? `${key} listens on ${describeListeners(ls)} but portgate.yml does not declare it, and it is ${risk.name}: stop it or bind it to 127.0.0.1; to keep it, declare it with a \`reason:\`.${dynamicHint(ls, ephemeral)}`
              : `${key} listens on ${describeListeners(ls)} but portgate.yml does not declare it: stop it, bind it to 127.0.0.1, or add it to portgate.yml.${dynamicHint(ls, ephemeral)}`,
            loc
          )
        : finding('undeclared-loopback-listener', `${key} listens on ${describeListeners(ls)} (loopback only) but portgate.yml does not declare it: add it with \`exposure: loopback\`.`, loc)
    );
  }
  for (const [key, d] of declared) {
    if (skip.has(key)) continue;
    const at = {port: d.port, protocol: d.protocol, location: d.location};
    const ls = v.listening.get(key);
    const label = d.name ? `${key} (${d.name})` : key;
    if (d.served === false) {
      // EXPOSEd, knowingly not served: nothing to wait for, nothing about EXPOSE to say; listening is the drift.
      if (ls) {
        out.push(
          finding('unserved-port-listening', `${label} is declared \`served: false\` but listens on ${describeListeners(ls)}: stop the listener, or remove \`served: false\` and give the port the exposure it needs.`, at)
        );
      }
      continue;
    }
    if (!ls) out.push(finding('declared-not-listening', `${label} is declared ${d.exposure} but nothing listens on it: ${why(run)}.`, at));
    else if (d.exposure !== 'loopback' && !isBeyondLoopback(ls))
      out.push(finding('bound-to-loopback', `${label} is declared ${d.exposure} but listens only on ${describeListeners(ls)}, unreachable from other containers: bind it to 0.0.0.0 or ::.`, at));
    else if (d.exposure === 'loopback' && isBeyondLoopback(ls))
      out.push(finding('loopback-port-reachable', `${label} is declared loopback but listens on ${describeListeners(ls)}: bind it to 127.0.0.1.`, at));
    const e = v.exposed.get(key);
    if (d.exposure === 'public' && !e) out.push(finding('public-not-exposed', `${label} is declared public but the image does not EXPOSE it: add \`EXPOSE ${key}\` to the Dockerfile, or declare it internal.`, at));
    if (d.exposure === 'loopback' && e)
      out.push(finding('loopback-port-exposed', `${label} is declared loopback but is ${describeExpose(e)}: remove it from EXPOSE.`, {...at, location: exposeLocation(e, v)}));
  }
  for (const [key, e] of v.exposed) {
    if (skip.has(key) || declared.has(key)) continue;
    const fix =
      e.origin === 'base-image'
        ? v.listening.has(key)
          ? 'declare it in portgate.yml'
          : 'declare it in portgate.yml, with `served: false` if the service does not serve it'
        : 'declare it in portgate.yml or remove the EXPOSE';
    out.push(finding('exposed-not-declared', `${key} is ${describeExpose(e)} but portgate.yml does not declare it: ${fix}.`, {port: e.port, protocol: e.protocol, location: exposeLocation(e, v)}));
  }
  return out;
};

/**
 * Rules that apply without a spec: EXPOSE against the runtime. A listener
 * that is a risky port is never advised to be EXPOSEd: only stopped or bound
 * to loopback. `understood` listeners (a mesh's own ports) need no EXPOSE.
 */
export const exposeRules = (v: Views, run: RunFacts, skip: Set<string>, risky: RiskyLookup = () => undefined, understood: Set<string> = new Set()): Finding[] => {
  const out: Finding[] = [];
  for (const [key, ls] of v.listening) {
    if (skip.has(key) || understood.has(key) || v.exposed.has(key) || !isBeyondLoopback(ls)) continue;
    const risk = riskOf(ls, risky);
    const message = risk
      ? `${key} listens on ${describeListeners(ls)} but is not EXPOSEd, and it is ${risk.name}, which must not be reachable: stop it, or bind it to 127.0.0.1.`
      : `${key} listens on ${describeListeners(ls)} but the image does not EXPOSE it: EXPOSE it, stop it, or bind it to 127.0.0.1.`;
    out.push(finding('listener-not-exposed', message, {port: ls[0]!.port, protocol: ls[0]!.protocol, location: where(v, 'process')}));
  }
  for (const [key, e] of v.exposed) {
    if (skip.has(key)) continue;
    const ls = v.listening.get(key);
    if (ls && !isBeyondLoopback(ls)) {
      out.push(
        finding('exposed-loopback-only', `${key} is ${describeExpose(e)} but listens only on ${describeListeners(ls)}, so nothing outside the container can reach it: bind it to 0.0.0.0 or ::, or remove the EXPOSE.`, {
          port: e.port,
          protocol: e.protocol,
          location: exposeLocation(e, v)
        })
      );
      continue;
    }
    if (ls) continue;
    out.push(finding('exposed-not-listening', `${key} is ${describeExpose(e)} but nothing listens on it: ${why(run)}.`, {port: e.port, protocol: e.protocol, location: exposeLocation(e, v)}));
  }
  return out;
};

export type RiskyLookup = (port: number, protocol: Protocol, owners?: readonly string[]) => {name: string; why: string; category?: RiskCategory} | undefined;

/** The catalog entry for a port some listeners hold, judged with their owners. */
const riskOf = (ls: Listener[], risky: RiskyLookup) => risky(ls[0]!.port, ls[0]!.protocol, ls.flatMap(l => (l.process ? [l.process.name] : [])));

/** A risky port that is reachable or advertised, unless the spec accepts it with a reason. */
export const riskyRules = (v: Views, lookup: RiskyLookup, accepted: Set<string> = new Set()): Finding[] => {
  const out: Finding[] = [];
  const keys = new Set([...v.exposed.keys(), ...[...v.listening].filter(([, ls]) => isBeyondLoopback(ls)).map(([k]) => k)]);
  for (const key of keys) {
    if (accepted.has(key)) continue;
    // An EXPOSE the spec declares not served, with nothing reachable behind it, opens nothing.
    if (v.declared?.get(key)?.served === false && !isBeyondLoopback(v.listening.get(key) ?? [])) continue;
    const sample: {port: number; protocol: Protocol} = v.exposed.get(key) ?? v.listening.get(key)![0]!;
    const owners = (v.listening.get(key) ?? []).flatMap(l => (l.process ? [l.process.name] : []));
    const risk = lookup(sample.port, sample.protocol, owners);
    if (!risk || v.declared?.get(key)?.reason) continue;
    const ls: Listener[] | undefined = v.listening.get(key);
    const e = v.exposed.get(key);
    const seen = [ls && `listens on ${describeListeners(ls)}`, e && `is ${describeExpose(e)}`].filter(Boolean).join(' and ');
    const fix = v.declared ? 'disable it in this image, or give the port a `reason:` in portgate.yml to accept it' : 'disable it in this image, or declare it with a `reason:` in portgate.yml';
    out.push(finding('risky-port', `${key} is ${risk.name}: ${risk.why} It ${seen}: ${fix}.`, {...sample, location: e ? exposeLocation(e, v) : (v.declared?.get(key)?.location ?? where(v, 'process')), ...(risk.category && {category: risk.category})}));
  }
  return out;
};
