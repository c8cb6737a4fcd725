import type {GateResult, Severity} from '../model.js';
import {toJsonReport, type JsonReport} from '../report/json.js';

/** How one service of a fleet ended: gated (pass or fail), or not gated at all and why. */
export interface FleetServiceReport {
  name: string;
  /** The image as gated, `${VAR}`s filled in; as written when they could not be. */
  image: string;
  status: 'pass' | 'fail' | 'error';
  /** Exit code of this service alone: 0 pass, 1 drift, 2 its input is invalid, 3 its environment, 4 a portgate bug. */
  code: 0 | 1 | 2 | 3 | 4;
  /** When it could not be gated: the message `portgate check` would have printed. */
  error?: string;
  /** The single-image JSON report, unchanged (report/json.ts), when it was gated. */
  report?: JsonReport;
  timeMs: number;
}

/** `portgate check --fleet --format json`: every service, and the fleet's one verdict. */
export interface FleetJsonReport {
  version: 1;
  kind: 'fleet';
  verdict: 'pass' | 'fail';
  failOn: Severity | 'never';
  /** The fleet file, repository-relative. */
  fleet: string;
  summary: {services: number; passed: number; failed: number; errors: number; findings: Record<Severity, number>};
  services: FleetServiceReport[];
  /**
   * Compared with an earlier fleet report (`--baseline`): each gated
   * service's document carries its own comparison; `missing` lists the
   * baseline's services this report does not have (not gated in this run:
   * neither compared nor counted as resolved).
   */
  baseline?: FleetBaseline;
  timing: {totalMs: number};
}

export interface FleetBaseline {
  report: string;
  missing: {name: string; image: string}[];
}

/** The document with `baseline` set (or removed), keys in their documented order. */
export const withFleetBaseline = (r: FleetJsonReport, baseline: FleetBaseline | undefined): FleetJsonReport => {
  const {baseline: _, timing, ...rest} = r;
  return {...rest, ...(baseline && {baseline}), timing};
};

export type ServiceOutcome = {name: string; image: string; timeMs: number} & ({result: GateResult} | {error: string; code: 2 | 3 | 4});

/** One service's outcome as the fleet report keeps it. */
export const serviceReport = (o: ServiceOutcome, cwd: string | undefined): FleetServiceReport =>
  'result' in o
    ? {name: o.name, image: o.image, status: o.result.verdict, code: o.result.verdict === 'fail' ? 1 : 0, report: toJsonReport(o.result, cwd), timeMs: o.timeMs}
    : {name: o.name, image: o.image, status: 'error', code: o.code, error: o.error, timeMs: o.timeMs};

/**
 * The fleet's report from its services' (sorted by name, so a run split over
 * CI jobs and merged gives the same document). The verdict fails when any
 * service failed or could not be gated: a service nobody could check is not
 * a pass.
 */
export const fleetReport = (services: readonly FleetServiceReport[], o: {failOn: Severity | 'never'; fleet: string; totalMs: number}): FleetJsonReport => {
  const sorted = [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const findings: Record<Severity, number> = {error: 0, warning: 0, note: 0};
  // Suppressed findings are shown in every report but counted in none.
  for (const s of sorted) for (const f of s.report?.findings ?? []) if (!('suppressed' in f)) findings[f.severity]++;
  const failed = sorted.filter(s => s.status === 'fail').length;
  const errors = sorted.filter(s => s.status === 'error').length;
  return {
    version: 1,
    kind: 'fleet',
    verdict: failed || errors ? 'fail' : 'pass',
    failOn: o.failOn,
    fleet: o.fleet,
    summary: {services: sorted.length, passed: sorted.length - failed - errors, failed, errors, findings},
    services: sorted,
    timing: {totalMs: o.totalMs}
  };
};

/** The fleet's exit code: the worst of its services' (4 > 3 > 2 > 1 > 0). */
export const fleetExitCode = (r: FleetJsonReport): number => Math.max(0, ...r.services.map(s => s.code));
