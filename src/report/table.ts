import type {DeclaredPort, ExposedPort, Finding, GateResult, Listener, Protocol} from '../model.js';
import {PROTOCOLS, portKey} from '../model.js';
import {findingPort, sanitize, sortFindings} from './common.js';
import {describeListeners} from '../compare/views.js';

/**
 * The port table shared by the text, Markdown and JUnit writers: one row per
 * `port/protocol` that appears in any of the three views or in a finding.
 */
export interface PortRow {
  port: number;
  protocol: Protocol;
  /** `8080/tcp` */
  key: string;
  exposed?: ExposedPort;
  listeners: Listener[];
  declared?: DeclaredPort;
  /** Findings about this port, in report order (worst first). */
  findings: Finding[];
}

/** The cells as text; writers add their own markup. */
export interface PortCells {
  port: string;
  expose: string;
  listening: string;
  spec: string;
  verdict: string;
}

export const NONE = '—';

const byPort = (a: {port: number; protocol: Protocol}, b: {port: number; protocol: Protocol}): number =>
  a.port - b.port || PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol);

export const portRows = (r: GateResult): PortRow[] => {
  const rows = new Map<string, PortRow>();
  const row = (p: {port: number; protocol: Protocol}): PortRow => {
    const key = portKey(p);
    let found = rows.get(key);
    if (!found) rows.set(key, (found = {port: p.port, protocol: p.protocol, key, listeners: [], findings: []}));
    return found;
  };
  for (const e of r.exposed) row(e).exposed ??= e;
  for (const l of r.listening) row(l).listeners.push(l);
  for (const d of r.declared) row(d).declared ??= d;
  for (const f of sortFindings(r.findings)) {
    if (findingPort(f)) row({port: f.port!, protocol: f.protocol!}).findings.push(f);
  }
  return [...rows.values()].sort(byPort);
};

/** Findings that name no port (container exited, untrusted reader…): JUnit gives each its own test case. */
export const otherFindings = (r: GateResult): Finding[] => sortFindings(r.findings).filter(f => !findingPort(f));

/** The worst finding of a row, or undefined when the row is ok. */
export const worst = (row: PortRow): Finding | undefined => row.findings[0];

const exposeCell = (e: ExposedPort | undefined): string =>
  !e ? NONE : e.origin === 'base-image' ? 'inherited' : e.location ? `yes (line ${e.location.line})` : 'yes';

/** The listener cell: the comparison's own wording, made safe for terminals and markdown. */
export const describeListening = (ls: readonly Listener[]): string => (ls.length === 0 ? NONE : sanitize(describeListeners(ls)));

const specCell = (d: DeclaredPort | undefined): string =>
  !d ? NONE : d.name ? `${d.exposure} (${sanitize(d.name)})` : d.exposure;

/** `ok`, or the worst finding's rule with `(+n)` for the others on the same port. */
export const verdictCell = (row: PortRow): string => {
  const w = worst(row);
  if (!w) return 'ok';
  return row.findings.length > 1 ? `${w.rule} (+${row.findings.length - 1})` : w.rule;
};

/** `—` would claim nothing listens; with --static-only nothing was observed at all. */
export const NOT_RUN = '(not run)';

export const portCells = (row: PortRow, observed = true): PortCells => ({
  port: row.key,
  expose: exposeCell(row.exposed),
  listening: observed ? describeListening(row.listeners) : NOT_RUN,
  spec: specCell(row.declared),
  verdict: verdictCell(row)
});

export const COLUMNS: Record<keyof PortCells, string> = {
  port: 'PORT',
  expose: 'EXPOSE',
  listening: 'LISTENING',
  spec: 'SPEC',
  verdict: 'VERDICT'
};
