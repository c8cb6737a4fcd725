import type {ProcessInfo} from '../../model.js';
import {socketInode} from '../../procnet/index.js';
import type {ProcNetSnapshot} from '../types.js';

export const TABLES = ['tcp', 'tcp6', 'udp', 'udp6', 'sctp'] as const;

const MARK = '@@portgate';

/**
 * One shell script, run by the probe, prints every table behind a marker line,
 * so a whole snapshot costs one exec round trip. Missing tables (no sctp
 * module) print no section.
 */
export const SNAPSHOT_SCRIPT = TABLES.map(t => {
  const path = t === 'sctp' ? '/proc/net/sctp/eps' : `/proc/net/${t}`;
  return `if [ -r ${path} ]; then echo '${MARK} ${t}'; cat ${path}; fi`;
}).join('; ');

/** Lists every process's command and socket links, for the inode → process map. */
export const PROCESS_SCRIPT = `for d in /proc/[0-9]*; do p=\${d#/proc/}; echo "${MARK} pid $p $(tr '\\0' ' ' < $d/cmdline 2>/dev/null)"; for f in $d/fd/*; do readlink $f 2>/dev/null; done; done`;

export const parseSnapshot = (text: string): ProcNetSnapshot => {
  const out: ProcNetSnapshot = {};
  let current: keyof ProcNetSnapshot | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      const name = line.slice(MARK.length + 1).trim();
      current = (TABLES as readonly string[]).includes(name) ? (name as keyof ProcNetSnapshot) : undefined;
      if (current) out[current] = '';
    } else if (current) out[current] += `${line}\n`;
  }
  return out;
};

export const parseProcessDump = (text: string, ownPids: Set<number> = new Set()): Map<number, ProcessInfo> => {
  const map = new Map<number, ProcessInfo>();
  let proc: ProcessInfo | undefined;
  for (const line of text.split('\n')) {
    const head = new RegExp(`^${MARK} pid (\\d+) ?(.*)$`).exec(line);
    if (head) {
      const pid = Number(head[1]);
      proc = ownPids.has(pid) ? undefined : {pid, command: head[2]!.trim() || '?'};
      continue;
    }
    const inode = socketInode(line);
    if (proc && inode !== undefined && !map.has(inode)) map.set(inode, proc);
  }
  return map;
};
