/**
 * One expanded EXPOSE word → ports, with each builder's own rules and error text.
 *
 * - `buildkit`: moby/buildkit frontend/dockerfile/dockerfile2llb/convert_expose.go
 *   (portSpecs.parsePort): proto checked first, ParseInt (so `+80` passes),
 *   ranges cut at the first `-`.
 * - `classic`: go-connections nat.ParsePortSpec as vendored by Docker 20.10's
 *   classic builder: capitalised messages, proto checked last, ParseUint,
 *   ranges split on every `-` with anything after the second part ignored,
 *   `80/tcp/udp` read as tcp. Verified against that engine.
 *
 * Both accept `[ip:][hostPort:]containerPort[/proto]` and drop the IP and host
 * port, which a caller reports as `expose-host-part-ignored`.
 */
import type {Protocol} from '../model.js';
import type {Builder} from './lex.js';

export interface PortSpec {
  ports: {port: number; protocol: Protocol}[];
  /** The word named an IP address or host port, which Docker silently drops. */
  hostPart: boolean;
}

/** The word is not a valid port spec; the message is the builder's own. */
export class PortSpecError extends Error {
  override name = 'PortSpecError';
}

interface Range {
  start: number;
  end: number;
}

const PROTOCOLS = ['tcp', 'udp', 'sctp'];

/** `[ip:][hostPort:]containerPort`; an IPv6 address without brackets keeps its colons. */
const splitParts = (raw: string): [ip: string, hostPort: string, containerPort: string] => {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', raw];
  return [parts.slice(0, Math.max(0, n - 2)).join(':'), parts[n - 2] as string, parts[n - 1] as string];
};

/** Go net.SplitHostPort, reduced to the host or Go's error text. */
const splitHostPort = (hostport: string): {host: string} | {error: string} => {
  const fail = (why: string): {error: string} => ({error: `address ${hostport}: ${why}`});
  const i = hostport.lastIndexOf(':');
  if (i < 0) return fail('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return fail("missing ']' in address");
    if (end + 1 === hostport.length) return fail('missing port in address');
    if (end + 1 !== i) return fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    [j, k] = [1, end + 1];
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return fail('too many colons in address');
  }
  if (hostport.indexOf('[', j) >= 0) return fail("unexpected '[' in address");
  if (hostport.indexOf(']', k) >= 0) return fail("unexpected ']' in address");
  return {host};
};

const isIPv4 = (s: string): boolean => /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s);

/**
 * Go net.ParseIP: a dotted quad without leading zeros (Go ≥ 1.17), or IPv6
 * hex groups with at most one `::` standing for at least one group, an
 * optional trailing dotted quad, and no zone.
 */
const isGoIP = (s: string): boolean => {
  if (isIPv4(s)) return true;
  const v4 = /^(.*:)([^:]*\.[^:]*)$/.exec(s);
  if (v4 && !isIPv4(v4[2] as string)) return false;
  const halves = (v4 ? `${v4[1]}0:0` : s).split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap(h => (h === '' ? [] : h.split(':')));
  if (!groups.every(g => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
};

const toPorts = (r: Range, protocol: string): PortSpec['ports'] =>
  Array.from({length: r.end - r.start + 1}, (_, i) => ({port: r.start + i, protocol: protocol as Protocol}));

// --- BuildKit ---------------------------------------------------------------

/** strconv.ParseInt(s, 10, 0) then 0–65535. */
const buildkitNumber = (s: string): number | undefined => {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s) || 0; // `-0` parses as 0
  return n >= 0 && n <= 65535 ? n : undefined;
};

const buildkitRange = (ports: string): Range | undefined => {
  const dash = ports.indexOf('-');
  const start = buildkitNumber(dash < 0 ? ports : ports.slice(0, dash));
  if (start === undefined) return undefined;
  const endText = ports.slice(dash + 1);
  if (dash < 0 || endText === ports.slice(0, dash)) return {start, end: start};
  const end = buildkitNumber(endText);
  return end === undefined || end < start ? undefined : {start, end};
};

const parseBuildkit = (raw: string): PortSpec => {
  const [rawIP, hostPort, container] = splitParts(raw);
  const slash = container.indexOf('/');
  const port = slash < 0 ? container : container.slice(0, slash);
  const proto = slash < 0 ? '' : container.slice(slash + 1);
  const invalid = (why: string): PortSpecError => new PortSpecError(`invalid port: ${JSON.stringify(raw)}: ${why}`);
  if (port === '') throw invalid('no port specified');
  const protocol = proto.toLowerCase() || 'tcp';
  if (!PROTOCOLS.includes(protocol)) throw invalid(`invalid proto: ${proto}`);
  let ip = rawIP;
  if (ip.startsWith('[')) {
    const r = splitHostPort(`${ip}:`);
    if ('error' in r) throw new PortSpecError(`invalid IP address ${ip}: ${r.error}`);
    ip = r.host;
  }
  if (ip !== '' && !isGoIP(ip)) throw new PortSpecError(`invalid IP address: ${ip}`);
  const range = buildkitRange(port);
  if (!range) throw new PortSpecError(`invalid containerPort: ${port}`);
  if (hostPort !== '') {
    const host = buildkitRange(hostPort);
    if (!host) throw new PortSpecError(`invalid hostPort: ${hostPort}`);
    if (range.end - range.start !== host.end - host.start && range.end !== range.start)
      throw new PortSpecError(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
  }
  return {ports: toPorts(range, protocol), hostPart: rawIP !== '' || hostPort !== ''};
};

// --- Classic builder (Docker 20.10, go-connections v0.4) --------------------

/** strconv.ParseUint(s, 10, 16). */
const uint16 = (s: string): number | undefined => (/^[0-9]+$/.test(s) && Number(s) <= 65535 ? Number(s) : undefined);

const classicRange = (ports: string): Range | undefined => {
  const parts = ports.split('-');
  const start = uint16(parts[0] as string);
  const end = parts.length === 1 ? start : uint16(parts[1] as string);
  return start === undefined || end === undefined || end < start ? undefined : {start, end};
};

const parseClassic = (raw: string): PortSpec => {
  const [rawIP, hostPort, container] = splitParts(raw);
  const parts = container.split('/');
  const [proto, port] = parts[0] === '' ? ['', ''] : [parts[1] || 'tcp', parts[0] as string];
  const r = splitHostPort(`${rawIP}:`);
  if ('error' in r) throw new PortSpecError(`Invalid ip address ${rawIP}: ${r.error}`);
  if (r.host !== '' && !isGoIP(r.host)) throw new PortSpecError(`Invalid ip address: ${r.host}`);
  if (port === '') throw new PortSpecError(`No port specified: ${raw}<empty>`);
  const range = classicRange(port);
  if (!range) throw new PortSpecError(`Invalid containerPort: ${port}`);
  if (hostPort !== '') {
    const host = classicRange(hostPort);
    if (!host) throw new PortSpecError(`Invalid hostPort: ${hostPort}`);
    if (range.end - range.start !== host.end - host.start && range.end !== range.start)
      throw new PortSpecError(`Invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
  }
  if (!PROTOCOLS.includes(proto.toLowerCase())) throw new PortSpecError(`Invalid proto: ${proto}`);
  return {ports: toPorts(range, proto.toLowerCase()), hostPart: rawIP !== '' || hostPort !== ''};
};

/** Parses one EXPOSE word (already expanded and split) the way `builder` does. */
export const parsePortSpec = (raw: string, builder: Builder): PortSpec =>
  builder === 'classic' ? parseClassic(raw) : parseBuildkit(raw);
