import {existsSync} from 'node:fs';
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {EnvironmentError, InputError, describeError} from '../errors.js';
import type {EngineSession} from '../engine/guard.js';
import {discoverServices, SKIPPED} from '../fleet/discover.js';
import {interpolate} from '../fleet/interpolate.js';
import {pool} from '../fleet/pool.js';
import type {ServiceOutcome} from '../fleet/result.js';
import type {Fleet, FleetService} from '../fleet/types.js';
import {loadSpec} from '../spec/index.js';
import {readComposeSources, readInput, readManifestSources} from './read-inputs.js';
import {runGate, type GateOptions} from './run-gate.js';

/** What the command line sets for every service; wins over the fleet file's defaults. */
export type FleetFlags = Partial<Pick<GateOptions, 'timeoutMs' | 'settle' | 'probe' | 'probeImage' | 'pull' | 'failOn' | 'sandbox' | 'network' | 'builder' | 'staticOnly'>>;

/** Every file below `root`, repository-relative with `/`, skipping dependencies and VCS folders. */
const filesUnder = async (root: string, dir = ''): Promise<string[]> => {
  const entries = await readdir(join(root, dir), {withFileTypes: true}).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory() && !SKIPPED.has(e.name)) out.push(...(await filesUnder(root, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
};

/** The fleet's services: its list, or (`services: auto`) every folder below it with a portgate.yml. */
export const fleetServices = async (fleet: Fleet): Promise<FleetService[]> => {
  if (fleet.services !== 'auto') return fleet.services;
  const found = discoverServices(await filesUnder(fleet.root), fleet.defaults.image);
  const rooted = (p: string) => (fleet.root === '.' ? p : `${fleet.root}/${p}`);
  if (!found.length) throw new InputError(`services: auto found no folder with a portgate.yml below ${fleet.root}: add one per service (portgate init writes it), or list the services.`, fleet.file, fleet.servicesAt.line, fleet.servicesAt.column);
  if (!fleet.defaults.image) throw new InputError('services: auto needs defaults.image to name each service\'s image, e.g. `image: registry.example.com/shop/${SERVICE}:${TAG}`.', fleet.file, fleet.servicesAt.line, fleet.servicesAt.column);
  return found.map(s => ({
    ...s,
    context: rooted(s.context),
    spec: rooted(s.spec!),
    ...(s.dockerfile && {dockerfile: rooted(s.dockerfile)}),
    at: {...s.at, file: rooted(s.at.file)}
  }));
};

/** The options `portgate check` would build for one service, from its files, the fleet defaults and the flags. */
const serviceOptions = async (fleet: Fleet, s: FleetService, image: string, flags: FleetFlags): Promise<GateOptions> => {
  const dockerfile = s.dockerfile ?? (existsSync(join(s.context, 'Dockerfile')) ? join(s.context, 'Dockerfile') : undefined);
  const spec = s.spec ?? ['portgate.yml', 'portgate.yaml'].map(f => join(s.context, f)).find(f => existsSync(f));
  const d = fleet.defaults;
  return {
    image,
    ...(dockerfile && {dockerfile: {file: dockerfile, text: await readInput(dockerfile, 'the Dockerfile', 'Dockerfile')}}),
    ...(spec && {spec: loadSpec(await readInput(spec, 'the spec', 'portgate.yml'), spec)}),
    buildArgs: s.buildArgs,
    ...(s.target !== undefined && {target: s.target}),
    builder: flags.builder ?? d.builder ?? 'buildkit',
    probe: flags.probe ?? d.probe ?? 'auto',
    probeImage: flags.probeImage ?? d.probeImage ?? 'busybox:1.37',
    pull: flags.pull ?? d.pull ?? 'missing',
    failOn: flags.failOn ?? d.failOn ?? 'error',
    ...(flags.timeoutMs !== undefined && {timeoutMs: flags.timeoutMs}),
    ...(flags.settle !== undefined && {settle: flags.settle}),
    ...(flags.sandbox && {sandbox: flags.sandbox}),
    ...(flags.network && {network: flags.network}),
    ...(flags.staticOnly && {staticOnly: true}),
    ...(s.manifests.length && {manifests: await readManifestSources(s.manifests, async () => '')}),
    ...(s.compose.length && {compose: await readComposeSources(s.compose)}),
    ...(s.container !== undefined && {containerName: s.container}),
    org: {
      file: fleet.file,
      ...(d.timeoutMs !== undefined && {timeoutMs: d.timeoutMs}),
      ...(d.settle !== undefined && {settle: d.settle}),
      ...(d.sandbox && {sandbox: d.sandbox}),
      ...(d.network && {network: d.network}),
      rules: d.rules,
      riskyPorts: d.riskyPorts
    }
  };
};

const codeOf = (e: unknown): 2 | 3 | 4 => (e instanceof InputError ? 2 : e instanceof EnvironmentError ? 3 : 4);

/**
 * Gates every service, `jobs` at a time, on one engine session (one
 * connection, one cache of image facts). A service that cannot be gated — an
 * unset `${TAG}`, a broken portgate.yml, an image the engine lacks — is an
 * outcome of its own, never the end of the run. `stopped()` lets a signal
 * keep the services not started yet from starting.
 */
export const runFleet = async (
  fleet: Fleet,
  services: readonly FleetService[],
  o: {jobs: number; flags: FleetFlags; env: Record<string, string | undefined>; session: EngineSession | undefined; stopped?: () => boolean; notice?: (s: string) => void}
): Promise<ServiceOutcome[]> => {
  const outcomes = await pool(
    services,
    o.jobs,
    async (s): Promise<ServiceOutcome> => {
      const t0 = Date.now();
      const {value: image, missing} = interpolate(s.image, o.env, s.name);
      const base = {name: s.name, image};
      try {
        if (missing.length)
          throw new InputError(`${s.name}'s image "${s.image}" uses ${missing.map(m => `\${${m}}`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set: set ${missing.length === 1 ? 'it' : 'them'} in the environment (e.g. TAG=$CI_COMMIT_SHA), or give a default: \${${missing[0]}:-latest}.`, s.at.file, s.at.line, s.at.column);
        const opts = await serviceOptions(fleet, s, image, o.flags);
        const engine = opts.staticOnly ? undefined : (o.session?.engine(opts.timeoutMs ?? opts.spec?.run.timeoutMs ?? fleet.defaults.timeoutMs) ?? undefined);
        if (!engine && !opts.staticOnly) throw new EnvironmentError('the Docker engine is needed to run the image (only --static-only works without it).');
        const result = await runGate({...opts, notice: m => o.notice?.(`${s.name}: ${m}`)}, engine);
        return {...base, result, timeMs: Date.now() - t0};
      } catch (e) {
        const code = codeOf(e);
        const error = code === 4 ? `internal error, please report it with this output:\n${(e as Error).stack ?? String(e)}` : describeError(e);
        return {...base, error, code, timeMs: Date.now() - t0};
      }
    },
    o.stopped
  );
  return outcomes.filter((x): x is ServiceOutcome => x !== undefined);
};
