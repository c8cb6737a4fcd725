import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {requestDeadlines, tlsFiles} from '../../../src/engine/connection.js';

const certDir = (files: string[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-certs-'));
  for (const f of files) writeFileSync(join(dir, f), `${f} content`);
  return dir;
};

describe('TLS client files for a tcp DOCKER_HOST', () => {
  test('DOCKER_CERT_PATH with every file: docker-modem reads them itself', () => {
    const dir = certDir(['ca.pem', 'cert.pem', 'key.pem']);
    expect(tlsFiles({DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir})).toBeUndefined();
  });

  test('a missing file is an environment error naming each missing file, where the path came from, and the GitLab dind cause', () => {
    const dir = certDir(['ca.pem']);
    let error: unknown;
    try {
      tlsFiles({DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir});
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({name: 'EnvironmentError'});
    const message = (error as Error).message;
    expect(message).toContain(`${dir}/cert.pem (ENOENT), ${dir}/key.pem (ENOENT) (from DOCKER_CERT_PATH=${dir})`);
    expect(message).not.toContain(`${dir}/ca.pem`);
    expect(message).toContain('DOCKER_TLS_CERTDIR: "/certs"');
    expect(message).toContain('volumes = ["/certs/client"]');
  });

  test('an unreadable path (a folder where a file should be) is named with its error', () => {
    const dir = certDir(['ca.pem', 'cert.pem']);
    mkdirSync(join(dir, 'key.pem'));
    expect(() => tlsFiles({DOCKER_HOST: 'tcp://docker:2376', DOCKER_CERT_PATH: dir})).toThrow(`${dir}/key.pem (EISDIR)`);
  });

  test('DOCKER_TLS_VERIFY=1 without DOCKER_CERT_PATH: ~/.docker, as the docker CLI does, passed to the client', () => {
    const home = mkdtempSync(join(tmpdir(), 'portgate-home-'));
    expect(() => tlsFiles({DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1'}, home)).toThrow(`${home}/.docker/ca.pem (ENOENT)`);
    mkdirSync(join(home, '.docker'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(home, '.docker', f), f);
    expect(tlsFiles({DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1'}, home)).toEqual({ca: Buffer.from('ca.pem'), cert: Buffer.from('cert.pem'), key: Buffer.from('key.pem')});
  });

  test.each([
    ['no DOCKER_HOST (the local socket)', {DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent'}],
    ['a unix socket', {DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent'}],
    ['plain tcp without TLS settings', {DOCKER_HOST: 'tcp://docker:2375'}]
  ])('no files are needed for %s', (_name, env) => {
    expect(tlsFiles(env, '/nonexistent-home')).toBeUndefined();
  });
});

test('any other DOCKER_HOST with DOCKER_CERT_PATH (ssh too) needs the files: docker-modem reads them', () => {
  expect(() => tlsFiles({DOCKER_HOST: 'ssh://user@host', DOCKER_CERT_PATH: '/nonexistent'})).toThrow('/nonexistent/ca.pem (ENOENT)');
});

describe('engine request deadlines', () => {
  test.each([
    [1_000, 5_000, 10_000],
    [5_000, 5_000, 10_000],
    [20_000, 5_000, 15_000],
    [30_000, 7_500, 20_000],
    [600_000, 8_000, 20_000]
  ])('a run timeout of %i ms: %i ms for a request, %i ms for creating and starting the run', (timeout, defaultMs, startupMs) => {
    expect(requestDeadlines(timeout)).toEqual({defaultMs, startupMs});
  });
});
