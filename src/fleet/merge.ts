import {InputError} from '../errors.js';
import {readReport} from '../report/read.js';
import {fleetReport, withFleetBaseline, type FleetBaseline, type FleetJsonReport} from './result.js';

const HINT = 'pass the files `portgate check --fleet --report json=FILE` wrote.';

/** Reads a fleet JSON report someone wrote (a CI job's artifact); what is not one is an input error naming the file. */
export const parseFleetReport = (text: string, file: string): FleetJsonReport => readReport(text, file, 'fleet', HINT);

/**
 * The jobs' comparison with a baseline, when they all made the same one: a
 * service is missing from the merged run only when it is missing from every
 * job's. Jobs compared with different baselines, or some with none, cannot
 * be merged as they are: `merge --baseline` compares them afresh.
 */
const mergedBaseline = (reports: readonly {file: string; report: FleetJsonReport}[]): FleetBaseline | undefined => {
  const names = new Set(reports.map(r => r.report.baseline?.report));
  if (names.size > 1) {
    const which = reports.map(r => `${r.file}: ${r.report.baseline ? r.report.baseline.report : 'none'}`).join(', ');
    throw new InputError(`the reports were compared with different baselines (${which}): run every job with the same --baseline, or pass --baseline to portgate merge to compare the merged report.`);
  }
  const [report] = names;
  if (report === undefined) return undefined;
  const everywhere = (name: string) => reports.every(r => r.report.baseline!.missing.some(m => m.name === name));
  const missing = reports[0]!.report.baseline!.missing.filter(m => everywhere(m.name));
  return {report, missing};
};

/**
 * Folds the reports of the jobs a fleet was split over into the one the
 * whole fleet would have given on one machine. A service reported twice is an
 * error (two jobs gated it, or the same file was passed twice); the
 * longest job's time stands for the fleet's, as the jobs ran side by side.
 * `fresh`: the caller compares the result with a baseline of its own, so the
 * jobs' comparisons need not agree.
 */
export const mergeFleetReports = (reports: readonly {file: string; report: FleetJsonReport}[], o: {fresh?: boolean} = {}): FleetJsonReport => {
  if (!reports.length) throw new InputError('portgate merge needs at least one fleet report: the JSON files of the jobs `portgate matrix` planned.');
  const seen = new Map<string, string>();
  for (const {file, report} of reports) {
    for (const s of report.services) {
      const other = seen.get(s.name);
      if (other) throw new InputError(`service ${s.name} is in both ${other} and ${file}: each job must gate different services (portgate matrix plans them so), and each report be passed once.`);
      seen.set(s.name, file);
    }
  }
  const first = reports[0]!.report;
  const fleets = new Set(reports.map(r => r.report.fleet));
  if (fleets.size > 1) throw new InputError(`the reports come from different fleet files (${[...fleets].join(', ')}): merge the jobs of one fleet at a time.`);
  const merged = fleetReport(
    reports.flatMap(r => r.report.services),
    {failOn: first.failOn, fleet: first.fleet, totalMs: Math.max(...reports.map(r => r.report.timing.totalMs))}
  );
  return o.fresh ? merged : withFleetBaseline(merged, mergedBaseline(reports));
};
