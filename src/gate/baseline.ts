import type {GateResult, Listener} from '../model.js';
import {portKey} from '../model.js';
import type {BaselinePort} from '../spec/index.js';
import {riskyPort} from '../compare/risky-ports.js';

/**
 * What `portgate init` proposes: every observed listener with the exposure its
 * bind address implies, so `check` passes on the same image unless something
 * is genuinely wrong (stale EXPOSE, risky ports), which stays visible.
 */
export const baselineFrom = (r: GateResult): BaselinePort[] => {
  const byKey = new Map<string, Listener[]>();
  for (const l of r.listening) byKey.set(portKey(l), [...(byKey.get(portKey(l)) ?? []), l]);
  const exposed = new Map(r.exposed.map(e => [portKey(e), e]));
  const ports: BaselinePort[] = [];
  for (const [key, ls] of byKey) {
    const {port, protocol} = ls[0]!;
    const loopbackOnly = ls.every(l => l.scope === 'loopback');
    const e = exposed.get(key);
    const procs = [...new Set(ls.flatMap(l => (l.process ? [l.process.command.split(' ')[0]] : [])))];
    const seen = `seen on ${[...new Set(ls.map(l => l.address))].join(', ')}${procs.length ? ` by ${procs.join(', ')}` : ''}`;
    const where = e ? (e.origin === 'base-image' ? '; EXPOSEd by the base image' : e.location ? `; EXPOSEd at ${e.location.file}:${e.location.line}` : '; EXPOSEd') : '';
    const risk = riskyPort(port, protocol);
    ports.push({
      port,
      protocol,
      exposure: loopbackOnly ? 'loopback' : e ? 'public' : 'internal',
      comment: `${seen}${where}${risk ? `; WARNING: ${risk.name}, remove it or add a reason` : ''}`
    });
  }
  for (const [key, e] of exposed) {
    if (byKey.has(key)) continue;
    ports.push({port: e.port, protocol: e.protocol, exposure: 'public', comment: `EXPOSEd${e.origin === 'base-image' ? ' by the base image' : ''} but nothing listened: remove this entry and the EXPOSE, or fix the service`});
  }
  return ports.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
};
