/**
 * Just enough of IP addressing for NetworkPolicy `ipBlock`: an address or a
 * CIDR as a family, a 32- or 128-bit number and a prefix length. node:net's
 * BlockList would do it, but pipeline stages may not import node:net (see
 * eslint.config.js), and no address library is a dependency.
 */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const v4 = (s: string): bigint | undefined => (V4.test(s) ? s.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n) : undefined);

/** RFC 4291 text forms: full, `::`-compressed, and with a trailing dotted IPv4 part. */
const v6 = (s: string): bigint | undefined => {
  let groups: string[] = [];
  const tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let text = s;
  if (tail) {
    const n = v4(tail[2]!);
    if (n === undefined) return undefined;
    text = `${tail[1]}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (h: string) => (h === '' ? [] : h.split(':'));
  if (halves.length === 2) {
    const [head, rest] = [split(halves[0]!), split(halves[1]!)];
    if (head.length + rest.length > 7) return undefined;
    groups = [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  } else groups = split(text);
  if (groups.length !== 8 || !groups.every(g => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n);
};

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). */
export const parseCidr = (text: string): Cidr | undefined => {
  const [addr, prefix, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const family = addr.includes(':') ? 6 : 4;
  const base = family === 4 ? v4(addr) : v6(addr);
  const max = family === 4 ? 32 : 128;
  if (base === undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  return bits <= max ? {family, base, bits} : undefined;
};

/** Whether `ip` lies inside `cidr` (same family, same leading bits). */
export const inCidr = (ip: string, cidr: string): boolean => {
  const a = parseCidr(ip);
  const c = parseCidr(cidr);
  if (!a || !c || a.family !== c.family) return false;
  const shift = BigInt((c.family === 4 ? 32 : 128) - c.bits);
  return a.base >> shift === c.base >> shift;
};
