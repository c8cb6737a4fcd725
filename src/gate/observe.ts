import type {Listener, ProcessInfo} from '../model.js';
import {parseProcNet, parseSctpEps, toListeners, type Endianness} from '../procnet/index.js';
import type {ProcNetSnapshot, SocketReader, Target} from '../engine/types.js';
import {portKey} from '../model.js';

export interface WaitSettings {
  /** Ports that must be up before the wait may end (spec ports, or EXPOSE without a spec). */
  expected: Set<string>;
  timeoutMs: number;
  settleMs: number;
  pollMs: number;
}

export interface Observation {
  listening: Listener[];
  exited: boolean;
  exitCode?: number;
  timedOut: boolean;
  waitedMs: number;
}

export const listenersOf = (snap: ProcNetSnapshot, endianness: Endianness): Listener[] =>
  toListeners([
    ...(['tcp', 'tcp6', 'udp', 'udp6'] as const).flatMap(t => (snap[t] === undefined ? [] : parseProcNet(snap[t]!, t, endianness))),
    ...(snap.sctp === undefined ? [] : parseSctpEps(snap.sctp))
  ]);

const fingerprint = (ls: Listener[]): string => ls.map(l => `${portKey(l)}@${l.address}`).join(',');

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Polls the target's sockets until every expected port is up and the listener
 * set has not changed for `settleMs`, the container exits, or `timeoutMs`
 * passes. Services often open an admin or debug port after the main one, so
 * "expected ports are up" alone would end the wait too early.
 */
export const watchListeners = async (target: Target, reader: SocketReader, endianness: Endianness, w: WaitSettings, now = Date.now): Promise<Observation> => {
  const start = now();
  let listening: Listener[] = [];
  let last = '';
  let changedAt = start;
  for (;;) {
    const state = await target.state();
    if (!state.running) return {listening, exited: true, exitCode: state.exitCode, timedOut: false, waitedMs: now() - start};
    const current = listenersOf(await reader.snapshot(), endianness);
    const t = now();
    const fp = fingerprint(current);
    if (fp !== last) [last, changedAt, listening] = [fp, t, current];
    const up = new Set(current.map(portKey));
    const allUp = [...w.expected].every(k => up.has(k));
    if (allUp && t - changedAt >= w.settleMs) return {listening, exited: false, timedOut: false, waitedMs: t - start};
    if (t - start >= w.timeoutMs) return {listening, exited: false, timedOut: true, waitedMs: t - start};
    await sleep(Math.min(w.pollMs, Math.max(0, w.timeoutMs - (t - start))));
  }
};

export const attachProcesses = (ls: Listener[], procs: Map<number, ProcessInfo>): Listener[] =>
  ls.map(l => {
    const p = l.inode !== undefined ? procs.get(l.inode) : undefined;
    return p ? {...l, process: p} : l;
  });
