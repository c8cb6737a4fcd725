import {describe, expect, test} from 'vitest';
import {watchListeners} from '../../../src/gate/observe.js';
import type {ProcNetSnapshot, SocketReader, Target} from '../../../src/engine/types.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (port: number, i: number) =>
  `   ${i}: 00000000:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0\n`;
const snap = (...ports: number[]): ProcNetSnapshot => ({tcp: HEAD + ports.map(row).join(''), tcp6: HEAD, udp: HEAD, udp6: HEAD});

/**
 * A scripted run: each poll advances a fake clock by `step` ms and shows the
 * ports listed for that moment; `exitAt` ends the container.
 */
const script = (timeline: [atMs: number, ports: number[]][], opts: {step?: number; exitAt?: number} = {}) => {
  let t = 0;
  const step = opts.step ?? 100;
  const portsAt = (ms: number) => [...timeline].reverse().find(([at]) => at <= ms)?.[1] ?? [];
  const target: Target = {
    id: 'c1',
    state: async () => (opts.exitAt !== undefined && t >= opts.exitAt ? {running: false, exitCode: 137, pid: 0} : {running: true, pid: 42}),
    logs: async () => ''
  };
  const reader: SocketReader = {kind: 'host', trusted: true, snapshot: async () => snap(...portsAt(t)), processes: async () => new Map()};
  const now = () => (t += step) - step;
  return {target, reader, now};
};

const wait = (s: ReturnType<typeof script>, expected: number[], timeoutMs = 5_000, settleMs = 1_000) =>
  watchListeners(s.target, s.reader, 'le', {expected: new Set(expected.map(p => `${p}/tcp`)), timeoutMs, settleMs, pollMs: 0}, s.now);

const ports = (o: Awaited<ReturnType<typeof watchListeners>>) => o.listening.map(l => l.port);

describe('waiting for listeners to settle', () => {
  test('ends once expected ports are up and nothing changed for the settle window', async () => {
    const o = await wait(script([[0, []], [300, [8080]]]), [8080]);
    expect(ports(o)).toEqual([8080]);
    expect(o).toMatchObject({timedOut: false, exited: false});
    expect(o.waitedMs).toBeGreaterThanOrEqual(1_300);
    expect(o.waitedMs).toBeLessThan(1_600);
  });

  test('a port that opens after the expected ones restarts the settle window and is seen', async () => {
    const o = await wait(script([[0, [8080]], [800, [8080, 5005]]]), [8080]);
    expect(ports(o)).toEqual([5005, 8080]);
    expect(o.waitedMs).toBeGreaterThanOrEqual(1_800);
  });

  test('does not end while an expected port is missing, even when stable', async () => {
    const o = await wait(script([[0, [8080]]]), [8080, 9090], 3_000);
    expect(o).toMatchObject({timedOut: true, exited: false});
    expect(ports(o)).toEqual([8080]);
    expect(o.waitedMs).toBeGreaterThanOrEqual(3_000);
  });

  test('a listener that closes again is reported as the last stable set', async () => {
    const o = await wait(script([[0, [8080, 9000]], [500, [8080]]]), [8080]);
    expect(ports(o)).toEqual([8080]);
  });

  test('an exiting container ends the wait with its code and the listeners seen before', async () => {
    const o = await wait(script([[0, [8080]]], {exitAt: 400}), [8080, 9090]);
    expect(o).toMatchObject({exited: true, exitCode: 137, timedOut: false});
    expect(ports(o)).toEqual([8080]);
  });
});
