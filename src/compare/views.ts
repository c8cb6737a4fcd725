import type {DeclaredPort, ExposedPort, Listener, Location, Protocol} from '../model.js';
import {portKey} from '../model.js';
import {locate, type Anchors, type Subject} from '../findings/where.js';

/** The three views indexed by `port/protocol`, the unit every rule compares. */
export interface Views {
  image: string;
  /** The file lines findings without a line of their own point at (findings/where.ts). */
  anchors: Anchors;
  exposed: Map<string, ExposedPort>;
  listening: Map<string, Listener[]>;
  /** undefined when there is no spec: the gate then compares EXPOSE with the runtime only. */
  declared: Map<string, DeclaredPort> | undefined;
}

export const indexViews = (
  image: string,
  exposed: ExposedPort[],
  listening: Listener[],
  declared: DeclaredPort[] | undefined,
  anchors: Anchors = {}
): Views => {
  const listeners = new Map<string, Listener[]>();
  for (const l of listening) listeners.set(portKey(l), [...(listeners.get(portKey(l)) ?? []), l]);
  return {
    image,
    anchors,
    exposed: new Map(exposed.map(e => [portKey(e), e])),
    listening: listeners,
    declared: declared && new Map(declared.map(d => [portKey(d), d]))
  };
};

export const otherProtocols = (p: Protocol): Protocol[] => (['tcp', 'udp', 'sctp'] as const).filter(x => x !== p);

export const isBeyondLoopback = (ls: Listener[]): boolean => ls.some(l => l.scope !== 'loopback');

const cmpFamily = (a: Listener, b: Listener): number => (a.family === b.family ? 0 : a.family === 'ipv4' ? -1 : 1);

/**
 * `0.0.0.0, :: (java, pid 1)`: what a person needs to find the socket, in
 * finding messages and report tables alike. IPv4 before IPv6, whatever order
 * /proc/net was read in.
 */
export const describeListeners = (ls: readonly Listener[]): string => {
  const sorted = [...ls].sort((a, b) => cmpFamily(a, b) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const addrs = [...new Set(sorted.map(l => l.address))].join(', ');
  const procs = [...new Set(sorted.flatMap(l => (l.process ? [`${l.process.name}, pid ${l.process.pid}`] : [])))];
  const brief = sorted.every(l => l.transient) ? ', seen briefly' : '';
  return procs.length ? `${addrs} (${procs.join('; ')}${brief})` : brief ? `${addrs} (seen briefly)` : addrs;
};

/** Completes "8080/tcp is …": where the EXPOSE came from. */
export const describeExpose = (e: ExposedPort): string =>
  e.origin === 'base-image' ? "inherited from the base image's EXPOSE" : e.location ? `EXPOSEd at ${e.location.file}:${e.location.line}` : 'EXPOSEd by the image';

/** Where a finding about `subject` points when it has no line of its own. */
export const where = (v: Pick<Views, 'anchors' | 'image'>, subject: Subject): Location => locate(subject, v.anchors, v.image);

/** An EXPOSEd port's own word, else (inherited) the FROM line that brings it in. */
export const exposeLocation = (e: ExposedPort, v: Pick<Views, 'anchors' | 'image'>): Location =>
  e.location ?? where(v, e.origin === 'base-image' ? 'inherited' : 'image');
