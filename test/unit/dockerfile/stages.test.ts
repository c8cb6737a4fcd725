import {describe, expect, test} from 'vitest';
import {resolveExpose, type ResolveOptions} from '../../../src/dockerfile/index.js';
import type {Builder} from '../../../src/dockerfile/lex.js';
import {InputError} from '../../../src/errors.js';

const resolve = (text: string, opts: Partial<ResolveOptions> = {}) => resolveExpose(text, {file: 'Dockerfile', ...opts});
const ports = (text: string, opts: Partial<ResolveOptions> = {}): string[] =>
  resolve(text, opts)
    .exposed.map(p => `${p.port}/${p.protocol}`)
    .sort();
const BUILDERS: Builder[] = ['buildkit', 'classic'];

/** What the CLI prints for the InputError `run` throws (`file:line:col: message`). */
const toDisplay = (run: () => unknown): string => {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e.display;
    throw e;
  }
  throw new Error('expected an InputError, but it passed');
};

describe('which stage counts', () => {
  // prettier-ignore
  test.each<[string, string, string | undefined, string[], string]>([
    ['the last stage by default',   'FROM scratch AS a\nEXPOSE 1\nFROM scratch\nEXPOSE 2',                   undefined, ['2/tcp'],          '1'],
    ['--target',                    'FROM scratch AS a\nEXPOSE 1\nFROM scratch AS b\nEXPOSE 2',              'a',       ['1/tcp'],          'a'],
    ['--target in another case',    'FROM scratch AS Build\nEXPOSE 1\nFROM scratch\nEXPOSE 2',               'BUILD',   ['1/tcp'],          'build'],
    ['FROM <stage> inherits',       'FROM scratch AS a\nEXPOSE 1\nFROM a\nEXPOSE 2',                         undefined, ['1/tcp', '2/tcp'], '1'],
    ['two levels up',               'FROM scratch AS a\nEXPOSE 1\nFROM a AS b\nEXPOSE 2\nFROM b\nEXPOSE 3',  undefined, ['1/tcp', '2/tcp', '3/tcp'], '2'],
    ['a target mid-chain',          'FROM scratch AS a\nEXPOSE 1\nFROM a AS b\nEXPOSE 2\nFROM b\nEXPOSE 3',  'b',       ['1/tcp', '2/tcp'], 'b'],
    ['stage named through a global', 'ARG V=x\nFROM scratch AS x-base\nEXPOSE 1\nFROM scratch AS y-base\nEXPOSE 2\nFROM ${V}-base\nEXPOSE 3', undefined, ['1/tcp', '3/tcp'], '2']
  ])('%s', (_name, text, target, expected, label) => {
    for (const builder of BUILDERS) {
      const r = resolve(text, {target, builder});
      expect(r.exposed.map(p => `${p.port}/${p.protocol}`).sort()).toEqual(expected);
      expect(r.target).toBe(label);
      expect(r.baseImage).toBe('scratch');
    }
  });

  test('a --build-arg can switch the stage a FROM names', () => {
    const text = 'ARG V=x\nFROM scratch AS x-base\nEXPOSE 1\nFROM scratch AS y-base\nEXPOSE 2\nFROM ${V}-base\n';
    for (const builder of BUILDERS) expect(ports(text, {builder, buildArgs: {V: 'y'}})).toEqual(['2/tcp']);
  });

  test('FROM only names earlier stages; a later name is an image', () => {
    const first = resolve('FROM later AS first\nEXPOSE 1\nFROM scratch AS later\n', {target: 'first'});
    expect(first.baseImage).toBe('later');
    expect(first.externalImages).toEqual(['later']);
  });

  test('a repeated stage name: BuildKit builds it (a lint warning only); FROM names the latest such stage before it, --target the last', () => {
    const text = 'FROM scratch AS a\nEXPOSE 1\nFROM scratch AS A\nEXPOSE 2\nFROM a\nEXPOSE 3\n';
    expect(ports(text, {builder: 'buildkit'})).toEqual(['2/tcp', '3/tcp']);
    expect(ports(text, {builder: 'buildkit', target: 'a'})).toEqual(['2/tcp']);
    // A FROM between the two names the first: the second does not exist yet.
    expect(ports('FROM scratch AS a\nEXPOSE 1\nFROM a AS b\nEXPOSE 5\nFROM scratch AS a\nEXPOSE 2\nFROM b\n', {builder: 'buildkit'})).toEqual(['1/tcp', '5/tcp']);
  });

  test('a repeated stage name: the classic builder stops with the engine\'s words when it reaches it', () => {
    const text = 'FROM scratch AS a\nEXPOSE 1\nFROM scratch AS a\nEXPOSE 2\nFROM a\n';
    expect(toDisplay(() => ports(text, {builder: 'classic'}))).toBe('Dockerfile:3:1: a stage name already used — the stage at Dockerfile:1 is named "a" too; give each stage its own name');
    expect(ports(text, {builder: 'classic', target: 'a'})).toEqual(['1/tcp']);
  });

  test('BuildKit matches a FROM name as written (so `Base` is an image, and an invalid one), the classic builder in any case', () => {
    const text = 'FROM scratch AS base\nEXPOSE 1\nFROM Base\nEXPOSE 2\n';
    expect(resolve(text, {builder: 'classic'}).baseImage).toBe('scratch');
    expect(toDisplay(() => resolve(text, {builder: 'buildkit'}))).toMatch(
      /^Dockerfile:3:6: failed to parse stage name "Base": invalid reference format: repository name \(library\/Base\) must be lowercase — /
    );
  });

  test.each([
    ['a double slash', 'team//base'],
    ['a space from a variable', '${BASE}'],
    ['a leading slash', '/base']
  ])('a base image that is not a reference (%s) is refused at its FROM line, as BuildKit refuses it', (_what, from) => {
    const text = `ARG BASE="my base"\nFROM ${from}\nEXPOSE 80\n`;
    for (const builder of BUILDERS) expect(toDisplay(() => resolve(text, {builder}))).toMatch(/^Dockerfile:2:6: failed to parse stage name ".*": invalid reference format — FROM takes/);
  });

  test('BuildKit parses every base name, even of a stage the target does not need; the classic builder only those it reaches', () => {
    const text = 'FROM scratch AS app\nEXPOSE 1\nFROM team//unused\n';
    expect(toDisplay(() => resolve(text, {builder: 'buildkit', target: 'app'}))).toMatch(/^Dockerfile:3:6: failed to parse stage name "team\/\/unused"/);
    expect(ports(text, {builder: 'classic', target: 'app'})).toEqual(['1/tcp']);
  });
});

describe('what a build evaluates (errors elsewhere do not matter)', () => {
  const broken = 'FROM scratch AS broken\nEXPOSE 99999\n';

  test('stages after the target: neither builder', () => {
    for (const builder of BUILDERS) expect(ports(`FROM scratch AS app\nEXPOSE 1\n${broken}`, {builder, target: 'app'})).toEqual(['1/tcp']);
  });

  test('an unrelated earlier stage: the classic builder builds it, BuildKit skips it', () => {
    const text = `${broken}FROM scratch AS app\nEXPOSE 1\n`;
    expect(ports(text, {builder: 'buildkit'})).toEqual(['1/tcp']);
    expect(() => ports(text, {builder: 'classic'})).toThrow('Invalid containerPort: 99999');
  });

  test.each([
    ['COPY --from=broken /a /a'],
    ['COPY --from=0 /a /a'],
    ['RUN --mount=type=bind,from=broken,target=/x true']
  ])('BuildKit builds a stage the target reads: %s', line => {
    expect(() => ports(`${broken}FROM scratch\n${line}\nEXPOSE 1\n`, {builder: 'buildkit'})).toThrow('invalid containerPort: 99999');
  });
});

describe('ARG and ENV across FROM <stage>', () => {
  test('ENV is inherited by both builders, ARG only by BuildKit', () => {
    const text = 'FROM scratch AS a\nARG P=1\nENV E=2\nFROM a\nEXPOSE ${P:-3} $E\n';
    expect(ports(text, {builder: 'buildkit'})).toEqual(['1/tcp', '2/tcp']);
    expect(ports(text, {builder: 'classic'})).toEqual(['2/tcp', '3/tcp']);
  });

  test('BuildKit lays the parent image ENV over its ARG state', () => {
    const text = 'FROM scratch AS a\nENV P=1\nARG P=2\nFROM a\nEXPOSE $P\n';
    expect(ports(text, {builder: 'buildkit'})).toEqual(['1/tcp']);
    expect(ports('FROM scratch AS a\nENV P=1\nARG P=2\nEXPOSE $P\n', {builder: 'buildkit'})).toEqual(['2/tcp']);
  });

  test('an unrelated stage shares nothing', () => {
    for (const builder of BUILDERS) expect(ports('FROM scratch AS a\nENV P=1\nFROM scratch\nEXPOSE ${P:-2}\n', {builder})).toEqual(['2/tcp']);
  });
});

describe('base images', () => {
  const baseImages = {
    'acme/run:1': {env: ['PORT=8080'], exposedPorts: ['8080/tcp']},
    'acme/build:1': {env: [], exposedPorts: []}
  };
  const text = 'ARG TAG=1\nFROM acme/build:${TAG} AS build\nFROM acme/run:${TAG} AS run\nFROM run\nEXPOSE $PORT 9090\n';

  test('baseImage is where the target chain starts; externalImages lists what the build reads', () => {
    const classic = resolve(text, {builder: 'classic', baseImages});
    expect(classic.baseImage).toBe('acme/run:1');
    expect(classic.externalImages).toEqual(['acme/run:1', 'acme/build:1']);
    expect(classic.exposed.map(p => p.port)).toEqual([8080, 9090]);
    expect(resolve(text, {builder: 'buildkit', baseImages}).externalImages).toEqual(['acme/run:1']);
  });

  test('base-image ports are not reported as the Dockerfile’s own', () => {
    expect(resolve('FROM acme/run:1\nEXPOSE 9090\n', {baseImages}).exposed.map(p => p.port)).toEqual([9090]);
  });
});

describe('ONBUILD triggers of a stage', () => {
  const text = 'FROM scratch AS a\nONBUILD ARG P=2\nONBUILD EXPOSE $P 3\nEXPOSE 1\nFROM a AS b\nEXPOSE ${P:-4}\nFROM b\nEXPOSE 5\n';

  test.each(BUILDERS)('run first in a stage built FROM it, and not again further down (%s)', builder => {
    expect(ports(text, {builder, target: 'a'})).toEqual(['1/tcp']);
    expect(ports(text, {builder, target: 'b'})).toEqual(['1/tcp', '2/tcp', '3/tcp']);
    expect(ports(text, {builder})).toEqual(['1/tcp', '2/tcp', '3/tcp', '5/tcp']);
  });

  test('are located at the trigger', () => {
    const r = resolve('FROM scratch AS a\nONBUILD EXPOSE 80\nFROM a\n');
    expect(r.exposed[0]!.location).toMatchObject({line: 2, column: 16});
  });

  test('are parsed only when they run', () => {
    expect(ports('FROM scratch AS a\nONBUILD EXPOSE\nFROM scratch\nEXPOSE 1\n')).toEqual(['1/tcp']);
    expect(() => ports('FROM scratch AS a\nONBUILD EXPOSE\nFROM a\n')).toThrow('EXPOSE requires at least one argument');
  });
});
