import type {Listener, ProcessInfo} from '../model.js';
import {portKey} from '../model.js';
import {parseProcNet, parseSctpEps, processesByInode, toListeners, type Endianness} from '../procnet/index.js';
import type {CpuSample, ProcNetSnapshot, SocketReader, Target} from '../engine/types.js';
import {settled, type SettleMode, type SettleReason} from './settle.js';

export interface WaitSettings {
  /** Ports that must be up before the wait may end (spec ports, or EXPOSE without a spec). */
  expected: Set<string>;
  timeoutMs: number;
  settle: SettleMode;
  pollMs: number;
}

export interface Observation {
  /** Every listener seen during the wait; those gone by the end are marked `transient`. */
  listening: Listener[];
  exited: boolean;
  exitCode?: number;
  oomKilled?: boolean;
  timedOut: boolean;
  waitedMs: number;
  /** How the wait ended when it settled. */
  settledBy?: SettleReason;
  /** Why some socket owners may be unknown. */
  ownersIncomplete?: string;
  ephemeral: [number, number];
}

export const listenersOf = (snap: ProcNetSnapshot, endianness: Endianness): Listener[] =>
  toListeners([
    ...(['tcp', 'tcp6', 'udp', 'udp6'] as const).flatMap(t => (snap[t] === undefined ? [] : parseProcNet(snap[t]!, t, endianness))),
    ...(snap.sctp === undefined ? [] : parseSctpEps(snap.sctp))
  ]);

const socketKey = (l: Listener): string => `${portKey(l)}@${l.address}`;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Polls the target's sockets until every expected port is up and the
 * listener set has settled (settle.ts), the container exits, or the timeout
 * passes. Every listener seen counts, not only the last snapshot's: a port
 * open half the time is still open. Owners are read as soon as a new socket
 * appears, so a short-lived one keeps its process.
 */
export const watchListeners = async (target: Target, reader: SocketReader, endianness: Endianness, w: WaitSettings, now = Date.now): Promise<Observation> => {
  const start = now();
  const seen = new Map<string, Listener>();
  const owners = new Map<number, ProcessInfo>();
  const cpu: CpuSample[] = [];
  let current = new Set<string>();
  let lastChange = start;
  let ownersIncomplete: string | undefined;
  // One scan at a time, off the polling path: a sidecar's scan is an exec that
  // takes a moment, and the wait must not stall behind it.
  let scanning: Promise<void> | undefined;
  const readOwners = (): Promise<void> =>
    (scanning ??= reader
      .processes()
      .then(scan => {
        for (const [inode, p] of processesByInode(scan.processes)) owners.set(inode, p);
        ownersIncomplete = scan.incomplete;
      })
      .catch((e: Error) => void (ownersIncomplete = `reading the owners failed: ${e.message}`))
      .finally(() => (scanning = undefined)));
  const finish = async (o: Omit<Observation, 'listening' | 'waitedMs' | 'ephemeral' | 'ownersIncomplete'>): Promise<Observation> => {
    await scanning;
    // A scan that missed an owner (a process mid-fork, a probe restart) gets one more try while the target runs.
    if (!o.exited && [...seen.values()].some(l => current.has(socketKey(l)) && l.inode !== undefined && !owners.has(l.inode))) await readOwners();
    const engines = new Set(target.engineAddresses);
    const listening = [...seen.values()].filter(l => !(engines.has(l.address) && (l.inode === undefined || !owners.has(l.inode)))).map(l => {
      const process = l.inode !== undefined ? owners.get(l.inode) : undefined;
      return {...l, ...(process && {process}), ...(!current.has(socketKey(l)) && {transient: true as const})};
    });
    const ephemeral = await reader.ephemeralRange();
    return {...o, listening, waitedMs: now() - start, ephemeral, ...(ownersIncomplete && {ownersIncomplete})};
  };

  for (;;) {
    const state = await target.state();
    if (!state.running) return finish({exited: true, exitCode: state.exitCode, ...(state.oomKilled && {oomKilled: true}), timedOut: false});
    let snap: ProcNetSnapshot;
    try {
      snap = await reader.snapshot();
    } catch (e) {
      // It died between the state check and the read: a crash, not a reader failure.
      const after = await target.state();
      if (!after.running) return finish({exited: true, exitCode: after.exitCode, ...(after.oomKilled && {oomKilled: true}), timedOut: false});
      throw e;
    }
    const t = now();
    const listeners = listenersOf(snap, endianness);
    const keys = new Set(listeners.map(socketKey));
    const fresh = listeners.filter(l => !seen.has(socketKey(l)));
    for (const l of fresh) seen.set(socketKey(l), l);
    if (keys.size !== current.size || [...keys].some(k => !current.has(k))) lastChange = t;
    current = keys;
    if (fresh.some(l => l.inode !== undefined && !owners.has(l.inode))) void readOwners();
    const sample = await target.cpuTime();
    if (sample && sample.atMs !== cpu.at(-1)?.atMs) cpu.push(sample);
    const up = new Set([...seen.values()].map(portKey));
    // The engine's resolver sockets exist before the service starts: they do not mean it has begun listening.
    const anyListener = [...seen.values()].some(l => !target.engineAddresses.includes(l.address));
    const reason = settled({mode: w.settle, now: t, lastChange, allUp: [...w.expected].every(k => up.has(k)), anyListener, cpu});
    if (reason) return finish({exited: false, timedOut: false, settledBy: reason});
    if (t - start >= w.timeoutMs) return finish({exited: false, timedOut: true});
    if (!reader.paced) await sleep(Math.min(w.pollMs, Math.max(0, w.timeoutMs - (t - start))));
  }
};
