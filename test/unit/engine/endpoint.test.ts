import {describe, expect, test} from 'vitest';
import {checkEngineKind, findEndpoint} from '../../../src/engine/endpoint.js';
import type {EngineInfo} from '../../../src/model.js';

const existing =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

describe('which engine: --engine and the sockets that exist', () => {
  const XDG = {XDG_RUNTIME_DIR: '/run/user/1000'};

  test('auto: Docker\'s socket when it exists', () => {
    expect(findEndpoint('auto', XDG, existing('/var/run/docker.sock', '/run/podman/podman.sock'))).toEqual({
      address: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
      fromEnv: false,
      chosenBy: 'the default socket'
    });
  });

  test('auto: without Docker\'s socket, rootful Podman\'s, then this user\'s rootless one, saying why', () => {
    expect(findEndpoint('auto', XDG, existing('/run/podman/podman.sock', '/run/user/1000/podman/podman.sock'))).toMatchObject({
      address: 'unix:///run/podman/podman.sock',
      chosenBy: '/var/run/docker.sock is missing'
    });
    expect(findEndpoint('auto', {XDG_RUNTIME_DIR: '/run/user/1000/'}, existing('/run/user/1000/podman/podman.sock'))).toMatchObject({
      address: 'unix:///run/user/1000/podman/podman.sock',
      socketPath: '/run/user/1000/podman/podman.sock',
      chosenBy: '/var/run/docker.sock and /run/podman/podman.sock are missing'
    });
  });

  test('auto with nothing there: Docker\'s usual socket, and the reason names every place looked at', () => {
    expect(findEndpoint('auto', XDG, existing())).toEqual({
      address: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
      fromEnv: false,
      chosenBy: 'none of /var/run/docker.sock, /run/podman/podman.sock, /run/user/1000/podman/podman.sock exists'
    });
    // Without XDG_RUNTIME_DIR there is no rootless place to look at.
    expect(findEndpoint('auto', {}, existing()).chosenBy).toBe('none of /var/run/docker.sock, /run/podman/podman.sock exists');
  });

  test('--engine podman skips Docker\'s socket; --engine docker looks only there', () => {
    expect(findEndpoint('podman', XDG, existing('/var/run/docker.sock', '/run/podman/podman.sock'))).toMatchObject({address: 'unix:///run/podman/podman.sock', chosenBy: '--engine podman'});
    expect(findEndpoint('podman', XDG, existing('/var/run/docker.sock', '/run/user/1000/podman/podman.sock'))).toMatchObject({
      address: 'unix:///run/user/1000/podman/podman.sock',
      chosenBy: '/run/podman/podman.sock is missing'
    });
    expect(findEndpoint('docker', XDG, existing('/run/podman/podman.sock'))).toMatchObject({address: 'unix:///var/run/docker.sock', chosenBy: 'none of /var/run/docker.sock exists'});
  });

  test('an explicit DOCKER_HOST always wins, whatever exists and whatever --engine says', () => {
    for (const choice of ['auto', 'docker', 'podman'] as const) {
      expect(findEndpoint(choice, {DOCKER_HOST: 'tcp://docker:2376'}, existing('/var/run/docker.sock', '/run/podman/podman.sock'))).toEqual({address: 'tcp://docker:2376', fromEnv: true, chosenBy: 'DOCKER_HOST'});
    }
    expect(findEndpoint('auto', {DOCKER_HOST: 'unix:///srv/podman.sock'}, existing())).toEqual({address: 'unix:///srv/podman.sock', socketPath: '/srv/podman.sock', fromEnv: true, chosenBy: 'DOCKER_HOST'});
    // Set but empty (an unset CI variable) counts as unset, as for the Docker CLI.
    expect(findEndpoint('auto', {DOCKER_HOST: ' '}, existing('/run/podman/podman.sock')).address).toBe('unix:///run/podman/podman.sock');
  });
});

describe('--engine docker|podman insists on that kind', () => {
  const info = (name: string, chosenBy = 'the default socket'): EngineInfo => ({name, version: '4.3.1', apiVersion: '1.41', address: 'unix:///run/podman/podman.sock', chosenBy});

  test('auto takes whatever answers; a matching kind passes', () => {
    expect(() => checkEngineKind('auto', info('something else'))).not.toThrow();
    expect(() => checkEngineKind('podman', info('Podman'))).not.toThrow();
    expect(() => checkEngineKind('docker', info('Docker'))).not.toThrow();
  });

  test('another kind is an environment error that says what answered, where, and that DOCKER_HOST won', () => {
    expect(() => checkEngineKind('docker', info('Podman', 'DOCKER_HOST'))).toThrow(
      '--engine docker: the engine at DOCKER_HOST (unix:///run/podman/podman.sock), which always wins over --engine, is Podman 4.3.1, not Docker. Unset DOCKER_HOST or point it at the Docker socket, or pass --engine auto.'
    );
    let e: unknown;
    try {
      checkEngineKind('podman', info('Docker'));
    } catch (err) {
      e = err;
    }
    expect(e).toMatchObject({name: 'EnvironmentError', message: expect.stringContaining('the engine at unix:///run/podman/podman.sock is Docker 4.3.1, not Podman')});
  });
});
