import {existsSync, statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {writeFile} from 'node:fs/promises';
import {EXIT, EnvironmentError, InputError, describeError} from '../errors.js';
import {withEngine} from '../engine/guard.js';
import {runGate, waitBudget, type GateOptions} from '../gate/run-gate.js';
import {baselineFrom} from '../gate/baseline.js';
import {loadSpec, renderSpec} from '../spec/index.js';
import {FORMATS} from '../report/index.js';
import {parseCliArgs, type CheckArgs, type InitArgs} from './args.js';
import {deploymentInputs, readInput} from '../gate/read-inputs.js';
import {safeBlock, safeLine} from '../report/sanitize.js';
import {becomeContainerUser} from './container-user.js';
import {localSchemaRef, specDir} from './schema-ref.js';
import {runPolicy} from './policy.js';
import {checkFleet, matrix, merge} from './fleet.js';
import {readBaseline} from './baseline.js';
import {compareWithBaseline} from '../baseline/compare.js';
import {fromJsonReport} from '../report/from-json.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTty: boolean;
  /** The terminal's width when stdout is a TTY. */
  columns?: number;
}

const processIo: Io = {
  stdout: s => process.stdout.write(s),
  stderr: s => process.stderr.write(s),
  isTty: !!process.stdout.isTTY,
  ...(process.stdout.isTTY && process.stdout.columns > 0 && {columns: process.stdout.columns})
};

/** A terminal gets lines that fit its width; a file (--output) or a pipe gets whole rows. */
export const terminalColumns = (io: Pick<Io, 'isTty' | 'columns'>, output: string | undefined): number | undefined => (!output && io.isTty ? io.columns : undefined);

/** A path the user chose that cannot be written is their input error, not a crash. */
export const writeOutput = async (path: string, text: string, what: string): Promise<void> => {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new InputError(`cannot write ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Check that its folder exists and is writable.`);
  }
};

/** Fails before the image runs, not after, when a report could not be written. */
export const checkOutputs = (paths: {path: string; what: string}[]): void => {
  for (const {path, what} of paths) {
    const dir = dirname(resolve(path));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`cannot write ${what} ${path}: the folder ${dir} does not exist. Create it first.`);
    if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`cannot write ${what} ${path}: it is a folder. Name a file inside it instead.`);
  }
};

/** An explicit path must exist; otherwise the conventional file is used when present. */
const pick = (explicit: string | undefined, conventional: string[]): string | undefined => explicit ?? conventional.find(f => existsSync(f));

const gateOptions = async (a: CheckArgs | InitArgs, specPath: string | undefined): Promise<GateOptions> => {
  const dockerfilePath = pick(a.dockerfile, ['Dockerfile']);
  return {
    image: a.image,
    ...(dockerfilePath && {dockerfile: {file: dockerfilePath, text: await readInput(dockerfilePath, 'the Dockerfile', 'Dockerfile')}}),
    ...(specPath && {spec: loadSpec(await readInput(specPath, 'the spec', 'portgate.yml'), specPath)}),
    buildArgs: a.buildArgs,
    target: a.target,
    builder: a.command === 'check' ? a.builder : 'buildkit',
    timeoutMs: a.timeoutMs,
    ...(a.settle !== undefined && {settle: a.settle}),
    ...(a.sandbox && {sandbox: a.sandbox}),
    ...(a.network && {network: a.network}),
    probe: a.probe,
    probeImage: a.probeImage,
    pull: a.pull,
    failOn: a.command === 'check' ? a.failOn : 'never'
  };
};

const check = async (a: CheckArgs, io: Io): Promise<number> => {
  checkOutputs([...(a.output ? [{path: a.output, what: '--output'}] : []), ...a.reports.map(r => ({path: r.path, what: `--report ${r.format}`}))]);
  // Read before the image runs: a wrong baseline is found in a second.
  const base = a.baseline !== undefined ? fromJsonReport(await readBaseline(a.baseline, 'single')) : undefined;
  const opts: GateOptions = {
    ...(await gateOptions(a, pick(a.spec, ['portgate.yml', 'portgate.yaml']))),
    ...(await deploymentInputs(a)),
    staticOnly: a.staticOnly,
    notice: s => io.stderr(`portgate: ${s}\n`)
  };
  const gated = await withEngine({log: l => io.stderr(`${l}\n`), waitMs: a.engineWaitMs, engine: a.engine, timeoutMs: waitBudget(opts).timeoutMs, optional: a.staticOnly}, engine => runGate(opts, engine));
  const result = base ? compareWithBaseline(gated, base, {report: a.baseline!, cwd: process.cwd()}) : gated;
  const color = a.color && io.isTty && !process.env.NO_COLOR;
  const columns = terminalColumns(io, a.output);
  const rendered = FORMATS[a.format](result, {cwd: process.cwd(), color: color && !a.output, ...(columns !== undefined && {columns})});
  if (a.output) await writeOutput(a.output, rendered, '--output');
  else io.stdout(rendered);
  for (const r of a.reports) await writeOutput(r.path, FORMATS[r.format](result, {cwd: process.cwd(), color: false}), `--report ${r.format}`);
  return result.verdict === 'fail' ? EXIT.drift : EXIT.pass;
};

/**
 * `init`: runs the image as `check` will (the spec's `run:`, the manifests)
 * and writes what it saw as a spec. A run that observed nothing trustworthy
 * (the container exited, or nothing it EXPOSEs ever listened) writes no
 * baseline: a wrong one committed today fails every build after.
 */
const init = async (a: InitArgs, io: Io): Promise<number> => {
  if (a.output) checkOutputs([{path: a.output, what: '--output'}]);
  const {spec, ...base} = await gateOptions(a, pick(a.spec, ['portgate.yml', 'portgate.yaml']));
  const opts: GateOptions = {...base, ...(spec && {runSpec: spec}), ...(await deploymentInputs(a)), notice: s => io.stderr(`portgate: ${s}\n`)};
  const result = await withEngine({log: l => io.stderr(`${l}\n`), waitMs: a.engineWaitMs, engine: a.engine, timeoutMs: waitBudget(opts).timeoutMs}, engine => runGate(opts, engine));
  const c = result.container;
  const unobserved = c?.exited
    ? `the container exited with code ${c.exitCode ?? 'unknown'} before portgate could observe it.`
    : !result.listening.length && result.exposed.length && c?.timedOut
      ? `nothing listened within the timeout, although the image EXPOSEs ${result.exposed.map(e => `${e.port}/${e.protocol}`).join(', ')}.`
      : undefined;
  if (unobserved) {
    const causes = (c?.causes ?? []).map(d => `\n  cause: ${safeLine(d.explanation)}\n  fix:   ${safeLine(d.fix)}${d.evidence ? `\n  it printed: ${safeLine(d.evidence)}` : ''}`).join('');
    io.stderr(`portgate: no baseline written: ${unobserved}${causes}\n${c?.logs?.trim() ? `Last log lines:\n${safeBlock(c.logs)}\n` : ''}`);
    return EXIT.drift;
  }
  const header = [`Baseline for ${a.image}, observed by portgate init. Review it, then commit it as portgate.yml.`];
  if (spec) header.push(`The run: section is copied from ${spec.file}.`);
  const baseline = baselineFrom(result, c?.ephemeral);
  const schema = localSchemaRef(specDir(a.output));
  const text = renderSpec(baseline.ports, {header, dynamic: baseline.dynamic, ...(spec && {run: spec.run}), ...(schema && {schema})});
  if (a.output) await writeOutput(a.output, text, '--output');
  else io.stdout(text);
  return EXIT.pass;
};

/** The whole CLI: arguments in, exit code out. Only bugs keep a stack trace. */
export const main = async (argv: string[], io: Io = processIo): Promise<number> => {
  try {
    // Only in portgate's container image (PORTGATE_USER set, started as root): see container-user.ts.
    becomeContainerUser();
    const args = parseCliArgs(argv);
    if (args.command === 'help') {
      io.stdout(args.text);
      return EXIT.pass;
    }
    if (args.command === 'usage') {
      io.stderr(args.text);
      return EXIT.input;
    }
    if (args.command === 'policy') return await runPolicy(args, io);
    if (args.command === 'check-fleet') return await checkFleet(args, io);
    if (args.command === 'matrix') return await matrix(args, io);
    if (args.command === 'merge') return await merge(args, io);
    return args.command === 'check' ? await check(args, io) : await init(args, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`portgate: ${describeError(e)}\n`);
      return EXIT.input;
    }
    if (e instanceof EnvironmentError) {
      io.stderr(`portgate: ${describeError(e)}\n`);
      return EXIT.environment;
    }
    io.stderr(`portgate: internal error, please report it with this output:\n${(e as Error).stack ?? String(e)}\n`);
    return EXIT.internal;
  }
};
