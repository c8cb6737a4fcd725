import {describe, expect, it} from 'vitest';
import {compareFleet} from '../../../src/baseline/fleet.js';
import {mergeFleetReports, parseFleetReport} from '../../../src/fleet/merge.js';
import {fleetReport, serviceReport, type FleetJsonReport} from '../../../src/fleet/result.js';
import {FLEET_WRITERS} from '../../../src/report/fleet.js';
import {FORMAT_NAMES} from '../../../src/report/index.js';
import {baselineFixture, FLEET_CWD, fleetOutcomes} from './fleet-fixtures.js';

/**
 * The merge identity: a fleet split over two CI jobs, each writing its JSON
 * report, then `portgate merge` of those files, prints in every format what
 * the one-machine run printed. Timing aside: the fleet's time is the longest
 * job's, so one job here took as long as the whole run.
 */
const TOTAL = 16_400;
const outcomes = fleetOutcomes();
const whole = fleetReport(outcomes.map(o => serviceReport(o, FLEET_CWD)), {failOn: 'error', fleet: 'portgate.fleet.yml', totalMs: TOTAL});

/** Two jobs as `portgate matrix` would plan them (in fleet order, split in the middle), written to JSON and read back. */
const jobs = (compare?: (r: FleetJsonReport) => FleetJsonReport) => {
  const half = Math.ceil(outcomes.length / 2);
  return [outcomes.slice(0, half), outcomes.slice(half)].map((part, i) => {
    const job = fleetReport(part.map(o => serviceReport(o, FLEET_CWD)), {failOn: 'error', fleet: 'portgate.fleet.yml', totalMs: i === 0 ? TOTAL : 3_000});
    const file = `portgate-shard-0${i + 1}.json`;
    return {file, report: parseFleetReport(FLEET_WRITERS.json(compare ? compare(job) : job, {}), file)};
  });
};

describe('merged job reports print what the one-machine run printed', () => {
  it('the jobs really are partial: each has some services, none has all', () => {
    const [a, b] = jobs();
    expect(a!.report.services.length).toBeGreaterThan(0);
    expect(b!.report.services.length).toBeGreaterThan(0);
    expect(a!.report.services.length + b!.report.services.length).toBe(whole.services.length);
  });

  it.each(FORMAT_NAMES)('%s', format => {
    const merged = mergeFleetReports(jobs());
    expect(FLEET_WRITERS[format](merged, {})).toBe(FLEET_WRITERS[format](whole, {}));
  });

  it.each(FORMAT_NAMES)('%s, the jobs given in the other order', format => {
    const merged = mergeFleetReports(jobs().reverse());
    expect(FLEET_WRITERS[format](merged, {})).toBe(FLEET_WRITERS[format](whole, {}));
  });

  it.each(FORMAT_NAMES)('%s, each job compared with the same baseline', format => {
    const base = baselineFixture();
    const merged = mergeFleetReports(jobs(job => compareFleet(job, base, 'main.json')));
    expect(FLEET_WRITERS[format](merged, {})).toBe(FLEET_WRITERS[format](compareFleet(whole, base, 'main.json'), {}));
  });

  it.each(FORMAT_NAMES)('%s, the merge compared with the baseline (merge --baseline)', format => {
    const base = baselineFixture();
    const merged = compareFleet(mergeFleetReports(jobs(), {fresh: true}), base, 'main.json');
    expect(FLEET_WRITERS[format](merged, {})).toBe(FLEET_WRITERS[format](compareFleet(whole, base, 'main.json'), {}));
  });

  it('and the comparison says something: the baseline changes the text report', () => {
    expect(FLEET_WRITERS.text(compareFleet(whole, baselineFixture(), 'main.json'), {})).not.toBe(FLEET_WRITERS.text(whole, {}));
  });
});

describe('merging compared jobs', () => {
  it('a service is missing from the merged run only when it is missing from every job', () => {
    const merged = mergeFleetReports(jobs(job => compareFleet(job, baselineFixture(), 'main.json')));
    expect(merged.baseline).toEqual({report: 'main.json', missing: [{name: 'legacy', image: 'registry.example.com/shop/legacy:7'}]});
  });

  it('jobs compared with different baselines, or some with none, are an input error', () => {
    const [a, b] = jobs();
    const compared = {...a!, report: compareFleet(a!.report, baselineFixture(), 'main.json')};
    expect(() => mergeFleetReports([compared, b!])).toThrow(/compared with different baselines \(portgate-shard-01\.json: main\.json, portgate-shard-02\.json: none\).*pass --baseline to portgate merge/);
    // merge --baseline compares afresh, so it does not care.
    expect(() => mergeFleetReports([compared, b!], {fresh: true})).not.toThrow();
  });
});
