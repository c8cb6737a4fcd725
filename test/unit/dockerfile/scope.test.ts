import {describe, expect, test} from 'vitest';
import {resolveExpose, type ResolveOptions} from '../../../src/dockerfile/index.js';

const ports = (text: string, opts: Partial<ResolveOptions> = {}): string[] =>
  resolveExpose(text, {file: 'Dockerfile', ...opts})
    .exposed.map(p => `${p.port}/${p.protocol}`)
    .sort();

const both = (text: string, expected: string[], opts: Partial<ResolveOptions> = {}): void => {
  expect(ports(text, {...opts, builder: 'buildkit'})).toEqual(expected);
  expect(ports(text, {...opts, builder: 'classic'})).toEqual(expected);
};

describe('ARG', () => {
  // prettier-ignore
  test.each<[string, string, string[]]>([
    ['default',                        'ARG P=80\nEXPOSE $P',                             ['80/tcp']],
    ['declared without value is unset', 'ARG P\nEXPOSE ${P:-82} ${P:+83}',               ['82/tcp']],
    ['takes effect from its line',     'EXPOSE ${P:-1}\nARG P=2\nEXPOSE ${P:-3}',         ['1/tcp', '2/tcp']],
    ['a later default replaces',       'ARG P=1\nARG P=2\nEXPOSE $P',                     ['2/tcp']],
    ['default from an earlier ARG',    'ARG A=1\nARG B=${A}0\nEXPOSE $B',                 ['10/tcp']],
    ['value with spaces splits',       'ARG P="1 2/udp"\nEXPOSE $P',                      ['1/tcp', '2/udp']],
    ['single-quoted default is literal', "ARG P='$X'\nEXPOSE ${P:+5}",                    ['5/tcp']]
  ])('%s', (_name, body, expected) => {
    both(`FROM scratch\n${body}\n`, expected);
  });

  test('--build-arg sets a declared ARG, with or without a default, from its line on', () => {
    both('FROM scratch\nEXPOSE ${P:-1}\nARG P=2\nEXPOSE $P\n', ['1/tcp', '9/tcp'], {buildArgs: {P: '9'}});
    both('FROM scratch\nARG P\nEXPOSE $P\n', ['9/tcp'], {buildArgs: {P: '9'}});
  });

  test('--build-arg does nothing for an undeclared name', () => {
    both('FROM scratch\nEXPOSE ${P:-1}\n', ['1/tcp'], {buildArgs: {P: '9'}});
  });

  test('several ARGs on one line: BuildKit declares them one by one, the classic builder expands the line first', () => {
    const text = 'FROM scratch\nARG A=1 B=${A:-2}\nEXPOSE $B\n';
    expect(ports(text, {builder: 'buildkit'})).toEqual(['1/tcp']);
    expect(ports(text, {builder: 'classic'})).toEqual(['2/tcp']);
  });

  test('the classic builder expands ARG names, BuildKit does not', () => {
    const text = 'FROM scratch\nARG K=P\nARG ${K}=7\nEXPOSE ${P:-1}\n';
    expect(ports(text, {builder: 'classic'})).toEqual(['7/tcp']);
    expect(ports(text, {builder: 'buildkit'})).toEqual(['1/tcp']);
  });

  test('proxy build args pass without an ARG line in the classic builder only', () => {
    const text = 'FROM scratch\nEXPOSE ${HTTP_PROXY:-1} ${ALL_PROXY:-2}\n';
    const buildArgs = {HTTP_PROXY: '8', ALL_PROXY: '9'};
    expect(ports(text, {builder: 'classic', buildArgs})).toEqual(['2/tcp', '8/tcp']);
    expect(ports(text, {builder: 'buildkit', buildArgs})).toEqual(['1/tcp', '2/tcp']);
  });
});

describe('global ARG (before the first FROM)', () => {
  test('is used in FROM but not in the stage unless redeclared without a value', () => {
    both('ARG G=5\nFROM scratch\nEXPOSE ${G:-1}\n', ['1/tcp']);
    both('ARG G=5\nFROM scratch\nEXPOSE ${G:-1}\n', ['1/tcp'], {buildArgs: {G: '9'}});
    both('ARG G=5\nFROM scratch\nARG G\nEXPOSE $G\n', ['5/tcp']);
    both('ARG G=5\nFROM scratch\nARG G\nEXPOSE $G\n', ['9/tcp'], {buildArgs: {G: '9'}});
    both('ARG G=5\nFROM scratch\nARG G=6\nEXPOSE $G\n', ['6/tcp']);
  });

  test('a global default may use an earlier global', () => {
    both('ARG A=1\nARG B=${A}2\nFROM scratch\nARG B\nEXPOSE $B\n', ['12/tcp']);
    both('ARG A=1\nARG B=${A}2\nFROM scratch\nARG B\nEXPOSE $B\n', ['72/tcp'], {buildArgs: {A: '7'}});
  });

  test('a global declared without a value stays unset', () => {
    both('ARG G\nFROM scratch\nARG G\nEXPOSE ${G:-3}\n', ['3/tcp']);
    expect(ports('ARG G\nFROM scratch\nARG G\nEXPOSE ${G-4}\n')).toEqual(['4/tcp']);
  });
});

describe('ENV', () => {
  // prettier-ignore
  test.each<[string, string, string[]]>([
    ['key=value',                 'ENV P=80\nEXPOSE $P',                           ['80/tcp']],
    ['legacy form keeps the rest', 'ENV P 80 81/udp\nEXPOSE $P',                   ['80/tcp', '81/udp']],
    ['expanded at ENV time',      'ARG A=1\nENV B=${A}0\nARG A=2\nEXPOSE $B',      ['10/tcp']],
    ['recursive through ENV',     'ENV A=1\nENV B=$A\nENV C="${B}2 3"\nEXPOSE $C', ['12/tcp', '3/tcp']],
    ['one line expands first',    'ENV A=1\nENV A=2 B=$A\nEXPOSE $A $B',           ['1/tcp', '2/tcp']],
    ['names are expanded',        'ARG K=P\nENV ${K}=4\nEXPOSE $P',                ['4/tcp']],
    ['escaped dollar stays',      'ENV L=\\$X\nEXPOSE ${L:+5}',                    ['5/tcp']],
    ['no second expansion',       'ENV A=\\$B B=6\nENV C=$A\nEXPOSE ${C:+7}',      ['7/tcp']]
  ])('%s', (_name, body, expected) => {
    both(`FROM scratch\n${body}\n`, expected);
  });

  test('ENV then ARG of the same name: classic keeps the ENV, BuildKit takes the later ARG', () => {
    const text = 'FROM scratch\nENV P=1\nARG P=2\nEXPOSE $P\n';
    expect(ports(text, {builder: 'classic'})).toEqual(['1/tcp']);
    expect(ports(text, {builder: 'buildkit'})).toEqual(['2/tcp']);
  });

  test('ARG then ENV of the same name: both take the ENV', () => {
    both('FROM scratch\nARG P=2\nENV P=1\nEXPOSE $P\n', ['1/tcp']);
  });

  test('PATH is set even in scratch', () => {
    both('FROM scratch\nEXPOSE ${PATH:+1}\n', ['1/tcp']);
  });
});

describe('base image Config.Env', () => {
  const baseImages = {'acme/base:1': {env: ['PORT=70', 'EMPTY=', 'BARE'], exposedPorts: ['9000/tcp']}};

  test('seeds expansion', () => {
    both('FROM acme/base:1\nEXPOSE $PORT ${EMPTY:-71} ${BARE:+72} ${BARE:-73}\n', ['70/tcp', '71/tcp', '73/tcp'], {baseImages});
  });

  test('beats a same-name ARG in the classic builder only', () => {
    const text = 'FROM acme/base:1\nARG PORT=80\nEXPOSE $PORT\n';
    expect(ports(text, {builder: 'classic', baseImages})).toEqual(['70/tcp']);
    expect(ports(text, {builder: 'buildkit', baseImages})).toEqual(['80/tcp']);
  });

  test('an image not described counts as empty', () => {
    both('FROM other\nEXPOSE ${PORT:-1}\n', ['1/tcp'], {baseImages});
  });
});
