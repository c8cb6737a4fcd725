import {describe, expect, it} from 'vitest';
import type {Finding, GateResult} from '../../../src/model.js';
import {
  anchorOf,
  describeCounts,
  describeLocation,
  failsGate,
  fingerprints,
  groupFinding,
  imageRepository,
  imageWideNote,
  relPath,
  sanitize,
  sortFindings
} from '../../../src/report/common.js';
import {loadResult} from './fixtures.js';

const f = (rule: string, extra: Partial<Finding> = {}): Finding => ({rule, severity: 'error', message: rule, ...extra});

describe('sortFindings: the one order of every writer and the annotations', () => {
  it('risky ports first (the risk rule, then the port’s other findings, whatever their severity), then severity, importance, file, line, port', () => {
    const sorted = sortFindings([
      f('note', {severity: 'note', location: {file: 'a', line: 1}}),
      f('exposed-not-declared', {location: {image: 'x'}, port: 1, protocol: 'tcp'}),
      f('no-location'),
      f('declared-not-listening', {location: {file: 'b', line: 3}}),
      f('public-not-exposed', {location: {file: 'a', line: 9}, port: 2, protocol: 'tcp'}),
      f('bound-to-loopback', {location: {file: 'a', line: 9}, port: 1, protocol: 'tcp'}),
      f('warning', {severity: 'warning', location: {file: 'a', line: 1}}),
      f('undeclared-listener', {severity: 'warning', location: {file: 'p', line: 2}, port: 5005, protocol: 'tcp'}),
      f('risky-port', {location: {file: 'd', line: 20}, port: 5005, protocol: 'tcp'}),
      f('undeclared-listener', {location: {file: 'p', line: 2}, port: 8080, protocol: 'tcp'})
    ]);
    expect(sorted.map(x => `${x.rule}${x.port ? `:${x.port}` : ''}`)).toEqual([
      'risky-port:5005',
      'undeclared-listener:5005',
      'undeclared-listener:8080',
      'exposed-not-declared:1',
      'bound-to-loopback:1',
      'public-not-exposed:2',
      'declared-not-listening',
      'no-location',
      'warning',
      'note'
    ]);
    const group = groupFinding(sorted);
    expect(sorted.map(group)).toEqual(['risky', 'risky', 'error', 'error', 'error', 'error', 'error', 'error', 'warning', 'note']);
  });

  it('gives one order whatever the input order (every permutation of a fixture)', () => {
    const findings = loadResult('failing-service').findings;
    const expected = sortFindings(findings);
    for (let i = 0; i < findings.length; i++) {
      const rotated = [...findings.slice(i), ...findings.slice(0, i)].reverse();
      expect(sortFindings(rotated)).toEqual(expected);
    }
  });
});

describe('failsGate', () => {
  // prettier-ignore
  it.each([
    ['error', 'error', true], ['warning', 'error', false], ['note', 'error', false],
    ['error', 'warning', true], ['warning', 'warning', true], ['note', 'warning', false],
    ['note', 'note', true], ['error', 'never', false]
  ] as const)('%s with failOn %s → %s', (severity, failOn, fails) => {
    expect(failsGate(severity, failOn)).toBe(fails);
  });
});

describe('relPath', () => {
  // prettier-ignore
  it.each([
    ['/repo/svc/Dockerfile', '/repo', 'svc/Dockerfile'],
    ['/repo/Dockerfile', '/repo/', 'Dockerfile'],
    ['svc/portgate.yml', '/repo', 'svc/portgate.yml'],
    ['svc\\win\\Dockerfile', '/repo', 'svc/win/Dockerfile'],
    ['/elsewhere/Dockerfile', '/repo', '/elsewhere/Dockerfile'],
    ['/repo2/Dockerfile', '/repo', '/repo2/Dockerfile'],
    ['/repo/Dockerfile', undefined, '/repo/Dockerfile']
  ])('%s against %s → %s', (file, cwd, expected) => {
    expect(relPath(file, cwd)).toBe(expected);
  });
});

describe('anchorOf', () => {
  const base = loadResult('failing-service');
  const onImage = f('risky-port', {location: {image: base.image}});

  it('keeps a finding’s own line and columns', () => {
    const a = anchorOf(f('x', {location: {file: '/r/Dockerfile', line: 4, column: 8, endLine: 4, endColumn: 12}}), base, '/r');
    expect(a).toEqual({path: 'Dockerfile', line: 4, column: 8, endLine: 4, endColumn: 12, imageOnly: false});
  });

  it('never invents a line 1: a finding without a file line is placed on the image repository, and every writer says why in the same words', () => {
    const noDockerfile: GateResult = {...base, dockerfile: undefined};
    expect(anchorOf(onImage, noDockerfile)).toEqual({path: 'registry.example.com:5000/shop/orders', line: 1, imageOnly: true});
    expect(anchorOf(onImage, base)).toMatchObject({imageOnly: true});
    expect(describeLocation(onImage.location, noDockerfile)).toBe('(image: no Dockerfile given)');
    expect(imageWideNote(noDockerfile)).toBe(` (About image ${base.image}; no Dockerfile was given, so no file line applies.)`);
    expect(describeLocation(onImage.location, base)).toBe('(image as a whole)');
    expect(describeLocation({file: '/r/Dockerfile', line: 7}, base, '/r')).toBe('Dockerfile:7');
  });
});

describe('imageRepository', () => {
  // prettier-ignore
  it.each([
    ['nginx', 'nginx'],
    ['nginx:1.27', 'nginx'],
    ['localhost:5000/edge/proxy', 'localhost:5000/edge/proxy'],
    ['localhost:5000/edge/proxy:pr-481', 'localhost:5000/edge/proxy'],
    ['ghcr.io/acme/app:1.2@sha256:0123abcd', 'ghcr.io/acme/app'],
    ['ghcr.io/acme/app@sha256:0123abcd', 'ghcr.io/acme/app']
  ])('%s → %s', (image, repo) => {
    expect(imageRepository(image)).toBe(repo);
  });
});

describe('fingerprints', () => {
  it('is sha256 hex, equal for equal parts, and numbers repeats so none collide', () => {
    const [a, b, c, d] = fingerprints([['r', 'Dockerfile', '80/tcp'], ['r', 'Dockerfile', '81/tcp'], ['r', 'Dockerfile', '80/tcp'], ['r', 'Dockerfile', '80/tcp']]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([a, b, c, d]).size).toBe(4);
    expect(fingerprints([['r', 'Dockerfile', '80/tcp']])[0]).toBe(a);
  });

  it('separates parts, so shifting text between them changes the hash', () => {
    const [a, b] = fingerprints([['ab', 'c'], ['a', 'bc']]);
    expect(a).not.toBe(b);
  });
});

describe('sanitize', () => {
  it('strips terminal escapes and replaces other control characters', () => {
    expect(sanitize('\u001b[31mred\u001b[0m \u001b]0;title\u0007ok')).toBe('red ok');
    expect(sanitize('a\u0000b\u0008c\u007fd')).toBe('a\ufffdb\ufffdc\ufffdd');
    expect(sanitize('tab\tnew\r\nline\rend')).toBe('tab\tnew\nline\nend');
    expect(sanitize('lone \ud800 surrogate, pair 😀')).toBe('lone \ufffd surrogate, pair 😀');
  });
});

it('describeCounts pluralises', () => {
  expect(describeCounts({error: 1, warning: 0, note: 2})).toBe('1 error, 0 warnings, 2 notes');
});
