import type {AddressFamily, Listener, ProcessInfo, Protocol} from '../model.js';
import {scopeOf} from './address.js';
import {socketInode, type RawSocket} from './parse.js';

const TCP_LISTEN = 0x0a;
/** TCP_CLOSE: what an unconnected, bound UDP socket shows (`ss -l` counts it too). */
const UDP_BOUND = 0x07;

const protocolOf = (s: RawSocket): Protocol => (s.table === 'sctp' ? 'sctp' : s.table.startsWith('tcp') ? 'tcp' : 'udp');

const familyOf = (s: RawSocket): AddressFamily =>
  s.table === 'sctp' ? (s.localAddress.includes(':') ? 'ipv6' : 'ipv4') : s.table.endsWith('6') ? 'ipv6' : 'ipv4';

/**
 * TCP in LISTEN; UDP bound but not connected (state CLOSE, no peer); every
 * SCTP endpoint. ESTABLISHED, TIME_WAIT and connected UDP rows are traffic,
 * not listeners.
 */
export function isListening(s: RawSocket): boolean {
  if (s.table === 'sctp') return true;
  if (s.table === 'tcp' || s.table === 'tcp6') return s.state === TCP_LISTEN;
  return s.state === UDP_BOUND && s.remotePort === 0 && (s.remoteAddress === '0.0.0.0' || s.remoteAddress === '::');
}

/**
 * The listening sockets among `sockets`, one Listener per (protocol, address,
 * port): SO_REUSEPORT groups and forked workers show one row per socket, and
 * the first row's uid and inode are kept. tcp6/udp6 rows are family `ipv6`
 * even for `::`, which also accepts IPv4 unless IPV6_V6ONLY is set; /proc
 * cannot tell (only netlink's INET_DIAG_SKV6ONLY can). Sorted by port,
 * protocol, then address.
 */
export function toListeners(sockets: RawSocket[]): Listener[] {
  const byKey = new Map<string, Listener>();
  for (const s of sockets) {
    if (!isListening(s)) continue;
    const protocol = protocolOf(s);
    const key = `${protocol} ${s.localAddress} ${s.localPort}`;
    if (byKey.has(key)) continue;
    byKey.set(key, {
      port: s.localPort,
      protocol,
      address: s.localAddress,
      family: familyOf(s),
      scope: scopeOf(s.localAddress),
      uid: s.uid,
      inode: s.inode
    });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.values()].sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol) || cmp(a.address, b.address));
}

/**
 * One process as a reader saw it in /proc/<pid>. `pid` is the pid inside the
 * container (the last NSpid field when read from the host). Everything but
 * `exe`, `uid` and the socket links is what the process says of itself.
 */
export interface ProcessFds {
  pid: number;
  /** readlink /proc/<pid>/exe: the file the kernel executes, which the process cannot rewrite. */
  exe?: string;
  uid?: number;
  /** /proc/<pid>/comm: settable by the process (prctl PR_SET_NAME). */
  comm?: string;
  /** /proc/<pid>/cmdline split on NUL: rewritable by the process. */
  argv: string[];
  fdLinks: string[];
}

/** `java` from `/usr/lib/jvm/java-17/bin/java`; the kernel appends ` (deleted)` for a replaced binary. */
const fileName = (exe: string): string => exe.replace(/ \(deleted\)$/, '').split('/').pop() || exe;

/** The process as reports show it: named by its executable, with argv kept only as its own claim. */
export const processInfo = (p: ProcessFds): ProcessInfo => ({
  pid: p.pid,
  name: p.exe ? fileName(p.exe) : p.comm ? `[${p.comm}]` : '?',
  ...(p.exe && {exe: p.exe}),
  ...(p.uid !== undefined && {uid: p.uid}),
  command: p.argv.join(' ').slice(0, 4096)
});

/**
 * Maps socket inodes to the processes holding them, from the text of their
 * /proc/<pid>/fd links, so the caller does the I/O. A socket shared after
 * fork() belongs to the lowest pid, usually the parent that opened it.
 */
export function processesByInode(processes: ProcessFds[]): Map<number, ProcessInfo> {
  const map = new Map<number, ProcessInfo>();
  for (const p of [...processes].sort((a, b) => a.pid - b.pid)) {
    for (const link of p.fdLinks) {
      const inode = socketInode(link);
      if (inode !== undefined && !map.has(inode)) map.set(inode, processInfo(p));
    }
  }
  return map;
}
