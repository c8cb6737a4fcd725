import {describe, expect, test} from 'vitest';
import {EnvironmentError} from '../../../src/errors.js';
import {endiannessOf} from '../../../src/procnet/index.js';

describe('endiannessOf', () => {
  // prettier-ignore
  test.each([
    // uname -m, as `docker info` reports Architecture
    ['x86_64', 'le'], ['aarch64', 'le'], ['armv7l', 'le'], ['armv6l', 'le'], ['i686', 'le'], ['ppc64le', 'le'],
    ['riscv64', 'le'], ['loongarch64', 'le'], ['mips64el', 'le'], ['s390x', 'be'], ['ppc64', 'be'], ['sparc64', 'be'],
    ['aarch64_be', 'be'],
    // GOARCH names
    ['amd64', 'le'], ['arm64', 'le'], ['arm', 'le'], ['386', 'le'], ['mipsle', 'le'], ['mips64le', 'le'], ['loong64', 'le'],
    ['mips', 'be'], ['mips64', 'be'],
    // spelling
    ['AMD64', 'le'], [' x86_64\n', 'le'], ['S390X', 'be']
  ])('%j → %s', (arch, expected) => {
    expect(endiannessOf(arch)).toBe(expected);
  });

  test.each(['', 'vax', 'x86_65', 'unknown'])('throws an EnvironmentError for %j rather than guess', arch => {
    expect(() => endiannessOf(arch)).toThrow(EnvironmentError);
    expect(() => endiannessOf(arch)).toThrow(`"${arch}"`);
  });
});
