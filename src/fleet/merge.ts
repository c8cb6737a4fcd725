import {InputError} from '../errors.js';
import {fleetReport, type FleetJsonReport} from './result.js';

/** Reads a fleet JSON report someone wrote (a CI job's artifact); what is not one is an input error naming the file. */
export const parseFleetReport = (text: string, file: string): FleetJsonReport => {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not JSON (${(e as Error).message}): pass the files \`portgate check --fleet --report json=FILE\` wrote.`);
  }
  const r = doc as Partial<FleetJsonReport>;
  if (r?.version !== 1 || r.kind !== 'fleet' || !Array.isArray(r.services)) {
    throw new InputError(`${file} is not a portgate fleet report (version 1, kind "fleet"): pass the files \`portgate check --fleet --report json=FILE\` wrote.`);
  }
  return r as FleetJsonReport;
};

/**
 * Folds the reports of the jobs a fleet was split over into the one the
 * whole fleet would have given on one machine. A service reported twice is an
 * error (two jobs gated it, or the same file was passed twice); the
 * longest job's time stands for the fleet's, as the jobs ran side by side.
 */
export const mergeFleetReports = (reports: readonly {file: string; report: FleetJsonReport}[]): FleetJsonReport => {
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
  return fleetReport(
    reports.flatMap(r => r.report.services),
    {failOn: first.failOn, fleet: first.fleet, totalMs: Math.max(...reports.map(r => r.report.timing.totalMs))}
  );
};
