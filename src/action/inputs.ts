import * as core from '@actions/core';
import {InputError} from '../errors.js';
import type {ProbeMode} from '../engine/types.js';
import {parseDuration, parseSettle} from '../util/duration.js';
import type {NetworkMode, SandboxProfile} from '../sandbox/types.js';
import {BUILD_ARG_NAME} from '../dockerfile/index.js';
import {describeBadImageReference} from '../util/image-reference.js';

/** Everything action.yml declares, typed and validated. */
export interface Inputs {
  image: string;
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

/**
 * The pure half of getInputs: `get(name)` returns the raw string the runner
 * passed ('' when unset). Defaults repeat action.yml's so that running
 * dist/index.js by hand (or from a test) behaves like the runner.
 */
export const readInputs = (get: (name: string) => string): Inputs => {
  const image = get('image').trim();
  if (!image) throw new InputError('input image is required: the reference of an image already in the engine, e.g. app:ci.');
  return {
    image: imageRef(image, 'image')!,
    dockerfile: optional(get('dockerfile')),
    spec: optional(get('spec')),
    buildArgs: parseBuildArgs(get('build-args')),
    target: optional(get('target')),
    timeoutMs: duration(get('timeout'), 'timeout'),
    ...(get('settle').trim() && {settle: parseSettle(get('settle'), 'input settle')}),
    ...(get('sandbox').trim() && {sandbox: parseChoice(get('sandbox'), 'sandbox', SANDBOXES, 'default')}),
    ...(get('network').trim() && {network: parseChoice(get('network'), 'network', NETWORKS, 'isolated')}),
    probe: parseChoice(get('probe'), 'probe', PROBES, 'auto'),
    probeImage: imageRef(optional(get('probe-image')), 'probe-image'),
    failOn: parseChoice(get('fail-on'), 'fail-on', FAIL_ON, 'error'),
    comment: parseBoolean(get('comment'), 'comment', true),
    sarif: optional(get('sarif')),
    baseline: optional(get('baseline')),
    githubToken: get('github-token').trim(),
    manifests: parseLines(get('manifests')),
    compose: parseLines(get('compose')),
    container: optional(get('container')),
    staticOnly: parseBoolean(get('static-only'), 'static-only', false),
    pull: parseChoice(get('pull'), 'pull', PULL, 'missing'),
    engineWaitMs: duration(get('engine-wait'), 'engine-wait') ?? 0,
    builder: parseChoice(get('builder'), 'builder', BUILDERS, 'buildkit'),
    version: parseVersion(get('version'))
  };
};

/** Reads the step's inputs (INPUT_<NAME> environment variables, hyphens kept). */
export const getInputs = (): Inputs => readInputs(name => core.getInput(name, {trimWhitespace: false}));
