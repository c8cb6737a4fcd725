import type {FleetJsonReport, FleetServiceReport} from '../../fleet/result.js';
import type {GateResult} from '../../model.js';
import {changesOf, describeNewItems, uncompared, type Change} from '../changes.js';
import {activeFindings, groupFinding, type WriterOptions} from '../common.js';
import {fromJsonReport} from '../from-json.js';

/**
 * What every fleet writer shares. Each renders from the fleet's JSON
 * document alone (never from the run's memory, never from the working
 * directory), each service through the single-image writer of its format
 * on `fromJsonReport` of its document: a run split over CI jobs and merged
 * prints what the one-machine run printed.
 */

export interface FleetWriterOptions extends Pick<WriterOptions, 'color' | 'columns'> {
  /** Where the complete report is (the JSON report's path): the Markdown report names it when it has to leave sections out. */
  fullReport?: string;
}

/** A service with its result read back from its document (undefined when it could not be gated). */
export interface ServiceView {
  s: FleetServiceReport;
  result?: GateResult;
  /** A counting finding on a risky port or a debug agent. */
  risky: boolean;
}

const rank = (v: ServiceView): number => (v.s.status === 'fail' ? (v.risky ? 0 : 1) : v.s.status === 'error' ? 2 : 3);

/**
 * The services in the order human reports show them: failing ones with a
 * risky port first, then the other failing ones, then those that could not
 * be gated, then those that pass; by name within each.
 */
export const servicesInOrder = (r: FleetJsonReport): ServiceView[] =>
  r.services
    .map((s): ServiceView => {
      const result = s.report && fromJsonReport(s.report);
      const group = result && groupFinding(result.findings);
      return {s, ...(result && {result}), risky: !!result && activeFindings(result.findings).some(f => group!(f) === 'risky')};
    })
    .sort((a, b) => rank(a) - rank(b) || (a.s.name < b.s.name ? -1 : a.s.name > b.s.name ? 1 : 0));

/** Counting findings of one severity. */
export const countOf = (v: ServiceView, severity: 'error' | 'warning'): number => (v.result ? activeFindings(v.result.findings).filter(f => f.severity === severity).length : 0);

/** The result as its section shows it: the fleet report leads with every service's changes, so the section does not repeat them (its findings keep their marks). */
export const sectionResult = (r: GateResult): GateResult => {
  const {baseline: _, ...rest} = r;
  return rest;
};

/** `1.2 s` */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The fleet's comparison with a baseline, across services, in the order the report shows them. */
export interface FleetChanges {
  report: string;
  count: {new: number; resolved: number};
  introduced: {change: Change; service: string}[];
  /** Services nothing could be compared with (new, another image…), everything in them new: one line each. */
  wholesale: string[];
  /** Services not compared at all: not gated in this run, or not in it. */
  notCompared: string[];
  resolved: {change: Change; service: string}[];
}

export const fleetChanges = (r: FleetJsonReport, views: readonly ServiceView[]): FleetChanges | undefined => {
  if (!r.baseline) return undefined;
  const out: FleetChanges = {report: r.baseline.report, count: {new: 0, resolved: 0}, introduced: [], wholesale: [], notCompared: [], resolved: []};
  for (const v of views) {
    const c = v.result && changesOf(v.result);
    if (!c) {
      if (v.s.status === 'error') out.notCompared.push(`service ${v.s.name} could not be gated in this run: not compared`);
      continue;
    }
    out.count.new += c.count.new;
    out.count.resolved += c.count.resolved;
    const why = uncompared(c.comparison, v.result!.image, v.s.name);
    if (why) out.wholesale.push(`${why}: ${describeNewItems(c)}`);
    else out.introduced.push(...c.introduced.map(change => ({change, service: v.s.name})));
    out.resolved.push(...c.resolved.map(change => ({change, service: v.s.name})));
  }
  for (const m of r.baseline.missing) out.notCompared.push(`service ${m.name} is in ${r.baseline.report} but not in this run: not compared`);
  return out;
};
