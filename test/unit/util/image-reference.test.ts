import {describe, expect, test} from 'vitest';
import {describeBadImageReference, imageReferenceError} from '../../../src/util/image-reference.js';

const F64 = 'f'.repeat(64);
const INVALID = 'invalid reference format';
const UPPER = 'must be lowercase';

/**
 * distribution/reference's own cases (reference_test.go TestReferenceParse,
 * normalize_test.go TestValidateReferenceName and TestValidateRemoteName),
 * checked the way the Docker CLI applies them (ParseAnyReference).
 * `undefined` = valid; otherwise a fragment of the expected error.
 */
const referenceParse: [string, string | undefined][] = [
  ['test_com', undefined],
  ['test.com:tag', undefined],
  ['test.com:5000', undefined],
  ['test.com/repo:tag', undefined],
  ['test:5000/repo', undefined],
  ['test:5000/repo:tag', undefined],
  [`test:5000/repo@sha256:${F64}`, undefined],
  [`test:5000/repo:tag@sha256:${F64}`, undefined],
  ['', 'must have at least one component'],
  [':justtag', INVALID],
  [`@sha256:${F64}`, INVALID],
  [`repo@sha256:${'f'.repeat(34)}`, 'invalid checksum digest length'],
  [`validname@invaliddigest:${F64}`, 'unsupported digest algorithm'],
  // The reference's test leaves sha512 unregistered on purpose; go-digest defines it and Docker accepts it.
  [`validname@sha512:${'f'.repeat(128)}`, undefined],
  ['Uppercase:tag', UPPER],
  ['test:5000/Uppercase/lowercase:tag', UPPER],
  ['lowercase:Uppercase', undefined],
  [`domain/${'a'.repeat(256)}:tag`, 'must not be more than 255 characters'],
  [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, undefined],
  ['aa/asdf$$^/aa', INVALID],
  ['sub-dom1.foo.com/bar/baz/quux', undefined],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', undefined],
  ['b.gcr.io/test.example.com/my-app:test.example.com', undefined],
  ['xn--n3h.com/myimage:xn--n3h.com', undefined],
  [`xn--7o8h.com/myimage:xn--7o8h.com@sha256:${F64}`, undefined],
  ['foo_bar.com:8080', undefined],
  ['foo/foo_bar.com:8080', undefined],
  ['192.168.1.1', undefined],
  ['192.168.1.1:tag', undefined],
  ['192.168.1.1:5000', undefined],
  ['192.168.1.1/repo', undefined],
  ['192.168.1.1:5000/repo', undefined],
  ['192.168.1.1:5000/repo:5050', undefined],
  ['[2001:db8::1]', INVALID],
  ['[2001:db8::1]:5000', INVALID],
  ['[2001:db8::1]:tag', INVALID],
  ['[2001:db8::1]/repo', undefined],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', undefined],
  ['[2001:db8::1]:5000/repo', undefined],
  ['[2001:db8::1]:5000/repo:tag', undefined],
  [`[2001:db8::1]:5000/repo@sha256:${F64}`, undefined],
  [`[2001:db8::1]:5000/repo:tag@sha256:${F64}`, undefined],
  ['[2001:db8::]:5000/repo', undefined],
  ['[::1]:5000/repo', undefined],
  ['[fe80::1%eth0]:5000/repo', INVALID],
  ['[fe80::1%@invalidzone]:5000/repo', INVALID],
  [`example.com/${'a'.repeat(255)}:tag`, undefined]
];

const validNames = [
  'docker/docker', 'library/debian', 'debian', 'localhost/library/debian', 'localhost/debian', 'LOCALDOMAIN/library/debian', 'LOCALDOMAIN/debian',
  'docker.io/docker/docker', 'docker.io/library/debian', 'docker.io/debian', 'index.docker.io/docker/docker', 'index.docker.io/library/debian',
  'index.docker.io/debian', '127.0.0.1:5000/docker/docker', '127.0.0.1:5000/library/debian', '127.0.0.1:5000/debian', '192.168.0.1', '192.168.0.1:80',
  '192.168.0.1:8/debian', '192.168.0.2:25000/debian', 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', '[fc00::1]:5000/docker',
  '[fc00::1]:5000/docker/docker', '[fc00:1:2:3:4:5:6:7]:5000/library/debian', 'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'Docker/docker', 'DOCKER/docker', 'docker-rules/docker', 'docker---rules/docker', 'doc/docker', 'd/docker', 'jess/t', 'dock__er/docker'
];

// The 64-hex name is left out: ParseNormalizedNamed refuses it, but the CLI's ParseAnyReference takes it as an image ID (tested below).
const invalidNames = [
  'https://github.com/docker/docker', 'docker/Docker', '-docker', '-docker/docker', '-docker.io/docker/docker', 'docker///docker', 'docker.io/docker/Docker',
  'docker.io/docker///docker', '[fc00::1]', '[fc00::1]:5000', 'fc00::1:5000/debian', '[fe80::1%eth0]:5000/debian', '[2001:db8:3:4::192.0.2.33]:5000/debian'
];

describe('imageReferenceError: distribution/reference test cases', () => {
  test.each(referenceParse)('%j', (ref, expected) => {
    const error = imageReferenceError(ref);
    if (expected === undefined) expect(error).toBeUndefined();
    else expect(error).toContain(expected);
  });
  test.each(validNames)('valid name %j', name => expect(imageReferenceError(name)).toBeUndefined());
  test.each(invalidNames)('invalid name %j', name => expect(imageReferenceError(name)).toMatch(/invalid reference format|must be lowercase/));
});

describe('imageReferenceError: what reaches the engine in CI', () => {
  test.each([
    ['an image ID', '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a'],
    ['a sha256: image ID (docker build -q)', `sha256:${F64}`],
    ['a short image ID', '1a3f5e7d9c1b'],
    ['a tag and a digest', `registry.example.com:5000/shop/api:1.4.0@sha256:${F64}`],
    ['the default probe image', 'busybox:1.37']
  ])('accepts %s', (_what, ref) => expect(imageReferenceError(ref)).toBeUndefined());

  test.each([
    ['a space', 'my app:ci', INVALID],
    ['a trailing space in the tag', 'app:ci x', INVALID],
    ['`..` as a path part', 'registry.example.com/../app', INVALID],
    ['`.` as a path part', './app', INVALID],
    ['a leading slash', '/app:ci', INVALID],
    ['a trailing slash', 'team/app/', INVALID],
    ['a double slash', 'team//app', INVALID],
    ['a tag of 129 characters', `app:${'t'.repeat(129)}`, INVALID],
    ['a tag starting with `.`', 'app:.ci', INVALID],
    ['an uppercase digest', `app@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    ['uppercase on Docker Hub', 'team/App', UPPER]
  ])('refuses %s', (_what, ref, expected) => expect(imageReferenceError(ref)).toContain(expected));

  test('names the repository as Docker does for an uppercase familiar name', () => {
    expect(imageReferenceError('UPPER:case')).toBe('invalid reference format: repository name (library/UPPER) must be lowercase');
  });

  // Hostile lengths must not make the regular expressions backtrack for long: 1000 ms is the harness's limit, not a sleep.
  test('answers at once for 100 000-character references', {timeout: 1000}, () => {
    for (const ref of ['a'.repeat(100_000) + '!', 'a-'.repeat(50_000) + '!', 'a.'.repeat(50_000) + '/!', `${'a'.repeat(50_000)}:${'b'.repeat(50_000)}`, 'a/'.repeat(50_000)])
      expect(imageReferenceError(ref)).toBeDefined();
  });
});

describe('describeBadImageReference', () => {
  test('is undefined for a valid reference', () => expect(describeBadImageReference('app:ci', '--image')).toBeUndefined());

  test.each([
    ['my app:ci', 'it contains whitespace'],
    ['https://registry.example.com/app', 'it has a URL scheme: drop the `https://`'],
    ['/app', 'it starts or ends with `/`'],
    ['team//app', 'it has an empty path part, `//`'],
    ['team/../app', '`.` and `..` are not path parts']
  ])('%j: names the slip and the form to write', (ref, slip) => {
    const message = describeBadImageReference(ref, '--image')!;
    expect(message).toContain(`--image ${JSON.stringify(ref)} is not a valid image reference: invalid reference format (${slip})`);
    expect(message).toContain('[REGISTRY[:PORT]/]PATH[:TAG][@ALGORITHM:HEX]');
  });
});
