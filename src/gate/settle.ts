import type {CpuSample} from '../engine/types.js';

/**
 * When to stop watching. A fixed window ends the wait once the listener set
 * has not changed for that long. `auto` ends it about a second after the
 * last change once the container is idle, and keeps watching while it is
 * still busy (RabbitMQ opens EPMD first and its other ports 3-5 s later,
 * booting all the while), up to a cap. Pure.
 */
export const AUTO = {
  /** Quiet time after the last change before an idle container is considered settled. */
  quietMs: 1_000,
  /** Before any listener and with none expected: a service may still be reading config or replaying a journal. */
  firstListenerMs: 3_000,
  /** Longest quiet time to wait for a container that stays busy (a CPU-bound service never goes idle). */
  capMs: 10_000,
  /** Below this share of one CPU over the quiet window the container counts as idle. */
  idleShare: 0.1
} as const;

export type SettleMode = 'auto' | number;

export interface SettleInput {
  mode: SettleMode;
  now: number;
  lastChange: number;
  /** Every expected port has been seen. */
  allUp: boolean;
  anyListener: boolean;
  /** CPU samples so far, oldest first. */
  cpu: readonly CpuSample[];
}

export type SettleReason = 'fixed' | 'idle' | 'cap';

/** CPU share over the last `windowMs`, or undefined when the samples do not span most of it. */
export const cpuShare = (cpu: readonly CpuSample[], now: number, windowMs: number): number | undefined => {
  const newest = cpu.at(-1);
  if (!newest) return undefined;
  const from = [...cpu].reverse().find(s => s.atMs <= now - windowMs) ?? cpu[0]!;
  const span = newest.atMs - from.atMs;
  if (span < windowMs * 0.8) return undefined;
  return (newest.ns - from.ns) / 1e6 / span;
};

/** Why the wait may end now, or undefined to keep watching. */
export const settled = (s: SettleInput): SettleReason | undefined => {
  if (!s.allUp) return undefined;
  const quiet = s.now - s.lastChange;
  if (typeof s.mode === 'number') return quiet >= s.mode ? 'fixed' : undefined;
  const minQuiet = s.anyListener ? AUTO.quietMs : AUTO.firstListenerMs;
  if (quiet < minQuiet) return undefined;
  if (quiet >= AUTO.capMs) return 'cap';
  // A process that was runnable during the window is starting, however little CPU a loaded machine gave it.
  if (s.cpu.some(c => c.atMs >= s.now - AUTO.quietMs && c.runnable)) return undefined;
  const share = cpuShare(s.cpu, s.now, AUTO.quietMs);
  // No CPU figure at all (an engine without stats): the quiet window alone decides.
  if (share === undefined) return s.cpu.length ? undefined : 'idle';
  return share < AUTO.idleShare ? 'idle' : undefined;
};
