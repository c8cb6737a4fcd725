import {canonicalAddress, decodeHexAddress, formatAddress} from './address.js';
import type {Endianness} from './endianness.js';

/** The /proc/net files with the `sl local_address rem_address st …` layout. */
export type ProcNetTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';

/** One row of a /proc/net table, decoded but not yet interpreted. */
export interface RawSocket {
  table: ProcNetTable | 'sctp';
  /** Canonical text, e.g. `0.0.0.0`, `::`, `::ffff:127.0.0.1`. */
  localAddress: string;
  localPort: number;
  /** Canonical text; empty for SCTP endpoints, which have no peer. */
  remoteAddress: string;
  remotePort: number;
  /** TCP state (0x0A = LISTEN, 0x07 = CLOSE, i.e. a bound UDP socket); SCTP: the socket state (10 = listening). */
  state: number;
  /** Owner uid as the reader's user namespace sees it. */
  uid: number;
  /** Socket inode, 0 for TIME_WAIT and request sockets. */
  inode: number;
}

const MAX_QUOTE = 200;

const rowError = (file: string, index: number, line: string, why: string): Error => {
  const text = line.trim();
  return new Error(`cannot parse /proc/net/${file} line ${index + 1} (${why}): "${text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text}"`);
};

const decimal = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^\d{1,16}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
};

/**
 * Parses the text of /proc/net/{tcp,tcp6,udp,udp6} (`get_tcp4_sock`,
 * `udp4_format_sock` and their IPv6 twins in the kernel) into one RawSocket per
 * row, in file order. Fields are split on whitespace; [1] local and [2] remote
 * `ADDR:PORT` in hex, [3] state in hex, [7] uid and [9] inode in decimal. The
 * header (first field `sl`) and blank lines are skipped; any other row that
 * does not parse throws an Error naming the table and 1-based line number,
 * because a silently dropped row could hide a listener.
 */
export function parseProcNet(text: string, table: ProcNetTable, endianness: Endianness): RawSocket[] {
  const hexLength = table.endsWith('6') ? 32 : 8;
  const sockets: RawSocket[] = [];
  text.split('\n').forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f[0] === '' || f[0] === 'sl') return;
    const fail = (why: string) => rowError(table, i, line, why);
    if (f.length < 10) throw fail(`${f.length} fields, expected at least 10`);
    if (!/^\d+:$/.test(f[0]!)) throw fail(`slot "${f[0]}" is not "<number>:"`);
    const endpoint = (field: string, what: string) => {
      const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(field);
      const bytes = m && m[1]!.length === hexLength ? decodeHexAddress(m[1]!, endianness) : undefined;
      if (!m || !bytes) throw fail(`${what} "${field}" is not ${hexLength} hex digits:4 hex digits`);
      return {address: formatAddress(bytes), port: parseInt(m[2]!, 16)};
    };
    const local = endpoint(f[1]!, 'local address');
    const remote = endpoint(f[2]!, 'remote address');
    if (!/^[0-9A-Fa-f]{2}$/.test(f[3]!)) throw fail(`state "${f[3]}" is not 2 hex digits`);
    const uid = decimal(f[7]);
    const inode = decimal(f[9]);
    if (uid === undefined) throw fail(`uid "${f[7]}" is not a number`);
    if (inode === undefined) throw fail(`inode "${f[9]}" is not a number`);
    sockets.push({
      table,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state: parseInt(f[3]!, 16),
      uid,
      inode
    });
  });
  return sockets;
}

/**
 * Parses /proc/net/sctp/eps (`sctp_eps_seq_show`): `ENDPT SOCK STY SST HBKT
 * LPORT UID INODE LADDRS…` with a decimal port and textual local addresses
 * (`%pI4`, or `%pI6` in full `0000:…:0001` form). A multi-homed endpoint yields
 * one RawSocket per address. The kernel hashes an endpoint, and so lists it
 * here, only once it listens. Rows that do not parse throw, as in parseProcNet.
 */
export function parseSctpEps(text: string): RawSocket[] {
  const sockets: RawSocket[] = [];
  text.split('\n').forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f[0] === '' || f[0] === 'ENDPT') return;
    const fail = (why: string) => rowError('sctp/eps', i, line, why);
    if (f.length < 8) throw fail(`${f.length} fields, expected at least 8`);
    const [state, port, uid, inode] = [f[3], f[5], f[6], f[7]].map(decimal);
    if (state === undefined) throw fail(`state "${f[3]}" is not a number`);
    if (port === undefined || port > 65535) throw fail(`port "${f[5]}" is not a port number`);
    if (uid === undefined) throw fail(`uid "${f[6]}" is not a number`);
    if (inode === undefined) throw fail(`inode "${f[7]}" is not a number`);
    for (const address of f.slice(8)) {
      const localAddress = canonicalAddress(address);
      if (localAddress === undefined) throw fail(`"${address}" is not an IP address`);
      sockets.push({table: 'sctp', localAddress, localPort: port, remoteAddress: '', remotePort: 0, state, uid, inode});
    }
  });
  return sockets;
}

/**
 * The socket inode in a /proc/<pid>/fd link target (`socket:[12345]` → 12345,
 * the `sockfs_dname` format), or undefined for files, pipes and anything else.
 * The caller reads the links; this only interprets their text.
 */
export function socketInode(linkTarget: string): number | undefined {
  const m = /^socket:\[(\d{1,16})\]$/.exec(linkTarget.trim());
  return m ? decimal(m[1]) : undefined;
}
