import {compareWithBaseline} from '../../../src/baseline/compare.js';
import {fleetReport, serviceReport, type FleetJsonReport, type ServiceOutcome} from '../../../src/fleet/result.js';
import type {Finding, GateResult, Listener, SourceLocation} from '../../../src/model.js';
import {hostileResult, loadResult} from './fixtures.js';

/** The repository root of the fleet fixture: passing.json's absolute paths live under it. */
export const FLEET_CWD = '/src/shop';

/** A result whose relative paths are moved into the service's folder, as a fleet's runs cite them. */
const inFolder = (r: GateResult, dir: string): GateResult => {
  const at = <T extends SourceLocation>(l: T): T => (l.file.startsWith('/') ? l : {...l, file: `${dir}/${l.file}`});
  const path = (p: string | undefined) => (p === undefined || p.startsWith('/') ? p : `${dir}/${p}`);
  return {
    ...r,
    ...(r.dockerfile !== undefined && {dockerfile: path(r.dockerfile)}),
    ...(r.spec !== undefined && {spec: path(r.spec)}),
    exposed: r.exposed.map(e => (e.location ? {...e, location: at(e.location)} : e)),
    declared: r.declared.map(d => ({...d, location: at(d.location)})),
    findings: r.findings.map(f => ({
      ...f,
      ...(f.location && 'file' in f.location && {location: at(f.location)}),
      ...(f.suppressed && {suppressed: {...f.suppressed, location: at(f.suppressed.location)}})
    }))
  };
};

/** Gated: the service's time is its run's plus a little of the fleet's own work. */
const gated = (name: string, r: GateResult): ServiceOutcome => ({name, image: r.image, timeMs: r.timing.totalMs + 5, result: r});

/**
 * A fleet of every kind of service: passing (web, gateway with an accepted
 * finding), failing (orders with a risky port, worker that crashed, proxy
 * without a Dockerfile), hostile text (edge), and two that could not be gated
 * (billing: its input; search: the engine, with hostile text in the message).
 */
export const fleetOutcomes = (): ServiceOutcome[] => [
  gated('web', loadResult('passing')),
  gated('orders', inFolder(loadResult('failing-service'), 'services/orders')),
  gated('worker', inFolder(loadResult('crashed'), 'services/worker')),
  gated('gateway', inFolder(loadResult('accepted'), 'services/gateway')),
  gated('proxy', loadResult('no-spec')),
  gated('edge', hostileResult()),
  {
    name: 'billing',
    image: 'registry.example.com/shop/billing:${TAG}',
    timeMs: 3,
    error: "portgate.fleet.yml:14:5: billing's image \"registry.example.com/shop/billing:${TAG}\" uses ${TAG}, which is not set: set it in the environment (e.g. TAG=$CI_COMMIT_SHA), or give a default: ${TAG:-latest}.",
    code: 2
  },
  {
    name: 'search',
    image: 'registry.example.com/shop/search:ci',
    timeMs: 15_002,
    error: 'image registry.example.com/shop/search:ci: pull failed: \u001b[31mmanifest unknown\u001b[0m\n::error::pwned </details> ```` @admin | <b>x</b>\n  hint: the engine has registry.example.com/shop/search:main',
    code: 3
  }
];

export const fleetFixture = (): FleetJsonReport => fleetReport(fleetOutcomes().map(o => serviceReport(o, FLEET_CWD)), {failOn: 'error', fleet: 'portgate.fleet.yml', totalMs: 16_400});

const without = (r: GateResult, drop: (f: Finding) => boolean, listeners: (l: Listener) => boolean = () => true, extra: Partial<GateResult> = {}): GateResult => ({
  ...r,
  findings: r.findings.filter(f => !drop(f)),
  listening: r.listening.filter(listeners),
  ...extra
});

/**
 * The main branch's report of the same fleet: orders had no debug agent on
 * 5005 but a Node inspector on 9229 (so 5005 is new, 9229 resolved); worker
 * did not exist yet; billing was gated; proxy gated another repository;
 * gateway could not be gated; legacy has since left the fleet.
 */
export const baselineOutcomes = (): ServiceOutcome[] => {
  const orders = inFolder(loadResult('failing-service'), 'services/orders');
  const node: Listener = {port: 9229, protocol: 'tcp', address: '0.0.0.0', family: 'ipv4', scope: 'wildcard', process: {pid: 9, name: 'node', exe: '/usr/bin/node', command: 'node --inspect=0.0.0.0:9229'}};
  const inspector: Finding = {
    rule: 'risky-port',
    severity: 'error',
    port: 9229,
    protocol: 'tcp',
    category: 'debug',
    message: '9229/tcp is the Node.js inspector: anyone who can reach it can run code in the process. It listens on 0.0.0.0 (node, pid 9).',
    location: {file: 'services/orders/Dockerfile', line: 30}
  };
  const before = without(orders, f => f.port === 5005, l => l.port !== 5005, {image: 'registry.example.com:5000/shop/orders:ci-0a1b2c3'});
  return [
    gated('web', loadResult('passing')),
    gated('orders', {...before, listening: [...before.listening, node], findings: [...before.findings, inspector]}),
    gated('billing', {...loadResult('passing'), image: 'registry.example.com/shop/billing:main', findings: []}),
    gated('proxy', {...loadResult('no-spec'), image: 'localhost:5000/legacy/proxy:1'}),
    gated('edge', hostileResult()),
    {name: 'gateway', image: 'registry.example.com/edge/gateway:2.2.0', timeMs: 5, error: 'the Docker engine did not answer', code: 3},
    gated('legacy', {...loadResult('passing'), image: 'registry.example.com/shop/legacy:7'})
  ];
};

export const baselineFixture = (): FleetJsonReport => fleetReport(baselineOutcomes().map(o => serviceReport(o, FLEET_CWD)), {failOn: 'error', fleet: 'portgate.fleet.yml', totalMs: 9_000});

/** orders alone, compared with its main-branch run: what `portgate check --image --baseline` prints. */
export const singleBaseline = (): GateResult => {
  const base = baselineOutcomes().find(o => o.name === 'orders') as {result: GateResult};
  return compareWithBaseline(inFolder(loadResult('failing-service'), 'services/orders'), base.result, {report: 'main.json', cwd: FLEET_CWD});
};
