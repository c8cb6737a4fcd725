import {describe, expect, test} from 'vitest';
import {compareFleet} from '../../../src/baseline/fleet.js';
import type {FleetJsonReport} from '../../../src/fleet/result.js';
import {baselineFixture, fleetFixture} from '../report/fleet-fixtures.js';

const compared = compareFleet(fleetFixture(), baselineFixture(), 'main.json');
const service = (r: FleetJsonReport, name: string) => r.services.find(s => s.name === name)!;
const marks = (r: FleetJsonReport, name: string) => service(r, name).report!.findings.map(f => `${f.rule} ${f.port ?? ''}:${f.baseline ?? '(none)'}`);

describe('compareFleet: each service by its name and image repository', () => {
  // prettier-ignore
  test.each([
    ['web: the same service, the same image',                          'web',     'compared'],
    ['orders: another tag of the same repository',                    'orders',  'compared'],
    ['edge: hostile text and all, unchanged',                          'edge',    'compared'],
    ['worker: not in the baseline',                                    'worker',  'absent'],
    ['gateway: the baseline could not gate it',                        'gateway', 'not-gated'],
    ['proxy: the baseline gated another repository under this name',   'proxy',   'other-image']
  ])('%s → %s', (_name, name, status) => {
    expect(service(compared, name).report!.baseline!.status).toBe(status);
  });

  test('a service it could not gate now keeps no comparison: its findings are unknown', () => {
    for (const name of ['billing', 'search']) expect(service(compared, name)).toEqual(service(fleetFixture(), name));
  });

  test('the baseline\'s services this run did not gate are missing, not resolved', () => {
    expect(compared.baseline).toEqual({report: 'main.json', missing: [{name: 'legacy', image: 'registry.example.com/shop/legacy:7'}]});
    expect(Object.keys(compared)).toEqual(['version', 'kind', 'verdict', 'failOn', 'fleet', 'summary', 'services', 'baseline', 'timing']);
  });

  test('orders: what the build added is new, what it dropped resolved, the rest unchanged', () => {
    expect(marks(compared, 'orders').filter(m => m.endsWith(':new'))).toEqual(['debug-agent-configured 5005:new', 'risky-port 5005:new', 'undeclared-listener 5005:new']);
    expect(marks(compared, 'orders').filter(m => m.endsWith(':unchanged'))).toHaveLength(7);
    expect(service(compared, 'orders').report!.baseline!.resolved.findings.map(f => `${f.rule} ${f.port}`)).toEqual(['risky-port 9229']);
  });

  test('uncompared services: everything new, nothing resolved', () => {
    for (const name of ['worker', 'gateway', 'proxy']) {
      expect(marks(compared, name).every(m => m.endsWith(':new') || m.endsWith(':(none)'))).toBe(true);
      expect(service(compared, name).report!.baseline!.resolved).toEqual({findings: [], listening: []});
    }
  });

  test('the verdict, the summary and the exit code do not change: a baseline informs, it does not gate', () => {
    const {services: _a, baseline: _b, ...rest} = compared;
    const {services: _c, ...plain} = fleetFixture();
    expect(rest).toEqual(plain);
    expect(compared.services.map(s => [s.name, s.status, s.code])).toEqual(fleetFixture().services.map(s => [s.name, s.status, s.code]));
  });

  test('comparing again with another baseline replaces the first comparison', () => {
    const again = compareFleet(compared, fleetFixture(), 'self.json');
    expect(marks(again, 'orders').every(m => m.endsWith(':unchanged') || m.endsWith(':(none)'))).toBe(true);
    expect(again.baseline).toEqual({report: 'self.json', missing: []});
  });
});
