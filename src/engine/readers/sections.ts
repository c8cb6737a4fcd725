import type {ProcessFds} from '../../procnet/index.js';
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

/** The probe's process listing, as procnet's input for the inode → process map. */
export const parseProcessDump = (text: string): ProcessFds[] => {
  const out: ProcessFds[] = [];
  for (const line of text.split('\n')) {
    const head = new RegExp(`^${MARK} pid (\\d+) ?(.*)$`).exec(line);
    if (head) out.push({pid: Number(head[1]), command: head[2]!.trim() || '?', fdLinks: []});
    else if (line.trim()) out.at(-1)?.fdLinks.push(line.trim());
  }
  return out;
};
