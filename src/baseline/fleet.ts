import type {FleetJsonReport, FleetServiceReport} from '../fleet/result.js';
import {withFleetBaseline} from '../fleet/result.js';
import {imageRepository} from '../report/common.js';
import {fromJsonReport} from '../report/from-json.js';
import {toJsonReport} from '../report/json.js';
import {compareWithBaseline, markAllNew} from './compare.js';

/**
 * A fleet run compared with an earlier fleet report, service by service:
 * a service is keyed by its name and image repository. Each gated service's
 * document gets its marks and comparison (compare.ts), computed from the
 * documents alone so that `portgate merge --baseline` marks exactly what
 * `check --fleet --baseline` marked on one machine. A service this run could
 * not gate keeps no marks (its findings are unknown); the baseline's services
 * this run did not gate are listed as missing. Pure.
 */
export const compareFleet = (current: FleetJsonReport, base: FleetJsonReport, report: string): FleetJsonReport => {
  const earlier = new Map(base.services.map(s => [s.name, s]));
  const services = current.services.map((s): FleetServiceReport => {
    if (!s.report) return s;
    const now = fromJsonReport(s.report);
    const then = earlier.get(s.name);
    const compared = !then
      ? markAllNew(now, {report, status: 'absent'})
      : !then.report
        ? markAllNew(now, {report, status: imageRepository(then.image) === imageRepository(s.image) ? 'not-gated' : 'other-image', image: then.image})
        : compareWithBaseline(now, fromJsonReport(then.report), {report});
    return {...s, report: toJsonReport(compared)};
  });
  const gated = new Set(current.services.map(s => s.name));
  const missing = base.services.filter(s => !gated.has(s.name)).map(s => ({name: s.name, image: s.image}));
  return withFleetBaseline({...current, services}, {report, missing});
};
