import {describe, expect, test} from 'vitest';
import {planUser, socketPath, type Owner} from '../../../src/cli/container-user.js';
import {parseCliArgs} from '../../../src/cli/args.js';
import {VERSION} from '../../../src/version.js';
import pkg from '../../../package.json' with {type: 'json'};

const ROOT_DIR: Owner = {uid: 0, gid: 0, mode: 0o755};
const NODE_DIR: Owner = {uid: 1000, gid: 1000, mode: 0o755};
const DOCKER_SOCK: Owner = {uid: 0, gid: 105, mode: 0o660};

describe('planUser: whom portgate becomes in its container image', () => {
  test('the image default (WORKDIR /work owned by node, socket root:docker 0660): node plus the socket group', () => {
    expect(planUser({uid: 0, portgateUser: '1000:1000', socket: DOCKER_SOCK, cwd: NODE_DIR})).toMatchObject({become: true, uid: 1000, gid: 1000, groups: [105]});
  });

  test('a mounted checkout owned by uid 1001: that user, so reports written into it are theirs', () => {
    expect(planUser({uid: 0, portgateUser: '1000:1000', socket: DOCKER_SOCK, cwd: {uid: 1001, gid: 121, mode: 0o755}})).toMatchObject({become: true, uid: 1001, gid: 121, groups: [105]});
  });

  test('a socket owned by group root (0660) works through group 0', () => {
    expect(planUser({uid: 0, portgateUser: '1000:1000', socket: {uid: 0, gid: 0, mode: 0o660}, cwd: NODE_DIR})).toMatchObject({become: true, groups: [0]});
  });

  test('a socket anyone may use, or a tcp:// engine, needs no extra group', () => {
    expect(planUser({uid: 0, portgateUser: '1000:1000', socket: {uid: 0, gid: 105, mode: 0o666}, cwd: NODE_DIR})).toMatchObject({become: true, groups: []});
    expect(planUser({uid: 0, portgateUser: '1000:1000', cwd: NODE_DIR})).toMatchObject({become: true, groups: []});
  });

  test.each([
    ['a root-only socket (0600)', {socket: {uid: 0, gid: 0, mode: 0o600}, cwd: NODE_DIR}, /could not use the Docker socket \(owner 0:0, mode 600\)/],
    ["a working directory that is root's (a CI job folder)", {socket: DOCKER_SOCK, cwd: ROOT_DIR}, /could not write the working directory \(owner 0:0, mode 755\)/]
  ])('stays root with %s', (_, facts, why) => {
    const plan = planUser({uid: 0, portgateUser: '1000:1000', ...facts});
    expect(plan.become).toBe(false);
    expect(plan.why).toMatch(why);
  });

  test('a world-writable working directory (/tmp) is fine', () => {
    expect(planUser({uid: 0, portgateUser: '1000:1000', socket: DOCKER_SOCK, cwd: {uid: 0, gid: 0, mode: 0o1777}})).toMatchObject({become: true, uid: 1000});
  });

  test('nothing changes outside the image, under docker run --user, or for PORTGATE_USER=0:0', () => {
    expect(planUser({uid: 0, cwd: NODE_DIR}).become).toBe(false);
    expect(planUser({uid: 0, portgateUser: '', cwd: NODE_DIR}).become).toBe(false);
    expect(planUser({uid: 1234, portgateUser: '1000:1000', cwd: NODE_DIR}).become).toBe(false);
    expect(planUser({uid: 0, portgateUser: '0:0', cwd: ROOT_DIR}).become).toBe(false);
  });

  test('a malformed PORTGATE_USER is an input error that says what to write', () => {
    expect(() => planUser({uid: 0, portgateUser: 'node', cwd: NODE_DIR})).toThrow(/PORTGATE_USER is "node"; expected UID:GID in numbers, e\.g\. 1000:1000/);
  });

  test.each([
    [undefined, '/var/run/docker.sock'],
    ['unix:///run/user/1000/docker.sock', '/run/user/1000/docker.sock'],
    ['tcp://docker:2376', undefined],
    ['ssh://me@host', undefined]
  ])('socketPath(%s) = %s', (host, path) => {
    expect(socketPath(host)).toBe(path);
  });
});

test('--version prints the package version', () => {
  expect(VERSION).toBe(pkg.version);
  expect(parseCliArgs(['--version'])).toEqual({command: 'help', text: `${pkg.version}\n`});
});
