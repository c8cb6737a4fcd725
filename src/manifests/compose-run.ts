import {parse as shellParse} from 'shell-quote';
import {isMap, isScalar, isSeq, type Node, type YAMLMap} from 'yaml';
import {emptyRun, type DeployedRun} from './deployed-run.js';
import {withDefaults} from './compose-ports.js';
import {deref, entry, fail, locate, optBool, optSeq, pairsOf, type At, type Y} from './yaml-read.js';

/**
 * A Compose `command` / `entrypoint`: a list as is, a string split like a
 * shell would split words (Compose uses go-shellwords). Variables were
 * interpolated already; an unset one makes the whole value unknown.
 */
const words = (y: Y, svc: YAMLMap, key: string): At<string[]> | 'unknown' | undefined => {
  const e = entry(y, svc, key);
  if (!e) return undefined;
  const at = locate(y, e.key);
  const text = (n: Node): string | undefined => (isScalar(n) && n.value !== null && typeof n.value !== 'object' ? withDefaults(String(n.value)) : fail(y, n, `\`${key}\` must be a string or a list of strings`));
  if (isSeq(e.value)) {
    const items = e.value.items.map(n => text(n as Node));
    return items.every((i): i is string => i !== undefined) ? {value: items, at} : 'unknown';
  }
  const t = text(e.value);
  if (t === undefined) return 'unknown';
  return {value: splitWords(t), at};
};

/**
 * Compose splits a string command into words by quotes and spaces only
 * (go-shellwords): no globbing, no comments, no operators. shell-quote does
 * the quoting; what it reads as a glob, an operator or a comment is put back
 * as the literal word it was.
 */
export const splitWords = (text: string): string[] =>
  shellParse(text, name => `$${name}`).flatMap(w => {
    if (typeof w === 'string') return [w];
    if ('comment' in w) {
      const [first = '', ...rest] = splitWords(w.comment);
      return [`#${first}`, ...rest];
    }
    return ['pattern' in w ? w.pattern : w.op];
  });

const strings = (y: Y, svc: YAMLMap, key: string): At<string[]> | undefined => {
  const e = entry(y, svc, key);
  if (!e) return undefined;
  const items = isSeq(e.value) ? e.value.items : [e.value];
  return {value: items.map(n => (isScalar(n) && n.value !== null ? String(n.value) : fail(y, n, `\`${key}\` must be a string or a list of strings`))), at: locate(y, e.key)};
};

const readEnvironment = (y: Y, svc: YAMLMap, run: DeployedRun): void => {
  const e = entry(y, svc, 'environment');
  if (!e) return;
  const add = (name: string, raw: string | undefined, at: ReturnType<typeof locate>) => {
    if (raw === undefined) return run.envSkipped.push({name, why: 'its value comes from the shell that runs `docker compose`', at});
    const value = withDefaults(raw);
    if (value === undefined) return run.envSkipped.push({name, why: `"${raw}" uses a variable without a default`, at});
    run.env.push({name, value, at});
  };
  if (isMap(e.value)) {
    for (const p of pairsOf(y, e.value)) {
      const v = deref(y, p.value) ?? null;
      add(String((p.key as {value: unknown}).value), isScalar(v) && v.value !== null ? String(v.value) : undefined, locate(y, p.key));
    }
  } else if (isSeq(e.value)) {
    for (const n of e.value.items) {
      const t = isScalar(n) ? String(n.value) : fail(y, n, 'an `environment` entry must be NAME=value');
      const i = t.indexOf('=');
      add(i < 0 ? t : t.slice(0, i), i < 0 ? undefined : t.slice(i + 1), locate(y, n));
    }
  } else fail(y, e.value, '`environment` must be a mapping or a list of NAME=value');
};

const SIZE: Record<string, number> = {'': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3};

/** `/run:size=64m,mode=1770` (tmpfs option syntax) → a mount. */
const tmpfsEntry = (text: string, at: ReturnType<typeof locate>) => {
  const [path, opts = ''] = text.split(/:(.*)/s) as [string, string?];
  const o = Object.fromEntries(opts.split(',').filter(Boolean).map(kv => kv.split('=') as [string, string]));
  const size = /^(\d+)([bkmg]?)$/i.exec(o.size ?? '');
  return {path, at, ...(size && {sizeBytes: Number(size[1]) * SIZE[size[2]!.toLowerCase()]!}), ...(o.mode && {mode: o.mode})};
};

/** How Compose starts service `svc`: command, entrypoint, user, environment, read_only, capabilities, tmpfs. */
export const readComposeRun = (y: Y, svc: YAMLMap): DeployedRun => {
  const run = emptyRun();
  for (const [key, field] of [['entrypoint', 'entrypoint'], ['command', 'command']] as const) {
    const w = words(y, svc, key);
    if (w === 'unknown') run.envSkipped.push({name: `\`${key}\``, why: 'it uses a variable without a default', at: locate(y, entry(y, svc, key)!.key)});
    else if (w) run[field] = w;
  }
  const user = entry(y, svc, 'user');
  const userText = user && isScalar(user.value) ? withDefaults(String(user.value.value)) : undefined;
  if (user && userText) run.user = {value: userText, at: locate(y, user.key)};
  readEnvironment(y, svc, run);
  const ro = optBool(y, svc, 'read_only');
  const priv = optBool(y, svc, 'privileged');
  if (ro) run.readOnly = ro;
  if (priv) run.privileged = priv;
  const add = strings(y, svc, 'cap_add');
  const drop = strings(y, svc, 'cap_drop');
  if (add) run.capAdd = add;
  if (drop) run.capDrop = drop;
  for (const t of strings(y, svc, 'tmpfs')?.value ?? []) run.tmpfs.push(tmpfsEntry(t, locate(y, entry(y, svc, 'tmpfs')!.key)));
  for (const n of optSeq(y, svc, 'volumes')?.value ?? []) {
    const at = locate(y, n);
    if (isMap(n)) {
      const type = (n.get('type') as string | undefined) ?? 'volume';
      const target = String(n.get('target') ?? '');
      if (type === 'tmpfs') run.tmpfs.push({path: target, at});
      else run.otherMounts.push({path: target, kind: type, at});
    } else if (isScalar(n)) {
      const parts = String(n.value).split(':');
      run.otherMounts.push({path: parts[1] ?? parts[0]!, kind: parts.length > 1 ? 'bind or named volume' : 'anonymous volume', at});
    }
  }
  return run;
};
