/**
 * Dockerfile variable expansion, ported from moby/buildkit
 * frontend/dockerfile/shell/lex.go (ProcessWord, ProcessWords).
 *
 * Two dialects, because the builders ship different copies of that file:
 * - `buildkit`: the current lexer, with `${V-w}`, `${V+w}`, `${V#p}`, `${V%p}`,
 *   `${V/p/r}` and their `:`/doubled forms;
 * - `classic`: the copy vendored by Docker 20.10's classic builder (the engine
 *   Debian and Ubuntu ship), which only knows `${V}`, `${V:-w}`, `${V:+w}`,
 *   `${V:?w}` and `${V?w}` and fails on anything else with
 *   "missing ':' in substitution" (verified against that engine).
 */
import {buildkitModifier, classicModifier, EOF, ExpansionError, type BraceReader, type Ch} from './lex-modifiers.js';
import {ExpansionBudget, MAX_NESTING, nestingError} from './lex-limits.js';

export {ExpansionError};

export type Builder = 'buildkit' | 'classic';
export type Env = ReadonlyMap<string, string>;

export interface LexOptions {
  /** The escape token: `\` or a backtick (`# escape=` directive). */
  escape: string;
  builder: Builder;
  /** Shared by all words of one Dockerfile; without it each word gets a budget of its own. */
  budget?: ExpansionBudget;
}

// Go's unicode.IsSpace, IsLetter, IsDigit.
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const ONE_SPACE = new RegExp(`^${SPACE}$`, 'u');
const SPACE_RUNS = new RegExp(`${SPACE}+`, 'u');
export const isSpace = (c: string): boolean => ONE_SPACE.test(c);
const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);
/** POSIX special parameters: `$@`, `$#`… (lex.go isSpecialParam). They are never set, so expand to "". */
const SPECIAL_PARAMS = '@*#?-$!0';

/** The word list ProcessWords builds: unquoted whitespace splits, quoted or escaped text never does. */
class Words {
  private word = '';
  private inWord = false;
  private readonly list: string[] = [];

  addChar(c: string): void {
    if (isSpace(c)) this.space();
    else this.addRaw(c);
  }
  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }
  /** As addChar for each character, run by run: a value can be megabytes long. A run of spaces acts as one. */
  addString(s: string): void {
    s.split(SPACE_RUNS).forEach((part, i) => {
      if (i > 0) this.space();
      if (part) this.addRaw(part);
    });
  }
  /** Unquoted whitespace ends a word; a quoted empty word ("") only ends at text. */
  private space(): void {
    if (this.inWord && this.word) {
      this.list.push(this.word);
      this.word = '';
      this.inWord = false;
    }
  }
  done(): string[] {
    if (this.word) this.list.push(this.word);
    return this.list;
  }
}

class ShellWord implements BraceReader {
  private readonly cs: string[];
  private i = 0;
  /** Keep escape tokens in the output: set while reading `#`, `%` and `/` patterns, whose own escapes matter. */
  private rawEscapes = false;
  private depth = 0;

  constructor(
    word: string,
    private readonly env: Env,
    private readonly opts: LexOptions,
    readonly spend: (n: number) => void
  ) {
    this.cs = Array.from(word);
  }

  peek = (): Ch => this.cs[this.i];
  next = (): Ch => this.cs[this.i++];

  stopOn(stop: Ch, rawEscapes = false): {text: string; words: string[]} {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let text = '';
      const words = new Words();
      for (let c = this.peek(); c !== EOF; c = this.peek()) {
        if (c === stop) {
          this.next();
          return {text, words: words.done()};
        }
        if (c === '$' || c === "'" || c === '"') {
          const s = c === '$' ? this.dollar() : c === "'" ? this.singleQuote() : this.doubleQuote();
          text += s;
          if (c === '$') words.addString(s);
          else words.addRaw(s);
          continue;
        }
        let ch = this.next() as string;
        if (ch === this.opts.escape) {
          if (this.rawEscapes) {
            words.addRaw(ch);
            text += ch;
          }
          const escaped = this.next();
          if (escaped === EOF) break;
          ch = escaped;
          words.addRaw(ch);
        } else words.addChar(ch);
        text += ch;
      }
      if (stop !== EOF) throw new ExpansionError(`unexpected end of statement while looking for matching ${stop}`);
      return {text, words: words.done()};
    } finally {
      this.rawEscapes = saved;
    }
  }

  private singleQuote(): string {
    this.next();
    let s = '';
    for (let c = this.next(); c !== "'"; c = this.next()) {
      if (c === EOF) throw new ExpansionError('unexpected end of statement while looking for matching single-quote');
      s += c;
    }
    return s;
  }

  /** Inside double quotes the escape token only escapes `"`, `$` and itself. */
  private doubleQuote(): string {
    this.next();
    let s = '';
    for (;;) {
      const c = this.peek();
      if (c === EOF) throw new ExpansionError('unexpected end of statement while looking for matching double-quote');
      if (c === '"') {
        this.next();
        return s;
      }
      if (c === '$') {
        s += this.dollar();
        continue;
      }
      let ch = this.next() as string;
      if (ch === this.opts.escape) {
        if (this.rawEscapes) s += ch;
        const n = this.peek();
        if (n === EOF) continue;
        if (n === '"' || n === '$' || n === this.opts.escape) ch = this.next() as string;
      }
      s += ch;
    }
  }

  private name(): string {
    let name = '';
    for (let c = this.peek(); c !== EOF; c = this.peek()) {
      if (!name && isDigit(c)) {
        while (this.peek() !== EOF && isDigit(this.peek() as string)) name += this.next();
        return name;
      }
      if (!name && SPECIAL_PARAMS.includes(c)) return this.next() as string;
      if (!isLetter(c) && !isDigit(c) && c !== '_') break;
      name += this.next();
    }
    return name;
  }

  /** Every substitution's result is counted against the Dockerfile's budget, at every nesting level. */
  private dollar(): string {
    const s = this.substitution();
    this.spend(s.length);
    return s;
  }

  private substitution(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      return name === '' ? '$' : (this.env.get(name) ?? '');
    }
    this.next();
    const c = this.peek();
    if (c === EOF) throw new ExpansionError("syntax error: missing '}'");
    if (c === '{' || c === '}' || c === ':') throw new ExpansionError('syntax error: bad substitution');
    if (this.depth >= MAX_NESTING) throw nestingError();
    this.depth++;
    try {
      const name = this.name();
      const value = this.env.get(name);
      return this.opts.builder === 'classic' ? classicModifier(this, name, value) : buildkitModifier(this, name, value);
    } finally {
      this.depth--;
    }
  }

  /** The rest of `${…}` up to the closing brace. */
  closeBrace(rawEscapes: boolean): string {
    try {
      return this.stopOn('}', rawEscapes).text;
    } catch (e) {
      if (e instanceof ExpansionError && this.peek() === EOF) throw new ExpansionError("syntax error: missing '}'");
      throw e;
    }
  }
}

/** Go's %q; JSON quoting agrees with it for the printable text Dockerfiles contain. A bomb's word is cut short. */
const quoted = (word: string): string => (word.length > 80 ? `${JSON.stringify(word.slice(0, 60)).slice(0, -1)}…"` : JSON.stringify(word));

const process = (word: string, env: Env, opts: LexOptions): {text: string; words: string[]} => {
  try {
    return new ShellWord(word, env, opts, (opts.budget ?? new ExpansionBudget()).spend).stopOn(EOF);
  } catch (e) {
    // Same class, so a limit stays recognisable as portgate's.
    if (e instanceof ExpansionError) throw new (e.constructor as typeof ExpansionError)(`failed to process ${quoted(word)}: ${e.message}`, e.missingValue);
    throw e;
  }
};

/** ProcessWord: expand to one string (ENV, ARG, FROM and every instruction but EXPOSE). */
export const processWord = (word: string, env: Env, opts: LexOptions): string => process(word, env, opts).text;

/** ProcessWords: expand, then split unquoted whitespace (EXPOSE only). An unset `$V` yields no word. */
export const processWords = (word: string, env: Env, opts: LexOptions): string[] => process(word, env, opts).words;
