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
