import ms from 'ms';
import {InputError} from '../errors.js';

/** Longer waits are surely a typo, and Node timers overflow past 2^31-1 ms anyway. */
const MAX_MS = 24 * 60 * 60 * 1000;

/** The accepted forms; schema/portgate.schema.json repeats this pattern for editors. */
const DURATION = /^(?:\d+(?:\.\d+)?|\.\d+) ?(?:ms|s|m|h)$/;

/**
 * Parses a duration such as `30s`, `2m`, `500ms` or `1.5s` into whole
 * milliseconds (https://github.com/vercel/ms does the arithmetic). Only the
 * units ms, s, m and h are accepted, and a bare number only if it is 0:
 * people read `timeout: 30` as seconds, `ms` as milliseconds. Errors name
 * `what` (e.g. `--timeout`, `run.timeout`).
 */
export const parseDuration = (text: string | number, what: string): number => {
  const s = String(text);
  const example = 'write e.g. 30s, 2m or 500ms';
  if (s === '') throw new InputError(`${what} is empty: ${example}.`);
  if (s.startsWith('-')) throw new InputError(`${what} "${s}" is negative: ${example}.`);
  if (/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(s)) {
    if (s === '0') return 0;
    throw new InputError(`${what} ${s} has no unit: write ${s}s for seconds or ${s}ms for milliseconds.`);
  }
  if (!DURATION.test(s)) throw new InputError(`${what} "${s}" is not a duration: ${example} (units: ms, s, m, h).`);
  const value = ms(s as ms.StringValue);
  if (value > MAX_MS) throw new InputError(`${what} "${s}" is longer than 24h: ${example}.`);
  return Math.round(value);
};

/** `auto` or a duration: how --settle, the settle input and run.settle are written. */
export const parseSettle = (text: string, what: string): 'auto' | number => (text.trim() === 'auto' ? 'auto' : parseDuration(text.trim(), what));
