import type {ContainerOutcome, DeclaredPort, Finding, GateResult, Listener, Location, SourceLocation} from '../model.js';
import type {JsonReport} from './json.js';

/**
 * The inverse of toJsonReport for everything a writer reads: a report kept as
 * JSON (a fleet job's artifact, a baseline) renders in every format exactly
 * as the run that wrote it would have (test/unit/report/from-json.test.ts
 * proves it per writer and fixture). What the JSON leaves out no writer uses:
 * a listener's uid and inode outside its process. Paths come back as the JSON
 * has them, repository-relative. Pure; the document is trusted to have the
 * shape (report/read.ts checks one read from a file).
 */

type JsonFinding = JsonReport['findings'][number];
type JsonListener = JsonReport['listening'][number];
type JsonSource = {file: string; line: number; column?: number; endLine?: number; endColumn?: number};

const source = (l: JsonSource): SourceLocation => ({
  file: l.file,
  line: l.line,
  ...(l.column !== undefined && {column: l.column}),
  ...(l.endLine !== undefined && {endLine: l.endLine}),
  ...(l.endColumn !== undefined && {endColumn: l.endColumn})
});

const location = (l: JsonSource | {image: string}): Location => ('file' in l ? source(l) : {image: l.image});

export const findingFromJson = (f: JsonFinding): Finding => ({
  rule: f.rule,
  severity: f.severity,
  ...(f.port !== undefined && {port: f.port}),
  ...(f.protocol !== undefined && {protocol: f.protocol}),
  message: f.message,
  ...(f.location && {location: location(f.location)}),
  ...(f.category !== undefined && {category: f.category}),
  ...(f.related?.length && {related: f.related.map(p => ({port: p.port, protocol: p.protocol}))}),
  ...(f.suppressed && {
    suppressed: {
      reason: f.suppressed.reason,
      ...(f.suppressed.until !== undefined && {until: f.suppressed.until}),
      location: source(f.suppressed.location)
    }
  }),
  ...(f.baseline && {baseline: f.baseline})
});

export const listenerFromJson = (l: JsonListener): Listener => ({
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

const container = (c: NonNullable<JsonReport['container']>): ContainerOutcome => ({
  exited: c.exited,
  ...(c.exitCode !== undefined && {exitCode: c.exitCode}),
  ...(c.oomKilled && {oomKilled: true}),
  ...(c.causes && {causes: c.causes.map(x => ({cause: x.cause, explanation: x.explanation, fix: x.fix, ...(x.evidence !== undefined && {evidence: x.evidence})}))}),
  timedOut: c.timedOut,
  ...(c.settledBy && {settledBy: c.settledBy}),
  reader: c.reader,
  trusted: c.trusted,
  ...(c.ownersIncomplete && {ownersIncomplete: c.ownersIncomplete}),
  ...(c.sandbox && {sandbox: {settings: c.sandbox.settings.map(s => ({...s})), notes: [...c.sandbox.notes]}}),
  ...(c.logs !== undefined && {logs: c.logs}),
  ...(c.ephemeral && {ephemeral: [c.ephemeral[0], c.ephemeral[1]]})
});

// `served: false` ports have no exposure in the JSON; the spec loader gives them `public`, and no writer reads it.
const declared = (d: JsonReport['declared'][number]): DeclaredPort => ({
  port: d.port,
  protocol: d.protocol,
  exposure: 'exposure' in d && d.exposure !== undefined ? d.exposure : 'public',
  ...(d.name !== undefined && {name: d.name}),
  ...(d.reason !== undefined && {reason: d.reason}),
  ...('served' in d && d.served === false && {served: false as const}),
  location: source(d.location)
});

export const fromJsonReport = (doc: JsonReport): GateResult => ({
  version: doc.version,
  verdict: doc.verdict,
  image: doc.image,
  failOn: doc.failOn,
  ...(doc.dockerfile !== undefined && {dockerfile: doc.dockerfile}),
  ...(doc.spec !== undefined && {spec: doc.spec}),
  exposed: doc.exposed.map(e => ({port: e.port, protocol: e.protocol, origin: e.origin, ...(e.location && {location: source(e.location)})})),
  listening: doc.listening.map(listenerFromJson),
  declared: doc.declared.map(declared),
  findings: doc.findings.map(findingFromJson),
  ...(doc.container && {container: container(doc.container)}),
  ...(doc.baseline && {
    baseline: {
      report: doc.baseline.report,
      status: doc.baseline.status,
      ...(doc.baseline.image !== undefined && {image: doc.baseline.image}),
      resolved: {findings: doc.baseline.resolved.findings.map(findingFromJson), listening: doc.baseline.resolved.listening.map(listenerFromJson)}
    }
  }),
  timing: {...doc.timing}
});
