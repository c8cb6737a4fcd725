import {describe, expect, test} from 'vitest';
import {watchListeners} from '../../../src/gate/observe.js';
import type {CpuSample, ProcNetSnapshot, SocketReader, Target} from '../../../src/engine/types.js';
import type {ProcessFds} from '../../../src/procnet/index.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const hexPort = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
const row = (port: number, i: number, addr = '00000000') =>
  `   ${i}: ${addr}:${hexPort(port)} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${1000 + port} 1 0000000000000000 100 0 0 10 0\n`;
/** 127.0.0.11 (Docker's resolver) in /proc/net/tcp's little-endian hex. */
const RESOLVER = '0B00007F';
const snap = (ports: number[], resolver = false): ProcNetSnapshot => ({
  tcp: HEAD + ports.map((p, i) => row(p, i)).join('') + (resolver ? row(41234, 99, RESOLVER) : ''),
  tcp6: HEAD,
  udp: HEAD,
  udp6: HEAD
});

interface Script {
  /** [from ms, open ports] */
  timeline: [number, number[]][];
  step?: number;
  exitAt?: number;
  /** CPU share of one core the container uses up to a moment: [until ms, share]. */
  busy?: [number, number][];
  /** The engine's resolver listens on 127.0.0.11 with no owner in the container. */
  resolver?: boolean;
  owners?: ProcessFds[];
}

/** A scripted run: each poll advances a fake clock by `step` ms and shows the ports listed for that moment. */
const script = (s: Script) => {
  let t = 0;
  let cpuNs = 0;
  let lastCpuAt = 0;
  const step = s.step ?? 100;
  const portsAt = (ms: number) => [...s.timeline].reverse().find(([at]) => at <= ms)?.[1] ?? [];
  const shareAt = (ms: number) => s.busy?.find(([until]) => ms < until)?.[1] ?? 0;
  let scans = 0;
  const target: Target = {
    id: 'c1',
    engineAddresses: s.resolver ? ['127.0.0.11'] : [],
    state: async () => (s.exitAt !== undefined && t >= s.exitAt ? {running: false, exitCode: 137, pid: 0} : {running: true, pid: 42}),
    logs: async () => '',
    cpuTime: async (): Promise<CpuSample> => {
      cpuNs += (t - lastCpuAt) * 1e6 * shareAt(t);
      lastCpuAt = t;
      return {ns: cpuNs, atMs: t};
    }
  };
  const reader: SocketReader = {
    kind: 'host',
    trusted: true,
    snapshot: async () => snap(portsAt(t), s.resolver),
    processes: async () => (scans++, {processes: s.owners ?? []}),
    ephemeralRange: async () => [32768, 60999]
  };
  const now = () => (t += step) - step;
  return {target, reader, now, scans: () => scans};
};

const wait = (s: ReturnType<typeof script>, expected: number[], timeoutMs = 15_000, settle: 'auto' | number = 1_000) =>
  watchListeners(s.target, s.reader, 'le', {expected: new Set(expected.map(p => `${p}/tcp`)), timeoutMs, settle, pollMs: 0}, s.now);

const ports = (o: Awaited<ReturnType<typeof watchListeners>>) => o.listening.map(l => l.port);

describe('waiting for listeners: a fixed settle window', () => {
  test('ends once expected ports are up and nothing changed for the window', async () => {
    const o = await wait(script({timeline: [[0, []], [300, [8080]]]}), [8080]);
    expect(ports(o)).toEqual([8080]);
    expect(o).toMatchObject({timedOut: false, exited: false, settledBy: 'fixed'});
    expect(o.waitedMs).toBeGreaterThanOrEqual(1_300);
    expect(o.waitedMs).toBeLessThan(1_600);
  });

  test('a port that opens after the expected ones restarts the window and is seen', async () => {
    const o = await wait(script({timeline: [[0, [8080]], [800, [8080, 5005]]]}), [8080]);
    expect(ports(o)).toEqual([8080, 5005]);
    expect(o.waitedMs).toBeGreaterThanOrEqual(1_800);
  });

  test('does not end while an expected port is missing, even when stable', async () => {
    const o = await wait(script({timeline: [[0, [8080]]]}), [8080, 9090], 3_000);
    expect(o).toMatchObject({timedOut: true, exited: false});
    expect(ports(o)).toEqual([8080]);
    expect(o.waitedMs).toBeGreaterThanOrEqual(3_000);
  });

  test('every listener seen counts: one that closed again is kept and marked transient', async () => {
    const o = await wait(script({timeline: [[0, [8080, 9000]], [500, [8080]]]}), [8080]);
    expect(ports(o).sort()).toEqual([8080, 9000]);
    expect(o.listening.find(l => l.port === 9000)?.transient).toBe(true);
    expect(o.listening.find(l => l.port === 8080)?.transient).toBeUndefined();
  });

  test('a port open only between two polls of a flapping service still counts', async () => {
    const o = await wait(script({timeline: [[0, [8080]], [200, [8080, 7000]], [300, [8080]], [900, [8080, 7000]], [1000, [8080]]]}), [8080]);
    expect(ports(o).sort()).toEqual([7000, 8080]);
  });

  test('an exiting container ends the wait with its code and the listeners seen before', async () => {
    const o = await wait(script({timeline: [[0, [8080]]], exitAt: 400}), [8080, 9090]);
    expect(o).toMatchObject({exited: true, exitCode: 137, timedOut: false});
    expect(ports(o)).toEqual([8080]);
  });
});

describe('waiting for listeners: settle auto', () => {
  test('an idle service ends about a second after its last listener', async () => {
    const o = await wait(script({timeline: [[0, []], [400, [8080, 9090]]], busy: [[400, 1]]}), [], 15_000, 'auto');
    expect(o.settledBy).toBe('idle');
    expect(o.waitedMs).toBeGreaterThanOrEqual(1_400);
    expect(o.waitedMs).toBeLessThanOrEqual(1_600);
  });

  test('a service still busy starting (RabbitMQ: EPMD first, the rest 4 s later) is watched until its later ports', async () => {
    const o = await wait(script({timeline: [[0, []], [500, [4369]], [4_500, [4369, 5672, 25672, 15672]]], busy: [[5_000, 1]]}), [], 30_000, 'auto');
    expect(ports(o).sort()).toEqual([15672, 25672, 4369, 5672]);
    expect(o.settledBy).toBe('idle');
  });

  test('a service that stays busy ends at the cap, not the timeout', async () => {
    const o = await wait(script({timeline: [[0, [8080]]], busy: [[1e9, 1]]}), [8080], 60_000, 'auto');
    expect(o.settledBy).toBe('cap');
    expect(o.waitedMs).toBeGreaterThanOrEqual(10_000);
    expect(o.waitedMs).toBeLessThan(11_000);
  });

  test('before any listener, a quiet start is given three seconds', async () => {
    const o = await wait(script({timeline: [[0, []], [2_500, [8080]]]}), [], 30_000, 'auto');
    expect(ports(o)).toEqual([8080]);
  });
});

describe("the engine's own sockets", () => {
  test("Docker's resolver on 127.0.0.11 without an owner in the container is not the image's, nor its first listener", async () => {
    const o = await wait(script({timeline: [[0, []], [2_000, [8080]]], resolver: true}), [], 30_000, 'auto');
    expect(ports(o)).toEqual([8080]);
  });

  test('a process of the image that binds 127.0.0.11 itself is reported', async () => {
    const owner: ProcessFds = {pid: 7, exe: '/app', argv: ['/app'], fdLinks: ['socket:[42234]']};
    const o = await wait(script({timeline: [[0, [8080]]], resolver: true, owners: [owner]}), [8080]);
    expect(ports(o)).toEqual([8080, 41234]);
    expect(o.listening.find(l => l.port === 41234)?.process).toMatchObject({pid: 7, name: 'app'});
  });
});

describe('owners', () => {
  test('are read when a socket with no known owner appears, not on every poll', async () => {
    const s = script({timeline: [[0, [8080]], [500, [8080, 9090]], [900, [8080, 9090, 7070]]], owners: [{pid: 7, exe: '/usr/bin/java', argv: ['java', '-jar', 'x'], fdLinks: ['socket:[9080]', 'socket:[10090]']}]});
    const o = await wait(s, [8080]);
    // 8080 at the start, 7070 (no owner in the scan) when it appears, and once more at the end for 7070.
    expect(s.scans()).toBe(3);
    expect(o.listening.find(l => l.port === 7070)?.process).toBeUndefined();
    o.listening = o.listening.filter(l => l.port !== 7070);
    expect(o.listening.map(l => l.process?.name)).toEqual(['java', 'java']);
  });
});
