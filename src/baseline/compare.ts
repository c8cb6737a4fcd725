import type {BaselineComparison, Finding, GateResult, Listener} from '../model.js';
import {isSourceLocation, portKey} from '../model.js';
import {riskyPort} from '../compare/risky-ports.js';
import {unjudged} from '../compare/evaluate.js';
import {activeFindings, findingPort, imageRepository, relPath, sortFindings} from '../report/common.js';

/**
 * This run compared with an earlier report of the same image (`--baseline`,
 * e.g. the main branch's artifact): each counting finding and listener is
 * marked `new` or `unchanged`, and what only the earlier report had is kept
 * as resolved. Pure.
 *
 * Identity never includes what moves between builds of one image:
 * - the subject is the image repository, not its tag or digest
 *   (`api:sha-1` and `api:sha-2` compare; `api` and `web` do not);
 * - a finding is its rule, port/protocol and file, not its line (lines move
 *   when a Dockerfile is edited), nor its message (it quotes pids);
 * - a listener is its port/protocol, whatever addresses it binds (a dual-stack
 *   engine shows `::` where another shows `0.0.0.0`); a port the kernel picked
 *   at run time (in the ephemeral range, neither EXPOSEd, declared nor risky:
 *   JMX/RMI's) is one of "N ports picked at run time by java", so a new random
 *   port number is not a new listener while their number stays the same; a
 *   socket open for a moment on such a port during start-up is left out;
 * - a finding on a port picked at run time is keyed by that owner too.
 * Repeats (two findings of one key) are counted: one more than before is new.
 */

/** `main.json`, as named on the command line; and the checkout root, to compare paths as reports print them. */
export interface CompareOptions {
  report: string;
  cwd?: string;
}

const DEFAULT_EPHEMERAL: [number, number] = [32768, 60999];
/** Starts the key of ports picked at run time (a port key never does). */
const PICKED = '~';

/** How each side names its listeners: a port key, or the owner of ports picked at run time; undefined for what the rules leave alone. */
const listenerKeys = (r: GateResult): ((l: Listener) => string | undefined) => {
  const ephemeral = r.container?.ephemeral ?? DEFAULT_EPHEMERAL;
  const fixed = new Set([...r.exposed, ...r.declared].map(portKey));
  return l => {
    const owners = l.process ? [l.process.name] : [];
    // What the rules leave alone (start-up artifacts, UDP client sockets) is not a change either.
    if (unjudged(l, ephemeral, riskyPort, fixed)) return undefined;
    const picked = l.port >= ephemeral[0] && l.port <= ephemeral[1] && !fixed.has(portKey(l)) && !riskyPort(l.port, l.protocol, owners);
    return picked ? `${PICKED}${l.protocol}\0${l.process?.exe ?? l.process?.name ?? ''}` : portKey(l);
  };
};

/** Port key → the run-time owner key, for the findings on such ports. */
const pickedPorts = (r: GateResult, key: (l: Listener) => string | undefined): Map<string, string> =>
  new Map(r.listening.flatMap(l => {
    const k = key(l);
    return k && k !== portKey(l) ? [[portKey(l), k] as const] : [];
  }));

const findingKey = (f: Finding, picked: Map<string, string>, cwd: string | undefined): string => {
  const port = findingPort(f) ?? '';
  return [f.rule, picked.get(port) ?? port, isSourceLocation(f.location) ? relPath(f.location.file, cwd) : ''].join('\0');
};

const groupBy = <T>(xs: readonly T[], key: (x: T) => string | undefined): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    if (k !== undefined) out.set(k, [...(out.get(k) ?? []), x]);
  }
  return out;
};

const cmpPort = (a: number, b: number) => a - b;

/** Listeners: marks for the current ones (by identity) and the earlier ones no longer there. */
const compareListeners = (cur: GateResult, base: GateResult): {marks: Map<Listener, 'new' | 'unchanged'>; resolved: Listener[]} => {
  const curKey = listenerKeys(cur);
  const baseKey = listenerKeys(base);
  const now = groupBy(cur.listening, curKey);
  const then = groupBy(base.listening, baseKey);
  const marks = new Map<Listener, 'new' | 'unchanged'>();
  const resolved: Listener[] = [];
  for (const [k, ls] of now) {
    const before = then.get(k) ?? [];
    if (!k.startsWith(PICKED)) {
      for (const l of ls) marks.set(l, before.length ? 'unchanged' : 'new');
      continue;
    }
    // Ports picked at run time: the same number of them is no change, whichever numbers the kernel gave.
    const ports = [...new Set(ls.map(l => l.port))].sort(cmpPort);
    const earlier = [...new Set(before.map(l => l.port))].sort(cmpPort);
    const same = ports.filter(p => earlier.includes(p));
    const rest = ports.filter(p => !earlier.includes(p));
    const spare = earlier.length - same.length;
    const fresh = new Set(rest.slice(spare));
    for (const l of ls) marks.set(l, fresh.has(l.port) ? 'new' : 'unchanged');
  }
  for (const [k, ls] of then) {
    const after = now.get(k) ?? [];
    if (!k.startsWith(PICKED)) {
      if (!after.length) resolved.push(...ls);
      continue;
    }
    const ports = [...new Set(after.map(l => l.port))];
    const earlier = [...new Set(ls.map(l => l.port))].sort(cmpPort);
    const gone = earlier.filter(p => !ports.includes(p));
    const closed = new Set(gone.slice(Math.max(0, gone.length - Math.max(0, earlier.length - ports.length))));
    resolved.push(...ls.filter(l => closed.has(l.port)));
  }
  return {marks, resolved};
};

/** Counting findings: the first n of a key the earlier report had n of are unchanged, the rest new; its surplus is resolved. */
const compareFindings = (cur: GateResult, base: GateResult, cwd: string | undefined): {marks: Map<Finding, 'new' | 'unchanged'>; resolved: Finding[]} => {
  const curPicked = pickedPorts(cur, listenerKeys(cur));
  const basePicked = pickedPorts(base, listenerKeys(base));
  const now = groupBy(sortFindings(activeFindings(cur.findings)), f => findingKey(f, curPicked, cwd));
  const then = groupBy(sortFindings(activeFindings(base.findings)), f => findingKey(f, basePicked, undefined));
  const marks = new Map<Finding, 'new' | 'unchanged'>();
  for (const [k, fs] of now) {
    const n = then.get(k)?.length ?? 0;
    fs.forEach((f, i) => marks.set(f, i < n ? 'unchanged' : 'new'));
  }
  const resolved = [...then].flatMap(([k, fs]) => fs.slice(now.get(k)?.length ?? 0));
  return {marks, resolved};
};

const strip = <T extends {baseline?: unknown}>(x: T): T => {
  const {baseline: _, ...rest} = x;
  return rest as T;
};

/** The result with every mark set from `marks` (others cleared) and its comparison section. */
const apply = (r: GateResult, f: (x: Finding) => 'new' | 'unchanged' | undefined, l: (x: Listener) => 'new' | 'unchanged' | undefined, comparison: BaselineComparison): GateResult => ({
  ...r,
  listening: r.listening.map(x => {
    const m = l(x);
    return m ? {...strip(x), baseline: m} : strip(x);
  }),
  findings: r.findings.map(x => {
    const m = f(x);
    return m ? {...strip(x), baseline: m} : strip(x);
  }),
  baseline: comparison
});

/**
 * Nothing to compare with (another repository, no such service in a fleet
 * baseline, a service it could not gate): every counting finding and
 * listener, start-up artifacts aside, is new; nothing is resolved.
 */
export const markAllNew = (r: GateResult, comparison: Omit<BaselineComparison, 'resolved'>): GateResult => {
  const key = listenerKeys(r);
  return apply(r, x => (x.suppressed ? undefined : 'new'), x => (key(x) === undefined ? undefined : 'new'), {...comparison, resolved: {findings: [], listening: []}});
};

/** `current` compared with `base`, an earlier result (read back from its JSON report). */
export const compareWithBaseline = (current: GateResult, base: GateResult, o: CompareOptions): GateResult => {
  if (imageRepository(current.image) !== imageRepository(base.image)) return markAllNew(current, {report: o.report, status: 'other-image', image: base.image});
  const findings = compareFindings(current, base, o.cwd);
  const listeners = compareListeners(current, base);
  return apply(current, x => findings.marks.get(x), x => listeners.marks.get(x), {
    report: o.report,
    status: 'compared',
    image: base.image,
    resolved: {findings: findings.resolved.map(strip), listening: listeners.resolved.map(strip)}
  });
};
