/**
 * The stage graph: which stage is the target, which stage a `FROM` names, and
 * which stages a build evaluates. Follows moby/buildkit
 * dockerfile2llb/convert.go (dispatchStates, resolveTarget,
 * allReachableStages) and moby/moby daemon/builder/dockerfile/builder.go
 * (classic: every stage up to the target, `stages[:targetIx+1]`).
 */
import type {KeyValue, Step} from './instructions.js';
import type {Builder} from './lex.js';
import {problem} from './problem.js';

type FromStep = Extract<Step, {kind: 'from'}>;

export interface Stage {
  index: number;
  /** The `AS` name, lower-cased as Docker stores it. */
  name: string | undefined;
  from: FromStep;
  steps: Step[];
}

export interface StageList {
  /** ARG instructions before the first FROM. */
  globals: KeyValue[][];
  stages: Stage[];
}

/** How the result names a stage: its name, else its index. */
export const stageLabel = (s: Stage): string => s.name ?? String(s.index);

export const splitStages = (steps: readonly Step[], file: string): StageList => {
  const list: StageList = {globals: [], stages: []};
  for (const step of steps) {
    if (step.kind === 'from') list.stages.push({index: list.stages.length, name: step.name, from: step, steps: []});
    else if (list.stages.length) (list.stages.at(-1) as Stage).steps.push(step);
    else if (step.kind === 'arg') list.globals.push(step.pairs);
    else throw problem(file, step.at, 'no build stage in current context', 'only ARG may come before the first FROM');
  }
  if (!list.stages.length)
    throw problem(file, undefined, steps.length ? 'dockerfile contains no stages to build' : 'file with no instructions', 'add a `FROM` line');
  return list;
};

/**
 * --target, else the last stage. BuildKit keeps the last stage of a repeated
 * name (statesByName is overwritten); the classic builder takes the first.
 */
export const findTarget = (stages: readonly Stage[], target: string | undefined, builder: Builder, file: string): number => {
  if (target === undefined) return stages.length - 1;
  const matches = stages.filter(s => s.name === target.toLowerCase());
  const found = builder === 'classic' ? matches[0] : matches.at(-1);
  if (found) return found.index;
  const names = stages.flatMap(s => s.name ?? []);
  const docker = builder === 'classic' ? `failed to reach build target ${target} in Dockerfile` : `target stage ${JSON.stringify(target)} could not be found`;
  const hint = names.length ? `the stages are: ${names.join(', ')}` : 'no stage is named; add `AS <name>` to a FROM line';
  throw problem(file, undefined, docker, hint);
};

/**
 * The earlier stage that `FROM ref` (already expanded) names, if any; else ref
 * is an external image. BuildKit looks the name up as written among
 * lower-cased stage names; the classic builder lower-cases it first.
 */
export const stageNamed = (stages: readonly Stage[], before: number, ref: string, builder: Builder): Stage | undefined => {
  const key = builder === 'classic' ? ref.toLowerCase() : ref;
  return stages.slice(0, before).findLast(s => s.name === key);
};

/**
 * A stage name used before: the classic builder stops when it reaches the
 * second stage (checkStageNameAvailable, "<name> stage name already used").
 * BuildKit only warns (the DuplicateStageName build check) and builds: a
 * `FROM <name>` names the latest stage of that name before it, --target and
 * the stage list the last one (dispatchStates.addState overwrites
 * statesByName), as findTarget and stageNamed follow; Buildah builds such a
 * file too. Both lines are cited.
 */
export const checkStageName = (stages: readonly Stage[], stage: Stage, file: string): void => {
  const first = stage.name ? stages.slice(0, stage.index).find(s => s.name === stage.name) : undefined;
  if (!first) return;
  throw problem(file, stage.from.at, `${stage.name} stage name already used`, `the stage at ${file}:${first.from.at.line + 1} is named ${JSON.stringify(stage.name)} too; give each stage its own name`);
};

/**
 * What the build evaluates, in file order. BuildKit: the target and every
 * stage it depends on through FROM, COPY --from or RUN --mount from= (stage
 * name or index); the classic builder: every stage up to the target.
 */
export const evaluatedStages = (stages: readonly Stage[], target: number, parentOf: (s: Stage) => Stage | undefined, builder: Builder): Stage[] => {
  if (builder === 'classic') return stages.slice(0, target + 1);
  const reached = new Set<number>();
  const visit = (i: number): void => {
    if (reached.has(i)) return;
    reached.add(i);
    const stage = stages[i] as Stage;
    const parent = parentOf(stage);
    if (parent) visit(parent.index);
    for (const step of stage.steps) {
      if (step.kind !== 'other') continue;
      for (const need of step.needs) {
        const dep = /^[+-]?[0-9]+$/.test(need) ? stages[Number(need)] : stages.findLast(s => s.name === need.toLowerCase());
        if (dep) visit(dep.index);
      }
    }
  };
  visit(target);
  return stages.filter(s => reached.has(s.index));
};
