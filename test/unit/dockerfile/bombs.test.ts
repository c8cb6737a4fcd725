import {describe, expect, test} from 'vitest';
import {resolveExpose, type ResolveOptions} from '../../../src/dockerfile/index.js';
import type {Builder} from '../../../src/dockerfile/lex.js';
import {MAX_NESTING} from '../../../src/dockerfile/lex-limits.js';
import {InputError} from '../../../src/errors.js';

// Hostile Dockerfiles must end as an InputError (exit 2) at a line, quickly. The
// time budget is the harness's own per-test timeout, not a measurement here.
const FAST = {timeout: 1000};
const BUILDERS: Builder[] = ['buildkit', 'classic'];

const failure = (text: string, opts: Partial<ResolveOptions> = {}): InputError => {
  try {
    resolveExpose(text, {file: 'Dockerfile', ...opts});
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError, but the Dockerfile was accepted');
};

/** `ARG A1=$A0$A0` … forty times: 2^40 characters unless stopped. */
const doubling = (keyword: 'ARG' | 'ENV', ref: (name: string) => string): string => {
  let text = `FROM scratch\n${keyword} A0=x\n`;
  for (let i = 1; i <= 40; i++) text += `${keyword} A${i}=${ref(`A${i - 1}`)}${ref(`A${i - 1}`)}\n`;
  return `${text}EXPOSE 80\n`;
};

const nested = (depth: number, inner = '80'): string => '${A:-'.repeat(depth) + inner + '}'.repeat(depth);

describe('expansion bombs stop at a line with exit 2, well under a second', () => {
  test.each([
    ['ARG', (n: string) => `$${n}`],
    ['ENV', (n: string) => `\${${n}}`]
  ] as const)('%s values that each double the one before', FAST, (keyword, ref) => {
    for (const builder of BUILDERS) {
      const e = failure(doubling(keyword, ref), {builder});
      expect(e.file).toBe('Dockerfile');
      // Stopped once about 2 MiB were produced, around A21 (line 23), long before A40.
      expect(e.line).toBeGreaterThan(15);
      expect(e.line).toBeLessThan(30);
      expect(e.message).toMatch(/^failed to process "\S+": the ARG and ENV values expand to more than 2 MiB of text by this line \(does each variable double the one before\?\) — this is a limit of portgate, not of Docker/);
    }
  });

  test('${V//a/aaaa…} multiplying a value is stopped before the result is built', FAST, () => {
    let text = `FROM scratch\nARG A0=${'a'.repeat(100)}\n`;
    for (let i = 1; i <= 6; i++) text += `ARG A${i}=\${A${i - 1}//a/${'a'.repeat(100)}}\n`;
    const e = failure(`${text}EXPOSE 80\n`, {builder: 'buildkit'});
    expect(e.line).toBe(5);
    expect(e.message).toContain('expand to more than 2 MiB');
  });

  test.each([
    ['EXPOSE', `FROM scratch\nARG A=1\nEXPOSE ${nested(10_000)}\n`, 3],
    ['ENV', `FROM scratch\nENV B=${nested(10_000)}\nEXPOSE 80\n`, 2],
    ['FROM', `ARG A=scratch\nFROM ${nested(10_000, 'scratch')}\n`, 2]
  ])('${A:-${A:-…}} nested 10 000 deep in %s: no stack overflow (exit 4)', FAST, (_where, text, line) => {
    for (const builder of BUILDERS) {
      const e = failure(text, {builder});
      expect(e.line).toBe(line);
      expect(e.message).toMatch(/^failed to process "\$\{A:-\$\{A:-.{0,60}…": \$\{…\} is nested more than 64 levels deep — this is a limit of portgate/);
    }
  });

  test(`nesting up to ${MAX_NESTING} levels is still expanded`, () => {
    const ok = resolveExpose(`FROM scratch\nEXPOSE ${nested(MAX_NESTING)}\n`, {file: 'Dockerfile'});
    expect(ok.exposed.map(p => p.port)).toEqual([80]);
    expect(failure(`FROM scratch\nEXPOSE ${nested(MAX_NESTING + 1)}\n`).message).toContain('nested more than 64 levels');
  });

  test('a doubled list of one port collapses to that port instead of a million entries', FAST, () => {
    let text = 'FROM scratch\nARG A0="1 "\n';
    for (let i = 1; i <= 18; i++) text += `ARG A${i}="$A${i - 1}$A${i - 1}"\n`;
    const r = resolveExpose(`${text}EXPOSE $A18\n`, {file: 'Dockerfile'});
    expect(r.exposed.map(p => `${p.port}/${p.protocol}`)).toEqual(['1/tcp']);
  });

  test('EXPOSE producing more port entries than tcp, udp and sctp have is refused at its word', FAST, () => {
    const e = failure('FROM scratch\nEXPOSE 80\nEXPOSE 1-65535 2-65535 3-65535 4-65535\n');
    // At `4-65535`, the word that crosses the limit.
    expect([e.line, e.column]).toEqual([3, 32]);
    expect(e.message).toMatch(/^EXPOSE produces more than 196608 port entries by this line .* — this is a limit of portgate/);
  });

  // No harness timeout here: a half-megabyte line is slow to read, but it is no bomb and must pass.
  test('a large value copied twice stays within the limit', () => {
    const r = resolveExpose(`FROM scratch\nENV CERT="${'x'.repeat(512 * 1024)}"\nENV A=$CERT B=$CERT\nEXPOSE 80\n`, {file: 'Dockerfile'});
    expect(r.exposed).toHaveLength(1);
  });
});
