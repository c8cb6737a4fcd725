import {posix} from 'node:path';
import * as core from '@actions/core';
import {InputError} from '../errors.js';
import type {ProbeMode} from '../engine/types.js';
import {parseDuration, parseSettle} from '../util/duration.js';
import type {NetworkMode, SandboxProfile} from '../sandbox/types.js';
import {BUILD_ARG_NAME} from '../dockerfile/index.js';
import {describeBadImageReference} from '../util/image-reference.js';

/**
 * What a step does: gate one `image`; gate the services of a `fleet` file
 * (all, or the slice `services` names: one job of a matrix); or `merge` the
 * JSON reports of a fleet's matrix jobs into one result.
 */
export type Mode = 'image' | 'fleet' | 'merge';

/** Everything action.yml declares, typed and validated. */
export interface Inputs {
  mode: Mode;
  /** The image to gate; '' in fleet and merge mode. */
  image: string;
  /** Fleet mode: the fleet file, relative to the workspace. */
  fleet?: string;
  /** Fleet mode: only these services (a matrix job's slice); empty = all. */
  services: string[];
  /** Fleet mode: services gated at once; undefined = from the cores and memory. */
  jobs?: number;
  /** Merge mode: the JSON reports, as paths or globs relative to the workspace. */
  merge: string[];
  /**
   * The inputs the workflow set (non-empty). In fleet mode only these win
   * over the fleet file's defaults: fail-on, probe and the like have no
   * default in action.yml so that a fleet file's can hold.
   */
  given: ReadonlySet<string>;
  /** Paths as written in the workflow, relative to the workspace; undefined = use the conventional file when present. */
  dockerfile?: string;
  spec?: string;
  buildArgs: Record<string, string>;
  target?: string;
  /** undefined = the gate's default (the spec's `run.timeout`/`run.settle` win over both). */
  timeoutMs?: number;
  settle?: 'auto' | number;
  /** undefined = the spec's, the manifests' or portgate's default. */
  sandbox?: SandboxProfile;
  network?: NetworkMode;
  probe: ProbeMode;
  /** undefined = the gate's default sidecar image (applied in files.ts: this module needs nothing from gate/). */
  probeImage?: string;
  failOn: FailOn;
  comment: boolean;
  /** Where to write a SARIF report; undefined = none. */
  sarif?: string;
  /** An earlier JSON report to compare with; undefined = none. */
  baseline?: string;
  githubToken: string;
  /** Kubernetes manifest files/folders and Compose files for the manifest checks. */
  manifests: string[];
  compose: string[];
  /** Kubernetes container or Compose service running the image, when its image reference does not match `image`. */
  container?: string;
  /** Check manifests against the spec and Dockerfile without running the image. */
  staticOnly: boolean;
  pull: Pull;
  /** How long to wait for the engine to answer (a Docker service still starting); 0 = fail at once. */
  engineWaitMs: number;
  /** Which builder's EXPOSE semantics to follow (GitHub-hosted runners build with BuildKit). */
  builder: Builder;
  /** The portgate version the workflow expects (`1`, `1.2` or `1.2.3`, optional `v`); undefined = any. */
  version?: string;
}

export const PROBES = ['auto', 'host', 'sidecar', 'exec'] as const satisfies readonly ProbeMode[];
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
export const PULL = ['missing', 'always', 'never'] as const;
export const SANDBOXES = ['default', 'strict'] as const satisfies readonly SandboxProfile[];
export const NETWORKS = ['isolated', 'none'] as const satisfies readonly NetworkMode[];
export type Pull = (typeof PULL)[number];
export const BUILDERS = ['buildkit', 'classic'] as const;
export type Builder = (typeof BUILDERS)[number];

// The YAML 1.2 core-schema booleans, the set core.getBooleanInput accepts; we
// parse them ourselves so the error names the input and the allowed values.
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** Empty means "use the default": the runner passes '' for inputs that a workflow omits and that have no default. */
export const parseBoolean = (value: string, name: string, fallback: boolean): boolean => {
  const v = value.trim();
  if (v === '') return fallback;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new InputError(`input ${name} is "${v}"; expected true or false.`);
};

export const parseChoice = <T extends string>(value: string, name: string, allowed: readonly T[], fallback: T): T => {
  const v = value.trim();
  if (v === '') return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new InputError(`input ${name} is "${v}"; expected one of ${allowed.join(', ')}.`);
};

/** One entry per non-blank line; `#` starts a comment line. Commas are kept: paths and values may contain them. */
export const parseLines = (value: string): string[] =>
  value
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'));

/**
 * `KEY=VALUE` per line, as `docker build --build-arg` takes them. The value
 * keeps everything after the first `=`, including further `=` and spaces.
 */
export const parseBuildArgs = (value: string): Record<string, string> => {
  const args: Record<string, string> = {};
  for (const line of parseLines(value)) {
    const i = line.indexOf('=');
    const key = line.slice(0, i).trim();
    if (i <= 0 || !BUILD_ARG_NAME.test(key)) throw new InputError(`input build-args has "${line}"; expected one KEY=VALUE per line, e.g. VERSION=1.2.`);
    args[key] = line.slice(i + 1);
  }
  return args;
};

const optional = (value: string): string | undefined => value.trim() || undefined;

/** A malformed reference would reach the engine's URL path and come back as a misleading 301: refuse it as Docker does. */
const imageRef = (value: string | undefined, name: string): string | undefined => {
  const bad = value === undefined ? undefined : describeBadImageReference(value, `input ${name}`);
  if (bad) throw new InputError(bad);
  return value;
};
const duration = (value: string, name: string): number | undefined => (value.trim() ? parseDuration(value, `input ${name}`) : undefined);

/** `1`, `1.2`, `1.2.3` or a pre-release such as `1.2.3-rc.1`, with an optional `v`; stored without the `v`. */
export const parseVersion = (value: string): string | undefined => {
  const v = value.trim().replace(/^v/, '');
  if (!v) return undefined;
  if (!/^\d+(\.\d+(\.\d+(-[0-9A-Za-z.-]+)?)?)?$/.test(v)) throw new InputError(`input version is "${value.trim()}"; expected a portgate version such as 1, 1.2 or 1.2.3 (a leading v is fine).`);
  return v;
};

/**
 * Whether the running portgate is the version a workflow pinned: every part
 * given must match, so `1` accepts any 1.x.y and `1.2.3` only itself.
 */
export const versionMatches = (wanted: string, actual: string): boolean => {
  const w = wanted.split('.');
  const a = actual.split('.');
  return w.length === 3 ? wanted === actual : w.every((part, i) => part === a[i]);
};

/** Every input action.yml declares, in its order. */
export const INPUT_NAMES = [
  'image', 'fleet', 'services', 'jobs', 'merge', 'dockerfile', 'spec', 'build-args', 'target', 'timeout', 'settle', 'sandbox', 'network', 'probe', 'probe-image',
  'fail-on', 'comment', 'sarif', 'baseline', 'github-token', 'manifests', 'compose', 'container', 'static-only', 'pull', 'engine-wait', 'builder', 'version'
] as const;

/** What only one image has: in a fleet each service's come from the fleet file. */
const IMAGE_ONLY = ['dockerfile', 'spec', 'build-args', 'target', 'manifests', 'compose', 'container'] as const;
/** What a merge cannot change: the jobs ran the gate (inputs with a default in action.yml are left out: the runner always passes them). */
const RUN_ONLY = ['services', 'jobs', 'timeout', 'settle', 'sandbox', 'network', 'probe', 'probe-image', 'fail-on', 'pull', 'builder'] as const;

/** Service names, separated by spaces or newlines (a matrix entry's `services`: `api web`). */
export const parseNames = (value: string): string[] => [...new Set(value.split(/[\s,]+/).filter(Boolean))];

const jobCount = (value: string): number | undefined => {
  const v = value.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InputError(`input jobs is "${v}"; expected a whole number from 1 to 64.`);
  return n;
};

/** Exactly one of image, fleet and merge, and no input that means nothing in that mode. */
const modeOf = (given: ReadonlySet<string>, staticOnly: boolean): Mode => {
  const modes = (['image', 'fleet', 'merge'] as const).filter(m => given.has(m));
  if (modes.length > 1) throw new InputError(`inputs ${modes.join(' and ')} exclude each other: set image to gate one image, fleet to gate the services of a fleet file, or merge to fold a fleet's matrix jobs' reports into one.`);
  const mode = modes[0];
  if (!mode) throw new InputError("input image is required: the reference of an image already in the engine, e.g. app:ci; or set fleet (every service of a portgate.fleet.yml) or merge (the JSON reports of a fleet's matrix jobs).");
  const refuse = (names: readonly string[], why: (s: string) => string) => {
    const set = names.filter(n => given.has(n));
    if (set.length) throw new InputError(`input${set.length === 1 ? '' : 's'} ${set.join(', ')} ${why(set.length === 1 ? 's' : '')}`);
  };
  if (mode !== 'image') refuse(IMAGE_ONLY, s => `belong${s} to one image: with ${mode}, each service's Dockerfile, spec, build args, target and manifests are in the fleet file.`);
  if (mode === 'image') refuse(['services', 'jobs'], s => `go${s === 's' ? 'es' : ''} with fleet: ${s === 's' ? 'it picks or paces' : 'they pick and pace'} the services of a fleet file.`);
  if (mode === 'merge') refuse([...RUN_ONLY, ...(staticOnly ? ['static-only'] : [])], () => 'change how the gate runs, and merge runs none: set them on the matrix jobs that gate the fleet.');
  return mode;
};

/**
 * The pure half of getInputs: `get(name)` returns the raw string the runner
 * passed ('' when unset). Defaults repeat action.yml's (or, for fail-on,
 * probe, probe-image, pull and builder, which have none there so that a
 * fleet file's defaults can hold, portgate's), so that running dist/index.js
 * by hand (or from a test) behaves like the runner.
 */
export const readInputs = (get: (name: string) => string): Inputs => {
  const raw = Object.fromEntries(INPUT_NAMES.map(n => [n, get(n)])) as Record<(typeof INPUT_NAMES)[number], string>;
  const given = new Set(INPUT_NAMES.filter(n => raw[n].trim() !== ''));
  const mode = modeOf(given, parseBoolean(raw['static-only'], 'static-only', false));
  const image = raw.image.trim();
  return {
    mode,
    image: mode === 'image' ? imageRef(image, 'image')! : '',
    // `./portgate.fleet.yml` and `portgate.fleet.yml` are one fleet: the reports, and so the comment's key, name it the same.
    ...(mode === 'fleet' && {fleet: posix.normalize(raw.fleet.trim().replaceAll('\\', '/'))}),
    services: parseNames(raw.services),
    ...(jobCount(raw.jobs) !== undefined && {jobs: jobCount(raw.jobs)}),
    merge: mode === 'merge' ? parseLines(raw.merge) : [],
    given,
    dockerfile: optional(raw.dockerfile),
    spec: optional(raw.spec),
    buildArgs: parseBuildArgs(raw['build-args']),
    target: optional(raw.target),
    timeoutMs: duration(raw.timeout, 'timeout'),
    ...(raw.settle.trim() && {settle: parseSettle(raw.settle, 'input settle')}),
    ...(raw.sandbox.trim() && {sandbox: parseChoice(raw.sandbox, 'sandbox', SANDBOXES, 'default')}),
    ...(raw.network.trim() && {network: parseChoice(raw.network, 'network', NETWORKS, 'isolated')}),
    probe: parseChoice(raw.probe, 'probe', PROBES, 'auto'),
    probeImage: imageRef(optional(raw['probe-image']), 'probe-image'),
    failOn: parseChoice(raw['fail-on'], 'fail-on', FAIL_ON, 'error'),
    comment: parseBoolean(raw.comment, 'comment', true),
    sarif: optional(raw.sarif),
    baseline: optional(raw.baseline),
    githubToken: raw['github-token'].trim(),
    manifests: parseLines(raw.manifests),
    compose: parseLines(raw.compose),
    container: optional(raw.container),
    staticOnly: parseBoolean(raw['static-only'], 'static-only', false),
    pull: parseChoice(raw.pull, 'pull', PULL, 'missing'),
    engineWaitMs: duration(raw['engine-wait'], 'engine-wait') ?? 0,
    builder: parseChoice(raw.builder, 'builder', BUILDERS, 'buildkit'),
    version: parseVersion(raw.version)
  };
};

/** Reads the step's inputs (INPUT_<NAME> environment variables, hyphens kept). */
export const getInputs = (): Inputs => readInputs(name => core.getInput(name, {trimWhitespace: false}));
