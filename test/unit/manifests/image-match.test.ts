import {describe, expect, it} from 'vitest';
import {matchImage, parseImageRef} from '../../../src/manifests/index.js';

describe('parseImageRef', () => {
  // prettier-ignore
  it.each([
    ['nginx', {name: 'docker.io/library/nginx'}],
    ['nginx:1.27', {name: 'docker.io/library/nginx', tag: '1.27'}],
    ['docker.io/library/nginx:1.27', {name: 'docker.io/library/nginx', tag: '1.27'}],
    ['index.docker.io/library/nginx', {name: 'docker.io/library/nginx'}],
    ['bitnami/redis:7.2', {name: 'docker.io/bitnami/redis', tag: '7.2'}],
    ['localhost:5000/api', {name: 'localhost:5000/api'}],
    ['localhost/api:dev', {name: 'localhost/api', tag: 'dev'}],
    ['registry.example.com/team/api:1.2@sha256:abc', {name: 'registry.example.com/team/api', tag: '1.2', digest: 'sha256:abc'}],
    ['api@sha256:abc', {name: 'docker.io/library/api', digest: 'sha256:abc'}],
    ['GHCR.io/Acme/Orders:4.1.0', {name: 'ghcr.io/acme/orders', tag: '4.1.0'}]
  ])('%s', (ref, want) => expect(parseImageRef(ref)).toEqual(want));
});

describe('matchImage', () => {
  // prettier-ignore
  it.each([
    ['registry.example.com/team/api:1.2', 'registry.example.com/team/api:1.2', 2],
    ['nginx:1.27', 'docker.io/library/nginx:1.27', 2],
    ['api:1.2', 'api', 2],                      // no tag in the manifest matches any
    ['api', 'api:1.2', 2],
    ['api:1.2', 'api@sha256:abc', 2],           // tag and digest cannot be compared
    ['api@sha256:abc', 'api:9@sha256:abc', 2],  // the digest decides
    ['api@sha256:abc', 'api@sha256:def', 1],
    ['api:1.2', 'api:1.3', 1],                  // same repository, other version
    ['api:1.2', 'team/api:1.2', 0],
    ['registry.example.com/api:1', 'registry.example.org/api:1', 0]
  ])('%s vs %s → %i', (a, b, want) => expect(matchImage(parseImageRef(a), parseImageRef(b))).toBe(want));
});
