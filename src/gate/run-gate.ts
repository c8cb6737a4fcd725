import type {ContainerOutcome, GateResult, Severity} from '../model.js';
import {portKey} from '../model.js';
import {EnvironmentError} from '../errors.js';
import {evaluate, failsAt} from '../compare/evaluate.js';
import {riskyPort} from '../compare/risky-ports.js';
import {endiannessOf} from '../procnet/index.js';
import type {Spec} from '../spec/index.js';
import type {Engine, ProbeMode} from '../engine/types.js';
import {attachProcesses, watchListeners, type Observation} from './observe.js';
import {staticView, type DockerfileInput} from './static-view.js';

export interface GateOptions {
  image: string;
  dockerfile?: DockerfileInput;
  spec?: Spec;
  buildArgs?: Record<string, string>;
  target?: string;
  builder?: 'buildkit' | 'classic';
  timeoutMs: number;
  settleMs: number;
  pollMs?: number;
  probe: ProbeMode;
  probeImage: string;
  failOn: Severity | 'never';
}

export const DEFAULTS = {timeoutMs: 30_000, settleMs: 2_000, pollMs: 200, probeImage: 'busybox:1.37', logLines: 40} as const;

/**
 * The whole gate: image facts and Dockerfile → EXPOSE view; sandbox run →
 * listener view; spec → declared view; then the pure comparison. Every
 * container is removed before this returns or throws.
 */
export const runGate = async (opts: GateOptions, engine: Engine): Promise<GateResult> => {
  const t0 = Date.now();
  const timing: GateResult['timing'] = {totalMs: 0};
  const lap = (name: string, since: number) => (timing[`${name}Ms`] = Date.now() - since);

  const facts = await engine.inspectImage(opts.image);
  if (!facts) throw new EnvironmentError(`image ${opts.image} is not in the engine: build it (or docker pull it) before running portgate.`);
  const statics = await staticView(engine, facts, opts.dockerfile, {buildArgs: opts.buildArgs, target: opts.target, builder: opts.builder});
  lap('static', t0);

  const declared = opts.spec?.ports;
  const expected = new Set((declared ?? statics.exposed).map(portKey));
  let observation: Observation;
  let container: ContainerOutcome;
  const tRun = Date.now();
  try {
    const endianness = endiannessOf(await engine.architecture());
    const target = await engine.startTarget(opts.image, opts.spec?.run ?? {});
    const reader = await engine.openReader(target, opts.probe, opts.probeImage);
    lap('start', tRun);
    const tWait = Date.now();
    observation = await watchListeners(target, reader, endianness, {
      expected,
      timeoutMs: opts.spec?.run.timeoutMs ?? opts.timeoutMs,
      settleMs: opts.spec?.run.settleMs ?? opts.settleMs,
      pollMs: opts.pollMs ?? DEFAULTS.pollMs
    }).catch(e => {
      throw reader.kind === 'exec' ? new EnvironmentError(`--probe exec could not read /proc/net with the image's own sh and cat: ${(e as Error).message}`) : e;
    });
    lap('wait', tWait);
    if (!observation.exited) observation.listening = attachProcesses(observation.listening, await reader.processes());
    const missing = [...expected].some(k => !observation.listening.some(l => portKey(l) === k));
    container = {
      exited: observation.exited,
      ...(observation.exitCode !== undefined && {exitCode: observation.exitCode}),
      ...((observation.exited || missing) && {logs: await target.logs(DEFAULTS.logLines)}),
      timedOut: observation.timedOut,
      reader: reader.kind,
      trusted: reader.trusted
    };
  } finally {
    const tClean = Date.now();
    await engine.cleanup();
    lap('cleanup', tClean);
  }

  const findings = evaluate({
    image: opts.image,
    exposed: statics.exposed,
    listening: observation.listening,
    declared,
    container,
    waitedMs: observation.waitedMs,
    extra: statics.findings,
    overrides: opts.spec?.rules,
    risky: riskyPort
  });
  timing.totalMs = Date.now() - t0;
  return {
    version: 1,
    verdict: findings.some(f => failsAt(f.severity, opts.failOn)) ? 'fail' : 'pass',
    image: opts.image,
    failOn: opts.failOn,
    ...(opts.dockerfile && {dockerfile: opts.dockerfile.file}),
    ...(opts.spec && {spec: opts.spec.file}),
    exposed: statics.exposed,
    listening: observation.listening,
    declared: declared ?? [],
    findings,
    container,
    timing
  };
};
