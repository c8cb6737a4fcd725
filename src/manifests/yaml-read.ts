import {isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type YAMLMap} from 'yaml';
import {InputError} from '../errors.js';
import {aliasProblem} from './yaml-aliases.js';
import type {Protocol, SourceLocation} from '../model.js';

/**
 * Typed, located reads from a parsed YAML document. Every accessor returns the
 * value with the line of its key, and throws InputError citing file:line when
 * the shape is wrong, so a bad manifest fails like a compiler error.
 */
export interface Y {
  file: string;
  lines: LineCounter;
  doc: Document.Parsed;
  /** pairsOf's results: a merge chain is walked once however often it is read. */
  merged: Map<YAMLMap, Pair[]>;
}

/** A value and the place it was written. */
export interface At<T> {
  value: T;
  at: SourceLocation;
}

/**
 * Parses every `---` document of one file, throwing on the first YAML error
 * or alias bomb. `<<` merge keys are read in both versions: kubectl and
 * Compose (go-yaml) apply them.
 */
export const parseDocs = (file: string, text: string, version: '1.1' | '1.2'): {y: Y; root: YAMLMap | undefined}[] => {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {lineCounter: lines, version, merge: true, prettyErrors: true});
  return docs.map(doc => {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new InputError(`invalid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, file, pos?.line, pos?.col);
    }
    const y: Y = {file, lines, doc, merged: new Map()};
    const aliases = aliasProblem(doc);
    if (aliases) fail(y, aliases.node, aliases.message);
    const root = deref(y, doc.contents);
    if (root === undefined) return {y, root: undefined};
    return {y, root: isMap(root) ? root : fail(y, root, `expected a mapping at the top of the document, not ${describe(root)}`)};
  });
};

export const locate = (y: Y, node: unknown, fallback?: SourceLocation): SourceLocation => {
  const offset = (node as Node | undefined)?.range?.[0];
  if (offset === undefined) return fallback ?? {file: y.file, line: 1};
  const {line, col} = y.lines.linePos(offset);
  return {file: y.file, line, column: col};
};

export const fail = (y: Y, node: unknown, message: string): never => {
  const at = locate(y, node);
  throw new InputError(message, at.file, at.line, at.column);
};

/** Follows an alias; treats `key:` with no value as absent. */
export const deref = (y: Y, node: unknown): Node | undefined => {
  const n = isAlias(node) ? node.resolve(y.doc) : (node as Node | null | undefined);
  return n === null || n === undefined || (isScalar(n) && n.value === null) ? undefined : n;
};

const describe = (n: unknown): string =>
  isMap(n) ? 'a mapping' : isSeq(n) ? 'a list' : isScalar(n) ? JSON.stringify(n.value) : 'an unsupported value';

const isMergeKey = (key: unknown): boolean => isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
const keyOf = (p: Pair): unknown => (isScalar(p.key) ? p.key.value : p.key);

/**
 * A mapping's pairs with `<<` merge keys applied as YAML 1.1 defines them
 * (and yaml's toJS does): its own keys win, then earlier merged mappings over
 * later ones. Each pair keeps its own place in the file for messages.
 */
export const pairsOf = (y: Y, map: YAMLMap): Pair[] => {
  const cached = y.merged.get(map);
  if (cached) return cached;
  const out = map.items.filter(p => !isMergeKey(p.key));
  const seen = new Set(out.map(keyOf));
  for (const merge of map.items.filter(p => isMergeKey(p.key))) {
    const value = deref(y, merge.value);
    const sources = isSeq(value) ? value.items.map(i => deref(y, i)) : [value];
    for (const source of sources) {
      if (!isMap(source)) return fail(y, source ?? merge.key, '`<<` merges a mapping (`<<: *defaults`) or a list of mappings, nothing else');
      for (const p of pairsOf(y, source)) {
        if (seen.has(keyOf(p))) continue;
        seen.add(keyOf(p));
        out.push(p);
      }
    }
  }
  y.merged.set(map, out);
  return out;
};

/** The key node and value node of `key` in `map` (merge keys applied), or undefined when absent or empty. */
export const entry = (y: Y, map: YAMLMap, key: string): {key: Node; value: Node} | undefined => {
  for (const pair of pairsOf(y, map)) {
    const k = isScalar(pair.key) ? pair.key.value : undefined;
    if (k !== key) continue;
    const value = deref(y, pair.value);
    return value === undefined ? undefined : {key: pair.key as Node, value};
  }
  return undefined;
};

export const optMap = (y: Y, map: YAMLMap, key: string): At<YAMLMap> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  return {value: isMap(e.value) ? e.value : fail(y, e.value, `\`${key}\` must be a mapping, not ${describe(e.value)}`), at: locate(y, e.key)};
};

/** A list's items (aliases followed, empty items dropped). */
export const optSeq = (y: Y, map: YAMLMap, key: string): At<Node[]> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  if (!isSeq(e.value)) return fail(y, e.value, `\`${key}\` must be a list, not ${describe(e.value)}`);
  return {value: e.value.items.flatMap(i => deref(y, i) ?? []), at: locate(y, e.key)};
};

export const asMap = (y: Y, node: Node, what: string): YAMLMap => (isMap(node) ? node : fail(y, node, `${what} must be a mapping, not ${describe(node)}`));

/** A scalar read as text (`version: 1` becomes "1"). */
export const optStr = (y: Y, map: YAMLMap, key: string): At<string> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  if (!isScalar(e.value) || typeof e.value.value === 'object') return fail(y, e.value, `\`${key}\` must be a string, not ${describe(e.value)}`);
  return {value: String(e.value.value), at: locate(y, e.key)};
};

export const optBool = (y: Y, map: YAMLMap, key: string): At<boolean> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  if (!isScalar(e.value) || typeof e.value.value !== 'boolean') return fail(y, e.value, `\`${key}\` must be true or false, not ${describe(e.value)}`);
  return {value: e.value.value, at: locate(y, e.key)};
};

const portNumber = (y: Y, node: Node, key: string, n: number): number =>
  Number.isInteger(n) && n >= 1 && n <= 65535 ? n : fail(y, node, `\`${key}\` must be a port number from 1 to 65535, not ${describe(node)}`);

/** A port number; `numericText` also accepts "8080" (Compose does, Kubernetes does not). */
export const optPort = (y: Y, map: YAMLMap, key: string, numericText = false): At<number> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  const v = isScalar(e.value) ? e.value.value : undefined;
  const n = typeof v === 'number' ? v : numericText && typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return {value: portNumber(y, e.value, key, n), at: locate(y, e.key)};
};

/**
 * Kubernetes IntOrString port: a number, or an IANA service name. A quoted
 * number is a string to the API server, which rejects it as a port name.
 */
export const optPortOrName = (y: Y, map: YAMLMap, key: string): At<number | string> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  const v = isScalar(e.value) ? e.value.value : undefined;
  if (typeof v === 'number') return {value: portNumber(y, e.value, key, v), at: locate(y, e.key)};
  if (typeof v !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v)) return fail(y, e.value, `\`${key}\` must be a port number or a port name, not ${describe(e.value)}`);
  if (/^\d+$/.test(v)) return fail(y, e.value, `\`${key}: "${v}"\` is a string, which Kubernetes reads as a port name and rejects: write \`${key}: ${v}\` without quotes`);
  return {value: v, at: locate(y, e.key)};
};

/** Kubernetes `protocol: TCP|UDP|SCTP`, TCP when absent. */
export const protocolField = (y: Y, map: YAMLMap): Protocol => {
  const p = optStr(y, map, 'protocol');
  if (!p) return 'tcp';
  if (!['TCP', 'UDP', 'SCTP'].includes(p.value)) return fail(y, entry(y, map, 'protocol')!.value, `\`protocol\` must be TCP, UDP or SCTP, not "${p.value}"`);
  return p.value.toLowerCase() as Protocol;
};

/** A string map (labels, annotations) with the line of each key. */
export const locatedStringMap = (y: Y, map: YAMLMap | undefined): Record<string, At<string>> => {
  const values = stringMap(y, map);
  const out: Record<string, At<string>> = {};
  for (const pair of map ? pairsOf(y, map) : []) {
    const k = String((pair.key as {value: unknown}).value);
    out[k] = {value: values[k]!, at: locate(y, pair.key)};
  }
  return out;
};

/** `labels:`/`selector:` style string maps; unquoted numbers and booleans are read as text. */
export const stringMap = (y: Y, map: YAMLMap | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const pair of map ? pairsOf(y, map) : []) {
    const k = isScalar(pair.key) ? pair.key.value : undefined;
    const v = deref(y, pair.value);
    if (typeof k !== 'string' && typeof k !== 'number') return fail(y, pair.key, 'label keys must be strings');
    if (v !== undefined && (!isScalar(v) || typeof v.value === 'object')) return fail(y, v, `label "${k}" must have a string value, not ${describe(v)}`);
    out[String(k)] = v === undefined ? '' : String((v as {value: unknown}).value);
  }
  return out;
};
