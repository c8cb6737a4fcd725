import {describe, expect, test} from 'vitest';
import {closeMatches, closeMatchesHint, editDistance} from '../../../src/engine/similar-images.js';

const ENGINE = [
  'app:ci',
  'app:latest',
  'app:1.4.2',
  'apps:ci',
  'registry.example.com/shop/app:ci',
  'shop/api:ci',
  'worker:ci',
  'busybox:1.37',
  'portgate-probe:test',
  '<none>:<none>'
];

describe('close matches for an image the engine lacks', () => {
  test.each([
    // A wrong tag: every other tag of the repository, the closest tag first.
    ['app:cii', {sameRepository: ['app:ci', 'app:1.4.2', 'app:latest'], similarNames: ['apps:ci', 'registry.example.com/shop/app:ci']}],
    // No tag means latest; Docker Hub's docker.io/library/ prefix is the same repository.
    ['docker.io/library/app:v2', {sameRepository: ['app:ci', 'app:1.4.2', 'app:latest'], similarNames: ['apps:ci', 'registry.example.com/shop/app:ci']}],
    // A typo in the name (one edit for a short name: apps is two away), the same tag first; then names one edit away under a namespace.
    ['ap:ci', {sameRepository: [], similarNames: ['app:ci', 'app:1.4.2', 'app:latest', 'registry.example.com/shop/app:ci', 'shop/api:ci']}],
    // The name under another registry or namespace.
    ['ghcr.io/acme/worker:ci', {sameRepository: [], similarNames: ['worker:ci']}],
    // A digest: the repository's tags.
    ['worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', {sameRepository: ['worker:ci'], similarNames: []}],
    // Nothing close: no suggestion rather than a random one.
    ['postgres:16', {sameRepository: [], similarNames: []}],
    ['portgate-cli-missing:nope', {sameRepository: [], similarNames: []}]
  ])('%s', (wanted, expected) => {
    expect(closeMatches(wanted, ENGINE)).toEqual(expected);
  });

  test('at most five in all, the same repository first', () => {
    const many = Array.from({length: 9}, (_, i) => `app:v${i}`);
    const m = closeMatches('app:v', [...many, 'apps:v']);
    expect(m.sameRepository).toHaveLength(5);
    expect(m.similarNames).toEqual([]);
  });

  test('the hint says which are other tags and which similar names, or is absent', () => {
    expect(closeMatchesHint('app:cii', ['app:ci', 'apps:ci'])).toBe('did you mean an image the engine has? app:ci (other tags of app); apps:ci (similar names)');
    expect(closeMatchesHint('ap:ci', ['app:ci'])).toBe('did you mean an image the engine has? app:ci (similar names)');
    expect(closeMatchesHint('postgres:16', ENGINE)).toBeUndefined();
  });

  test.each([
    ['', '', 0],
    ['app', 'apps', 1],
    ['kitten', 'sitting', 3],
    ['ci', 'cii', 1]
  ])('edit distance %s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  test('edit distance stops early past its cap', () => {
    expect(editDistance('portgate-cli-missing', 'portgate-cli-slow', 3)).toBe(4);
  });
});
