import {existsSync} from 'node:fs';
import {mkdir, writeFile} from 'node:fs/promises';
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path';
import {deploymentInputs, readInput} from '../gate/read-inputs.js';
import {InputError} from '../errors.js';
import {DEFAULTS, type GateOptions} from '../gate/run-gate.js';
import type {GateResult} from '../model.js';
import {FORMATS} from '../report/index.js';
import {FLEET_WRITERS} from '../report/fleet.js';
import type {FleetJsonReport} from '../fleet/result.js';
import {loadSpec} from '../spec/index.js';
import type {Inputs} from './inputs.js';

/**
 * The action's file I/O, resolved against the workspace (the checkout), as
 * the CLI resolves against its working directory. Files are named by their
 * repository-relative path so findings, annotations and SARIF point into
 * the checkout rather than at /home/runner/work/….
 */

/** Repository-relative with `/`, or absolute when outside the workspace. */
export const repoPath = (abs: string, workspace: string): string => {
  const r = relative(workspace, abs);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r.split(sep).join('/') : abs;
};

/** An explicit path must exist (readInput says so); otherwise the conventional file is used when present. */
const pick = (explicit: string | undefined, conventional: string[], workspace: string): string | undefined =>
  explicit ? resolve(workspace, explicit) : conventional.map(f => join(workspace, f)).find(f => existsSync(f));

export interface ActionFiles {
  opts: GateOptions;
}

/**
 * Manifests and Compose files, read as the CLI reads them (folders expanded,
 * sorted), which opens each path as given and cites it in findings. The
 * runner starts actions in the workspace, so workspace-relative paths both
 * open and read well there; elsewhere they are made absolute to still open.
 */
const deployment = async (i: Inputs, workspace: string) => {
  if (i.container !== undefined && !i.manifests.length && !i.compose.length) throw new InputError('input container names the container or service that runs the image in the manifests: set manifests or compose too.');
  // The CLI's `-` (standard input) means nothing to an action step.
  if (i.manifests.includes('-')) throw new InputError('input manifests cannot read standard input (-) in the action: list files or folders.');
  const inWorkspace = resolve(process.cwd()) === resolve(workspace);
  const label = (p: string) => (inWorkspace ? repoPath(resolve(workspace, p), workspace) : resolve(workspace, p));
  return deploymentInputs({manifests: i.manifests.map(label), compose: i.compose.map(label), container: i.container});
};

export const gateOptions = async (i: Inputs, workspace: string): Promise<ActionFiles> => {
  const dockerfile = pick(i.dockerfile, ['Dockerfile'], workspace);
  const spec = pick(i.spec, ['portgate.yml', 'portgate.yaml'], workspace);
  const dockerfileText = dockerfile && (await readInput(dockerfile, 'the Dockerfile', 'Dockerfile'));
  const opts: GateOptions = {
    image: i.image,
    ...(dockerfile && {dockerfile: {file: repoPath(dockerfile, workspace), text: dockerfileText!}}),
    ...(spec && {spec: loadSpec(await readInput(spec, 'the spec', 'portgate.yml'), repoPath(spec, workspace))}),
    buildArgs: i.buildArgs,
    target: i.target,
    // GitHub-hosted runners build with BuildKit (docker/build-push-action, and `docker build` since Docker 23): the default.
    builder: i.builder,
    timeoutMs: i.timeoutMs,
    ...(i.settle !== undefined && {settle: i.settle}),
    ...(i.sandbox && {sandbox: i.sandbox}),
    ...(i.network && {network: i.network}),
    probe: i.probe,
    probeImage: i.probeImage ?? DEFAULTS.probeImage,
    failOn: i.failOn,
    pull: i.pull,
    staticOnly: i.staticOnly,
    ...(await deployment(i, workspace))
  };
  return {opts};
};

const write = async (path: string, text: string): Promise<void> => {
  await mkdir(dirname(path), {recursive: true});
  await writeFile(path, text);
};

/**
 * The JSON report (always, in RUNNER_TEMP: it is for later steps, not the
 * repository) and SARIF (when asked, where asked). The file name carries the
 * image so two gate steps in one job do not overwrite each other.
 */
export const writeReports = async (r: GateResult, i: Inputs, workspace: string): Promise<{report: string; sarif: string}> => {
  const report = resolve(process.env.RUNNER_TEMP || workspace, `portgate-${r.image.replace(/[^\w.-]+/g, '_')}.json`);
  await write(report, FORMATS.json(r, {cwd: workspace}));
  if (i.sarif) await write(resolve(workspace, i.sarif), FORMATS.sarif(r, {cwd: workspace}));
  return {report, sarif: i.sarif ?? ''};
};

/**
 * A fleet's JSON report (always, in RUNNER_TEMP, named after its fleet file:
 * the file each matrix job uploads for the merge step) and its SARIF (one
 * run, when asked).
 */
export const writeFleetReports = async (r: FleetJsonReport, i: Inputs, workspace: string): Promise<{report: string; sarif: string}> => {
  const report = resolve(process.env.RUNNER_TEMP || workspace, `portgate-fleet-${r.fleet.replace(/[^\w.-]+/g, '_')}.json`);
  await write(report, FLEET_WRITERS.json(r, {}));
  if (i.sarif) await write(resolve(workspace, i.sarif), FLEET_WRITERS.sarif(r, {}));
  return {report, sarif: i.sarif ?? ''};
};
