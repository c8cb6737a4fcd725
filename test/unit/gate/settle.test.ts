import {describe, expect, test} from 'vitest';
import type {CpuSample} from '../../../src/engine/types.js';
import {AUTO, cpuShare, settled, type SettleInput} from '../../../src/gate/settle.js';

/**
 * CPU samples every `stepMs` from `fromMs` to `toMs` (inclusive), the container
 * using `share` of one CPU throughout: cumulative nanoseconds, as the engine reports them.
 */
const samples = (fromMs: number, toMs: number, share: number, stepMs = 200): CpuSample[] => {
  const out: CpuSample[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push({atMs: t, ns: Math.round(t * share * 1e6)});
  return out;
};

/** The last change at t=10 000 ms; `quiet` ms later. */
const at = (quiet: number, o: Partial<SettleInput> = {}): SettleInput => ({
  mode: 'auto',
  now: 10_000 + quiet,
  lastChange: 10_000,
  allUp: true,
  anyListener: true,
  cpu: samples(0, 10_000 + quiet, 0.02),
  ...o
});

describe('settled: fixed window (--settle 2s)', () => {
  // prettier-ignore
  test.each([
    [0,      undefined],
    [1_999,  undefined],
    [2_000,  'fixed'],
    [30_000, 'fixed']
  ])('quiet for %d ms → %s', (quiet, reason) => {
    expect(settled(at(quiet, {mode: 2_000}))).toBe(reason);
  });

  test('CPU use does not matter in fixed mode', () => {
    expect(settled(at(2_000, {mode: 2_000, cpu: samples(0, 12_000, 1.0)}))).toBe('fixed');
  });

  test('--settle 0: as soon as every expected port is up', () => {
    expect(settled(at(0, {mode: 0}))).toBe('fixed');
  });
});

describe('settled: auto', () => {
  // prettier-ignore
  test.each([
    ['idle, listening, quiet 999 ms',                          at(999),                                                    undefined],
    ['idle, listening, quiet 1 s',                             at(1_000),                                                  'idle'],
    ['idle, no listener yet, quiet 1 s',                       at(1_000, {anyListener: false}),                            undefined],
    ['idle, no listener yet, quiet 2.999 s',                   at(2_999, {anyListener: false}),                            undefined],
    ['idle, no listener yet, quiet 3 s',                       at(3_000, {anyListener: false}),                            'idle'],
    ['busy (half a CPU), quiet 1 s',                           at(1_000, {cpu: samples(0, 11_000, 0.5)}),                  undefined],
    ['busy, quiet 9.999 s',                                    at(9_999, {cpu: samples(0, 19_999, 0.5)}),                  undefined],
    ['busy, quiet 10 s: the cap',                              at(10_000, {cpu: samples(0, 20_000, 0.5)}),                 'cap'],
    ['busy, no listener at all, quiet 10 s: the cap',          at(10_000, {anyListener: false, cpu: samples(0, 20_000, 1)}), 'cap'],
    ['exactly 10% of a CPU counts as busy',                    at(1_000, {cpu: samples(0, 11_000, AUTO.idleShare)}),       undefined],
    ['just under 10% counts as idle',                          at(1_000, {cpu: samples(0, 11_000, 0.099)}),                'idle'],
    ['busy before the last second, idle in it: idle',          at(1_000, {cpu: [...samples(0, 10_000, 1), ...samples(10_200, 11_000, 0).map(s => ({...s, ns: 10_000 * 1e6}))]}), 'idle'],
    ['no CPU samples at all (no stats): the quiet time decides', at(1_000, {cpu: []}),                                     'idle'],
    ['no CPU samples, no listener: 3 s of quiet',              at(2_999, {cpu: [], anyListener: false}),                   undefined],
    ['samples cover only the last half second: keep watching', at(1_000, {cpu: samples(10_500, 11_000, 0)}),              undefined],
    ['one sample only: keep watching',                         at(1_000, {cpu: [{atMs: 11_000, ns: 0}]}),                  undefined],
    ['stats stopped long ago: keep watching',                  at(5_000, {cpu: samples(0, 9_000, 0)}),                     undefined],
    ['stats stopped long ago: until the cap',                  at(10_000, {cpu: samples(0, 9_000, 0)}),                    'cap']
  ] as const)('%s → %s', (_name, input, reason) => {
    expect(settled(input)).toBe(reason);
  });

  test('nothing ends the wait while an expected port is still missing, not even the cap', () => {
    expect(settled(at(60_000, {allUp: false}))).toBeUndefined();
    expect(settled(at(60_000, {allUp: false, mode: 0}))).toBeUndefined();
  });

  test('the constants the README documents: 1 s quiet, 3 s before the first listener, 10 s cap, 10% of a CPU', () => {
    expect(AUTO).toEqual({quietMs: 1_000, firstListenerMs: 3_000, capMs: 10_000, idleShare: 0.1});
  });
});

describe('cpuShare', () => {
  // prettier-ignore
  test.each([
    ['no samples',                                        [],                                        undefined],
    ['a steady 5%',                                       samples(0, 5_000, 0.05),                   0.05],
    ['a full CPU',                                        samples(0, 5_000, 1),                      1],
    ['two CPUs',                                          samples(0, 5_000, 2),                      2],
    ['samples spanning 800 ms of the window are enough',  samples(4_200, 5_000, 0.25),               0.25],
    ['samples spanning 600 ms are not',                   samples(4_400, 5_000, 0.25),               undefined]
  ] as const)('%s → %s', (_name, cpu, share) => {
    const got = cpuShare(cpu, 5_000, 1_000);
    if (share === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(share, 6);
  });

  test('only the window counts: from the newest sample at or before now - window', () => {
    // A burst of 2 s of CPU before t=4000, then 10% of a CPU.
    const cpu = [{atMs: 0, ns: 0}, {atMs: 3_800, ns: 2_000e6}, {atMs: 4_000, ns: 2_000e6}, {atMs: 5_000, ns: 2_100e6}];
    expect(cpuShare(cpu, 5_000, 1_000)).toBeCloseTo(0.1, 6);
  });

  test('the newest sample ends the span, not `now`', () => {
    expect(cpuShare([{atMs: 0, ns: 0}, {atMs: 1_000, ns: 500e6}], 1_100, 1_000)).toBeCloseTo(0.5, 6);
  });
});

describe('a starved service is not idle', () => {
  test('a process runnable during the quiet window keeps the wait going, however little CPU it got', () => {
    const cpu = [0, 500, 1000, 1500, 2000].map(atMs => ({ns: 0, atMs, runnable: atMs === 1500}));
    expect(settled({mode: 'auto', now: 2000, lastChange: 800, allUp: true, anyListener: true, cpu})).toBeUndefined();
    expect(settled({mode: 'auto', now: 2600, lastChange: 800, allUp: true, anyListener: true, cpu: [...cpu, {ns: 0, atMs: 2600, runnable: false}]})).toBe('idle');
  });
});
