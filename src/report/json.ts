import type {Finding, GateResult, Listener, Location, SourceLocation} from '../model.js';
import {PROTOCOLS, isSourceLocation} from '../model.js';
import {portRows} from './table.js';
import {relPath, sortFindings, type WriterOptions} from './common.js';

/**
 * The machine-readable report: a documented, stable contract. Every object is
 * built key by key in a fixed order (never spread from the model) so that a
 * model change cannot silently add, drop or reorder a field; arrays are sorted
 * (ports by number then protocol, findings in report order); absent optional
 * values are omitted, except `container`, which is `null` when nothing ran.
 * Paths are repository-relative. Strings are kept verbatim (no sanitising):
 * consumers escape for their own medium.
 *
 * `version` is the schema version of this document (GateResult.version), not
 * portgate's version; it changes only on a breaking change to the shape.
 */

const source = (l: SourceLocation, cwd?: string) => ({
  file: relPath(l.file, cwd),
  line: l.line,
  ...(l.column !== undefined && {column: l.column}),
  ...(l.endLine !== undefined && {endLine: l.endLine}),
  ...(l.endColumn !== undefined && {endColumn: l.endColumn})
});

const location = (l: Location, cwd?: string) => (isSourceLocation(l) ? source(l, cwd) : {image: l.image});

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const listener = (l: Listener) => ({
  port: l.port,
  protocol: l.protocol,
  address: l.address,
  family: l.family,
  scope: l.scope,
  ...(l.transient && {transient: true}),
  ...(l.process && {
    process: {
      pid: l.process.pid,
      name: l.process.name,
      ...(l.process.exe !== undefined && {exe: l.process.exe}),
      ...(l.process.uid !== undefined && {uid: l.process.uid}),
      command: l.process.command
    }
  }),
  ...(l.baseline && {baseline: l.baseline})
});

const finding = (f: Finding, cwd?: string) => ({
  rule: f.rule,
  severity: f.severity,
  ...(f.port !== undefined && {port: f.port}),
  ...(f.protocol !== undefined && {protocol: f.protocol}),
  message: f.message,
  ...(f.location && {location: location(f.location, cwd)}),
  ...(f.category !== undefined && {category: f.category}),
  ...(f.related?.length && {related: f.related.map(p => ({port: p.port, protocol: p.protocol}))}),
  ...(f.suppressed && {
    suppressed: {
      reason: f.suppressed.reason,
      ...(f.suppressed.until !== undefined && {until: f.suppressed.until}),
      location: source(f.suppressed.location, cwd)
    }
  }),
  ...(f.baseline && {baseline: f.baseline})
});

/** Every port/protocol pair in port order, to sort each view the same way. */
const order = (r: GateResult): Map<string, number> => new Map(portRows(r).map((row, i) => [row.key, i]));
const sortByPort = <T extends {port: number; protocol: string}>(xs: readonly T[], rank: Map<string, number>): T[] =>
  [...xs].sort((a, b) => rank.get(`${a.port}/${a.protocol}`)! - rank.get(`${b.port}/${b.protocol}`)!);

export const toJsonReport = (r: GateResult, cwd?: string) => {
  const rank = order(r);
  const {totalMs, ...phases} = r.timing;
  return {
    version: r.version,
    verdict: r.verdict,
    failOn: r.failOn,
    image: r.image,
    ...(r.dockerfile !== undefined && {dockerfile: relPath(r.dockerfile, cwd)}),
    ...(r.spec !== undefined && {spec: relPath(r.spec, cwd)}),
    exposed: sortByPort(r.exposed, rank).map(e => ({
      port: e.port,
      protocol: e.protocol,
      origin: e.origin,
      ...(e.location && {location: source(e.location, cwd)})
    })),
    // Ports sort stably; ties (one port on 0.0.0.0 and ::) keep the reader's order, then address order.
    listening: sortByPort([...r.listening].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)), rank).map(listener),
    declared: sortByPort(r.declared, rank).map(d => ({
      port: d.port,
      protocol: d.protocol,
      // A port declared `served: false` has no exposure.
      ...(d.served === false ? {served: false} : {exposure: d.exposure}),
      ...(d.name !== undefined && {name: d.name}),
      ...(d.reason !== undefined && {reason: d.reason}),
      location: source(d.location, cwd)
    })),
    findings: sortFindings(r.findings).map(f => finding(f, cwd)),
    ...(r.engine && {engine: {name: r.engine.name, version: r.engine.version, apiVersion: r.engine.apiVersion, address: r.engine.address, chosenBy: r.engine.chosenBy}}),
    container: r.container
      ? {
          exited: r.container.exited,
          ...(r.container.exitCode !== undefined && {exitCode: r.container.exitCode}),
          ...(r.container.oomKilled && {oomKilled: true}),
          ...(r.container.causes && {causes: r.container.causes.map(c => ({cause: c.cause, explanation: c.explanation, fix: c.fix, ...(c.evidence !== undefined && {evidence: c.evidence})}))}),
          timedOut: r.container.timedOut,
          ...(r.container.settledBy && {settledBy: r.container.settledBy}),
          reader: r.container.reader,
          trusted: r.container.trusted,
          ...(r.container.ownersIncomplete && {ownersIncomplete: r.container.ownersIncomplete}),
          ...(r.container.sandbox && {
            sandbox: {
              settings: r.container.sandbox.settings.map(s => ({setting: s.setting, value: s.value, from: s.from, isDefault: s.isDefault})),
              notes: [...r.container.sandbox.notes]
            }
          }),
          ...(r.container.logs !== undefined && {logs: r.container.logs}),
          ...(r.container.ephemeral && {ephemeral: [r.container.ephemeral[0], r.container.ephemeral[1]] as [number, number]})
        }
      : null,
    ...(r.baseline && {
      baseline: {
        report: r.baseline.report,
        status: r.baseline.status,
        ...(r.baseline.image !== undefined && {image: r.baseline.image}),
        resolved: {
          findings: sortFindings(r.baseline.resolved.findings).map(f => finding(f, cwd)),
          listening: [...r.baseline.resolved.listening].sort((a, b) => a.port - b.port || PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || cmp(a.address, b.address)).map(listener)
        }
      }
    }),
    // totalMs first, then the phases alphabetically: stable whatever order the pipeline recorded them in.
    timing: {totalMs, ...Object.fromEntries(Object.entries(phases).sort(([a], [b]) => (a < b ? -1 : 1)))}
  };
};

export type JsonReport = ReturnType<typeof toJsonReport>;

export const toJson = (r: GateResult, opts: WriterOptions): string => `${JSON.stringify(toJsonReport(r, opts.cwd), null, 2)}\n`;
