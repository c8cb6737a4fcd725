/**
 * Logical lines → the steps portgate evaluates, with the parse errors Docker
 * raises for the whole file before building anything (moby/buildkit
 * frontend/dockerfile/parser/parser.go and instructions/parse.go: parseExpose,
 * parseArg, parseEnv via parseNameVal, parseFrom/parseBuildStageName).
 */
import type {Builder} from './lex.js';
import {problem} from './problem.js';
import {fields, shellWords, toInstruction, type Instruction, type Pos, type Word} from './source.js';

export interface KeyValue {
  /** Raw key and value, still to be expanded. `value` is undefined for `ARG NAME`. */
  key: string;
  value: string | undefined;
  at: Pos;
}

export type Step =
  | {kind: 'from'; at: Pos; base: Word; name: string | undefined}
  | {kind: 'arg'; at: Pos; pairs: KeyValue[]}
  | {kind: 'env'; at: Pos; pairs: EnvPair[]}
  | {kind: 'expose'; at: Pos; words: Word[]}
  /** Runs, parsed only then, at the start of a stage built `FROM` this one. */
  | {kind: 'onbuild'; at: Pos; trigger: Instruction}
  /** USER: the user the image runs as (`name`, `uid`, `uid:gid`), still to be expanded. */
  | {kind: 'user'; at: Pos; word: Word}
  /** ENTRYPOINT or CMD: the words the image runs (exec form as written, shell form under `/bin/sh -c`) and where the instruction ends. */
  | {kind: 'command'; which: 'ENTRYPOINT' | 'CMD'; at: Pos; end: Pos; words: string[]}
  /** Anything else; `needs` lists stages it reads (COPY --from, RUN --mount from=), which BuildKit must build first. */
  | {kind: 'other'; at: Pos; needs: string[]};

const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK',
  'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'
]);

/** instructions/parse.go validStageName. */
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export interface ParseContext {
  file: string;
  builder: Builder;
  escape: string;
}

const flagName = (flag: string): string => flag.slice(2).split('=')[0] as string;

/** BFlags.Parse: a flag the instruction does not define. The classic builder of 20.10 capitalises it. */
const rejectFlags = (ins: Instruction, ctx: ParseContext, allowed: string[] = []): void => {
  const bad = ins.flags.find(f => !allowed.includes(flagName(f)));
  if (bad === undefined) return;
  const word = ctx.builder === 'classic' ? 'Unknown' : 'unknown';
  const hint = allowed.length ? `${ins.keyword} accepts only --${allowed.join(', --')}` : `${ins.keyword} takes no flags`;
  throw problem(ctx.file, ins.start, `${word} flag: ${flagName(bad)}`, hint);
};

const atLeastOne = (ins: Instruction, ctx: ParseContext, example: string): Error =>
  problem(ctx.file, ins.start, `${ins.keyword} requires at least one argument`, `write e.g. \`${example}\``);

/** Values of `key=value` options in flags such as `--from=build` or `--mount=type=cache,from=build`. */
const flagValues = (flags: string[], flag: string, option?: string): string[] =>
  flags
    .filter(f => f.startsWith(`--${flag}=`))
    .map(f => f.slice(flag.length + 3))
    .flatMap(v => (option ? v.split(',').filter(o => o.startsWith(`${option}=`)).map(o => o.slice(option.length + 1)) : [v]));

type EnvPair = {key: string; value: string; at: Pos};

/**
 * parser.go parseNameVal, for ENV and LABEL: no `=` in the first word means
 * the legacy `NAME value…` form, whose value is the rest of the line.
 */
const nameVal = (ins: Instruction, ctx: ParseContext): EnvPair[] => {
  const words = shellWords(ins.args, ctx.escape);
  const first = words[0];
  if (!first) return [];
  if (!first.text.includes('=')) {
    const m = /[\t\v\f\r ]+/.exec(ins.args.value);
    if (!m) throw problem(ctx.file, ins.start, `${ins.keyword} must have two arguments`, `write \`${ins.keyword} NAME=value\``);
    return [{key: ins.args.value.slice(0, m.index), value: ins.args.value.slice(m.index + m[0].length), at: first.start}];
  }
  return words.map(w => {
    const eq = w.text.indexOf('=');
    if (eq < 0)
      throw problem(ctx.file, w.start, `Syntax error - can't find = in ${JSON.stringify(w.text)}. Must be of the form: name=value`, 'quote values that contain spaces: `NAME="a b"`');
    return {key: w.text.slice(0, eq), value: w.text.slice(eq + 1), at: w.start};
  });
};

/**
 * The errors Docker's parser raises while reading the file (parser.go), which
 * come before every instruction-level error (instructions/parse.go), wherever
 * they are.
 */
export const checkSyntax = (ins: Instruction, ctx: ParseContext): void => {
  if (ins.keyword === 'ENV' || ins.keyword === 'LABEL') nameVal(ins, ctx);
  // The parser reads an ONBUILD trigger as a line of its own (parseSubCommand).
  const start = ins.args.start();
  if (ins.keyword === 'ONBUILD' && start) checkSyntax(toInstruction(ins.args, start), ctx);
};

const parseEnv = (ins: Instruction, ctx: ParseContext): Step => {
  const pairs = nameVal(ins, ctx);
  if (pairs.length === 0) throw atLeastOne(ins, ctx, 'ENV PORT=8080');
  const blank = pairs.find(p => p.key === '');
  if (blank) throw problem(ctx.file, blank.at, 'ENV names can not be blank', 'write `ENV NAME=value`');
  rejectFlags(ins, ctx);
  return {kind: 'env', at: ins.start, pairs};
};

const parseArg = (ins: Instruction, ctx: ParseContext): Step => {
  const words = shellWords(ins.args, ctx.escape);
  if (words.length === 0) throw atLeastOne(ins, ctx, 'ARG PORT=8080');
  const pairs = words.map(w => {
    const eq = w.text.indexOf('=');
    if (eq === 0) throw problem(ctx.file, w.start, 'ARG names can not be blank', 'write `ARG NAME` or `ARG NAME=default`, without spaces around `=`');
    return eq < 0 ? {key: w.text, value: undefined, at: w.start} : {key: w.text.slice(0, eq), value: w.text.slice(eq + 1), at: w.start};
  });
  rejectFlags(ins, ctx);
  return {kind: 'arg', at: ins.start, pairs};
};

const parseFrom = (ins: Instruction, ctx: ParseContext): Step => {
  const words = fields(ins.args);
  const [base, as, name] = words;
  if (words.length === 3 && as?.text.toLowerCase() === 'as') {
    if (!STAGE_NAME.test((name as Word).text.toLowerCase()))
      throw problem(ctx.file, (name as Word).start,
        `invalid name for build stage: ${JSON.stringify((name as Word).text)}, name can't start with a number or contain symbols`,
        'start the name with a letter and use only letters, digits, `-`, `_` and `.`');
  } else if (words.length !== 1) {
    throw problem(ctx.file, ins.start, 'FROM requires either one or three arguments', 'write `FROM image` or `FROM image AS name`');
  }
  rejectFlags(ins, ctx, ['platform']);
  return {kind: 'from', at: ins.start, base: base as Word, name: name?.text.toLowerCase()};
};

/**
 * parseOnBuild: only the trigger's keyword is checked now; the trigger is
 * parsed and run when a stage is built FROM this one.
 */
const parseOnbuild = (ins: Instruction, ctx: ParseContext): Step => {
  const start = ins.args.start();
  if (start === undefined) throw atLeastOne(ins, ctx, 'ONBUILD EXPOSE 8080');
  rejectFlags(ins, ctx);
  const trigger = toInstruction(ins.args, start);
  if (trigger.keyword === 'ONBUILD')
    throw problem(ctx.file, start, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', 'a trigger cannot add another trigger');
  if (trigger.keyword === 'FROM' || trigger.keyword === 'MAINTAINER')
    throw problem(ctx.file, start, `${trigger.keyword} isn't allowed as an ONBUILD trigger`, 'use another instruction in the trigger');
  return {kind: 'onbuild', at: ins.start, trigger};
};

/**
 * ENTRYPOINT / CMD arguments → the argv the image config records: a JSON
 * array of strings is the exec form; anything else is the shell form, run by
 * the default shell (a SHELL instruction is not followed: only the command
 * text matters to portgate).
 */
export const commandWords = (args: string): string[] => {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every(w => typeof w === 'string')) return parsed as string[];
    } catch {
      // Not JSON: Docker runs it in the shell form, brackets and all.
    }
  }
  return args === '' ? [] : ['/bin/sh', '-c', args];
};

/** One logical line → a step, or the parse error `docker build` stops with. */
export const parseInstruction = (ins: Instruction, ctx: ParseContext): Step => {
  switch (ins.keyword) {
    case 'FROM':
      return parseFrom(ins, ctx);
    case 'ARG':
      return parseArg(ins, ctx);
    case 'ENV':
      return parseEnv(ins, ctx);
    case 'EXPOSE': {
      // No JSON form: `EXPOSE ["80"]` is one word that then fails as a port.
      const words = fields(ins.args);
      if (words.length === 0) throw atLeastOne(ins, ctx, 'EXPOSE 8080');
      rejectFlags(ins, ctx);
      return {kind: 'expose', at: ins.start, words};
    }
    case 'ONBUILD':
      return parseOnbuild(ins, ctx);
    case 'ENTRYPOINT':
    case 'CMD':
      return {kind: 'command', which: ins.keyword as 'ENTRYPOINT' | 'CMD', at: ins.start, end: ins.args.end() ?? ins.start, words: commandWords(ins.args.value)};
    case 'USER': {
      // Docker refuses anything but one argument; portgate reads the first and leaves the error to the build.
      const [word] = fields(ins.args);
      return word ? {kind: 'user', at: ins.start, word} : {kind: 'other', at: ins.start, needs: []};
    }
    case 'COPY':
      return {kind: 'other', at: ins.start, needs: flagValues(ins.flags, 'from')};
    case 'RUN':
      return {kind: 'other', at: ins.start, needs: flagValues(ins.flags, 'mount', 'from')};
    default:
      if (!KEYWORDS.has(ins.keyword))
        throw problem(ctx.file, ins.start, `unknown instruction: ${ins.keyword}`, 'check the spelling of the instruction');
      return {kind: 'other', at: ins.start, needs: []};
  }
};
