import type {DeclaredPort, DynamicPort, Exposure, Protocol, SourceLocation} from '../model.js';

/**
 * Where `dynamic: {ports: ephemeral}` ports fall when nothing says otherwise:
 * Linux's default net.ipv4.ip_local_port_range. A manifest cannot tell the
 * pod's own range, so policies and checks use this one.
 */
export const LINUX_EPHEMERAL: [number, number] = [32768, 60999];

/** A declared port or run of ports, as a NetworkPolicy sees it: numbers, protocol, who may reach them. */
export interface DeclaredRange {
  from: number;
  to: number;
  protocol: Protocol;
  exposure: Exposure;
  /** The spec entry's `name:`, or the owning process of a `dynamic:` entry. */
  name?: string;
  location: SourceLocation;
  /** A `dynamic:` entry (ports picked at run time) rather than a `ports:` entry. */
  dynamic: boolean;
}

export const rangeText = (r: Pick<DeclaredRange, 'from' | 'to' | 'protocol'>): string => `${r.from}${r.to > r.from ? `-${r.to}` : ''}/${r.protocol}`;

/**
 * The spec's ports as ranges, in spec order: a `ports:` range entry (expanded
 * by the spec loader into one DeclaredPort per port, all at the same place)
 * is one range again; each `dynamic:` entry is one range.
 */
export const declaredRanges = (declared: DeclaredPort[], dynamic: DynamicPort[] = []): DeclaredRange[] => {
  const out: DeclaredRange[] = [];
  for (const d of declared) {
    const last = out.at(-1);
    const sameEntry = last && !last.dynamic && last.location.line === d.location.line && last.location.column === d.location.column;
    if (sameEntry && last.protocol === d.protocol && last.to + 1 === d.port) last.to = d.port;
    else out.push({from: d.port, to: d.port, protocol: d.protocol, exposure: d.exposure, ...(d.name !== undefined && {name: d.name}), location: d.location, dynamic: false});
  }
  for (const d of dynamic) {
    const [from, to] = d.range === 'ephemeral' ? LINUX_EPHEMERAL : d.range;
    out.push({from, to, protocol: d.protocol, exposure: d.exposure, ...(d.process !== undefined && {name: d.process}), location: d.location, dynamic: true});
  }
  return out;
};
