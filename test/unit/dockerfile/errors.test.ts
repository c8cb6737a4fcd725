import {describe, expect, test} from 'vitest';
import {resolveExpose, type ResolveOptions} from '../../../src/dockerfile/index.js';
import type {Builder} from '../../../src/dockerfile/lex.js';
import {InputError} from '../../../src/errors.js';

const failure = (text: string, opts: Partial<ResolveOptions> = {}): InputError => {
  try {
    resolveExpose(text, {file: 'app/Dockerfile', ...opts});
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
};
/** `line:column: Docker's message`; the hint after ` — ` is checked separately. */
const where = (e: InputError): string => `${e.line ?? '-'}:${e.column ?? '-'}: ${e.message.split(' — ')[0]}`;

describe('errors in EXPOSE, located at the word', () => {
  // prettier-ignore
  test.each<[string, Builder, string]>([
    ['EXPOSE 80 70000',           'buildkit', '2:11: invalid containerPort: 70000'],
    ['EXPOSE 80 70000',           'classic',  '2:11: Invalid containerPort: 70000'],
    ['EXPOSE 80/foo',             'buildkit', '2:8: invalid port: "80/foo": invalid proto: foo'],
    ['EXPOSE 80/foo',             'classic',  '2:8: Invalid proto: foo'],
    ['EXPOSE ${UNSET}/tcp',       'buildkit', '2:8: invalid port: "/tcp": no port specified'],
    ['EXPOSE ${UNSET}/tcp',       'classic',  '2:8: No port specified: /tcp<empty>'],
    ['EXPOSE 9000-8000',          'buildkit', '2:8: invalid containerPort: 9000-8000'],
    ['EXPOSE +80',                'classic',  '2:8: Invalid containerPort: +80'],
    ['EXPOSE ${P:?}',             'buildkit', '2:8: failed to process "${P:?}": P: is not allowed to be unset'],
    ['EXPOSE 1 ${P:?set P}',      'classic',  '2:10: failed to process "${P:?set": syntax error: missing \'}\''],
    ['EXPOSE ${P-80}',            'classic',  '2:8: failed to process "${P-80}": missing \':\' in substitution'],
    ['EXPOSE 3000 # web',         'buildkit', '2:13: invalid containerPort: #'],
    ['EXPOSE "80 90"',            'classic',  '2:8: failed to process "\\"80": unexpected end of statement while looking for matching double-quote'],
    ['EXPOSE',                    'buildkit', '2:1: EXPOSE requires at least one argument'],
    ['EXPOSE --x',                'classic',  '2:1: EXPOSE requires at least one argument'],
    ['EXPOSE --proto=udp 80',     'buildkit', '2:1: unknown flag: proto'],
    ['EXPOSE --proto=udp 80',     'classic',  '2:1: Unknown flag: proto'],
    ['EXPOSE 1 \\\n  99999',      'buildkit', '3:3: invalid containerPort: 99999']
  ])('%j (%s)', (body, builder, expected) => {
    expect(where(failure(`FROM scratch\n${body}\n`, {builder}))).toBe(expected);
  });

  test('all words are expanded before any is parsed, in sorted order', () => {
    // `$` sorts before digits: the expansion error wins over the earlier bad port.
    expect(where(failure('FROM scratch\nEXPOSE 99999 ${P:?}\n'))).toBe('2:14: failed to process "${P:?}": P: is not allowed to be unset');
    expect(where(failure('FROM scratch\nEXPOSE abc 99999\n'))).toBe('2:12: invalid containerPort: 99999');
  });

  test('a value that expanded into the bad spec is named in the hint', () => {
    const e = failure('FROM scratch\nARG P=80/foo\nEXPOSE $P\n', {builder: 'classic'});
    expect(e.message).toBe('Invalid proto: foo — `$P` expanded to `80/foo`; EXPOSE takes `port`, `port/protocol` or a range such as `8000-8010/udp`; ports are 0–65535, protocols tcp, udp or sctp');
    expect(e.display).toMatch(/^app\/Dockerfile:3:8: Invalid proto: foo — /);
  });
});

describe('errors elsewhere', () => {
  // prettier-ignore
  test.each<[string, Partial<ResolveOptions>, string]>([
    ['FROM scratch\nARG P=${X:?need X}\n',           {},                     '2:5: failed to process "${X:?need": syntax error: missing \'}\''],
    ['FROM scratch\nARG P=${X:?}\n',                 {},                     '2:5: failed to process "${X:?}": X: is not allowed to be unset'],
    ['FROM scratch\nENV P=${X:?}\n',                 {builder: 'classic'},   '2:5: failed to process "${X:?}": X: is not allowed to be unset'],
    ['ARG G=${X:?}\nFROM scratch\n',                 {},                     '1:5: failed to process "${X:?}": X: is not allowed to be unset'],
    ['ARG B\nFROM ${B}\n',                           {},                     '2:6: base name (${B}) should not be blank'],
    ['FROM ${B:?pick-a-base}\n',                   {},                     '1:6: failed to process "${B:?pick-a-base}": B: pick-a-base'],
    ['FROM scratch\nARG\n',                          {},                     '2:1: ARG requires at least one argument'],
    ['FROM scratch\nARG =1\n',                       {},                     '2:5: ARG names can not be blank'],
    ['FROM scratch\nENV\n',                          {},                     '2:1: ENV requires at least one argument'],
    ['FROM scratch\nENV A\n',                        {},                     '2:1: ENV must have two arguments'],
    ['FROM scratch\nENV =1\n',                       {},                     '2:5: ENV names can not be blank'],
    ['FROM scratch\nENV A=1 B\n',                    {},                     '2:9: Syntax error - can\'t find = in "B". Must be of the form: name=value'],
    ['FROM scratch\nEXPOSES 80\n',                   {},                     '2:1: unknown instruction: EXPOSES'],
    ['FROM scratch AS 1st\n',                        {},                     '1:17: invalid name for build stage: "1st", name can\'t start with a number or contain symbols'],
    ['FROM scratch AS\n',                            {},                     '1:1: FROM requires either one or three arguments'],
    ['FROM scratch\nFROM --x=1 scratch\n',           {},                     '2:1: unknown flag: x'],
    ['FROM scratch\nONBUILD\n',                      {},                     '2:1: ONBUILD requires at least one argument'],
    ['FROM scratch\nONBUILD ONBUILD EXPOSE 1\n',     {},                     "2:9: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    ['FROM scratch\nONBUILD FROM scratch\n',         {},                     "2:9: FROM isn't allowed as an ONBUILD trigger"],
    ['FROM scratch AS a\nONBUILD EXPOSE 1/x\nFROM a\n', {},                  '2:16: invalid port: "1/x": invalid proto: x'],
    ['EXPOSE 80\nFROM scratch\n',                    {},                     '1:1: no build stage in current context'],
    ['ARG A=1\n',                                    {},                     '-:-: dockerfile contains no stages to build'],
    ['# nothing\n',                                  {},                     '-:-: file with no instructions'],
    ['# escape=x\nFROM scratch\n',                   {},                     '1:10: invalid escape token \'x\' does not match ` or \\'],
    ['FROM scratch AS a\n',                          {target: 'b'},          '-:-: target stage "b" could not be found'],
    ['FROM scratch AS a\n',                          {target: 'b', builder: 'classic'}, '-:-: failed to reach build target b in Dockerfile']
  ])('%j', (text, opts, expected) => {
    expect(where(failure(text, opts))).toBe(expected);
  });

  test("the parser's own errors (name=value syntax) come before instruction errors on earlier lines", () => {
    expect(where(failure('FROM scratch\nEXPOSE\nFOO\nLABEL a=b c\n'))).toBe('4:11: Syntax error - can\'t find = in "c". Must be of the form: name=value');
    expect(where(failure('FROM scratch\nEXPOSE\nONBUILD ENV A\n'))).toBe('3:9: ENV must have two arguments');
  });

  test('parse errors anywhere stop the build, even in stages that are not built', () => {
    for (const builder of ['buildkit', 'classic'] as const)
      expect(where(failure('FROM scratch AS a\nEXPOSE\nFROM scratch AS b\nEXPOSE 1\n', {builder, target: 'b'}))).toBe('2:1: EXPOSE requires at least one argument');
  });

  test('BuildKit expands every FROM first; the classic builder only reaches those up to the target', () => {
    const text = 'FROM scratch AS a\nEXPOSE 1\nFROM ${B:?} AS b\n';
    expect(where(failure(text, {target: 'a'}))).toBe('3:6: failed to process "${B:?}": B: is not allowed to be unset');
    expect(resolveExpose(text, {file: 'Dockerfile', target: 'a', builder: 'classic'}).exposed).toHaveLength(1);
  });

  test('an unknown --target lists the stages', () => {
    expect(failure('FROM scratch AS a\nFROM scratch AS b\n', {target: 'c'}).message).toMatch(/ — the stages are: a, b$/);
    expect(failure('FROM scratch\n', {target: 'c'}).message).toMatch(/ — no stage is named; add `AS <name>` to a FROM line$/);
  });

  test('every error carries a hint after the Docker message', () => {
    for (const text of ['FROM scratch\nEXPOSE 99999\n', 'FROM scratch\nEXPOSE ${P:?}\n', 'FROM scratch\nEXPOSES 1\n', '# escape=x\nFROM scratch\n'])
      expect(failure(text).message).toMatch(/ — \S.{10,}/);
  });
});

describe('inputs that once crashed the resolver', () => {
  test('bare CR line endings are refused with the position, not a crash', () => {
    expect(() => resolveExpose('FROM scratch\nEXPOSE 80\rEXPOSE 81\r', {file: 'Dockerfile'})).toThrow(
      expect.objectContaining({name: 'InputError', line: 2, column: 10, message: expect.stringContaining('bare carriage return')})
    );
  });

  test('every port of both protocols resolves without exhausting the stack', () => {
    const {exposed} = resolveExpose('FROM scratch\nEXPOSE 1-65535/udp 1-65535/tcp\n', {file: 'Dockerfile'});
    expect(exposed).toHaveLength(131_070);
  });
});
