/**
 * /proc/net text → listening sockets. Pure: the caller reads the files (and
 * /proc/<pid>/fd links) in the target's network namespace and passes the text.
 * Format: https://docs.kernel.org/networking/proc_net_tcp.html and the kernel's
 * net/ipv4/tcp_ipv4.c, net/ipv4/udp.c, net/ipv6/datagram.c, net/sctp/proc.c.
 */
export {canonicalAddress, decodeHexAddress, formatAddress, parseAddress, scopeOf} from './address.js';
export {endiannessOf, type Endianness} from './endianness.js';
export {isListening, processInfo, processesByInode, toListeners, type ProcessFds} from './listeners.js';
export {parseProcNet, parseSctpEps, socketInode, type ProcNetTable, type RawSocket} from './parse.js';
