/**
 * Dockerfile text → the ports the built image's target stage EXPOSEs, the
 * way `docker build` computes Config.ExposedPorts: ARG/ENV scopes, stage
 * inheritance, --target, --build-arg, then each EXPOSE word expanded, split
 * and parsed (moby/buildkit dockerfile2llb/convert_expose.go dispatchExpose;
 * moby/moby daemon/builder/dockerfile/dispatchers.go dispatchExpose).
 * Pure: no file system, no engine. Base images are described by the caller.
 */
import {portKey, type ExposedPort, type Finding, type SourceLocation} from '../model.js';
import {RULES} from '../findings/rules.js';
import {parseInstruction, type Step} from './instructions.js';
import {ExpansionError, processWord, processWords, type Builder, type Env, type LexOptions} from './lex.js';
import {parsePortSpec, PortSpecError, type PortSpec} from './port-spec.js';
import {problem} from './problem.js';
import {fromEnv, imageScope, resolveGlobals, type Scope, type ScopeContext} from './scope.js';
import {readSource, type Pos, type Word} from './source.js';
import {evaluatedStages, findTarget, splitStages, stageLabel, stageNamed, type Stage} from './stages.js';

/** What portgate knows about an external base image (from `docker image inspect`). */
export interface BaseImageInfo {
  /** Config.Env, `KEY=VALUE`. */
  env: string[];
  /** Config.ExposedPorts keys, e.g. `80/tcp`. */
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
}

interface StageResult {
  ref: string;
  parent: number | undefined;
  scope: Scope;
  exposed: ExposedPort[];
  warnings: Finding[];
}

const PORT_HINT = 'EXPOSE takes `port`, `port/protocol` or a range such as `8000-8010/udp`; ports are 0–65535, protocols tcp, udp or sctp';

const expansionHint = (e: ExpansionError, builder: Builder): string =>
  e.missingValue
    ? 'give the variable a value before this line (ARG default, ENV or --build-arg)'
    : builder === 'classic' && e.message.endsWith("missing ':' in substitution")
      ? 'the classic builder only supports ${VAR}, ${VAR:-default}, ${VAR:+alternative}, ${VAR:?message} and ${VAR?message}; build with BuildKit or rewrite the expression'
      : 'check the quotes and the ${…} syntax in this word';

const location = (file: string, w: Word): SourceLocation => ({
  file,
  line: w.start.line + 1,
  column: w.start.character + 1,
  endLine: w.end.line + 1,
  endColumn: w.end.character + 1
});

const byPosition = (a: Pos, b: Pos): number => a.line - b.line || a.character - b.character;

export function resolveExpose(text: string, opts: ResolveOptions): ResolvedDockerfile {
  const {file} = opts;
  const builder = opts.builder ?? 'buildkit';
  const buildArgs = opts.buildArgs ?? {};
  const {escape, instructions} = readSource(text, file);
  const lex: LexOptions = {escape, builder};

  const lexed = <T>(at: Pos, run: () => T): T => {
    try {
      return run();
    } catch (e) {
      if (e instanceof ExpansionError) throw problem(file, at, e.message, expansionHint(e, builder));
      throw e;
    }
  };
  const expand = (word: string, at: Pos, env: Env): string => lexed(at, () => processWord(word, env, lex));

  const steps = instructions.map(ins => parseInstruction(ins, {file, builder, escape}));
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

  const exposeAt = (step: Extract<Step, {kind: 'expose'}>, env: Env, into: StageResult): void => {
    // parseExpose sorts the raw words, and every word is expanded before any is parsed, which decides which error wins.
    const sorted = [...step.words].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    const expanded = sorted.map(w => ({w, specs: lexed(w.start, () => processWords(w.text, env, lex))}));
    const parsed: {w: Word; raw: string; spec: PortSpec}[] = [];
    for (const {w, specs} of expanded)
      for (const raw of specs) {
        try {
          parsed.push({w, raw, spec: parsePortSpec(raw, builder)});
        } catch (e) {
          if (!(e instanceof PortSpecError)) throw e;
          throw problem(file, w.start, e.message, raw === w.text ? PORT_HINT : `\`${w.text}\` expanded to \`${raw}\`; ${PORT_HINT}`);
        }
      }
    parsed.sort((a, b) => byPosition(a.w.start, b.w.start));
    for (const {w, raw, spec} of parsed) {
      for (const p of spec.ports) into.exposed.push({...p, origin: 'dockerfile', location: location(file, w)});
      if (spec.hostPart) into.warnings.push(hostPartWarning(file, w, raw, spec));
    }
  };

  const results = new Map<number, StageResult>();
  for (const stage of evaluatedStages(stages, target, parentOf, builder)) {
    const ref = refOf(stage);
    const parent = parentOf(stage);
    const base = parent && results.get(parent.index);
    const result: StageResult = base
      ? {ref, parent: parent.index, scope: base.scope.child(), exposed: [...base.exposed], warnings: [...base.warnings]}
      : {ref, parent: undefined, scope: imageScope(ctx, ref === 'scratch' ? [] : (opts.baseImages?.[ref]?.env ?? [])), exposed: [], warnings: []};
    const {scope} = result;
    for (const step of stage.steps) {
      if (step.kind === 'arg') scope.declareArgs(step.pairs, (word, at) => expand(word, at, scope.env()));
      else if (step.kind === 'env') {
        // Every key and value is expanded before any is set: `ENV A=1 B=$A` gives B the earlier A.
        const env = scope.env();
        const pairs = step.pairs.map(p => [expand(p.key, p.at, env), expand(p.value, p.at, env)] as const);
        for (const [key, value] of pairs) scope.setEnv(key, value);
      } else if (step.kind === 'expose') exposeAt(step, scope.env(), result);
    }
    results.set(stage.index, result);
  }

  const chain: StageResult[] = [];
  for (let r = results.get(target); r; r = r.parent === undefined ? undefined : results.get(r.parent)) chain.push(r);
  const roots = [chain.at(-1) as StageResult, ...results.values()].filter(r => r.parent === undefined);
  const top = results.get(target) as StageResult;
  return {
    exposed: firstPerPort(top.exposed),
    warnings: top.warnings,
    target: stageLabel(stages[target] as Stage),
    baseImage: (chain.at(-1) as StageResult).ref,
    externalImages: [...new Set(roots.map(r => r.ref))].filter(ref => ref !== 'scratch')
  };
}

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

const hostPartWarning = (file: string, w: Word, raw: string, spec: PortSpec): Finding => {
  const ports = spec.ports.map(p => `${p.port}/${p.protocol}`);
  const single = spec.ports.length === 1 ? spec.ports[0] : undefined;
  return {
    rule: 'expose-host-part-ignored',
    severity: RULES['expose-host-part-ignored'].severity,
    ...(single && {port: single.port, protocol: single.protocol}),
    message: `EXPOSE ${raw} names an IP address or host port, which Docker ignores: it exposes only ${ports.join(', ')}. Write the container port alone.`,
    location: location(file, w)
  };
};
