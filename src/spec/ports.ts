import {PROTOCOLS, type Protocol} from '../model.js';
import {MAX_RANGE} from './types.js';
import {didYouMean} from './suggest.js';

/** A parsed `port:` value: one port (`from === to`) or an inclusive range, maybe with a `/udp` suffix. */
export interface PortRange {
  from: number;
  to: number;
  suffix?: Protocol;
  /** The value as written, for messages. */
  text: string;
}

const FORMS = 'write a number like 8080, or a string like "53/udp" or "7000-7010"';

/** What a YAML value is, in the words of a YAML author. */
export const describeValue = (v: unknown): string =>
  v === null || v === undefined
    ? 'empty'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : typeof v === 'string'
          ? `the string "${v}"`
          : typeof v === 'boolean'
            ? `the boolean ${v}`
            : `the number ${v}`;

const checkNumber = (n: number, text: string): string | undefined =>
  !Number.isInteger(n) ? `port ${text} is not a whole number: ${FORMS}.` : n < 1 || n > 65535 ? `port ${n} is out of range: ports go from 1 to 65535.` : undefined;

/**
 * Parses a `port:` value, or says what is wrong with it. JSON Schema checks the
 * same forms; this adds the messages and what a schema cannot say (reversed
 * and oversized ranges).
 */
export const parsePortValue = (v: unknown): PortRange | string => {
  if (typeof v === 'number') return checkNumber(v, String(v)) ?? {from: v, to: v, text: String(v)};
  if (v === null || v === undefined) return `port has no value: ${FORMS}.`;
  if (typeof v !== 'string') return `port must be a number or a string, but it is ${describeValue(v)}: ${FORMS}.`;
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(v);
  if (!m) return `port "${v}" is not a port number, a "port/protocol" or a "first-last" range: ${FORMS}.`;
  const [, a, b, proto] = m as unknown as [string, string, string | undefined, string | undefined];
  for (const part of [a, b]) {
    if (part === undefined) continue;
    if (/^0\d/.test(part)) return `port "${v}" has a leading zero: write ${Number(part)}.`;
    const bad = checkNumber(Number(part), part);
    if (bad) return bad;
  }
  if (proto !== undefined && !(PROTOCOLS as readonly string[]).includes(proto)) {
    return `unknown protocol "${proto}" in port "${v}": use tcp, udp or sctp.${didYouMean(proto, PROTOCOLS)}`;
  }
  const from = Number(a);
  const to = b === undefined ? from : Number(b);
  if (to < from) return `port range "${v}" runs backwards: write "${to}-${from}${proto ? `/${proto}` : ''}".`;
  if (to - from + 1 > MAX_RANGE) {
    return `port range "${v}" has ${to - from + 1} ports; at most ${MAX_RANGE} are allowed per entry: narrow it to the ports the image really uses.`;
  }
  return {from, to, text: v, ...(proto && {suffix: proto as Protocol})};
};
