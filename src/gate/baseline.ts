import type {GateResult, Listener} from '../model.js';
import {portKey} from '../model.js';
import type {BaselineDynamic, BaselinePort} from '../spec/index.js';
import {riskyPort} from '../compare/risky-ports.js';
import {describeExpose} from '../compare/views.js';
import {unjudged} from '../compare/evaluate.js';

export interface Baseline {
  ports: BaselinePort[];
  dynamic: BaselineDynamic[];
}

const inRange = (port: number, [lo, hi]: [number, number]) => port >= lo && port <= hi;

/**
 * Listeners in the kernel's ephemeral range owned by an executable that also
 * holds ports outside it: ports the service picks at run time (JMX/RMI next
 * to a fixed JMX port, a debugger adapter next to its server). Each such
 * executable becomes one `dynamic:` entry; its ports are not pinned.
 */
const dynamicOwners = (r: GateResult, ephemeral: [number, number]): Map<string, Listener[]> => {
  const byExe = new Map<string, Listener[]>();
  for (const l of r.listening) if (l.process?.exe) byExe.set(l.process.exe, [...(byExe.get(l.process.exe) ?? []), l]);
  // One entry per executable and protocol: an entry matches one protocol.
  const out = new Map<string, Listener[]>();
  for (const [exe, ls] of byExe) {
    if (!ls.some(l => !inRange(l.port, ephemeral))) continue;
    for (const l of ls.filter(x => inRange(x.port, ephemeral))) out.set(`${exe}\0${l.protocol}`, [...(out.get(`${exe}\0${l.protocol}`) ?? []), l]);
  }
  return out;
};

/**
 * What `portgate init` proposes: every observed listener with the exposure
 * its bind address implies, so that `check` passes on the same image unless
 * the image contradicts itself (an EXPOSEd port that listens only on
 * loopback, a risky port), which the comments point out and `check` keeps
 * failing until someone decides.
 */
export const baselineFrom = (result: GateResult, ephemeral: [number, number] = [32768, 60999]): Baseline => {
  // What check judges by no rule (a socket open for a moment on a kernel-picked port, a UDP client's socket) needs no entry either.
  const claimed = new Set(result.exposed.map(portKey));
  const r = {...result, listening: result.listening.filter(l => !unjudged(l, ephemeral, riskyPort, claimed))};
  const dynamicByExe = dynamicOwners(r, ephemeral);
  const dynamicKeys = new Set([...dynamicByExe.values()].flat().map(portKey));
  const byKey = new Map<string, Listener[]>();
  for (const l of r.listening) if (!dynamicKeys.has(portKey(l))) byKey.set(portKey(l), [...(byKey.get(portKey(l)) ?? []), l]);
  const exposed = new Map(r.exposed.map(e => [portKey(e), e]));
  const ports: BaselinePort[] = [];
  for (const [key, ls] of byKey) {
    const {port, protocol} = ls[0]!;
    const loopbackOnly = ls.every(l => l.scope === 'loopback');
    const e = exposed.get(key);
    const procs = [...new Set(ls.flatMap(l => (l.process ? [l.process.name] : [])))];
    const notes = [`seen on ${[...new Set(ls.map(l => l.address))].join(', ')}${procs.length ? ` by ${procs.join(', ')}` : ''}${ls.every(l => l.transient) ? ' (open only briefly during start-up)' : ''}`];
    if (e) notes.push(describeExpose(e));
    if (e && loopbackOnly)
      notes.push(
        `WARNING: the image EXPOSEs ${key} but the service listens on loopback only, so nothing outside the container can reach it. \`portgate check\` fails on this (loopback-port-exposed) until you decide: bind it to 0.0.0.0 and declare it public, or drop the EXPOSE.`
      );
    const risk = riskyPort(port, protocol, procs);
    // check flags a risky port that listens beyond loopback or is EXPOSEd (EXPOSE advertises it).
    if (risk && (!loopbackOnly || e)) notes.push(`WARNING: ${risk.name}: ${risk.why} Remove it from the image, or add \`reason:\` saying why it is acceptable.`);
    ports.push({port, protocol, exposure: loopbackOnly ? 'loopback' : e ? 'public' : 'internal', comment: notes.join('; ')});
  }
  for (const [key, e] of exposed) {
    if (byKey.has(key) || dynamicKeys.has(key)) continue;
    const other = r.listening.find(l => l.port === e.port && l.protocol !== e.protocol);
    if (!other && e.origin === 'base-image') {
      // The base image's EXPOSE, and nothing served it: declared as such, so check neither waits for it nor fails on it.
      const comment = `${describeExpose(e)}, but nothing listened on it while portgate watched, so it is declared not served: check fails if something listens on it. If the service does serve it (later, or only in some modes), replace \`served: false\` with its exposure.`;
      ports.push({port: e.port, protocol: e.protocol, exposure: 'public', served: false, comment});
      continue;
    }
    const comment = other
      ? `${describeExpose(e)}, but the service listens on ${e.port}/${other.protocol}, not ${key}: the EXPOSE line probably lacks /${other.protocol}. Write \`EXPOSE ${e.port}/${other.protocol}\`, then remove this entry.`
      : `${describeExpose(e)}, but nothing listened on it while portgate watched: if the service never serves it, remove the EXPOSE; if it serves it later or only in some modes, keep this entry.`;
    ports.push({port: e.port, protocol: e.protocol, exposure: 'public', comment});
  }
  const dynamic = [...dynamicByExe].map(([key, ls]): BaselineDynamic => {
    const exe = key.split('\0')[0]!;
    const name = ls[0]!.process!.name;
    return {
      process: name,
      exposure: ls.every(l => l.scope === 'loopback') ? 'loopback' : 'internal',
      max: new Set(ls.map(portKey)).size,
      protocol: ls[0]!.protocol,
      reason: `proposed by portgate init: ${name} opened ${[...new Set(ls.map(l => l.port))].join(', ')} at run time; confirm this and say why`,
      comment: `${exe} listened in the ephemeral range ${ephemeral[0]}-${ephemeral[1]} next to its fixed ports: ports chosen at run time (e.g. JMX/RMI). Review the reason.`
    };
  });
  return {ports: ports.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)), dynamic};
};
