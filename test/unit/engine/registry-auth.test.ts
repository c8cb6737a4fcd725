import {describe, expect, test} from 'vitest';
import {authFor, registryOf} from '../../../src/engine/registry-auth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const config = JSON.stringify({
  auths: {
    'registry.gitlab.com': {auth: b64('gitlab-ci-token:s3cr:et')},
    'https://index.docker.io/v1/': {auth: b64('hubuser:hubpass')},
    'localhost:5000': {username: 'u', password: 'p'}
  }
});

describe('registry credentials for pulls', () => {
  // prettier-ignore
  test.each([
    ['nginx', 'https://index.docker.io/v1/'],
    ['library/nginx:1.27', 'https://index.docker.io/v1/'],
    ['team/app@sha256:abc', 'https://index.docker.io/v1/'],
    ['registry.gitlab.com/group/app:1', 'registry.gitlab.com'],
    ['localhost:5000/app', 'localhost:5000'],
    ['localhost/app', 'localhost']
  ])('%s is pulled from %s', (ref, host) => {
    expect(registryOf(ref)).toBe(host);
  });

  test('finds base64 auth, keeps colons in passwords, and handles Docker Hub aliases', () => {
    expect(authFor('registry.gitlab.com/group/app:1', config)).toEqual({username: 'gitlab-ci-token', password: 's3cr:et', serveraddress: 'registry.gitlab.com'});
    expect(authFor('nginx', config)).toEqual({username: 'hubuser', password: 'hubpass', serveraddress: 'https://index.docker.io/v1/'});
    expect(authFor('localhost:5000/app', config)).toEqual({username: 'u', password: 'p', serveraddress: 'localhost:5000'});
  });

  test('no credentials: anonymous pull', () => {
    expect(authFor('quay.io/x/y', config)).toBeUndefined();
    expect(authFor('nginx', undefined)).toBeUndefined();
    expect(authFor('nginx', 'not json')).toBeUndefined();
  });
});
