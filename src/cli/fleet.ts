import {availableParallelism, totalmem} from 'node:os';
import {EXIT, InputError} from '../errors.js';
import {withEngines} from '../engine/guard.js';
import {loadFleet} from '../fleet/load.js';
import {githubMatrix, gitlabChildPipeline, matrixJobs} from '../fleet/matrix.js';
import {mergeFleetReports, parseFleetReport} from '../fleet/merge.js';
import {defaultJobs} from '../fleet/pool.js';
import {fleetExitCode, fleetReport, serviceReport, type FleetJsonReport} from '../fleet/result.js';
import {fleetServices, runFleet} from '../gate/fleet.js';
import {readInput} from '../gate/read-inputs.js';
import {FLEET_WRITERS} from '../report/fleet.js';
import type {Format} from '../report/index.js';
import type {FleetCheckArgs, MatrixArgs, MergeArgs} from './fleet-args.js';
import {checkOutputs, terminalColumns, writeOutput, type Io} from './main.js';
import {readBaseline} from './baseline.js';
import {compareFleet} from '../baseline/fleet.js';
import {withFleetBaseline} from '../fleet/result.js';

const readFleet = async (file: string) => loadFleet(await readInput(file, 'the fleet file', 'portgate.fleet.yml'), file);

/**
 * Writes the main report (stdout or --output) and every --report file, all
 * from the one fleet document. A terminal gets colour (unless --no-color or
 * NO_COLOR) and lines that fit it; the Markdown report names the JSON
 * report, when one is written, as where every service is.
 */
const emit = async (r: FleetJsonReport, io: Io, o: {format: Format; output?: string; reports: {format: Format; path: string}[]; color: boolean}) => {
  const json = o.format === 'json' && o.output ? o.output : o.reports.find(x => x.format === 'json')?.path;
  const columns = terminalColumns(io, o.output);
  const color = o.color && io.isTty && !process.env.NO_COLOR && !o.output;
  const text = FLEET_WRITERS[o.format](r, {color, ...(columns !== undefined && {columns}), ...(json !== undefined && {fullReport: json})});
  if (o.output) await writeOutput(o.output, text, '--output');
  else io.stdout(text);
  for (const x of o.reports) await writeOutput(x.path, FLEET_WRITERS[x.format](r, {color: false, ...(json !== undefined && {fullReport: json})}), `--report ${x.format}`);
};

/** `portgate check --fleet`: every service on one engine, a bounded number at once, one report, the worst exit code. */
export const checkFleet = async (a: FleetCheckArgs, io: Io): Promise<number> => {
  checkOutputs([...(a.output ? [{path: a.output, what: '--output'}] : []), ...a.reports.map(r => ({path: r.path, what: `--report ${r.format}`}))]);
  const fleet = await readFleet(a.fleet);
  // Read before anything runs: a wrong baseline is found in a second, not after every image ran.
  const base = a.baseline !== undefined ? await readBaseline(a.baseline, 'fleet') : undefined;
  const all = await fleetServices(fleet);
  const unknown = a.services.filter(n => !all.some(s => s.name === n));
  if (unknown.length) throw new InputError(`--service ${unknown.join(', ')}: no such service in ${a.fleet} (services: ${all.map(s => s.name).join(', ')}).`);
  const services = a.services.length ? all.filter(s => a.services.includes(s.name)) : all;
  const jobs = a.jobs ?? defaultJobs(availableParallelism(), totalmem());
  const t0 = Date.now();
  const flags = {
    probe: a.probe,
    probeImage: a.probeImage,
    pull: a.pull,
    failOn: a.failOn,
    builder: a.builder,
    ...(a.staticOnly && {staticOnly: true}),
    ...(a.timeoutMs !== undefined && {timeoutMs: a.timeoutMs}),
    ...(a.settle !== undefined && {settle: a.settle}),
    ...(a.sandbox && {sandbox: a.sandbox}),
    ...(a.network && {network: a.network})
  };
  const outcomes = await withEngines({log: l => io.stderr(`${l}\n`), waitMs: a.engineWaitMs, engine: a.engine, optional: a.staticOnly}, session =>
    runFleet(fleet, services, {jobs, flags, env: process.env, session, stopped: () => session?.stopping ?? false, notice: s => io.stderr(`portgate: ${s}\n`)})
  );
  const gated = fleetReport(
    outcomes.map(o => serviceReport(o, process.cwd())),
    {failOn: a.failOn, fleet: a.fleet, totalMs: Date.now() - t0}
  );
  const report = base ? compareFleet(gated, base, a.baseline!) : gated;
  await emit(report, io, a);
  return fleetExitCode(report);
};

/** `portgate matrix`: the CI jobs a fleet is split over. */
export const matrix = async (a: MatrixArgs, io: Io): Promise<number> => {
  if (a.output) checkOutputs([{path: a.output, what: '--output'}]);
  const fleet = await readFleet(a.fleet);
  const jobs = matrixJobs(await fleetServices(fleet), a.fleet, a.maxJobs, a.cli);
  const text = a.format === 'github' ? githubMatrix(jobs) : gitlabChildPipeline(jobs, {image: a.image, cli: a.cli});
  if (a.output) await writeOutput(a.output, text, '--output');
  else io.stdout(text);
  return EXIT.pass;
};

/** `portgate merge`: the jobs' reports as one fleet report, in every format asked for. */
export const merge = async (a: MergeArgs, io: Io): Promise<number> => {
  checkOutputs([...(a.output ? [{path: a.output, what: '--output'}] : []), ...a.extra.map(r => ({path: r.path, what: `--report ${r.format}`}))]);
  const base = a.baseline !== undefined ? await readBaseline(a.baseline, 'fleet') : undefined;
  const reports = await Promise.all(a.reports.map(async file => ({file, report: parseFleetReport(await readInput(file, 'the fleet report'), file)})));
  const merged = mergeFleetReports(reports, {fresh: base !== undefined});
  const report = base ? compareFleet(withFleetBaseline(merged, undefined), base, a.baseline!) : merged;
  await emit(report, io, {format: a.format, ...(a.output !== undefined && {output: a.output}), reports: a.extra, color: a.color});
  return fleetExitCode(report);
};
