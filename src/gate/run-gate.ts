import type {ContainerOutcome, DeclaredPort, ExposedPort, Finding, GateResult, Protocol, Severity} from '../model.js';
import {portKey} from '../model.js';
import {EnvironmentError} from '../errors.js';
import {evaluate, verdictOf} from '../compare/evaluate.js';
import {riskyPort} from '../compare/risky-ports.js';
import {endiannessOf} from '../procnet/index.js';
import type {Spec} from '../spec/index.js';
import type {ExtraRiskyPort} from '../fleet/types.js';
import type {SeveritySetting} from '../model.js';
import type {Engine, ImageFacts, ProbeMode} from '../engine/types.js';
import {deployedLayer, diagnoseExit, flagLayers, planSandbox, specLayers, summarizePlan} from '../sandbox/index.js';
import type {NetworkMode, SandboxLayer, SandboxPlan, SandboxProfile} from '../sandbox/types.js';
import {watchListeners, type Observation} from './observe.js';
import type {SettleMode} from './settle.js';
import {staticView, type DockerfileInput} from './static-view.js';
import {deployedContainers, deploymentFindings, loadDeployment, type DeployedContainer, type Deployment, type DeploymentInputs} from './manifests.js';
import {consulAclEnabled, type MeshFacts} from '../compare/mesh.js';
import type {RiskyLookup} from '../compare/rules.js';
import {resolveExpose, type BaseImageInfo, type DockerfileConfig} from '../dockerfile/index.js';
import type {Anchors} from '../findings/where.js';
import {debugAgentFindings} from '../compare/debug-agents.js';
import {agentSettings} from './agent-settings.js';
import {privilegeFindings} from '../compare/privilege.js';
import {locate} from '../findings/where.js';
import {STATIC_NOTE} from '../manifests/image-view.js';

export interface GateOptions extends DeploymentInputs {
  image: string;
  dockerfile?: DockerfileInput;
  spec?: Spec;
  /** A spec whose `run:` applies but whose ports are not checked (`init` rewrites them). */
  runSpec?: Spec;
  buildArgs?: Record<string, string>;
  target?: string;
  builder?: 'buildkit' | 'classic';
  /** Explicit flag or input; wins over the spec's run.timeout / run.settle, which win over DEFAULTS. */
  timeoutMs?: number;
  settle?: SettleMode;
  pollMs?: number;
  /** --sandbox / --network: the highest layer of the sandbox plan. */
  sandbox?: SandboxProfile;
  network?: NetworkMode;
  probe: ProbeMode;
  probeImage: string;
  failOn: Severity | 'never';
  /** When to pull the image: only when the engine lacks it (default), always, or never. */
  pull?: 'missing' | 'always' | 'never';
  /**
   * Do not run the image: EXPOSE (from the image when the engine has it, else
   * the Dockerfile alone) against the spec and the manifests. Never pulls
   * unless `pull` is `always`.
   */
  staticOnly?: boolean;
  /** Receives what the user should know about how the result was reached (not findings), e.g. a static-only fallback. */
  notice?: (message: string) => void;
  /** The clock for `accept:` entries' `until:` (tests); default now. */
  today?: Date;
  /**
   * Org-wide defaults (a fleet file's `defaults:`): below the service's own
   * portgate.yml and the deployment for every setting they share.
   */
  org?: OrgDefaults;
}

export interface OrgDefaults {
  /** The fleet file they come from, for reports. */
  file: string;
  timeoutMs?: number;
  settle?: SettleMode;
  sandbox?: SandboxProfile;
  network?: NetworkMode;
  /** Severity overrides under the spec's own `rules:`. */
  rules?: Record<string, SeveritySetting>;
  /** Ports flagged besides the catalog. */
  riskyPorts?: readonly ExtraRiskyPort[];
}

/** An explicit flag or input wins over the spec's `run:`, which wins over the defaults. */
export const waitBudget = (opts: Pick<GateOptions, 'timeoutMs' | 'settle' | 'spec' | 'runSpec' | 'org'>): {timeoutMs: number; settle: SettleMode} => {
  const run = (opts.spec ?? opts.runSpec)?.run;
  return {
    timeoutMs: opts.timeoutMs ?? run?.timeoutMs ?? opts.org?.timeoutMs ?? DEFAULTS.timeoutMs,
    settle: opts.settle ?? run?.settleMs ?? opts.org?.settle ?? DEFAULTS.settle
  };
};

/**
 * The risky-port catalog, with an organisation's own entries, and what the
 * gate read of a service mesh's configuration (`mesh`: Consul's ACLs), for
 * the mesh table's ports.
 */
export const riskyLookup = (extra: readonly ExtraRiskyPort[] = [], mesh: MeshFacts = {}): RiskyLookup => (port, protocol, owners) => {
  const own = extra.find(e => e.port === port && (e.protocol === undefined || e.protocol === protocol));
  return own ? {port, name: own.name, why: own.why, category: 'other'} : riskyPort(port, protocol, owners, mesh);
};

export const DEFAULTS = {timeoutMs: 30_000, settle: 'auto' as SettleMode, pollMs: 200, probeImage: 'busybox:1.37', logLines: 40} as const;

/**
 * How the image runs, lowest precedence first: portgate's defaults, the
 * deployment that runs it, portgate.yml's `run:`, flags (sandbox/plan.ts).
 */
export const sandboxPlan = (opts: GateOptions, deployment: Deployment | undefined, facts: ImageFacts | undefined): SandboxPlan => {
  const layers: SandboxLayer[] = [];
  const org = opts.org && flagLayers({...(opts.org.sandbox && {sandbox: opts.org.sandbox}), ...(opts.org.network && {network: opts.org.network})});
  // Org-wide defaults sit under the service's deployment: what a manifest says of this service wins.
  for (const l of org ?? []) layers.push({...l, source: {kind: 'org', file: opts.org!.file}});
  const [first, ...others] = deployedContainers(deployment);
  if (first) {
    const layer = deployedLayer(first.run, first.what, first.at, facts?.user ?? '');
    if (others.length) layer.notes = [...(layer.notes ?? []), `the run copies ${first.what}; ${others.map(o => o.what).join(', ')} also run${others.length === 1 ? 's' : ''} the image (use --container to pick another).`];
    layers.push(layer);
  }
  const runSpec = opts.spec ?? opts.runSpec;
  if (runSpec) layers.push(...specLayers(runSpec.run, runSpec.file, runSpec.locations.runKeys));
  layers.push(...flagLayers({...(opts.sandbox && {sandbox: opts.sandbox}), ...(opts.network && {network: opts.network})}));
  return planSandbox(layers);
};

/**
 * The whole gate: image facts and Dockerfile → EXPOSE view; sandbox run →
 * listener view; spec → declared view; then the pure comparison, with the
 * deployment manifests' findings folded in (same overrides, same verdict).
 * Every container is removed before this returns or throws. `engine` may be
 * undefined only with `staticOnly` (no engine reachable).
 */
export const runGate = async (opts: GateOptions, engine: Engine | undefined): Promise<GateResult> => {
  const t0 = Date.now();
  const timing: GateResult['timing'] = {totalMs: 0};
  const lap = (name: string, since: number) => (timing[`${name}Ms`] = Date.now() - since);

  // Parsed and matched to the image before anything runs: a bad manifest fails fast.
  const deployment = loadDeployment(opts.image, opts);
  const statics = opts.staticOnly ? await staticOnlyView(opts, engine) : await imageStatics(opts, needEngine(engine));
  const engineInfo = await engine?.describe?.();
  lap('static', t0);

  const declared = opts.spec?.ports;
  const expected = expectedPorts(declared, statics.exposed);
  const plan = sandboxPlan(opts, deployment, statics.facts);
  const anchors = anchorsOf(statics.config);
  // Debug agents the configuration switches on, found without running anything.
  const agents = debugAgentFindings(
    agentSettings({image: opts.image, ...(statics.facts && {facts: statics.facts}), ...(statics.config && {config: statics.config}), anchors, containers: deployedContainers(deployment), plan}),
    declared
  );
  const run = opts.staticOnly ? undefined : await observe(opts, needEngine(engine), plan, expected, lap);
  const listening = run?.observation.listening;
  const container = run?.container;
  const privilege = privilegeFindings({
    image: opts.image,
    listening,
    served: [...(declared?.filter(d => d.served !== false) ?? []), ...statics.exposed],
    imageUser: statics.facts?.user ?? statics.config?.user?.value,
    ...(plan.user && {ranAs: plan.user}),
    deployments: deployedContainers(deployment),
    where: subject => locate(subject, anchors, opts.image),
    note: STATIC_NOTE
  });

  // What portgate can read of a mesh's configuration (Consul's ACLs): the image's, the deployment's and the run's env and command.
  const meshFacts: MeshFacts = {consulAcl: consulAclEnabled(configTexts(statics.facts, plan, deployedContainers(deployment)))};
  const risky = riskyLookup(opts.org?.riskyPorts, meshFacts);
  const findings = evaluate({
    image: opts.image,
    exposed: statics.exposed,
    listening,
    declared,
    ...(opts.spec?.dynamic.length && {dynamic: opts.spec.dynamic}),
    ...(run && {ephemeral: run.observation.ephemeral}),
    portsLocation: opts.spec?.locations.ports,
    anchors,
    container,
    waitedMs: run?.observation.waitedMs ?? 0,
    extra: [...statics.findings, ...agents, ...privilege, ...deploymentFindings(deployment, {listening, declared: declared ?? [], dynamic: opts.spec?.dynamic, exposed: statics.exposed}, risky)],
    overrides: {...opts.org?.rules, ...opts.spec?.rules},
    ...(opts.spec?.accept.length && {suppressions: {accept: opts.spec.accept, today: (opts.today ?? new Date()).toISOString().slice(0, 10)}}),
    risky
  });
  timing.totalMs = Date.now() - t0;
  return {
    version: 1,
    verdict: verdictOf(findings, opts.failOn),
    image: opts.image,
    failOn: opts.failOn,
    ...(opts.dockerfile && {dockerfile: opts.dockerfile.file}),
    ...(opts.spec && {spec: opts.spec.file}),
    ...(engineInfo && {engine: engineInfo}),
    exposed: statics.exposed,
    listening: listening ?? [],
    declared: declared ?? [],
    findings,
    ...(container && {container}),
    timing
  };
};

/** Every configuration text of the image, the run and the deployment: env values, entrypoints, commands, arguments. */
const configTexts = (facts: ImageFacts | undefined, plan: SandboxPlan, containers: DeployedContainer[]): string[] => [
  ...(facts?.env ?? []),
  ...(facts?.entrypoint ?? []),
  ...(facts?.cmd ?? []),
  ...Object.values(plan.env).map(e => e.value),
  ...(plan.entrypoint?.value ?? []),
  ...(plan.command?.value ?? []),
  ...containers.flatMap(c => [...c.run.env.map(e => e.value), ...(c.run.entrypoint?.value ?? []), ...(c.run.command?.value ?? [])])
];

/** The ports the wait is for: the spec's, except those declared `served: false`; without a spec, EXPOSE's. */
export const expectedPorts = (declared: DeclaredPort[] | undefined, exposed: ExposedPort[]): Set<string> =>
  new Set((declared?.filter(d => d.served !== false) ?? exposed).map(portKey));

type Statics = {exposed: ExposedPort[]; findings: Finding[]; facts?: ImageFacts; config?: DockerfileConfig};

/** The Dockerfile lines that findings about the image as a whole point at (findings/where.ts). */
export const anchorsOf = (c: DockerfileConfig | undefined): Anchors =>
  c ? {from: c.from, baseFrom: c.baseFrom, ...((c.entrypoint ?? c.cmd) && {command: (c.entrypoint ?? c.cmd)!.location})} : {};

const needEngine = (engine: Engine | undefined): Engine => {
  if (!engine) throw new EnvironmentError('the Docker engine is needed to run the image (only --static-only works without it).');
  return engine;
};

const resolveOptions = (opts: GateOptions) => ({buildArgs: opts.buildArgs, target: opts.target, builder: opts.builder});

/** An image the engine lacks: the error, with the engine's closest images as its hint (a wrong tag is the usual cause). */
const missingImage = async (engine: Engine, ref: string, e: EnvironmentError): Promise<EnvironmentError> => {
  const hint = await engine.similarImages(ref);
  return hint ? new EnvironmentError(e.message, hint) : e;
};

/** Buildah records EXPOSE words unchecked: a key that is no port is left out, and the user is told. */
const noteIgnoredKeys = (opts: GateOptions, facts: ImageFacts): void => {
  if (facts.ignoredExposedPorts?.length)
    opts.notice?.(
      `${opts.image}'s config lists ${facts.ignoredExposedPorts.map(k => JSON.stringify(k)).join(', ')} under ExposedPorts, which no engine reads as a port (Buildah records EXPOSE words without checking them): left out.`
    );
};

/** View 1 from the image's config (pulled when allowed), attributed to Dockerfile lines. */
const imageStatics = async (opts: GateOptions, engine: Engine): Promise<Statics> => {
  const pull = opts.pull ?? 'missing';
  const pulled = async () => {
    try {
      await engine.pull(opts.image);
    } catch (e) {
      // A failed pull of an image the engine has (--pull always, no registry) needs no suggestions.
      if (e instanceof EnvironmentError && !(await engine.inspectImage(opts.image))) throw await missingImage(engine, opts.image, e);
      throw e;
    }
  };
  if (pull === 'always') await pulled();
  let facts = await engine.inspectImage(opts.image);
  if (!facts && pull === 'missing') {
    await pulled();
    facts = await engine.inspectImage(opts.image);
  }
  if (!facts) throw await missingImage(engine, opts.image, new EnvironmentError(`image ${opts.image} is not in the engine: build it (or docker pull it) before running portgate.`));
  noteIgnoredKeys(opts, facts);
  return {...(await staticView(engine, facts, opts.dockerfile, resolveOptions(opts))), facts};
};

/**
 * View 1 without running anything. The image's config when the engine has
 * the image (inherited EXPOSE included); else the Dockerfile alone, plus the
 * EXPOSE of its base image when the engine has that one. Pulls only when
 * `pull` is `always`: static-only must work without a registry.
 */
const staticOnlyView = async (opts: GateOptions, engine: Engine | undefined): Promise<Statics> => {
  if (engine && opts.pull === 'always') await engine.pull(opts.image);
  const facts = engine && (await engine.inspectImage(opts.image));
  if (facts) noteIgnoredKeys(opts, facts);
  if (facts) return staticView(engine!, facts, opts.dockerfile, resolveOptions(opts));
  const why = engine ? `${opts.image} is not in the engine` : 'no Docker engine is reachable';
  const df = opts.dockerfile;
  if (!df) {
    const e = new EnvironmentError(`--static-only: ${why} and no Dockerfile was given, so what the image EXPOSEs is unknown: build the image first, or pass --dockerfile.`);
    throw engine ? await missingImage(engine, opts.image, e) : e;
  }
  const first = resolveExpose(df.text, {...resolveOptions(opts), file: df.file});
  const bases: Record<string, BaseImageInfo> = {};
  for (const ref of first.externalImages.filter(r => r !== 'scratch')) {
    const b = engine && (await engine.inspectImage(ref));
    if (b) bases[ref] = {env: b.env, exposedPorts: b.exposedPorts};
  }
  const resolved = Object.keys(bases).length ? resolveExpose(df.text, {...resolveOptions(opts), file: df.file, baseImages: bases}) : first;
  const own = new Set(resolved.exposed.map(portKey));
  const base = resolved.baseImage === 'scratch' ? undefined : resolved.baseImage;
  const inherited = (base && bases[base]?.exposedPorts) || [];
  const unknownBase = base && !bases[base] ? `; ports inherited from ${base} are unknown (it is not in the engine)` : '';
  opts.notice?.(`--static-only: ${why}, so EXPOSE comes from ${df.file} alone${unknownBase}.`);
  return {
    exposed: [
      ...resolved.exposed,
      ...inherited.filter(k => !own.has(k)).map((k): ExposedPort => ({port: Number(k.split('/')[0]), protocol: (k.split('/')[1] ?? 'tcp') as Protocol, origin: 'base-image'}))
    ],
    findings: resolved.warnings,
    config: resolved.config
  };
};

/** View 2: runs the image in the sandbox and watches its sockets; every container is removed on the way out. */
const observe = async (opts: GateOptions, engine: Engine, plan: SandboxPlan, expected: Set<string>, lap: (name: string, since: number) => void) => {
  let observation: Observation;
  let container: ContainerOutcome;
  let failure: unknown;
  const tRun = Date.now();
  const budget = waitBudget(opts);
  try {
    const endianness = endiannessOf(await engine.architecture());
    const target = await engine.startTarget(opts.image, plan);
    const reader = await engine.openReader(target, opts.probe, opts.probeImage, budget.timeoutMs);
    lap('start', tRun);
    const tWait = Date.now();
    observation = await watchListeners(target, reader, endianness, {expected, ...budget, pollMs: opts.pollMs ?? DEFAULTS.pollMs}).catch(e => {
      throw reader.kind === 'exec' ? new EnvironmentError(`--probe exec could not read /proc/net with the image's own sh and cat: ${(e as Error).message}`) : e;
    });
    lap('wait', tWait);
    const missing = [...expected].some(k => !observation.listening.some(l => portKey(l) === k));
    const logs = observation.exited || missing ? await target.logs(DEFAULTS.logLines) : undefined;
    container = {
      exited: observation.exited,
      ...(observation.exitCode !== undefined && {exitCode: observation.exitCode}),
      ...(observation.oomKilled && {oomKilled: true}),
      ...(observation.exited && {causes: diagnoseExit({logs: logs ?? '', exitCode: observation.exitCode, oomKilled: observation.oomKilled, plan})}),
      ...(logs !== undefined && {logs}),
      timedOut: observation.timedOut,
      reader: reader.kind,
      trusted: reader.trusted,
      ...(observation.settledBy && {settledBy: observation.settledBy}),
      ...(observation.ownersIncomplete && {ownersIncomplete: observation.ownersIncomplete}),
      ephemeral: observation.ephemeral,
      sandbox: {settings: summarizePlan(plan), notes: [...plan.notes, ...(target.notes ?? [])]}
    };
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    const tClean = Date.now();
    await engine.cleanup().catch((e: unknown) => {
      // The cause of the failure matters most; what the cleanup could not remove is said after it.
      if (failure instanceof EnvironmentError) throw new EnvironmentError(`${failure.message}\nAlso, ${(e as Error).message}`, failure.hint);
      throw failure ?? e;
    });
    lap('cleanup', tClean);
  }
  return {observation, container};
};
