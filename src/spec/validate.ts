import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv';
import schema from '../../schema/portgate.schema.json' with {type: 'json'};
import {InputError} from '../errors.js';
import {parseDuration} from '../util/duration.js';
import {describeValue, parsePortValue} from './ports.js';
import {fromPointer, pathLabel, type Issue, type Path} from './positions.js';
import {closest, didYouMean, orList} from './suggest.js';
import {capabilityIssue, parseMemory} from '../sandbox/values.js';

// The schema editors use is the one portgate enforces, so the two cannot drift.
let compiled: ValidateFunction | undefined;
const validator = (): ValidateFunction => (compiled ??= compileSchema(schema));

/** portgate's Ajv settings for every schema it ships. */
export const compileSchema = (s: object): ValidateFunction =>
  new Ajv({allErrors: true, allowUnionTypes: true, verbose: true, strict: true})
    // Editor hints for yaml-language-server / VS Code; not validation keywords.
    .addVocabulary(['enumDescriptions', 'defaultSnippets', 'markdownDescription'])
    .compile(s);

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false'
};

/** Words people use for a severity that portgate does not (`false` is what YAML 1.1 makes of `off`). */
const SEVERITY_SYNONYMS: Record<string, string> = {warn: 'warning', err: 'error', info: 'note', ignore: 'off', none: 'off', disabled: 'off', false: 'off', no: 'off'};

const same = (p: Path, pattern: (string | number | null)[]): boolean =>
  p.length === pattern.length && pattern.every((s, i) => s === null || s === p[i]);

const fieldOf = (path: Path): string => String(path[path.length - 1] ?? '');

/** Checks a field whose every error is best explained by its own parser. */
export const fieldMessage = (path: Path, data: unknown): string | undefined => {
  if (same(path, ['ports', null, 'port'])) {
    const r = parsePortValue(data);
    return typeof r === 'string' ? r : undefined;
  }
  if (same(path, ['accept', null, 'port'])) {
    const r = parsePortValue(data);
    return typeof r === 'string' ? `${pathLabel(path)}: ${r}` : undefined;
  }
  if (same(path, ['accept', null, 'until'])) {
    // YAML 1.2 reads 2027-03-31 as a string; a number or anything else is not a date.
    return `${pathLabel(path)} must be a date written YYYY-MM-DD, e.g. 2027-03-31, but it is ${describeValue(data)}.`;
  }
  if (same(path, ['run', 'memory']) && (typeof data === 'string' || typeof data === 'number')) {
    const r = parseMemory(data);
    return typeof r === 'string' ? `run.memory ${r}` : undefined;
  }
  if (same(path, ['run', 'tmpfs', null]) && typeof data === 'string' && !data.startsWith('/')) {
    return `${pathLabel(path)} "${data}" must be an absolute path inside the container, e.g. /${data.replace(/^\.?\/?/, '')}.`;
  }
  if ((same(path, ['run', 'capAdd', null]) || same(path, ['run', 'capDrop', null])) && typeof data === 'string') {
    const problem = capabilityIssue(data, path[1] === 'capDrop');
    return problem && `${pathLabel(path)}: ${problem}`;
  }
  if (same(path, ['dynamic', null, 'ports']) && (typeof data === 'string' || typeof data === 'number')) {
    if (data === 'ephemeral') return undefined;
    const r = parsePortValue(data);
    if (typeof r !== 'string') return r.suffix ? `${pathLabel(path)} "${data}" takes no protocol suffix: write the protocol under \`protocol:\`.` : undefined;
    if (typeof data === 'number' || /^\d/.test(data)) return `${pathLabel(path)}: ${r}`;
    return `${pathLabel(path)} must be \`ephemeral\` or a port range like "40000-40100", not ${describeValue(data)}.${typeof data === 'string' ? didYouMean(data, ['ephemeral']) : ''}`;
  }
  if (same(path, ['run', 'timeout']) || same(path, ['run', 'settle'])) {
    if (data === 'auto' && same(path, ['run', 'settle'])) return undefined;
    if (typeof data !== 'string' && typeof data !== 'number') return `${pathLabel(path)} must be a duration like 30s, but it is ${describeValue(data)}.`;
    try {
      parseDuration(data, pathLabel(path));
    } catch (e) {
      return (e as InputError).message;
    }
  }
  return undefined;
};

const missing = (path: Path, key: string): string => {
  if (path.length === 0 && key === 'version') return 'missing `version`: add `version: 1` as the first line.';
  if (path.length === 0 && key === 'ports') return 'missing `ports`: list the ports the image may listen on, or write `ports: []` if it must not listen at all.';
  if (key === 'port') return `${pathLabel(path)} has no \`port\`: add e.g. \`port: 8080\`.`;
  if (path[0] === 'accept' && key === 'reason') return `${pathLabel(path)} has no \`reason\`: say why the finding is acceptable (every suppression needs one).`;
  // The anyOf of dynamicPort: neither key given (ajv reports both; the caller keeps one issue per place).
  if (same(path, ['dynamic', null]) && (key === 'process' || key === 'ports'))
    return `${pathLabel(path)} matches any listener: give \`process:\` (the owning executable, e.g. java), \`ports:\` (a range), or both.`;
  if (path[0] === 'accept' && key === 'rule') return `${pathLabel(path)} has no \`rule\`: name the rule id of the findings to suppress, e.g. \`rule: exposed-not-declared\`.`;
  return `${pathLabel(path)} is missing \`${key}\`.`;
};

const unknownKey = (path: Path, key: string, allowed: string[]): string => {
  if (same(path, ['rules'])) return `unknown rule \`${key}\` in rules.${didYouMean(key, allowed)} Valid rule ids: ${allowed.join(', ')}.`;
  const where = path.length ? `in ${pathLabel(path)}` : 'at the top level';
  return `unknown key \`${key}\` ${where}.${didYouMean(key, allowed)} Allowed keys: ${allowed.join(', ')}.`;
};

const wrongType = (path: Path, types: string[], data: unknown): string => {
  const label = pathLabel(path);
  const field = fieldOf(path);
  if ((field === 'command' || field === 'entrypoint') && same(path, ['run', field]) && typeof data === 'string') {
    const words = data.trim().split(/\s+/).map(w => JSON.stringify(w));
    return `${label} must be a list of strings, not one string: portgate does not split words like a shell. Write \`${field}: [${words.join(', ')}]\`.`;
  }
  if (same(path, ['ports', null])) return `${label} must be a mapping like \`- port: 8080\`, but it is ${describeValue(data)}.`;
  if (data === null) return `${label} is empty: give it a value or remove it.`;
  return `${label} must be ${orList(types.map(t => TYPE_WORDS[t] ?? t))}, but it is ${describeValue(data)}.`;
};

/** An issue, and for an unknown key the allowed key it is probably a typo of. */
type Found = Issue & {meant?: string; missing?: string};

const message = (e: ErrorObject, path: Path): Found => {
  const label = pathLabel(path);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return {path, message: missing(path, String(p.missingProperty)), missing: String(p.missingProperty)};
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as {properties?: object}).properties ?? {});
      const key = String(p.additionalProperty);
      return {path: [...path, key], at: 'key', message: unknownKey(path, key, allowed), meant: closest(key, allowed)};
    }
    case 'propertyNames':
      return {path: [...path, String(p.propertyName)], at: 'key', message: `${label} key \`${String(p.propertyName)}\` must not contain \`=\`.`};
    case 'type':
      return {path, message: wrongType(path, [p.type as string | string[]].flat(), e.data)};
    case 'const':
      return {
        path,
        message: e.data === null
          ? 'version is empty: write `version: 1`.'
          : typeof e.data === 'string' && e.data.trim() === '1'
          ? 'version must be the number 1, not a string: write `version: 1` without quotes.'
          : `unsupported version ${JSON.stringify(e.data)}: this portgate reads version 1 files; write \`version: 1\` or upgrade portgate.`
      };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const synonym = allowed.includes('off') ? SEVERITY_SYNONYMS[String(e.data).toLowerCase()] : undefined;
      const hint = synonym ? ` Did you mean \`${synonym}\`?` : typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return {path, message: `${label} must be ${orList(allowed)}, but it is ${describeValue(e.data)}.${hint}`};
    }
    case 'minLength':
      return {
        path,
        message:
          fieldOf(path) !== 'reason'
            ? `${label} must not be empty.`
            : path[0] === 'accept'
              ? `${label} is empty: say why the finding is acceptable.`
              : `${label} is empty: say why this port is acceptable, or remove \`reason\`.`
      };
    case 'false schema':
      if (same(path, ['ports', null, 'exposure'])) {
        return {path, at: 'key', message: `${pathLabel(path.slice(0, 2))} is \`served: false\`, so \`exposure\` has no meaning: remove it (a port that is not served must not listen at all).`};
      }
      return {path, message: `${label} is not allowed here.`};
    default:
      if (same(path, ['run', 'user'])) return {path, message: `${label} ${JSON.stringify(e.data)} is not a user: write a name, uid, uid:gid or name:group.`};
      return {path, message: `${label} ${e.message ?? 'is invalid'}.`};
  }
};

/** Validates the plain data against the schema; returns one issue per place, with messages a YAML author can act on. */
export const schemaIssues = (data: unknown): Issue[] => issuesFrom(validator(), fieldMessage)(data);

/**
 * A schema's issues with messages a YAML author can act on: one issue per
 * place, the telling error first. `field` explains a value its own parser
 * knows best (ports, durations, capabilities). Shared by every portgate file.
 */
export const issuesFrom = (validate: ValidateFunction, field: (path: Path, data: unknown) => string | undefined = () => undefined) => (data: unknown): Issue[] => {
  if (validate(data)) return [];
  const byPlace = new Map<string, Found>();
  // Type errors explain the most, so they win when one place has several errors.
  // `if`/`then` only says which branch failed; the branch's own error says what is wrong.
  const errors = [...(validate.errors ?? [])]
    .filter(e => e.propertyName === undefined && e.keyword !== 'if')
    .sort((a, b) => Number(b.keyword === 'type') - Number(a.keyword === 'type'));
  for (const e of errors) {
    const path = fromPointer(e.instancePath, data);
    const custom = field(path, e.data);
    const issue: Found = custom ? {path, message: custom} : message(e, path);
    const place = JSON.stringify([issue.path, issue.at]);
    if (!byPlace.has(place)) byPlace.set(place, issue);
  }
  const found = [...byPlace.values()];
  // `prots:` is reported as a typo of `ports`; saying `ports` is missing as well would only confuse.
  const typo = (f: Found) => found.some(o => o.meant === f.missing && JSON.stringify(o.path.slice(0, -1)) === JSON.stringify(f.path));
  return found.filter(f => !f.missing || !typo(f)).map(({path, at, message}) => ({path, message, ...(at && {at})}));
};
