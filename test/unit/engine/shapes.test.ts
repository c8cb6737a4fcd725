import {describe, expect, test} from 'vitest';
import {architectureOf, checkPing, createdId, engineInfoOf, exposedPortKeys, imageFactsOf, imageTagsOf, listOf, networkGatewaysOf, stateOf} from '../../../src/engine/shapes.js';

const ID = 'a'.repeat(64);
const notEngine = (detail: string) => ({name: 'EnvironmentError', message: expect.stringContaining(detail)});
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('engine answers portgate relies on', () => {
  test('ping: the text OK, nothing else', () => {
    expect(() => checkPing(Buffer.from('OK'))).not.toThrow();
    expect(thrown(() => checkPing({}))).toMatchObject(notEngine('answered GET /_ping with something that is not a Docker engine\'s answer (expected the text OK, got object {})'));
    expect(thrown(() => checkPing(Buffer.from('<html>')))).toMatchObject(notEngine('got text "<html>"'));
  });

  test('info: Architecture, a non-empty string', () => {
    expect(architectureOf({Architecture: 'x86_64', Other: 1})).toBe('x86_64');
    for (const bad of [{}, {Architecture: ''}, {Architecture: 7}, null, Buffer.from('OK'), []]) expect(thrown(() => architectureOf(bad))).toMatchObject({name: 'EnvironmentError', message: expect.stringContaining('GET /info')});
    expect(thrown(() => architectureOf({}))).toMatchObject(notEngine('(no Architecture)'));
  });

  test('image inspect: Id and a Config whose fields have their types; absent ones take defaults', () => {
    expect(imageFactsOf('app:ci', {Id: 'sha256:1', Config: {ExposedPorts: {'80/tcp': {}}, User: 'app', Env: ['A=1'], Entrypoint: ['/app'], Cmd: null}})).toEqual({
      ref: 'app:ci',
      id: 'sha256:1',
      exposedPorts: ['80/tcp'],
      user: 'app',
      env: ['A=1'],
      entrypoint: ['/app'],
      cmd: null
    });
    expect(imageFactsOf('scratch-app', {Id: 'sha256:2', Config: null})).toEqual({ref: 'scratch-app', id: 'sha256:2', exposedPorts: [], user: '', env: [], entrypoint: null, cmd: null});
    expect(thrown(() => imageFactsOf('app:ci', {}))).toMatchObject(notEngine('answered GET /images/app:ci/json with something that is not a Docker engine\'s answer (no image Id)'));
    expect(thrown(() => imageFactsOf('app:ci', {Id: 'x', Config: {Env: 'A=1'}}))).toMatchObject(notEngine('Config.Env is not a list of strings'));
    expect(thrown(() => imageFactsOf('app:ci', {Id: 'x', Config: {Entrypoint: '/app'}}))).toMatchObject(notEngine('Config.Entrypoint is not a list of strings'));
    expect(thrown(() => imageFactsOf('app:ci', {Id: 'x', Config: {ExposedPorts: ['80/tcp']}}))).toMatchObject(notEngine('Config.ExposedPorts is not an object'));
  });

  test("container inspect: State with Running and Pid, and ExitCode once stopped", () => {
    expect(stateOf(ID, {State: {Running: true, Pid: 42, ExitCode: 0, OOMKilled: false}})).toEqual({running: true, pid: 42});
    expect(stateOf(ID, {State: {Running: false, Pid: 0, ExitCode: 137, OOMKilled: true}})).toEqual({running: false, pid: 0, exitCode: 137, oomKilled: true});
    expect(thrown(() => stateOf(ID, {}))).toMatchObject(notEngine(`answered GET /containers/${'a'.repeat(12)}/json with something that is not a Docker engine's answer (no State)`));
    expect(thrown(() => stateOf(ID, {State: {Running: 'yes', Pid: 1}}))).toMatchObject(notEngine('State has no Running or Pid'));
    expect(thrown(() => stateOf(ID, {State: {Running: false, Pid: 0}}))).toMatchObject(notEngine('State of a stopped container has no ExitCode'));
  });

  test('created objects have a hex Id; lists are lists of objects with an Id', () => {
    expect(createdId('POST /containers/create', ID)).toBe(ID);
    expect(thrown(() => createdId('POST /containers/create', undefined))).toMatchObject(notEngine('POST /containers/create'));
    expect(listOf('GET /containers/json', [{Id: ID, Labels: {}}])).toEqual([{Id: ID, Labels: {}}]);
    expect(thrown(() => listOf('GET /containers/json', {}))).toMatchObject(notEngine('expected a list, got object {}'));
    expect(thrown(() => listOf('GET /networks', [{Name: 'x'}]))).toMatchObject(notEngine('an entry has no Id'));
  });

  test('image tags: every RepoTag but <none>', () => {
    expect(imageTagsOf([{RepoTags: ['app:ci', 'app:latest']}, {RepoTags: null}, {RepoTags: ['<none>:<none>']}, {}])).toEqual(['app:ci', 'app:latest']);
    expect(thrown(() => imageTagsOf({}))).toMatchObject(notEngine('GET /images/json'));
  });
});

describe('which engine answers (GET /version) and what its networks give the host', () => {
  // Trimmed answers of Debian 12's docker.io 20.10.24 and podman 4.3.1.
  const docker = {Platform: {Name: ''}, Components: [{Name: 'Engine', Version: '20.10.24+dfsg1'}, {Name: 'containerd'}, {Name: 'runc'}, {Name: 'docker-init'}], Version: '20.10.24+dfsg1', ApiVersion: '1.41'};
  const podman = {Platform: {Name: 'linux/amd64/debian-12'}, Components: [{Name: 'Podman Engine', Version: '4.3.1'}, {Name: 'Conmon'}, {Name: 'OCI Runtime (runc)'}], Version: '4.3.1', ApiVersion: '1.41'};

  test('Docker by its Engine component (or a Docker platform name), Podman by its Podman Engine component', () => {
    expect(engineInfoOf(docker)).toEqual({name: 'Docker', version: '20.10.24+dfsg1', apiVersion: '1.41'});
    expect(engineInfoOf(podman)).toEqual({name: 'Podman', version: '4.3.1', apiVersion: '1.41'});
    expect(engineInfoOf({Platform: {Name: 'Docker Engine - Community'}, Version: '29.1.0', ApiVersion: '1.52'}).name).toBe('Docker');
    expect(engineInfoOf({Version: '1.0', ApiVersion: '1.41'}).name).toBe('an engine of unknown kind');
  });

  test('a /version answer without versions is not an engine', () => {
    for (const bad of [{}, {Version: 4, ApiVersion: '1.41'}, [], Buffer.from('OK')]) expect(thrown(() => engineInfoOf(bad))).toMatchObject(notEngine('GET /version'));
  });

  test("gateways: Podman's CNI internal network has none (it writes <nil>); addresses are kept", () => {
    expect(networkGatewaysOf({IPAM: {Config: [{Subnet: '10.89.0.0/24', Gateway: '<nil>'}]}})).toEqual([]);
    expect(networkGatewaysOf({IPAM: {Config: [{Subnet: '10.89.1.0/24', Gateway: '10.89.1.1'}, {Subnet: 'fd00::/64', Gateway: 'fd00::1'}]}})).toEqual(['10.89.1.1', 'fd00::1']);
    expect(networkGatewaysOf({IPAM: {Config: null}})).toEqual([]);
    expect(thrown(() => networkGatewaysOf('x'))).toMatchObject(notEngine('GET /networks/{id}'));
  });
});

describe('ExposedPorts keys as Buildah writes them', () => {
  test('ranges expand, protocols lowercase (empty is tcp), leading zeros go; Docker-style keys pass unchanged', () => {
    expect(exposedPortKeys(['80/tcp', '53/udp', '9/sctp'])).toEqual({keys: ['80/tcp', '53/udp', '9/sctp'], ignored: []});
    expect(exposedPortKeys(['8000-8003/tcp', '8100-8100/tcp', '53/UDP', '80/Tcp', '0080/tcp', '81/', '00443/udp', '0/tcp', '65535/tcp'])).toEqual({
      keys: ['8000/tcp', '8001/tcp', '8002/tcp', '8003/tcp', '8100/tcp', '53/udp', '80/tcp', '81/tcp', '443/udp', '0/tcp', '65535/tcp'],
      ignored: []
    });
  });

  test('words no engine reads as a port are set aside, not turned into NaN', () => {
    expect(exposedPortKeys(['+80/tcp', '$P/tcp', 'app/tcp', 'localhost:80:80/tcp', '80/foo', '70000/tcp', '9000-8000/tcp', '8000-/tcp', '80 90/tcp'])).toEqual({
      keys: [],
      ignored: ['+80/tcp', '$P/tcp', 'app/tcp', 'localhost:80:80/tcp', '80/foo', '70000/tcp', '9000-8000/tcp', '8000-/tcp', '80 90/tcp']
    });
    expect(imageFactsOf('b:1', {Id: 'sha256:3', Config: {ExposedPorts: {'+80/tcp': {}, '9000/tcp': {}, '7000-7001/udp': {}}}})).toMatchObject({exposedPorts: ['9000/tcp', '7000/udp', '7001/udp'], ignoredExposedPorts: ['+80/tcp']});
  });
});
