import type {Acceptance, DeclaredPort, DynamicPort, Exposure, Protocol, SeveritySetting, SourceLocation} from '../model.js';
import type {NetworkMode, SandboxProfile} from '../sandbox/types.js';
import {capabilityIssue, parseMemory} from '../sandbox/values.js';
import {portKey} from '../model.js';
import {parseDuration} from '../util/duration.js';
import {parsePortValue} from './ports.js';
import {pathLabel, type Issue, type SourcePositions} from './positions.js';
import type {RunConfig, Spec} from './types.js';
import {schemaIssues} from './validate.js';
import {fail, readDocument, where} from './document.js';
import {buildPolicy, type RawPolicy} from './policy.js';

/** The shapes the schema guarantees once it has passed. */
interface RawPort {
  port: number | string;
  protocol?: Protocol;
  name?: string;
  exposure?: Exposure;
  reason?: string;
  served?: boolean;
}
interface RawAccept {
  rule: string;
  port?: number | string;
  protocol?: Protocol;
  file?: string;
  reason: string;
  until?: string;
}
interface RawRun {
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string | number | boolean>;
  user?: string | number;
  sandbox?: SandboxProfile;
  network?: NetworkMode;
  readOnly?: boolean;
  tmpfs?: string[];
  capAdd?: string[];
  capDrop?: string[];
  memory?: string | number;
  pids?: number;
  timeout?: string | number;
  settle?: string | number;
}
interface RawDynamic {
  process?: string;
  ports?: string | number;
  protocol?: Protocol;
  exposure?: 'internal' | 'loopback';
  max?: number;
  reason: string;
}
interface RawSpec {
  version: 1;
  ports: RawPort[];
  dynamic?: RawDynamic[];
  run?: RawRun;
  policy?: RawPolicy;
  rules?: Record<string, SeveritySetting>;
  accept?: RawAccept[];
}


/**
 * Reads portgate.yml text into a validated Spec. Throws one InputError that
 * cites file:line:column for every problem found, first problem first.
 */
export const loadSpec = (text: string, file: string): Spec => {
  const {data, positions} = readDocument(text, file, {
    what: 'the spec',
    empty: 'the spec is empty: start it with `version: 1` and a `ports:` list (`portgate init` writes one).',
    shape: 'a mapping with `version: 1` and `ports:`',
    issues: schemaIssues
  });
  const built = build(data as unknown as RawSpec, positions);
  if (built.issues.length) fail(positions.place(built.issues));
  return built.spec;
};

/** What the schema cannot check: ranges, suffix conflicts, duplicates, duration values, calendar dates. */
const build = (raw: RawSpec, positions: SourcePositions): {spec: Spec; issues: Issue[]} => {
  const issues: Issue[] = [];
  const ports: DeclaredPort[] = [];
  const seen = new Map<string, {index: number; text: string; ranged: boolean; location: SourceLocation}>();
  for (const [index, p] of raw.ports.entries()) {
    const path = ['ports', index, 'port'];
    const r = parsePortValue(p.port);
    if (typeof r === 'string') {
      issues.push({path, message: r});
      continue;
    }
    if (r.suffix && p.protocol && r.suffix !== p.protocol) {
      issues.push({path: ['ports', index, 'protocol'], message: `protocol ${p.protocol} conflicts with the /${r.suffix} suffix of port "${r.text}": keep only one of them.`});
      continue;
    }
    const protocol = r.suffix ?? p.protocol ?? 'tcp';
    const location = positions.locate(path).location;
    const ranged = r.to > r.from;
    for (let port = r.from; port <= r.to; port++) {
      const key = portKey({port, protocol});
      const first = seen.get(key);
      if (first) {
        const here = ranged ? `port ${key} (from range "${r.text}")` : `port ${key}`;
        const there = `${pathLabel(['ports', first.index])}${first.ranged ? ` (range "${first.text}")` : ''} at ${where(first.location)}`;
        issues.push({path, message: `${here} is already declared by ${there}: declare each port once${ranged || first.ranged ? ' and keep ranges from overlapping' : ''}.`});
        break;
      }
      seen.set(key, {index, text: r.text, ranged, location});
      ports.push({
        port,
        protocol,
        exposure: p.exposure ?? 'public',
        ...(p.name !== undefined && {name: p.name}),
        ...(p.reason !== undefined && {reason: p.reason}),
        ...(p.served === false && {served: false as const}),
        location: {...location}
      });
    }
  }
  const run = buildRun(raw.run ?? {}, positions, issues);
  const dynamic = buildDynamic(raw.dynamic ?? [], positions, issues);
  const accept = buildAccept(raw.accept ?? [], positions, issues);
  const locations: Spec['locations'] = {};
  if (raw.ports !== undefined) locations.ports = positions.locate(['ports'], 'key').location;
  if (raw.run !== undefined) locations.run = positions.locate(['run'], 'key').location;
  if (raw.rules !== undefined) locations.rules = positions.locate(['rules'], 'key').location;
  const runKeys = ['entrypoint', 'command', 'env', 'user', 'sandbox', 'network', 'readOnly', 'tmpfs', 'capAdd', 'capDrop', 'memory', 'pids'] as const;
  const present = runKeys.filter(k => raw.run?.[k] !== undefined);
  if (present.length) locations.runKeys = Object.fromEntries(present.map(k => [k === 'memory' ? 'memoryBytes' : k, positions.locate(['run', k], 'key').location]));
  const policy = raw.policy && buildPolicy(raw.policy, positions, issues);
  return {spec: {file: positions.file, version: 1, ports, dynamic, run, ...(policy && {policy}), rules: {...raw.rules}, accept, locations}, issues};
};

const buildRun = (raw: RawRun, positions: SourcePositions, issues: Issue[]): RunConfig => {
  const run: RunConfig = {};
  if (raw.command) run.command = raw.command;
  if (raw.entrypoint) run.entrypoint = raw.entrypoint;
  // Numbers keep the form they were written in: `VERSION: 1.10` must not become "1.1".
  if (raw.env) run.env = Object.fromEntries(Object.entries(raw.env).map(([k, v]) => [k, typeof v === 'string' ? v : positions.plainSource(['run', 'env', k]) ?? String(v)]));
  if (raw.user !== undefined) run.user = String(raw.user);
  if (raw.sandbox !== undefined) run.sandbox = raw.sandbox;
  if (raw.network !== undefined) run.network = raw.network;
  if (raw.readOnly !== undefined) run.readOnly = raw.readOnly;
  if (raw.tmpfs) run.tmpfs = raw.tmpfs.map(path => ({path}));
  for (const field of ['capAdd', 'capDrop'] as const) {
    raw[field]?.forEach((c, i) => {
      const problem = capabilityIssue(c, field === 'capDrop');
      if (problem) issues.push({path: ['run', field, i], message: problem});
    });
    if (raw[field]) run[field] = raw[field];
  }
  if (raw.memory !== undefined) {
    const bytes = parseMemory(raw.memory);
    if (typeof bytes === 'string') issues.push({path: ['run', 'memory'], message: `run.memory ${bytes}`});
    else run.memoryBytes = bytes;
  }
  if (raw.pids !== undefined) run.pids = raw.pids;
  if (raw.settle === 'auto') run.settleMs = 'auto';
  for (const [field, key] of [['timeout', 'timeoutMs'], ['settle', 'settleMs']] as const) {
    const value = raw[field];
    if (value === undefined || value === 'auto') continue;
    try {
      const ms = parseDuration(value, `run.${field}`);
      if (field === 'timeout' && ms === 0) issues.push({path: ['run', field], message: 'run.timeout must be longer than 0: write e.g. 30s.'});
      else run[key] = ms;
    } catch (e) {
      issues.push({path: ['run', field], message: (e as Error).message});
    }
  }
  return run;
};

/** `dynamic:` entries; the schema has checked shapes, this checks ranges and names. */
const buildDynamic = (raw: RawDynamic[], positions: SourcePositions, issues: Issue[]): DynamicPort[] =>
  raw.flatMap((d, index): DynamicPort[] => {
    if (d.process === undefined && d.ports === undefined) {
      issues.push({path: ['dynamic', index], message: `dynamic[${index}] matches any listener: give \`process:\` (the owning executable, e.g. java), \`ports:\` (a range), or both.`});
      return [];
    }
    let range: DynamicPort['range'] = 'ephemeral';
    if (d.ports !== undefined && d.ports !== 'ephemeral') {
      const r = parsePortValue(d.ports);
      if (typeof r === 'string') {
        issues.push({path: ['dynamic', index, 'ports'], message: r});
        return [];
      }
      range = [r.from, r.to];
    }
    return [
      {
        ...(d.process !== undefined && {process: d.process}),
        range,
        protocol: d.protocol ?? 'tcp',
        exposure: d.exposure ?? 'internal',
        max: d.max ?? 1,
        reason: d.reason,
        location: positions.locate(['dynamic', index], 'value').location
      }
    ];
  });

/** A calendar date `YYYY-MM-DD` that exists (no 2027-02-30). */
export const isDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
};

/** `accept:` entries; the schema has checked shapes and rule ids, this checks ports, protocols and dates. */
const buildAccept = (raw: RawAccept[], positions: SourcePositions, issues: Issue[]): Acceptance[] =>
  raw.flatMap((a, index): Acceptance[] => {
    const label = pathLabel(['accept', index]);
    let ports: [number, number] | undefined;
    let protocol: Protocol | undefined;
    if (a.port !== undefined) {
      const r = parsePortValue(a.port);
      if (typeof r === 'string') {
        issues.push({path: ['accept', index, 'port'], message: `${label}.port: ${r}`});
        return [];
      }
      if (r.suffix && a.protocol && r.suffix !== a.protocol) {
        issues.push({path: ['accept', index, 'protocol'], message: `protocol ${a.protocol} conflicts with the /${r.suffix} suffix of port "${r.text}": keep only one of them.`});
        return [];
      }
      ports = [r.from, r.to];
      protocol = r.suffix ?? a.protocol ?? 'tcp';
    } else if (a.protocol !== undefined) {
      issues.push({path: ['accept', index, 'protocol'], at: 'key', message: `${label} has \`protocol\` but no \`port\`: add the port the findings name, or remove \`protocol\`.`});
      return [];
    }
    if (a.until !== undefined && !isDate(a.until)) {
      issues.push({path: ['accept', index, 'until'], message: `${label}.until "${a.until}" is not a date: write the last day the entry applies as YYYY-MM-DD, e.g. 2027-03-31.`});
      return [];
    }
    return [
      {
        rule: a.rule,
        ...(ports && {ports, protocol}),
        ...(a.file !== undefined && {file: a.file}),
        reason: a.reason,
        ...(a.until !== undefined && {until: a.until, untilLocation: positions.locate(['accept', index, 'until']).location}),
        location: positions.locate(['accept', index]).location
      }
    ];
  });
