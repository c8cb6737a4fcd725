import {execFileSync, spawn} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {startFakeEngine, type Behaviour, type FakeEngine, type FakeEngineTls, type SeenRequest} from '../helpers/fake-engine.js';
import {buildListenerImage, removeImages} from '../helpers/images.js';

/**
 * What the built CLI does when DOCKER_HOST is not a healthy engine: TLS
 * files missing, something that answers nonsense, an answer cut short, an
 * engine that never answers, or one that stops answering in the middle of a
 * run. Each must be exit 3 with a message, within the run's timeout + 15 s.
 * The faults come from a small HTTP server (helpers/fake-engine.ts) that
 * passes what it does not break to the real engine.
 */
const CLI = resolve('dist/cli.js');
const P = 'portgate-faults-';
const SLOW = `${P}slow:test`;
const LIMIT_MS = 15_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  pid: number;
}

const cli = (args: string[], env: NodeJS.ProcessEnv, cwd = mkdtempSync(join(tmpdir(), P))): Promise<Run> =>
  new Promise(done => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {cwd, env: {...process.env, ...env}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    // Never wait for a hang longer than the test's own budget.
    const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', code => {
      clearTimeout(guard);
      done({code, stdout, stderr, ms: Date.now() - started, pid: child.pid!});
    });
  });

const noTrace = (r: Run) => expect(r.stderr).not.toMatch(/\n\s+at |internal error/);

/** What a run owned that is still on the real engine (its cleanup could not reach it through a stalled fake). */
const ownedBy = async (pid: number) => {
  const filters = {label: [`io.portgate.owner=${hostname()}:${pid}`]};
  return {containers: await docker().listContainers({all: true, filters}), networks: await docker().listNetworks({filters})};
};

/** Gone already is fine: another portgate on the engine sweeps what a run that has exited left (it is an orphan). */
const goneOk = (e: {statusCode?: number}) => {
  if (e.statusCode !== 404) throw e;
};

const removeOwnedBy = async (pid: number) => {
  const {containers, networks} = await ownedBy(pid);
  for (const c of containers) await docker().getContainer(c.Id).remove({force: true}).catch(goneOk);
  for (const n of networks) await docker().getNetwork(n.Id).remove().catch(goneOk);
};

let fake: FakeEngine | undefined;
const fakeEngine = async (behave: (r: SeenRequest) => Behaviour) => (fake = await startFakeEngine(behave));

beforeAll(async () => {
  await buildListenerImage(SLOW, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--delay", "120"]');
}, 120_000);

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate (as ca.pem, cert.pem, key.pem), as dind's /certs holds them. */
const makeCerts = (): {dir: string; server: FakeEngineTls} => {
  const dir = mkdtempSync(join(tmpdir(), P));
  const ssl = (...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: 'pipe'});
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=portgate test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const name of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '2', '-extfile', `${name}.ext`);
  }
  copyFileSync(join(dir, 'client-cert.pem'), join(dir, 'cert.pem'));
  copyFileSync(join(dir, 'client-key.pem'), join(dir, 'key.pem'));
  return {dir, server: {key: readFileSync(join(dir, 'server-key.pem')), cert: readFileSync(join(dir, 'server-cert.pem')), ca: readFileSync(join(dir, 'ca.pem'))}};
};

describe('TLS configuration', () => {
  const TLS = {DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent/certs/client'};

  test('a TLS engine that asks for client certificates, as dind does: runs go through with DOCKER_CERT_PATH and with ~/.docker; a certificate from another CA is exit 3', async () => {
    const {dir, server} = makeCerts();
    const f = await startFakeEngine(() => 'proxy', undefined, server);
    fake = f;
    const env = {DOCKER_HOST: f.url, DOCKER_TLS_VERIFY: '1'};
    const args = ['check', '--image', SLOW, '--timeout', '2s', '--settle', '0s'];
    // SLOW EXPOSEs 8080 and listens only after two minutes: a complete run ends in drift.
    const explicit = await cli(args, {...env, DOCKER_CERT_PATH: dir});
    expect(explicit.code, explicit.stderr).toBe(1);
    expect(explicit.stdout).toContain('exposed-not-listening');
    const seen = f.requests.length;
    expect(f.requests.map(r => `${r.method} ${r.path}`)).toContainEqual(expect.stringMatching(/^POST \/containers\/[0-9a-f]{64}\/start$/));
    const home = mkdtempSync(join(tmpdir(), P));
    mkdirSync(join(home, '.docker'));
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(join(dir, file), join(home, '.docker', file));
    const fromHome = await cli(args, {...env, DOCKER_CERT_PATH: '', HOME: home});
    expect(fromHome.code, fromHome.stderr).toBe(1);
    expect(f.requests.length).toBeGreaterThan(seen);
    const stranger = await cli(args, {...env, DOCKER_CERT_PATH: makeCerts().dir});
    expect(stranger.code).toBe(3);
    expect(stranger.stderr).toMatch(/^portgate: cannot reach the Docker engine \(tcp:\/\/127\.0\.0\.1:\d+\): .*certificate/);
    noTrace(stranger);
  });

  test('DOCKER_TLS_VERIFY=1 with missing certificates: exit 3 naming each missing file and the dind certificate volume', async () => {
    const r = await cli(['check', '--image', SLOW], TLS);
    expect(r.code).toBe(3);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) expect(r.stderr).toContain(`/nonexistent/certs/client/${f} (ENOENT)`);
    expect(r.stderr).toContain('DOCKER_CERT_PATH=/nonexistent/certs/client');
    expect(r.stderr).toMatch(/DOCKER_TLS_CERTDIR.*\/certs\/client.*volume/);
    noTrace(r);
  });

  test('without DOCKER_CERT_PATH the files are looked for in ~/.docker, as the docker CLI does', async () => {
    const home = mkdtempSync(join(tmpdir(), P));
    const r = await cli(['check', '--image', SLOW], {DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '', HOME: home});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${home}/.docker/ca.pem (ENOENT)`);
    noTrace(r);
  });

  test('--static-only with missing certificates goes on from the Dockerfile (naming the file), and exits 3 without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), P));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nEXPOSE 8080\n');
    const withDockerfile = await cli(['check', '--image', SLOW, '--static-only'], TLS, dir);
    expect(withDockerfile.code).toBe(0);
    expect(withDockerfile.stderr).toMatch(/--static-only: cannot connect .* \/nonexistent\/certs\/client\/ca\.pem \(ENOENT\).* Continuing without the engine/);
    noTrace(withDockerfile);
    const without = await cli(['check', '--image', SLOW, '--static-only'], TLS);
    expect(without.code).toBe(3);
    expect(without.stderr).toContain('no Docker engine is reachable and no Dockerfile was given');
    noTrace(without);
  });
});

describe('something at DOCKER_HOST that is not a healthy engine: exit 3 with a message, within the timeout + 15 s', () => {
  test('an HTTP server that answers 200 {} to everything', async () => {
    const f = await fakeEngine(() => 'empty');
    const r = await cli(['check', '--image', SLOW, '--timeout', '5s'], {DOCKER_HOST: f.url});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the engine at ${f.url} answered GET /_ping with something that is not a Docker engine's answer (expected the text OK, got object {})`);
    expect(r.ms).toBeLessThan(5_000 + LIMIT_MS);
    noTrace(r);
    console.log(`200 {} to everything: exit ${r.code} after ${r.ms} ms`);
  });

  test('a truncated chunked body', async () => {
    const f = await fakeEngine(() => 'truncate');
    const r = await cli(['check', '--image', SLOW, '--timeout', '5s'], {DOCKER_HOST: f.url});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the Docker engine (${f.url}) closed the connection before it finished answering GET /_ping`);
    // At once: the cut is noticed when the connection closes, not at a deadline.
    expect(r.ms).toBeLessThan(4_000);
    noTrace(r);
    console.log(`truncated body: exit ${r.code} after ${r.ms} ms`);
  });

  test('an answer cut short in the middle of a run (GET /info), the rest answered by the real engine', async () => {
    const f = await fakeEngine(r => (r.path === '/info' ? 'truncate' : 'proxy'));
    const r = await cli(['check', '--image', SLOW, '--timeout', '5s'], {DOCKER_HOST: f.url});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('closed the connection before it finished answering GET /info');
    expect(r.ms).toBeLessThan(4_000);
    noTrace(r);
    expect(await ownedBy(r.pid)).toEqual({containers: [], networks: []});
  });

  test.each([
    ['--timeout 5s', ['--timeout', '5s'], 5_000],
    ['--timeout 100s --engine-wait 3s', ['--timeout', '100s', '--engine-wait', '3s'], 100_000]
  ])('an engine that accepts and never answers (%s)', async (_name, flags, timeoutMs) => {
    const f = await fakeEngine(() => 'stall');
    const r = await cli(['check', '--image', SLOW, ...flags], {DOCKER_HOST: f.url});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`the Docker engine \\(${f.url}\\) did not answer GET /_ping within (5|8)s`));
    // Bounded by the request deadline (a quarter of the timeout, 5-8 s), not docker-modem's 120 s.
    expect(r.ms).toBeLessThan(Math.min(timeoutMs, 15_000) + LIMIT_MS);
    noTrace(r);
    console.log(`never answers (${_name}): exit ${r.code} after ${r.ms} ms`);
  });

  test.each([
    ['GET /info without Architecture', (r: SeenRequest) => r.path === '/info', /answered GET \/info with .*\(no Architecture\)/],
    ['an image inspect without Id', (r: SeenRequest) => r.path.startsWith('/images/') && r.path.endsWith('/json'), /answered GET \/images\/portgate-faults-slow:test\/json with .*\(no image Id\)/],
    ["a container inspect without State", (r: SeenRequest) => /^\/containers\/[0-9a-f]{64}\/json$/.test(r.path), /answered GET \/containers\/[0-9a-f]{12}\/json with .*\(no State\)/]
  ])('an engine answering {} to %s, the rest real: exit 3, and nothing of the run left', async (_name, broken, message) => {
    const f = await fakeEngine(r => (broken(r) ? 'proxy-empty' : 'proxy'));
    const r = await cli(['check', '--image', SLOW, '--timeout', '5s'], {DOCKER_HOST: f.url});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.ms).toBeLessThan(5_000 + LIMIT_MS);
    noTrace(r);
    expect(await ownedBy(r.pid)).toEqual({containers: [], networks: []});
  });
});

describe('an engine that stops answering in the middle of a run', () => {
  // The fake answers through the real engine until `after` requests past the trigger, then never again.
  test.each([
    ['while creating the container', /^POST \/containers\/create$/, 0],
    ['during the wait for listeners', /^POST \/containers\/[0-9a-f]{64}\/start$/, 3]
  ])('first N requests answered by the real engine, then silence (%s): exit 3 within the timeout + 15 s, naming what may be left', async (name, trigger, after) => {
    let n: number | undefined;
    const f = await fakeEngine(r => {
      if (n === undefined && trigger.test(`${r.method} ${r.path}`)) n = r.n + after;
      return n !== undefined && r.n >= n ? 'stall' : 'proxy';
    });
    const r = await cli(['check', '--image', SLOW, '--timeout', '5s'], {DOCKER_HOST: f.url});
    try {
      expect(n).toBeGreaterThan(3);
      const stalled = f.requests[n!]!;
      expect(r.code).toBe(3);
      // A create waits for the start-up deadline (10 s with this timeout), an inspect during the wait for the default one (5 s).
      expect(r.stderr).toContain(`the Docker engine (${f.url}) did not answer ${stalled.method} ${stalled.path} within ${stalled.method === 'POST' ? 10 : 5}s`);
      // The cleanup could not reach the engine either: the user learns what to look for.
      expect(r.stderr).toMatch(/Also, could not make sure that this run's containers and network are gone: check with `docker ps -a --filter label=io\.portgate\.run=[0-9a-f-]{36}`/);
      expect(r.ms).toBeLessThan(5_000 + LIMIT_MS);
      noTrace(r);
      console.log(`stall ${name} (after ${n} answered requests, at ${stalled.method} ${stalled.path}): exit ${r.code} after ${r.ms} ms`);
    } finally {
      // What the run created before the silence is still on the real engine: not this test's leftover to keep.
      await removeOwnedBy(r.pid);
    }
  });
});
