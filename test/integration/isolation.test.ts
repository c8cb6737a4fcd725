import {spawn} from 'node:child_process';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {promises as dns} from 'node:dns';
import {hostname} from 'node:os';
import {resolve} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {demux} from '../../src/engine/streams.js';
import {planSandbox} from '../../src/sandbox/index.js';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {buildShellImage, listener, removeImages} from '../helpers/images.js';
import {SCRIPT, hostAddresses, results, waitForLogs} from '../helpers/isolation.js';

/**
 * The isolated network's containment claims, checked from inside a target:
 * nothing outside the run's own network answers — not the host (through the
 * gateway, docker0 or its own address), not an address on the internet side,
 * not DNS, not another container. Each probe is first shown to succeed from
 * an ordinary container on the default bridge, so a blocked result means the
 * sandbox blocked it, not that the probe was broken.
 */
const P = 'portgate-isolation-';
const PROBER = `${P}prober:test`;
const CLI = resolve('dist/cli.js');

let server: Server;
let port = 0;
let peerId = '';
let peerIp = '';
let external = '';

const env = () => ({PORT: String(port), HOSTS: hostAddresses().join(' '), EXTERNAL: external, PEER: peerIp});

beforeAll(async () => {
  server = createServer((_, res) => res.end('host service\n'));
  await new Promise<void>(r => server.listen(0, '0.0.0.0', r));
  port = (server.address() as AddressInfo).port;
  await buildShellImage(PROBER, 'COPY listen /listen\nCMD ["sh"]', {listen: listener()});
  const peer = await docker().createContainer({Image: PROBER, Cmd: ['/listen', 'tcp', '0.0.0.0', '8080'], Labels: {'io.portgate.test': 'true'}});
  await peer.start();
  peerId = peer.id;
  peerIp = (await peer.inspect()).NetworkSettings.Networks.bridge!.IPAddress;
  // An address beyond the host that answers on 80 from an ordinary container: the package mirror.
  external = await dns.lookup('deb.debian.org').then(r => r.address, () => '');
}, 120_000);

afterAll(async () => {
  server.close();
  await docker().getContainer(peerId).remove({force: true}).catch(() => undefined);
  await removeImages(P);
  expect(await leftoverContainers()).toEqual([]);
});

describe('the isolated network', () => {
  test('control: from an ordinary container every probe gets through', async () => {
    const c = await docker().createContainer({Image: PROBER, Cmd: ['sh', '-c', SCRIPT], Env: Object.entries(env()).map(([k, v]) => `${k}=${v}`), Labels: {'io.portgate.test': 'true'}});
    try {
      await c.start();
      const r = results(await waitForLogs(async () => demux((await c.logs({stdout: true, stderr: true})) as unknown as Buffer).combined));
      const want = Object.fromEntries([['gateway', 'open'], ['peer', 'open'], ['dns', 'open'], ...hostAddresses().map(a => [`host-${a}`, 'open']), ...(external ? [['external', 'open']] : [])]);
      expect(r).toMatchObject(want);
    } finally {
      await c.remove({force: true});
    }
  });

  test('from the target: no host address, no external address, no DNS and no other container answers; its own name resolves', async () => {
    const e = new DockerEngine();
    try {
      const plan = planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['sh', '-c', SCRIPT], env: env()}}]);
      const t = await e.startTarget(PROBER, plan);
      const r = results(await waitForLogs(() => t.logs(100)));
      const blocked = ['gateway', 'external', 'dns', 'peer', ...hostAddresses().map(a => `host-${a}`)];
      expect(r).toEqual({...Object.fromEntries(blocked.map(k => [k, 'blocked'])), 'own-name': 'resolves', done: r.done});
    } finally {
      await e.cleanup();
    }
  });

  test('two runs get two networks and cannot reach each other', async () => {
    const [a, b] = [new DockerEngine(), new DockerEngine()];
    try {
      const ta = await a.startTarget(PROBER, planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['/listen', 'tcp', '0.0.0.0', '8080']}}]));
      const ip = (await docker().getContainer(ta.id).inspect()).NetworkSettings.Networks[`portgate-${a.runId}`]!.IPAddress;
      const tb = await b.startTarget(PROBER, planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['sh', '-c', `t() { if "$@" </dev/null >/dev/null 2>&1; then echo "PG other open"; else echo "PG other blocked"; fi; }; t nc -w 2 ${ip} 8080 -e true; echo PG done; sleep 60`]}}]));
      expect(results(await waitForLogs(() => tb.logs(20))).other).toBe('blocked');
      // Control: the same address and port answer from inside run A's own network.
      const probe = `if nc -w 2 ${ip} 8080 -e true </dev/null; then echo "PG other open"; else echo "PG other blocked"; fi; echo PG done`;
      const c = await docker().createContainer({Image: PROBER, Cmd: ['sh', '-c', probe], Labels: {'io.portgate.test': 'true'}, HostConfig: {NetworkMode: `portgate-${a.runId}`}});
      try {
        await c.start();
        await c.wait();
        expect(results(demux((await c.logs({stdout: true, stderr: true})) as unknown as Buffer).combined).other).toBe('open');
      } finally {
        await c.remove({force: true});
      }
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });

  test("a network left by a portgate killed with SIGKILL is swept by the next run on this host", async () => {
    const child = spawn(process.execPath, [CLI, 'check', '--image', PROBER, '--timeout', '60s', '--probe', 'host'], {stdio: 'ignore'});
    const mine = {label: [`io.portgate.owner=${hostname()}:${child.pid}`]};
    let nets: unknown[] = [];
    for (let i = 0; i < 100 && !nets.length; i++) {
      await new Promise(r => setTimeout(r, 100));
      nets = await docker().listNetworks({filters: mine});
    }
    // Wait for the container too: the kill must land while both exist.
    for (let i = 0; i < 100 && !(await docker().listContainers({all: true, filters: mine})).length; i++) await new Promise(r => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise(r => child.on('close', r));
    expect(nets).toHaveLength(1);
    expect(await docker().listNetworks({filters: mine})).toHaveLength(1);
    // Any later run sweeps the orphans of dead owners before it starts its own target.
    const e = new DockerEngine();
    try {
      await e.startTarget(PROBER, planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['true']}}]));
    } finally {
      await e.cleanup();
    }
    expect(await docker().listNetworks({filters: mine})).toEqual([]);
    expect(await docker().listContainers({all: true, filters: mine})).toEqual([]);
  });
});
