import {InputError} from '../errors.js';
import type {FleetJsonReport} from '../fleet/result.js';
import type {JsonReport} from './json.js';

/**
 * Reads a JSON report someone kept (a fleet job's artifact, the main
 * branch's report passed as --baseline): JSON, a portgate report, of the
 * kind asked for, and shaped as this version writes it, down to what the
 * writers read, so a wrong or damaged file is an input error naming it
 * rather than a crash in a writer. Keys this version does not know are
 * allowed (reports only ever gain keys). Pure.
 */

type Check = (v: unknown, path: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v, p) => (typeof v === 'string' ? undefined : `${p} must be a string`);
const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${p} must be a number`);
const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} must be true or false`);
const oneOf =
  (...xs: readonly unknown[]): Check =>
  (v, p) =>
    xs.includes(v) ? undefined : `${p} must be one of ${xs.map(x => JSON.stringify(x)).join(', ')}`;
const opt =
  (c: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : c(v, p);
const arr =
  (c: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p} must be a list`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
const obj =
  (shape: Record<string, Check>): Check =>
  (v, p) => {
    if (!isObject(v)) return `${p} must be an object`;
    for (const [k, c] of Object.entries(shape)) {
      const e = c(v[k], `${p}.${k}`);
      if (e) return e;
    }
    return undefined;
  };
const either =
  (a: Check, b: Check): Check =>
  (v, p) =>
    a(v, p) && b(v, p);

const PROTOCOL = oneOf('tcp', 'udp', 'sctp');
const SEVERITY = oneOf('error', 'warning', 'note');
const MARK = opt(oneOf('new', 'unchanged'));
const source = obj({file: str, line: num, column: opt(num), endLine: opt(num), endColumn: opt(num)});
const finding = obj({
  rule: str,
  severity: SEVERITY,
  port: opt(num),
  protocol: opt(PROTOCOL),
  message: str,
  location: opt(either(source, obj({image: str}))),
  category: opt(str),
  related: opt(arr(obj({port: num, protocol: PROTOCOL}))),
  suppressed: opt(obj({reason: str, until: opt(str), location: source})),
  baseline: MARK
});
const listener = obj({
  port: num,
  protocol: PROTOCOL,
  address: str,
  family: oneOf('ipv4', 'ipv6'),
  scope: oneOf('loopback', 'wildcard', 'specific'),
  transient: opt(bool),
  process: opt(obj({pid: num, name: str, exe: opt(str), uid: opt(num), command: str})),
  baseline: MARK
});
const single = obj({
  version: oneOf(1),
  verdict: oneOf('pass', 'fail'),
  failOn: oneOf('error', 'warning', 'note', 'never'),
  image: str,
  dockerfile: opt(str),
  spec: opt(str),
  exposed: arr(obj({port: num, protocol: PROTOCOL, origin: oneOf('dockerfile', 'base-image'), location: opt(source)})),
  listening: arr(listener),
  declared: arr(obj({port: num, protocol: PROTOCOL, exposure: opt(oneOf('public', 'internal', 'loopback')), served: opt(oneOf(false)), name: opt(str), reason: opt(str), location: source})),
  findings: arr(finding),
  container: (v, p) =>
    v === null
      ? undefined
      : obj({
          exited: bool,
          exitCode: opt(num),
          causes: opt(arr(obj({cause: str, explanation: str, fix: str, evidence: opt(str)}))),
          timedOut: bool,
          reader: str,
          trusted: bool,
          ownersIncomplete: opt(str),
          sandbox: opt(obj({settings: arr(obj({setting: str, value: str, from: str, isDefault: bool})), notes: arr(str)})),
          logs: opt(str),
          ephemeral: opt(arr(num))
        })(v, p),
  baseline: opt(obj({report: str, status: oneOf('compared', 'other-image', 'absent', 'not-gated'), image: opt(str), resolved: obj({findings: arr(finding), listening: arr(listener)})})),
  timing: obj({totalMs: num})
});
const fleet = obj({
  version: oneOf(1),
  kind: oneOf('fleet'),
  verdict: oneOf('pass', 'fail'),
  failOn: oneOf('error', 'warning', 'note', 'never'),
  fleet: str,
  summary: obj({services: num, passed: num, failed: num, errors: num, findings: obj({error: num, warning: num, note: num})}),
  services: arr(obj({name: str, image: str, status: oneOf('pass', 'fail', 'error'), code: oneOf(0, 1, 2, 3, 4), error: opt(str), report: opt(single), timeMs: num})),
  baseline: opt(obj({report: str, missing: arr(obj({name: str, image: str}))})),
  timing: obj({totalMs: num})
});

export type ReportKind = 'single' | 'fleet';
/** The document of each kind. */
export interface ReportDocs {
  single: JsonReport;
  fleet: FleetJsonReport;
}

const KIND_NAME: Record<ReportKind, string> = {single: 'a single-image report (`portgate check --image`)', fleet: 'a fleet report (`portgate check --fleet`)'};

/**
 * `text`, read from `file`, as the report `want` names. `hint` says which
 * file to pass instead, for every message. Throws InputError (exit 2).
 */
export const readReport = <K extends ReportKind>(text: string, file: string, want: K, hint: string): ReportDocs[K] => {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not JSON (${(e as Error).message}): ${hint}`);
  }
  const kind: ReportKind | undefined = !isObject(doc) || doc.version === undefined ? undefined : doc.kind === 'fleet' ? 'fleet' : 'findings' in doc && 'image' in doc ? 'single' : undefined;
  if (!kind) throw new InputError(`${file} is not a portgate JSON report: ${hint}`);
  if (kind !== want) throw new InputError(`${file} is ${KIND_NAME[kind]}, but this needs ${KIND_NAME[want]}: ${hint}`);
  if ((doc as {version: unknown}).version !== 1) throw new InputError(`${file} is a version ${JSON.stringify((doc as {version: unknown}).version)} portgate report; this portgate reads version 1: ${hint}`);
  const problem = (kind === 'fleet' ? fleet : single)(doc, '$');
  if (problem) throw new InputError(`${file} is not a portgate report this version can read: ${problem}. ${hint}`);
  return doc as ReportDocs[K];
};
