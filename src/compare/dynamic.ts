import type {DynamicPort, Finding, Listener} from '../model.js';
import {finding} from '../findings/finding.js';
import {describeListeners, isBeyondLoopback, type Views} from './views.js';

const fileName = (path: string): string => path.replace(/ \(deleted\)$/, '').split('/').pop() ?? path;

/** The owner's executable is `process`: the same path, or the same file name when `process` has no `/`. */
const ownedBy = (ls: Listener[], process: string): boolean =>
  ls.every(l => !!l.process?.exe && (process.includes('/') ? l.process.exe.replace(/ \(deleted\)$/, '') === process : fileName(l.process.exe) === process));

const rangeOf = (d: DynamicPort, ephemeral: [number, number]): [number, number] => (d.range === 'ephemeral' ? ephemeral : d.range);

export const describeRange = (d: DynamicPort, ephemeral: [number, number]): string => {
  const [lo, hi] = rangeOf(d, ephemeral);
  return d.range === 'ephemeral' ? `the ephemeral range ${lo}-${hi}` : `${lo}-${hi}`;
};

/**
 * Listeners on ports chosen at run time, matched against portgate.yml's
 * `dynamic:` entries (first match wins). A matched port is accepted (also as
 * a risky port: the entry has a reason); more ports than an entry's `max`,
 * or a wider bind than its exposure, are findings at the entry. Listeners
 * whose owner is unknown never match: the owner is what the entry vouches for.
 */
export const dynamicRules = (v: Views, entries: DynamicPort[], undeclared: string[], ephemeral: [number, number]): {accepted: Set<string>; findings: Finding[]} => {
  const accepted = new Set<string>();
  const byEntry = new Map<DynamicPort, string[]>();
  for (const key of undeclared) {
    const ls = v.listening.get(key)!;
    const {port, protocol} = ls[0]!;
    const entry = entries.find(d => {
      const [lo, hi] = rangeOf(d, ephemeral);
      return d.protocol === protocol && port >= lo && port <= hi && (d.process === undefined || ownedBy(ls, d.process));
    });
    if (!entry) continue;
    accepted.add(key);
    byEntry.set(entry, [...(byEntry.get(entry) ?? []), key]);
  }
  const findings: Finding[] = [];
  for (const [d, keys] of byEntry) {
    const who = d.process ? `owned by ${d.process} ` : '';
    if (keys.length > d.max) {
      const list = keys.map(k => `${k} at ${describeListeners(v.listening.get(k)!)}`).join('; ');
      findings.push(
        finding(
          'undeclared-listener',
          `${keys.length} ports ${who}in ${describeRange(d, ephemeral)} listen (${list}), but portgate.yml's \`dynamic:\` entry allows at most ${d.max}: find what opened the extra port, or raise \`max\`.`,
          {location: d.location, related: keys.map(k => ({port: v.listening.get(k)![0]!.port, protocol: v.listening.get(k)![0]!.protocol}))}
        )
      );
    }
    for (const k of keys) {
      const ls = v.listening.get(k)!;
      if (d.exposure === 'loopback' && isBeyondLoopback(ls)) {
        findings.push(
          finding('loopback-port-reachable', `${k} ${who}is a dynamic port declared loopback, but it listens on ${describeListeners(ls)}: bind it to 127.0.0.1.`, {
            port: ls[0]!.port,
            protocol: ls[0]!.protocol,
            location: d.location
          })
        );
      }
    }
  }
  return {accepted, findings};
};

/** For an undeclared listener: a hint that it may be a port chosen at run time, and how to declare it. */
export const dynamicHint = (ls: Listener[], ephemeral: [number, number]): string => {
  const {port} = ls[0]!;
  const exe = ls[0]!.process?.exe;
  if (port < ephemeral[0] || port > ephemeral[1] || !exe) return '';
  return ` It is in the ephemeral range ${ephemeral[0]}-${ephemeral[1]}: if ${fileName(exe)} picks it at run time, declare it under \`dynamic:\` with \`process: ${fileName(exe)}\` and a reason.`;
};
