/**
 * The shell patterns of `${V#p}`, `${V%p}` and `${V/p/r}`: `*` and `?`
 * wildcards, no bracket expressions. Ported from convertShellPatternToRegex,
 * trimPrefix, trimSuffix and reversePattern in moby/buildkit
 * frontend/dockerfile/shell/lex.go.
 */

/** A pattern the lexer rejects; the caller wraps it in Docker's "invalid pattern" text. */
export class PatternError extends Error {}

const REGEX_SPECIALS = '[]{}.+()|^$';

const toRegex = (pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp => {
  const cs = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < cs.length; i++) {
    let c = cs[i] as string;
    if (c === '*') out += greedy ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '\\') {
      // `\}` and `\/` only keep `}` and `/` from closing the ${}; the backslash is not part of the pattern.
      if (cs[i + 1] === '}' || cs[i + 1] === '/') continue;
      c = cs[++i] ?? '\uFFFD';
      if (c !== '*' && c !== '?' && c !== '\\') throw new PatternError(`invalid escape '\\${c}'`);
      out += `\\${c}`;
    } else out += REGEX_SPECIALS.includes(c) ? `\\${c}` : c;
  }
  return new RegExp(out, global ? 'gu' : 'u');
};

/** `${V#p}` / `${V##p}`: drop the shortest (longest when greedy) prefix matching `pattern`. */
export const trimPrefix = (pattern: string, value: string, greedy: boolean): string => {
  const m = toRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
};

const reverse = (s: string): string => Array.from(s).reverse().join('');

/** Reverses a pattern but keeps each `\x` escape in front of the character it escapes. */
export const reversePattern = (pattern: string): string => {
  const cs = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < cs.length; ) {
    if (cs[i] === '\\' && i !== cs.length - 1) {
      out.unshift('\\', cs[i + 1] as string);
      i += 2;
    } else out.unshift(cs[i++] as string);
  }
  return out.join('');
};

/**
 * `${V%p}` / `${V%%p}`. A regex cannot find the shortest rightmost match, so
 * BuildKit reverses both the value and the pattern and trims a prefix.
 */
export const trimSuffix = (pattern: string, value: string, greedy: boolean): string =>
  reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));

/**
 * Go's regexp.Expand, which `${V//p/r}` gets through ReplaceAllString:
 * `$$` is a dollar, `$0`/`${0}` the match, any other `$name` empty (the
 * converted pattern has no groups); a `$` that starts no name stays literal.
 */
const expandTemplate = (template: string, match: string): string =>
  template.replace(/\$(?:(\$)|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu, (_m, dollar?: string, braced?: string, bare?: string) => {
    if (dollar) return '$';
    const name = (braced ?? bare) as string;
    return /^[0-9]+$/.test(name) && Number(name) === 0 ? match : '';
  });

/**
 * String.prototype.replace with a global regex, match by match: replace()
 * collects every match before it calls back, which for a megabyte value is a
 * million arrays before `grow` can say stop.
 */
const replaceAll = (value: string, re: RegExp, replacement: string, grow: (n: number) => void): string => {
  let out = '';
  let last = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const r = expandTemplate(replacement, m[0]);
    if (r.length > m[0].length) grow(r.length - m[0].length);
    out += value.slice(last, m.index) + r;
    last = m.index + m[0].length;
    // An empty match moves on one code point, as replace() does with the `u` flag.
    if (m[0] === '') re.lastIndex += (value.codePointAt(re.lastIndex) ?? 0) > 0xffff ? 2 : 1;
  }
  return out + value.slice(last);
};

/**
 * `${V/p/r}` (first match) and `${V//p/r}` (every match); the pattern is
 * greedy and unanchored. `grow` hears of every match that lengthens the value,
 * before the result is built, so a budget can stop `${V//a/aaaa…}` in time.
 */
export const replacePattern = (value: string, pattern: string, replacement: string, all: boolean, grow: (n: number) => void = () => {}): string => {
  if (all) return replaceAll(value, toRegex(pattern, true, false, true), replacement, grow);
  const m = toRegex(pattern, true, false).exec(value);
  return m ? value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length) : value;
};
