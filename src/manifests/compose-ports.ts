import type {Protocol} from '../model.js';

/**
 * Compose port strings. Short syntax per the Compose spec:
 * `[HOST:]CONTAINER[/PROTOCOL]`, HOST = `[IP:](port|range)`, IPv6 in brackets;
 * https://github.com/compose-spec/compose-spec/blob/main/spec.md#ports
 */
export interface PortMapping {
  hostIp?: string;
  /** Host side as written (`8080`, `9000-9010`, or absent: an ephemeral port). */
  published?: string;
  target: number;
  protocol: Protocol;
}

/**
 * Applies `${VAR:-default}` / `${VAR-default}` defaults and `$$` escapes. A
 * variable without default cannot be known statically: undefined.
 */
export const withDefaults = (s: string): string | undefined => {
  let unresolved = false;
  const out = s.replace(/\$\$|\$\{[A-Za-z_]\w*(?::?-([^}]*))?[^}]*\}|\$[A-Za-z_]\w*/g, (m, def: string | undefined) => {
    if (m === '$$') return '$';
    if (def !== undefined) return def;
    unresolved = true;
    return m;
  });
  return unresolved ? undefined : out;
};

/**
 * compose-go's template pattern: `$$`, `$NAME`, `${NAME}` with an optional
 * `:-` `-` `:?` `?` `:+` `+` part, and anything else after `${` invalid.
 */
const TEMPLATE = /\$(?:\$|[_a-z][_a-z0-9]*|\{(?:[_a-z][_a-z0-9]*(?::?[-+?].*)?\}|()))/gi;

/**
 * The first malformed `${…}` in a value (`${PORT`, `${}`, `${A B}`), which
 * Compose refuses with "invalid interpolation format" for the whole file.
 */
export const badInterpolation = (s: string): string | undefined => {
  for (const m of s.matchAll(TEMPLATE)) if (m[1] !== undefined) return s.slice(m.index, m.index + 20).split('\n')[0];
  return undefined;
};

const PROTOCOLS = ['tcp', 'udp', 'sctp'];

export const parseProtocol = (p: string): Protocol | string =>
  PROTOCOLS.includes(p.toLowerCase()) ? (p.toLowerCase() as Protocol) : `unknown protocol "${p}" (use tcp, udp or sctp)`;

/** `8080` or `9000-9010` → [low, high]; an error text when not a valid port or range. */
export const parseRange = (s: string, allowZero = false): [number, number] | string => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s.trim());
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  const ok = (n: number): boolean => Number.isInteger(n) && n >= (allowZero ? 0 : 1) && n <= 65535;
  return m && ok(lo) && ok(hi) && lo <= hi ? [lo, hi] : `"${s}" is not a port number (1-65535) or range (low-high)`;
};

/**
 * One short-syntax entry → one mapping per container port (ranges expanded).
 * Returns an error text for a malformed entry.
 */
export const parseShortPort = (text: string): PortMapping[] | string => {
  let s = text.trim();
  let protocol: Protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    const p = parseProtocol(s.slice(slash + 1));
    if (p.includes(' ')) return p;
    [protocol, s] = [p as Protocol, s.slice(0, slash)];
  }
  let hostIp: string | undefined;
  let parts: string[];
  if (s.startsWith('[')) {
    const end = s.indexOf(']:');
    if (end < 0) return `"${text}": a bracketed IPv6 address must be followed by ":HOST_PORT:CONTAINER_PORT"`;
    hostIp = s.slice(1, end);
    parts = s.slice(end + 2).split(':');
    if (parts.length !== 2) return `"${text}": expected [IP]:HOST_PORT:CONTAINER_PORT`;
    parts.unshift(hostIp);
  } else {
    parts = s.split(':');
    // Unbracketed IPv6 (`::1:8080:80`): everything before the last two fields is the address.
    if (parts.length > 3) parts = [parts.slice(0, -2).join(':'), ...parts.slice(-2)];
    if (parts.length === 3) hostIp = parts[0];
  }
  const target = parseRange(parts[parts.length - 1]!);
  if (typeof target === 'string') return `"${text}": container port ${target}`;
  const pubText = parts.length >= 2 ? parts[parts.length - 2]! : '';
  const pub = pubText === '' ? undefined : parseRange(pubText, true);
  if (typeof pub === 'string') return `"${text}": host port ${pub}`;
  const count = target[1] - target[0] + 1;
  if (pub && pub[0] !== pub[1] && count > 1 && pub[1] - pub[0] + 1 !== count) {
    return `"${text}": the host range and the container range have different lengths`;
  }
  return Array.from({length: count}, (_, i) => ({
    ...(hostIp !== undefined && hostIp !== '' && {hostIp}),
    ...(pub && {published: count > 1 && pub[0] !== pub[1] ? String(pub[0] + i) : pubText}),
    target: target[0] + i,
    protocol
  }));
};

/** No host IP, or `0.0.0.0` / `::`: published on every host interface. */
export const allInterfaces = (hostIp: string | undefined): boolean => !hostIp || hostIp === '0.0.0.0' || hostIp === '::' || hostIp === '[::]';
