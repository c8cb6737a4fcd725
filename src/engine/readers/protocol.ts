import type {ProcessFds} from '../../procnet/index.js';
import type {ProcNetSnapshot} from '../types.js';

export const TABLES = ['tcp', 'tcp6', 'udp', 'udp6', 'sctp'] as const;

/**
 * The probe protocol. The sidecar probe prints only kernel-written text
 * (/proc/net tables, whose rows cannot contain our markers) between marker
 * lines; everything a process in the image controls (argv, comm, file names)
 * is hex-encoded, and socket inodes pass only as digits. So no process can
 * forge a frame, a listener or an owner, whatever it names itself.
 */
const MARK = '@@portgate';

const cat = (t: (typeof TABLES)[number]): string => {
  const path = t === 'sctp' ? '/proc/net/sctp/eps' : `/proc/net/${t}`;
  return `if [ -r ${path} ]; then echo '${MARK} table ${t}'; cat ${path}; fi`;
};

/** One snapshot of every table, behind marker lines (also what --probe exec runs once per poll). */
export const SNAPSHOT_SCRIPT = TABLES.map(cat).join('; ');

/**
 * The streaming probe: one process for the whole run, printing a frame every
 * `pollMs` and stopping by itself after `frames`, so a probe orphaned by a
 * killed portgate does not outlive the run for long.
 */
export const streamScript = (pollMs: number, frames: number): string =>
  [
    `echo "${MARK} range $(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)"`,
    `i=0; while [ $i -lt ${frames} ]; do`,
    `echo '${MARK} frame'; ${SNAPSHOT_SCRIPT}; echo '${MARK} end'`,
    `i=$((i+1)); sleep ${(pollMs / 1000).toFixed(3)}; done`
  ].join('\n');

/** Hex of a file or of a command's output; `-` when empty, so fields never collapse. */
const hex = (source: string): string => `$(${source} 2>/dev/null | od -An -tx1 -v | tr -d ' \\n')`;

/**
 * Every process of the target, run in a probe that shares its pid namespace.
 * `stat -L -c '%F %i'` names each descriptor's file type and inode without
 * printing any path, one fork per process however many sockets it holds.
 */
export const PROCESS_SCRIPT = [
  'for d in /proc/[0-9]*; do',
  'p=${d#/proc/}; u=-',
  'while read -r k a b; do case $k in Uid:) u=$a; break;; esac; done < $d/status 2>/dev/null',
  `e=${hex('readlink $d/exe')}; c=${hex('cat $d/cmdline')}; m=${hex('cat $d/comm')}`,
  `echo "${MARK} P $p $u \${e:--} \${c:--} \${m:--}"`,
  `stat -L -c '${MARK} F %F %i' $d/fd/* 2>/dev/null`,
  'done'
].join('\n');

/** Frame text → tables. Lines outside a known table are ignored. */
export const parseSnapshot = (text: string): ProcNetSnapshot => {
  const out: ProcNetSnapshot = {};
  let current: keyof ProcNetSnapshot | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      const [, what, name] = line.split(' ');
      current = what === 'table' && (TABLES as readonly string[]).includes(name!) ? (name as keyof ProcNetSnapshot) : undefined;
      if (current) out[current] = '';
    } else if (current) out[current] += `${line}\n`;
  }
  return out;
};

/** `@@portgate range 32768\t60999` → the range; undefined when absent or malformed. */
export const parseRange = (line: string): [number, number] | undefined => {
  const m = new RegExp(`^${MARK} range (\\d+)\\s+(\\d+)\\s*$`).exec(line);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};

const unhex = (h: string): string | undefined => (h === '-' || !/^(?:[0-9a-f]{2})+$/.test(h) ? undefined : Buffer.from(h, 'hex').toString('utf8'));

/** The attribution probe's output → procnet's input. Lines that do not parse are dropped, never guessed. */
export const parseProcessDump = (text: string): ProcessFds[] => {
  const out: ProcessFds[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] !== MARK) continue;
    if (f[1] === 'P' && f.length === 7 && /^\d+$/.test(f[2]!)) {
      const exe = unhex(f[4]!)?.replace(/\n$/, '');
      const comm = unhex(f[6]!)?.replace(/\n$/, '');
      out.push({
        pid: Number(f[2]),
        ...(/^\d+$/.test(f[3]!) && {uid: Number(f[3])}),
        ...(exe !== undefined && {exe}),
        ...(comm !== undefined && {comm}),
        argv: (unhex(f[5]!) ?? '').split('\0').filter(Boolean),
        fdLinks: []
      });
    } else if (f[1] === 'F' && f[2] === 'socket' && f.length === 4 && /^\d{1,16}$/.test(f[3]!)) out.at(-1)?.fdLinks.push(`socket:[${f[3]}]`);
  }
  return out;
};

/** Splits a stream of probe output into complete frames. */
export class FrameSplitter {
  private buf = '';
  private frame: string[] | undefined;
  range: [number, number] | undefined;

  /** Feeds text; returns the frames it completed. */
  push(text: string): string[] {
    this.buf += text;
    const done: string[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line === `${MARK} frame`) this.frame = [];
      else if (line === `${MARK} end` && this.frame) {
        done.push(this.frame.join('\n'));
        this.frame = undefined;
      } else if (this.frame) this.frame.push(line);
      else this.range ??= parseRange(line);
    }
    return done;
  }
}
