/**
 * Dockerfile text → logical instruction lines, read the way moby/buildkit
 * frontend/dockerfile/parser/parser.go reads them. dockerfile-ast finds where
 * each instruction starts and the escape directive; this module rebuilds the
 * instruction's logical line itself (continuations joined, comment and blank
 * lines inside a continuation dropped) while remembering where every
 * character came from, so words can be located exactly.
 */
import {DockerfileParser} from 'dockerfile-ast';
import {isSpace} from './lex.js';
import {problem} from './problem.js';

/** A 0-based position, as dockerfile-ast and LSP count. */
export interface Pos {
  line: number;
  character: number;
}

export interface Word {
  text: string;
  start: Pos;
  /** Just after the last character. */
  end: Pos;
}

/** Where a run of a logical line starts; its characters follow on within one physical line. */
interface Run {
  offset: number;
  line: number;
  character: number;
}

/**
 * Logical-line text that knows the source position of each UTF-16 unit. It
 * keeps one entry per physical line it joins, not per character: a line can
 * hold a megabyte of base64 (or of a hostile `${A:-${A:-…}}`).
 */
export class Text {
  constructor(
    readonly value: string,
    private readonly runs: readonly Run[]
  ) {}

  /** The position of unit `i`; undefined outside the text. */
  private pos(i: number): Pos | undefined {
    if (i < 0 || i >= this.value.length) return undefined;
    let [lo, hi] = [0, this.runs.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.runs[mid] as Run).offset <= i) lo = mid;
      else hi = mid - 1;
    }
    const r = this.runs[lo] as Run;
    return {line: r.line, character: r.character + i - r.offset};
  }

  slice(from: number, to = this.value.length): Text {
    const runs: Run[] = [];
    for (const [k, r] of this.runs.entries()) {
      const next = this.runs[k + 1]?.offset ?? this.value.length;
      if (next <= from || r.offset >= to) continue;
      const skip = Math.max(0, from - r.offset);
      runs.push({offset: r.offset + skip - from, line: r.line, character: r.character + skip});
    }
    return new Text(this.value.slice(from, to), runs);
  }

  /** Without Go strings.TrimSpace's leading and trailing whitespace. */
  trim(): Text {
    let a = 0;
    let b = this.value.length;
    while (a < b && isSpace(this.value[a] as string)) a++;
    while (b > a && isSpace(this.value[b - 1] as string)) b--;
    return this.slice(a, b);
  }

  /** Where the first character came from; undefined for empty text. */
  start(): Pos | undefined {
    return this.pos(0);
  }

  /** Just after the last character; undefined for empty text. */
  end(): Pos | undefined {
    const last = this.value.length ? this.pos(this.value.length - 1) : undefined;
    return last && {line: last.line, character: last.character + 1};
  }

  word(text: string, from: number, to: number): Word {
    const last = this.pos(to - 1) as Pos;
    return {text, start: this.pos(from) as Pos, end: {line: last.line, character: last.character + 1}};
  }
}

export interface Instruction {
  /** Upper case, e.g. `EXPOSE`. */
  keyword: string;
  start: Pos;
  /** Leading `--name[=value]` words (parser.go extractBuilderFlags). */
  flags: string[];
  /** The rest of the logical line, trimmed. */
  args: Text;
}

export interface Source {
  escape: string;
  instructions: Instruction[];
}

/**
 * The logical line starting at `start`: an escape token followed only by
 * spaces or tabs continues it (parser.go lineContinuationRegex); comment and
 * whitespace-only lines inside a continuation are skipped.
 */
const logicalLine = (lines: readonly string[], start: Pos, escape: string): Text => {
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : escape}[ \\t]*$`);
  let value = '';
  const runs: Run[] = [];
  const take = (line: number, from: number): boolean => {
    const text = (lines[line] as string).slice(from);
    const m = continuation.exec(text);
    const body = m ? text.slice(0, m.index) : text;
    if (body) runs.push({offset: value.length, line, character: from});
    value += body;
    return m !== null;
  };
  let more = take(start.line, start.character);
  for (let line = start.line + 1; more && line < lines.length; line++) {
    const trimmed = (lines[line] as string).trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    more = take(line, 0);
  }
  return new Text(value, runs);
};


/**
 * parser.go extractBuilderFlags: leading words that start with `--` are flags
 * (quotes and `\` handled as there). Returns the flags and where the rest begins.
 */
const extractFlags = (s: string): {flags: string[]; rest: number} => {
  const flags: string[] = [];
  let phase: 'space' | 'word' | 'quote' = 'space';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= s.length; pos++) {
    let ch = s[pos] as string;
    if (phase === 'space') {
      if (pos === s.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || s[pos + 1] !== '-') return {flags, rest: pos};
      phase = 'word';
    }
    if (pos === s.length) {
      if (word !== '--' && (blankOK || word)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        if (word === '--') return {flags, rest: pos};
        if (blankOK || word) flags.push(word);
        [phase, word, blankOK] = ['space', '', false];
        continue;
      }
      if (ch === "'" || ch === '"') {
        [quote, blankOK, phase] = [ch, true, 'quote'];
        continue;
      }
    } else if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === s.length) {
        phase = 'word';
        continue;
      }
      ch = s[++pos] as string;
    }
    word += ch;
  }
  return {flags, rest: s.length};
};

/** parser.go splitCommand: the keyword ends at the first run of `[\t\v\f\r ]`. */
const KEYWORD_END = /[\t\v\f\r ]+/;

/**
 * A logical line starting at its keyword → keyword, flags and trimmed
 * arguments (parser.go splitCommand). Also splits an ONBUILD trigger.
 */
export const toInstruction = (line: Text, start: Pos): Instruction => {
  const m = KEYWORD_END.exec(line.value);
  const rest = line.slice(m ? m.index + m[0].length : line.value.length);
  const {flags, rest: from} = extractFlags(rest.value);
  return {keyword: (m ? line.value.slice(0, m.index) : line.value).toUpperCase(), start, flags, args: rest.slice(from).trim()};
};

/** parseStringsWhitespaceDelimited: EXPOSE and FROM split on whitespace only, quotes included. */
export const fields = (t: Text): Word[] => {
  const words: Word[] = [];
  const re = /[^\t\v\f\r ]+/g;
  for (let m = re.exec(t.value); m; m = re.exec(t.value)) words.push(t.word(m[0], m.index, m.index + m[0].length));
  return words;
};

/**
 * parser.go parseWords, used for ENV and ARG: whitespace splits except inside
 * quotes; quotes and escapes stay in the word for the lexer to process.
 */
export const shellWords = (t: Text, escape: string): Word[] => {
  const s = t.value;
  const words: Word[] = [];
  let [phase, word, start, quote, blankOK] = ['space' as 'space' | 'word' | 'quote', '', 0, '', false];
  const push = (end: number): void => {
    if (blankOK || word) words.push(t.word(word, start, end));
    [word, blankOK] = ['', false];
  };
  for (let pos = 0; pos <= s.length; pos++) {
    let ch = s[pos] as string;
    if (phase === 'space') {
      if (pos === s.length) break;
      if (isSpace(ch)) continue;
      [phase, start] = ['word', pos];
    }
    if (pos === s.length) {
      push(pos);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'space';
        push(pos);
        continue;
      }
      if (ch === "'" || ch === '"') [quote, blankOK, phase] = [ch, true, 'quote'];
    } else if (ch === quote) phase = 'word';
    // Outside quotes the escape token keeps the next character, even a quote; in '…' it is literal.
    if (ch === escape && (phase === 'word' || quote !== "'")) {
      if (pos + 1 === s.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = s[++pos] as string;
    }
    word += ch;
  }
  return words;
};

/** Reads the escape directive and every instruction's logical line. */
export const readSource = (text: string, file: string): Source => {
  // Docker splits lines on \n only, so a lone \r (classic Mac line ends) joins lines into one
  // nonsense instruction; dockerfile-ast splits on it. Refuse rather than guess.
  const cr = /\r(?!\n)/.exec(text);
  if (cr) {
    const before = text.slice(0, cr.index).split('\n');
    throw problem(file, {line: before.length - 1, character: before.at(-1)!.length}, 'bare carriage return (CR) line ending', 'convert the file to LF (or CRLF) line endings, e.g. with dos2unix');
  }
  const dockerfile = DockerfileParser.parse(text);
  const escapes = dockerfile.getDirectives().filter(d => d.getName().toLowerCase() === 'escape');
  for (const [i, d] of escapes.entries()) {
    const at = d.getValueRange().start;
    if (i > 0) throw problem(file, at, 'only one escape parser directive can be used', 'keep a single `# escape=` line');
    if (d.getValue() !== '\\' && d.getValue() !== '`')
      throw problem(file, at, `invalid escape token '${d.getValue()}' does not match \` or \\`, 'write `# escape=\\` or `# escape=`` on the first line');
  }
  const escape = dockerfile.getEscapeCharacter();
  const lines = text.split('\n').map(l => l.replace(/\r$/, ''));
  const instructions = dockerfile.getInstructions().map(ins => {
    const start = ins.getInstructionRange().start;
    return toInstruction(logicalLine(lines, start, escape), start);
  });
  return {escape, instructions};
};
