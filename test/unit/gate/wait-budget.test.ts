import {expect, test} from 'vitest';
import {DEFAULTS, waitBudget} from '../../../src/gate/run-gate.js';
import {loadSpec} from '../../../src/spec/index.js';

const spec = loadSpec('version: 1\nports: []\nrun:\n  timeout: 45s\n  settle: 1s\n', 'portgate.yml');

// prettier-ignore
test.each([
  ['defaults', {}, {timeoutMs: DEFAULTS.timeoutMs, settle: 'auto'}],
  ['the spec over the defaults', {spec}, {timeoutMs: 45_000, settle: 1_000}],
  ['an explicit flag over the spec', {spec, timeoutMs: 5_000, settle: 0}, {timeoutMs: 5_000, settle: 0}],
  ['one flag, the other from the spec', {spec, settle: 'auto' as const}, {timeoutMs: 45_000, settle: 'auto'}],
  ['init: the run: of a spec whose ports are not checked', {runSpec: spec}, {timeoutMs: 45_000, settle: 1_000}]
])('%s', (_name, opts, expected) => {
  expect(waitBudget(opts)).toEqual(expected);
});

test('the wait is for the declared ports, except those declared `served: false`; without a spec, for EXPOSE', async () => {
  const {expectedPorts} = await import('../../../src/gate/run-gate.js');
  const s = loadSpec('version: 1\nports:\n  - port: 8080\n  - port: 9000\n    served: false\n  - port: 53/udp\n', 'portgate.yml');
  expect([...expectedPorts(s.ports, [])]).toEqual(['8080/tcp', '53/udp']);
  expect([...expectedPorts(undefined, [{port: 80, protocol: 'tcp', origin: 'base-image'}])]).toEqual(['80/tcp']);
});
