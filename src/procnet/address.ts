import type {BindScope} from '../model.js';
import type {Endianness} from './endianness.js';

/** An address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
export type AddressBytes = Uint8Array;

/**
 * Decodes the kernel's `%08X` words (one for IPv4, four for IPv6) into network
 * byte order. Each word is a host-order u32, so a little-endian host prints
 * 127.0.0.1 as `0100007F` and ::1 as `00000000000000000000000001000000`.
 * Returns undefined unless `hex` is exactly 8 or 32 hex digits.
 */
export function decodeHexAddress(hex: string, endianness: Endianness): AddressBytes | undefined {
  if (!/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{32})$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const word = i >> 2;
    const inWord = endianness === 'le' ? 3 - (i & 3) : i & 3;
    bytes[word * 4 + inWord] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

const isZero = (bytes: Uint8Array): boolean => bytes.every(b => b === 0);

/** ::ffff:0:0/96, the IPv4-mapped IPv6 range. */
const isMapped = (b: AddressBytes): boolean => b.length === 16 && isZero(b.subarray(0, 10)) && b[10] === 0xff && b[11] === 0xff;

/**
 * Canonical text: dotted quad for IPv4; RFC 5952 for IPv6 (lower case, no
 * leading zeros, the longest run of two or more zero groups, first on a tie,
 * as `::`), with IPv4-mapped addresses as `::ffff:127.0.0.1` (RFC 5952 §5).
 */
export function formatAddress(b: AddressBytes): string {
  if (b.length === 4) return b.join('.');
  if (b.length !== 16) throw new Error(`an address has 4 or 16 bytes, not ${b.length}`);
  if (isMapped(b)) return `::ffff:${[...b.subarray(12)].join('.')}`;
  const groups = Array.from({length: 8}, (_, i) => (b[i * 2]! << 8) | b[i * 2 + 1]!);
  let best = {start: -1, length: 1};
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = {start: i, length: j - i};
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map(g => g.toString(16)).join(':');
  if (best.start < 0) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

function parseIPv4(text: string): AddressBytes | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every(o => o <= 255) ? Uint8Array.from(octets) : undefined;
}

function parseIPv6(text: string): AddressBytes | undefined {
  let s = text;
  const dotted = s.includes('.') ? parseIPv4(s.slice(s.lastIndexOf(':') + 1)) : undefined;
  if (s.includes('.')) {
    if (!dotted) return undefined;
    s = `${s.slice(0, s.lastIndexOf(':') + 1)}${((dotted[0]! << 8) | dotted[1]!).toString(16)}:${((dotted[2]! << 8) | dotted[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const split = (h: string | undefined) => (h ? h.split(':') : []);
  const head = split(halves[0]);
  const tail = split(halves[1]);
  if (halves.length === 2 ? head.length + tail.length > 7 : head.length !== 8) return undefined;
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (!groups.every(g => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

/**
 * Parses textual IPv4 or IPv6 (any valid spelling, optional `[…]` and `%zone`),
 * e.g. the kernel's `%pI6` form `0000:0000:…:0001` in /proc/net/sctp/eps.
 */
export function parseAddress(text: string): AddressBytes | undefined {
  const t = text.trim().replace(/^\[(.*)\]$/, '$1').replace(/%[^%]+$/, '');
  return t.includes(':') ? (t.length >= 2 && t.length <= 45 ? parseIPv6(t) : undefined) : parseIPv4(t);
}

/** The canonical spelling of a textual address, or undefined if it is not one. */
export function canonicalAddress(text: string): string | undefined {
  const b = parseAddress(text);
  return b && formatAddress(b);
}

/**
 * Where a socket bound to `address` accepts traffic from: 127.0.0.0/8, ::1 and
 * ::ffff:127.x are loopback; 0.0.0.0, :: (and ::ffff:0.0.0.0) are wildcard;
 * anything else, including text that is not an address, is specific.
 */
export function scopeOf(address: string): BindScope {
  const b = parseAddress(address);
  if (!b) return 'specific';
  const v4 = b.length === 4 ? b : isMapped(b) ? b.subarray(12) : undefined;
  if (v4) return v4[0] === 127 ? 'loopback' : isZero(v4) ? 'wildcard' : 'specific';
  if (isZero(b)) return 'wildcard';
  return isZero(b.subarray(0, 15)) && b[15] === 1 ? 'loopback' : 'specific';
}
