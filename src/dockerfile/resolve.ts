/**
 * Dockerfile text → the ports the built image's target stage EXPOSEs, the
 * way `docker build` computes Config.ExposedPorts: ARG/ENV scopes, stage
 * inheritance, --target, --build-arg, then each EXPOSE word expanded, split
 * and parsed (moby/buildkit dockerfile2llb/convert_expose.go dispatchExpose;
 * moby/moby daemon/builder/dockerfile/dispatchers.go dispatchExpose).
 * Pure: no file system, no engine. Base images are described by the caller.
 */
import {portKey, type ExposedPort, type Finding, type SourceLocation} from '../model.js';
import {exposeWords, type ExposeContext} from './expose.js';
import {checkSyntax, parseInstruction, type Step} from './instructions.js';
import {ExpansionError, processWord, type Builder, type Env, type LexOptions} from './lex.js';
import {ExpansionBudget, ExpansionLimitError} from './lex-limits.js';
import {problem} from './problem.js';
import {fromEnv, imageScope, resolveGlobals, type Scope, type ScopeContext} from './scope.js';
import {readSource, type Instruction, type Pos} from './source.js';
import {imageReferenceError} from '../util/image-reference.js';
import {checkStageName, evaluatedStages, findTarget, splitStages, stageLabel, stageNamed, type Stage} from './stages.js';

/** What portgate knows about an external base image (from `docker image inspect`). */
export interface BaseImageInfo {
  /** Config.Env, `KEY=VALUE`. */
  env: string[];
  /**
   * Config.ExposedPorts keys, e.g. `80/tcp`. The resolver reports only the
   * Dockerfile's own ports; a caller adds these with origin `base-image`.
   */
  exposedPorts: string[];
}

export interface ResolveOptions {
  /** Path shown in locations and errors. */
  file: string;
  /** `--build-arg`; only ARGs the Dockerfile declares take them. */
  buildArgs?: Record<string, string>;
  /** `--target`; the last stage by default. */
  target?: string;
  /** Whose rules to follow; `classic` is Docker 20.10's classic builder. Default `buildkit`. */
  builder?: Builder;
  /** External base images, keyed by the FROM reference as written (after expansion). Unknown ones count as empty. */
  baseImages?: Record<string, BaseImageInfo>;
}

export interface ResolvedDockerfile {
  /**
   * Ports the Dockerfile itself EXPOSEs in the target stage and the stages it
   * is built FROM, once per port/protocol (the first EXPOSE word wins). The
   * location is that word; `endColumn` is one past its last character.
   */
  exposed: ExposedPort[];
  /** E.g. `expose-host-part-ignored` for `EXPOSE 80:8080`. */
  warnings: Finding[];
  /** The target stage's name, or its index when unnamed. */
  target: string;
  /** The external image the target's FROM chain starts at (`scratch` possible). */
  baseImage: string;
  /**
   * External images whose Config.Env the build reads (every stage it
   * evaluates, target chain first), without `scratch`: inspect these and pass
   * them as `baseImages`.
   */
  externalImages: string[];
  /** Where the image config's parts come from in this file (target stage and the stages it is built FROM). */
  config: DockerfileConfig;
}

/** A setting of the image config and the instruction that wrote it. */
export interface Located<T> {
  value: T;
  location: SourceLocation;
}

/**
 * The lines that made the image config: what findings about the image as a
 * whole, its command or its environment point at (findings/where.ts).
 */
export interface DockerfileConfig {
  /** The target stage's FROM line. */
  from: SourceLocation;
  /** The FROM that names the external base image, where inherited EXPOSE, ENV and CMD come in. */
  baseFrom: SourceLocation;
  /** The last ENTRYPOINT / CMD in effect, as argv (shell form under `/bin/sh -c`); absent = inherited from the base image. */
  entrypoint?: Located<string[]>;
  cmd?: Located<string[]>;
  /** ENV this file sets, expanded, last one per name. */
  env: Record<string, Located<string>>;
  /** The last USER in effect, expanded; absent = the base image's. */
  user?: Located<string>;
}

interface StageResult {
  /** The FROM reference, expanded. */
  ref: string;
  parent: StageResult | undefined;
  scope: Scope;
  exposed: ExposedPort[];
  warnings: Finding[];
  /** ONBUILD triggers, for a stage built FROM this one. */
  triggers: Instruction[];
  from: SourceLocation;
  config: Omit<DockerfileConfig, 'from' | 'baseFrom'>;
  /** A CMD in this stage survives a later ENTRYPOINT of the same stage; an inherited one does not. */
  cmdHere: boolean;
}

const at = (file: string, p: Pos, end?: Pos): SourceLocation => ({
  file,
  line: p.line + 1,
  column: p.character + 1,
  ...(end && {endLine: end.line + 1, endColumn: end.character + 1})
});

const PORT_HINT = 'EXPOSE takes `port`, `port/protocol` or a range such as `8000-8010/udp`; ports are 0–65535, protocols tcp, udp or sctp';

const expansionHint = (e: ExpansionError, builder: Builder): string =>
  e instanceof ExpansionLimitError
    ? 'this is a limit of portgate, not of Docker, far above what real Dockerfiles need: define the variables without multiplying or nesting them'
    : e.missingValue
    ? 'give the variable a value before this line (ARG default, ENV or --build-arg)'
    : builder === 'classic' && e.message.endsWith("missing ':' in substitution")
      ? 'the classic builder only supports ${VAR}, ${VAR:-default}, ${VAR:+alternative}, ${VAR:?message} and ${VAR?message}; build with BuildKit or rewrite the expression'
      : 'check the quotes and the ${…} syntax in this word';

/** Config.ExposedPorts is a set: keep the first EXPOSE of each port/protocol. */
const firstPerPort = (ports: readonly ExposedPort[]): ExposedPort[] => {
  const seen = new Set<string>();
  return ports.filter(p => {
    const key = portKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

export function resolveExpose(text: string, opts: ResolveOptions): ResolvedDockerfile {
  const {file} = opts;
  const builder = opts.builder ?? 'buildkit';
  const buildArgs = opts.buildArgs ?? {};
  const {escape, instructions} = readSource(text, file);
  const lex: LexOptions = {escape, builder, budget: new ExpansionBudget()};
  const expand = (word: string, at: Pos, env: Env): string => {
    try {
      return processWord(word, env, lex);
    } catch (e) {
      if (e instanceof ExpansionError) throw problem(file, at, e.message, expansionHint(e, builder));
      throw e;
    }
  };
  const exposeCtx: ExposeContext = {
    file,
    lex,
    fail: (w, e, expandedTo) =>
      e instanceof ExpansionError
        ? problem(file, w.start, e.message, expansionHint(e, builder))
        : problem(file, w.start, e.message, expandedTo === w.text ? PORT_HINT : `\`${w.text}\` expanded to \`${expandedTo}\`; ${PORT_HINT}`)
  };

  // Parse errors anywhere stop the build before any stage runs; the parser's own before the instructions'.
  const parse = {file, builder, escape};
  for (const ins of instructions) checkSyntax(ins, parse);
  const steps = instructions.map(ins => parseInstruction(ins, parse));
  const {globals: globalArgs, stages} = splitStages(steps, file);
  const ctx: ScopeContext = {builder, buildArgs, globals: resolveGlobals(globalArgs, builder, buildArgs, expand)};

  const refs = new Map<number, string>();
  const refOf = (s: Stage): string => {
    let ref = refs.get(s.index);
    if (ref === undefined) {
      const base = s.from.base;
      ref = expand(base.text, base.start, fromEnv(ctx));
      if (ref === '')
        throw problem(file, base.start, `base name (${base.text}) should not be blank`, 'the image comes from a variable that is empty here; give the global ARG a default or pass it with --build-arg');
      refs.set(s.index, ref);
    }
    return ref;
  };
  // BuildKit expands every FROM before it looks at --target; the classic builder as it reaches each stage.
  if (builder === 'buildkit') stages.forEach(refOf);
  const target = findTarget(stages, opts.target, builder, file);
  const parentOf = (s: Stage): Stage | undefined => stageNamed(stages, s.index, refOf(s), builder);
  // BuildKit's wording (dockerfile2llb resolveBaseImage), which parses every external base, reached or not;
  // the classic builder fails as it reaches one. portgate would otherwise send the name to the engine.
  const checkBaseName = (stage: Stage, ref: string): void => {
    const error = imageReferenceError(ref);
    if (error !== undefined)
      throw problem(file, stage.from.base.start, `failed to parse stage name ${JSON.stringify(ref)}: ${error}`, 'FROM takes an earlier stage\'s name or an image reference such as registry.example.com/team/base:1.2 (lowercase path, parts separated by one `/`)');
  };

  if (builder === 'buildkit') for (const s of stages) if (!parentOf(s)) checkBaseName(s, refOf(s));

  const run = (r: StageResult, step: Step): void => {
    if (step.kind === 'arg') r.scope.declareArgs(step.pairs, (word, at) => expand(word, at, r.scope.env()));
    else if (step.kind === 'env') {
      // Every key and value is expanded before any is set: `ENV A=1 B=$A` gives B the earlier A.
      const env = r.scope.env();
      const pairs = step.pairs.map(p => [expand(p.key, p.at, env), expand(p.value, p.at, env), p.at] as const);
      for (const [key, value, pos] of pairs) {
        r.scope.setEnv(key, value);
        r.config.env[key] = {value, location: at(file, pos)};
      }
    } else if (step.kind === 'command') {
      const located = {value: step.words, location: at(file, step.at, step.end)};
      if (step.which === 'CMD') {
        r.config.cmd = located;
        r.cmdHere = true;
      } else {
        r.config.entrypoint = located;
        // Docker resets an inherited CMD when ENTRYPOINT is set (dispatchEntrypoint: `if !d.cmdSet`).
        if (!r.cmdHere) delete r.config.cmd;
      }
    } else if (step.kind === 'expose') {
      const {ports, warnings} = exposeWords(step.words, r.scope.env(), exposeCtx);
      // Not push(...ports): `EXPOSE 1-65535/tcp 1-65535/udp` is 131,070 ports, past the argument limit.
      for (const p of ports) r.exposed.push(p);
      for (const w of warnings) r.warnings.push(w);
    } else if (step.kind === 'user') r.config.user = {value: expand(step.word.text, step.word.start, r.scope.env()), location: at(file, step.at)};
    else if (step.kind === 'onbuild') r.triggers.push(step.trigger);
  };

  const results = new Map<number, StageResult>();
  for (const stage of evaluatedStages(stages, target, parentOf, builder)) {
    // The classic builder stops at a repeated stage name as it reaches it; BuildKit only lints it (see checkStageName).
    if (builder === 'classic') checkStageName(stages, stage, file);
    const ref = refOf(stage);
    const parentStage = parentOf(stage);
    const parent = parentStage && results.get(parentStage.index);
    if (!parentStage && builder === 'classic') checkBaseName(stage, ref);
    const from = at(file, stage.from.at);
    const r: StageResult = parent
      ? {ref, parent, scope: parent.scope.child(), exposed: [...parent.exposed], warnings: [...parent.warnings], triggers: [], from, config: {...parent.config, env: {...parent.config.env}}, cmdHere: false}
      : {ref, parent, scope: imageScope(ctx, ref === 'scratch' ? [] : (opts.baseImages?.[ref]?.env ?? [])), exposed: [], warnings: [], triggers: [], from, config: {env: {}}, cmdHere: false};
    // The parent stage's ONBUILD triggers run first, in this stage only (they do not carry over further).
    for (const trigger of parent?.triggers ?? []) run(r, parseInstruction(trigger, parse));
    for (const step of stage.steps) run(r, step);
    results.set(stage.index, r);
  }

  const top = results.get(target) as StageResult;
  let root = top;
  while (root.parent) root = root.parent;
  const roots = [root, ...[...results.values()].filter(r => !r.parent)];
  return {
    exposed: firstPerPort(top.exposed),
    warnings: top.warnings,
    target: stageLabel(stages[target] as Stage),
    baseImage: root.ref,
    externalImages: [...new Set(roots.map(r => r.ref))].filter(ref => ref !== 'scratch'),
    config: {from: top.from, baseFrom: root.from, ...top.config}
  };
}
