import {describe, expect, test} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {parseDuration} from '../../../src/util/duration.js';

describe('parseDuration', () => {
  // prettier-ignore
  test.each([
    ['30s', 30_000], ['2s', 2_000], ['500ms', 500], ['2m', 120_000], ['1h', 3_600_000],
    ['1.5s', 1_500], ['.5s', 500], ['1.2345s', 1_235], ['10 s', 10_000], ['0', 0], [0, 0], ['0s', 0], ['24h', 86_400_000]
  ])('%s → %d ms', (text, expected) => {
    expect(parseDuration(text, '--timeout')).toBe(expected);
  });

  // prettier-ignore
  test.each([
    ['30',     '--timeout 30 has no unit: write 30s for seconds or 30ms for milliseconds.'],
    [30,       '--timeout 30 has no unit: write 30s for seconds or 30ms for milliseconds.'],
    ['0.0',    '--timeout 0.0 has no unit'],
    ['',       '--timeout is empty: write e.g. 30s, 2m or 500ms.'],
    ['-1s',    '--timeout "-1s" is negative'],
    ['soon',   '--timeout "soon" is not a duration: write e.g. 30s, 2m or 500ms (units: ms, s, m, h).'],
    ['2d',     '--timeout "2d" is not a duration'],
    ['30S',    '--timeout "30S" is not a duration'],
    ['1e3s',   '--timeout "1e3s" is not a duration'],
    [' 30s',   '--timeout " 30s" is not a duration'],
    ['25h',    '--timeout "25h" is longer than 24h'],
    ['99999999999999999999h', 'is longer than 24h']
  ])('%j is refused', (text, message) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(InputError);
    expect(() => parseDuration(text, '--timeout')).toThrow(message);
  });
});
