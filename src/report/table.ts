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
  /** Findings about this port, in report order (most important first). */
  findings: Finding[];
  /**
   * Findings reported on another port (or on none) that concern this one
   * too: the listening half of a protocol mismatch, the ports of a `dynamic:`
   * entry over its `max`. A row they concern never reads `ok`.
   */
  related: Finding[];
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
    if (!found) rows.set(key, (found = {port: p.port, protocol: p.protocol, key, listeners: [], findings: [], related: []}));
    return found;
  };
  for (const e of r.exposed) row(e).exposed ??= e;
  for (const l of r.listening) row(l).listeners.push(l);
  for (const d of r.declared) row(d).declared ??= d;
  for (const f of sortFindings(r.findings)) {
    const own = findingPort(f);
    if (own) row({port: f.port!, protocol: f.protocol!}).findings.push(f);
    for (const p of f.related ?? []) if (portKey(p) !== own) row(p).related.push(f);
  }
  return [...rows.values()].sort(byPort);
};

/** Findings that name no port (container exited, untrusted reader…): JUnit gives each its own test case. */
export const otherFindings = (r: GateResult): Finding[] => sortFindings(r.findings).filter(f => !findingPort(f));

/** The most important finding that counts and concerns a row (its own first); undefined when none does (the row is ok, or only suppressed findings concern it). */
export const worst = (row: PortRow): Finding | undefined => row.findings.find(f => !f.suppressed) ?? row.related.find(f => !f.suppressed);

const exposeCell = (e: ExposedPort | undefined): string =>
  !e ? NONE : e.origin === 'base-image' ? 'inherited' : e.location ? `yes (line ${e.location.line})` : 'yes';

/** The listener cell: the comparison's own wording, made safe for terminals and markdown. */
export const describeListening = (ls: readonly Listener[]): string => (ls.length === 0 ? NONE : sanitize(describeListeners(ls)));

const specCell = (d: DeclaredPort | undefined): string => {
  if (!d) return NONE;
  const what = d.served === false ? 'not served' : d.exposure;
  return d.name ? `${what} (${sanitize(d.name)})` : what;
};

/** One entry of a verdict cell: a rule id, and what else to say about it. */
export interface VerdictPart {
  rule: string;
  /** ` ×2` for a rule found twice on the port, ` (see 53/tcp)` for a finding reported on another port. */
  note: string;
}

/** Every rule that concerns the row, most important first: its own findings, then related ones, then suppressed ones. */
export const verdictParts = (row: PortRow): VerdictPart[] => {
  const counted = (fs: Finding[]) => {
    const counts = new Map<string, number>();
    for (const f of fs) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    return [...counts];
  };
  const own = counted(row.findings.filter(f => !f.suppressed)).map(([rule, n]) => ({rule, note: n > 1 ? ` ×${n}` : ''}));
  const related = row.related.filter(f => !f.suppressed).map(f => ({rule: f.rule, note: ` (see ${findingPort(f) ?? 'findings'})`}));
  const suppressed = counted(row.findings.filter(f => f.suppressed)).map(([rule, n]) => ({rule, note: n > 1 ? ` ×${n} (suppressed)` : ' (suppressed)'}));
  const seen = new Set<string>();
  return [...own, ...related, ...suppressed].filter(p => !seen.has(p.rule + p.note) && !!seen.add(p.rule + p.note));
};

/** `ok`, or every rule that concerns the port, e.g. `risky-port, undeclared-listener`. */
export const verdictCell = (row: PortRow): string => {
  const parts = verdictParts(row);
  return parts.length ? parts.map(p => sanitize(p.rule).replace(/\s+/g, ' ') + p.note).join(', ') : 'ok';
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
