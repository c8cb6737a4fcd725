/**
 * What follows `${NAME` in each builder, ported from processDollar in
 * moby/buildkit frontend/dockerfile/shell/lex.go (BuildKit) and from the copy
 * vendored by Docker 20.10 (classic builder).
 */
import {PatternError, replacePattern, trimPrefix, trimSuffix} from './lex-pattern.js';

/** Bad syntax or a `${V:?}` check; the message is Docker's, `failed to process "<word>": …`. */
export class ExpansionError extends Error {
  override name = 'ExpansionError';
  /** `${V?msg}` / `${V:?msg}` stopped the build, as opposed to bad syntax. */
  constructor(
    message: string,
    readonly missingValue = false
  ) {
    super(message);
  }
}

/** A character of the word being expanded, or EOF. */
export type Ch = string | undefined;
export const EOF = undefined;
/** Go's `string(rune(-1))`, which Docker prints for a missing character. */
const NO_CHAR = '\uFFFD';

/** The lexer, positioned just after the variable name. */
export interface BraceReader {
  peek(): Ch;
  next(): Ch;
  stopOn(stop: Ch, rawEscapes: boolean): {text: string};
  /** The rest of `${…}` up to the closing brace. */
  closeBrace(rawEscapes: boolean): string;
  /** Counts characters a substitution adds against the Dockerfile's expansion budget. */
  spend(n: number): void;
}

const unsupported = (label: string): ExpansionError => new ExpansionError(`unsupported modifier (${label}) in substitution`);

/** `${V?msg}` / `${V:?msg}`: the build stops with `V: msg`. */
const required = (name: string, value: string | undefined, nullIsUnset: boolean, word: string): string => {
  if (value === undefined) throw new ExpansionError(`${name}: ${word || 'is not allowed to be unset'}`, true);
  if (nullIsUnset && value === '') throw new ExpansionError(`${name}: ${word || 'is not allowed to be empty'}`, true);
  return value;
};

const patternOp = (pattern: string, run: () => string): string => {
  try {
    return run();
  } catch (e) {
    if (e instanceof PatternError) throw new ExpansionError(`invalid pattern (${pattern}) in substitution: ${e.message}`);
    throw e;
  }
};

/** `${V/p/r}` and `${V//p/r}`; pattern and replacement keep their escapes for the pattern converter. */
const replace = (r: BraceReader, value: string): string => {
  const all = r.peek() === '/';
  if (all) r.next();
  let pattern: string;
  try {
    pattern = r.stopOn('/', true).text;
  } catch (e) {
    if (e instanceof ExpansionError && r.peek() === EOF) throw new ExpansionError("syntax error: missing '/' in ${}");
    throw e;
  }
  const replacement = r.closeBrace(true);
  return patternOp(pattern, () => replacePattern(value, pattern, replacement, all, r.spend));
};

/** BuildKit: `}`, `/`, `//`, and `-` `+` `?` `#` `##` `%` `%%`, each also after `:` (which makes empty count as unset). */
export const buildkitModifier = (r: BraceReader, name: string, value: string | undefined): string => {
  let op = r.next();
  if (op === '}') return value ?? '';
  if (op === '/') return replace(r, value ?? '');
  let label = op ?? NO_CHAR;
  const nullIsUnset = op === ':';
  if (nullIsUnset) {
    op = r.next();
    label += op ?? NO_CHAR;
  } else if (op === EOF || !'+-?#%'.includes(op)) throw unsupported(label);
  const word = r.closeBrace(op === '#' || op === '%');
  const unset = value === undefined || (nullIsUnset && value === '');
  switch (op) {
    case '-':
      return unset ? word : (value as string);
    case '+':
      return unset ? '' : word;
    case '?':
      return required(name, value, nullIsUnset, word);
    case '#':
    case '%': {
      // `##` / `%%`: the doubled operator arrives as the first character of the word.
      const greedy = word.startsWith(op);
      const pattern = greedy ? word.slice(1) : word;
      return patternOp(pattern, () => (op === '%' ? trimSuffix : trimPrefix)(pattern, value ?? '', greedy));
    }
    default:
      throw unsupported(label);
  }
};

/** Docker 20.10's classic builder: `}`, `?`, and `:-` `:+` `:?` only (empty and unset are alike after `:`). */
export const classicModifier = (r: BraceReader, name: string, value: string | undefined): string => {
  const op = r.next();
  if (op === '}') return value ?? '';
  if (op === '?') return required(name, value, false, r.closeBrace(false));
  if (op !== ':') throw new ExpansionError("missing ':' in substitution");
  const modifier = r.next();
  const word = r.closeBrace(false);
  const v = value ?? '';
  if (modifier === '+') return v !== '' ? word : v;
  if (modifier === '-') return v === '' ? word : v;
  if (modifier === '?') return required(name, value, true, word);
  throw new ExpansionError(`unsupported modifier (${modifier ?? NO_CHAR}) in substitution`);
};
