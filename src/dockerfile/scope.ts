/**
 * Which variables `$NAME` sees, instruction by instruction, in each builder.
 *
 * BuildKit (moby/buildkit dockerfile2llb/convert.go): one ordered state env.
 * The base image's Config.Env seeds it, ENV and ARG-with-a-value both write
 * it (`d.state.AddEnv` in dispatchEnv/dispatchArg), so the later of an ENV and
 * an ARG of the same name wins. `FROM <stage>` starts from that stage's state
 * with its image Env laid on top (dispatchState.init, dispatchStages), ARGs
 * included.
 *
 * Classic builder (moby/moby daemon/builder/dockerfile, Docker 20.10):
 * `runConfig.Env + buildArgs.FilterAllowed(runConfig.Env)`, so an ENV always
 * beats an ARG of the same name, and a stage's ARGs are forgotten at the
 * next FROM even when it names this stage (newDispatchState → ResetAllowed);
 * ENV travels through the stage's image.
 *
 * Both: a global ARG (before the first FROM) reaches a stage only when the
 * stage redeclares it without a value; `--build-arg` only sets declared ARGs;
 * PATH gets Docker's default when the base image has none.
 */
import type {KeyValue} from './instructions.js';
import type {Builder, Env} from './lex.js';
import type {Pos} from './source.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The classic builder lets these build args through without an ARG line
 * (daemon/builder/dockerfile/buildargs.go builtinAllowedBuildArgs; 20.10 has
 * no ALL_PROXY).
 */
const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy'];

/** Runs the lexer on a word at `at` (for the error location) against the current environment. */
export type Expand = (word: string, at: Pos) => string;

export interface ScopeContext {
  builder: Builder;
  buildArgs: Readonly<Record<string, string>>;
  /** Global ARG values after --build-arg (globalArgs / allowedMetaArgs); declared-but-unset ones absent. */
  globals: Env;
}

/** One stage's variables. `env()` is what the lexer sees at the current instruction. */
export interface Scope {
  env(): Env;
  /** One ARG instruction. `expand` runs the lexer against `env()` as it is when called. */
  declareArgs(pairs: readonly KeyValue[], expand: Expand): void;
  setEnv(key: string, value: string): void;
  /** The scope a `FROM <this stage>` starts with. */
  child(): Scope;
}

/** Config.Env (`KEY=VALUE`, last one wins, a bare `KEY` is empty) with PATH defaulted. */
const imageEnv = (env: readonly string[]): Map<string, string> => {
  const m = new Map<string, string>();
  for (const e of env) {
    const eq = e.indexOf('=');
    m.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
  }
  if (!m.has('PATH')) m.set('PATH', DEFAULT_PATH);
  return m;
};

const has = (o: Readonly<Record<string, string>>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

class BuildkitScope implements Scope {
  constructor(
    private readonly ctx: ScopeContext,
    private readonly state: Map<string, string>,
    private readonly image: Map<string, string>
  ) {}

  env = (): Env => this.state;

  /**
   * dispatchArg, pair by pair so `ARG A=1 B=$A` sees A: --build-arg, else the
   * default expanded now, else the global value. Keys are not expanded.
   */
  declareArgs(pairs: readonly KeyValue[], expand: Expand): void {
    for (const {key, value: raw, at} of pairs) {
      const value = has(this.ctx.buildArgs, key) ? this.ctx.buildArgs[key] : raw !== undefined ? expand(raw, at) : this.ctx.globals.get(key);
      if (value !== undefined) this.state.set(key, value);
    }
  }

  setEnv(key: string, value: string): void {
    this.state.set(key, value);
    this.image.set(key, value);
  }

  child = (): Scope => new BuildkitScope(this.ctx, new Map([...this.state, ...this.image]), new Map(this.image));
}

class ClassicScope implements Scope {
  /** ARGs declared in this stage and their defaults (allowedBuildArgs). */
  private readonly allowed = new Map<string, string | undefined>();

  constructor(
    private readonly ctx: ScopeContext,
    private readonly config: Map<string, string>
  ) {}

  /** buildargs.go getBuildArg: --build-arg, else the default, else (no default) the global value. */
  private argValue(key: string): string | undefined {
    if (!this.allowed.has(key) && !PROXY_ARGS.includes(key)) return undefined;
    if (has(this.ctx.buildArgs, key)) return this.ctx.buildArgs[key];
    return this.allowed.get(key) ?? this.ctx.globals.get(key);
  }

  env(): Env {
    const env = new Map(this.config);
    for (const key of [...this.allowed.keys(), ...PROXY_ARGS]) {
      const value = this.argValue(key);
      if (!env.has(key) && value !== undefined) env.set(key, value);
    }
    return env;
  }

  /**
   * The whole instruction is expanded before any of it is declared (evaluator.go
   * dispatch → ArgCommand.Expand), keys too, and defaults even when a
   * --build-arg will override them.
   */
  declareArgs(pairs: readonly KeyValue[], expand: Expand): void {
    const expanded = pairs.map(p => [expand(p.key, p.at), p.value === undefined ? undefined : expand(p.value, p.at)] as const);
    for (const [key, value] of expanded) this.allowed.set(key, value);
  }

  setEnv(key: string, value: string): void {
    this.config.set(key, value);
  }

  child = (): Scope => new ClassicScope(this.ctx, new Map(this.config));
}

/** A stage's scope when it starts FROM an external image (or scratch, env `[]`). */
export const imageScope = (ctx: ScopeContext, env: readonly string[]): Scope =>
  ctx.builder === 'classic' ? new ClassicScope(ctx, imageEnv(env)) : new BuildkitScope(ctx, imageEnv(env), imageEnv(env));

/**
 * Global ARGs (before the first FROM), evaluated once: --build-arg wins, else
 * the default expanded against the globals before it (BuildKit buildMetaArgs;
 * classic processMetaArg, which expands a whole instruction first, keys too).
 * `expand` receives the environment to use.
 */
export const resolveGlobals = (
  args: readonly (readonly KeyValue[])[],
  builder: Builder,
  buildArgs: Readonly<Record<string, string>>,
  expand: (word: string, at: Pos, env: Env) => string
): Map<string, string> => {
  const globals = new Map<string, string>();
  for (const pairs of args) {
    if (builder === 'classic') {
      const env = new Map([...globals, ...proxyArgs(buildArgs)]);
      const expanded = pairs.map(p => [expand(p.key, p.at, env), p.value === undefined ? undefined : expand(p.value, p.at, env)] as const);
      for (const [key, value] of expanded) setDefined(globals, key, has(buildArgs, key) ? buildArgs[key] : value);
    } else {
      for (const {key, value, at} of pairs)
        setDefined(globals, key, has(buildArgs, key) ? buildArgs[key] : value === undefined ? undefined : expand(value, at, globals));
    }
  }
  return globals;
};

const setDefined = (m: Map<string, string>, key: string, value: string | undefined): void => {
  if (value !== undefined) m.set(key, value);
};

const proxyArgs = (buildArgs: Readonly<Record<string, string>>): [string, string][] =>
  PROXY_ARGS.filter(k => has(buildArgs, k)).map(k => [k, buildArgs[k] as string]);

/** What FROM lines expand against: the globals, plus (classic builder, GetAllMeta) proxy build args. */
export const fromEnv = (ctx: ScopeContext): Env =>
  ctx.builder === 'classic' ? new Map([...ctx.globals, ...proxyArgs(ctx.buildArgs)]) : ctx.globals;
