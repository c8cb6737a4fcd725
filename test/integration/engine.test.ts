import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {labels} from '../../src/engine/sandbox-config.js';
import {listenersOf} from '../../src/gate/observe.js';
import {LIMITS, planSandbox, specLayers} from '../../src/sandbox/index.js';
import {processesByInode} from '../../src/procnet/index.js';
import {buildImage, busybox, docker, leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildProbeImage, removeImages} from '../helpers/images.js';

// A FROM-scratch image with busybox httpd on :8080 and a shell for the exec reader.
const HTTPD = 'portgate-engine-httpd:test';
const NOSHELL = 'portgate-engine-noshell:test';
const LIFETIME = 30_000;

const plain = planSandbox([]);
const strict = planSandbox(specLayers({sandbox: 'strict', env: {GREETING: 'hi'}}, 'portgate.yml'));

beforeAll(async () => {
  await buildProbeImage();
  await buildImage({
    tag: HTTPD,
    files: {busybox: busybox(), Dockerfile: 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCOPY busybox /bin/cat\nENV PATH=/bin\nEXPOSE 8080\nENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080"]\n'}
  });
  await buildImage({tag: NOSHELL, files: {busybox: busybox(), Dockerfile: 'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080"]\n'}});
});

afterAll(async () => {
  await removeImages('portgate-engine-');
  expect(await leftoverContainers()).toEqual([]);
});

const waitFor = async <T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise(r => setTimeout(r, 100));
  }
};

/** `1F90` (8080) in a listening row of a /proc/net table, as a quick check independent of the parser. */
const hasListener8080 = (text = '') => text.split('\n').some(l => / [0-9A-F]+:1F90 [0-9A-F]+:0000 0A /.test(l));

const networksOf = async (runId: string) => (await docker().listNetworks({filters: {label: [`io.portgate.run=${runId}`]}})).map(n => n.Name);

describe('DockerEngine against the real engine', () => {
  test('reads image facts and reports a missing image as absent', async () => {
    const e = new DockerEngine();
    const facts = await e.inspectImage(HTTPD);
    expect(facts?.exposedPorts).toEqual(['8080/tcp']);
    expect(facts?.entrypoint).toEqual(['/bin/busybox', 'httpd', '-f', '-p', '8080']);
    expect(await e.inspectImage('portgate-engine-does-not-exist:nope')).toBeUndefined();
    // Refused before any request: the engine would answer with a redirect docker-modem cannot handle.
    await expect(e.inspectImage(' ')).rejects.toMatchObject({name: 'InputError', message: expect.stringContaining('image reference is empty')});
    await expect(e.pull('')).rejects.toMatchObject({name: 'InputError'});
  });

  test('default sandbox: the engine default capabilities minus NET_RAW, writable root, an isolated network of its own, limits; all removed on cleanup', async () => {
    const e = new DockerEngine();
    const t = await e.startTarget(HTTPD, plain);
    const net = `portgate-${e.runId}`;
    try {
      const info = await docker().getContainer(t.id).inspect();
      const hc = info.HostConfig;
      expect(hc.NetworkMode).toBe(net);
      expect(hc.ReadonlyRootfs).toBe(false);
      expect(hc.CapDrop).toEqual(['ALL']);
      expect([...(hc.CapAdd ?? [])].sort()).toEqual(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
      expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
      expect(hc.Privileged).toBe(false);
      expect(hc.PidsLimit).toBe(LIMITS.pids);
      expect(hc.Memory).toBe(LIMITS.memoryBytes);
      expect(hc.NanoCpus).toBe(LIMITS.nanoCpus);
      expect(hc.Tmpfs ?? {}).toEqual({});
      expect(hc.Init).toBe(true);
      expect(info.Config.Labels['io.portgate.managed']).toBe('true');
      expect(info.Config.Labels['io.portgate.role']).toBe('target');
      const n = await docker().getNetwork(net).inspect();
      expect(n.Internal).toBe(true);
      expect(n.Options).toEqual({'com.docker.network.bridge.inhibit_ipv4': 'true'});
      expect(n.Labels?.['io.portgate.role']).toBe('network');
      expect(Object.keys(n.Containers ?? {})).toEqual([t.id]);
      // An interface and an address, so the service can bind and resolve its own name.
      expect(info.NetworkSettings.Networks[net]?.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect((await t.state()).running).toBe(true);
    } finally {
      await e.cleanup();
    }
    await expect(docker().getContainer(t.id).inspect()).rejects.toMatchObject({statusCode: 404});
    expect(await networksOf(e.runId)).toEqual([]);
  });

  test('strict profile: read-only root, noexec /tmp, no capabilities, no interface', async () => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, strict);
      const info = await docker().getContainer(t.id).inspect();
      const hc = info.HostConfig;
      expect(hc.NetworkMode).toBe('none');
      expect(hc.ReadonlyRootfs).toBe(true);
      expect(hc.CapDrop).toEqual(['ALL']);
      expect(hc.CapAdd ?? []).toEqual([]);
      expect(hc.Tmpfs).toEqual({'/tmp': 'rw,noexec,nosuid,nodev,size=67108864,mode=1777'});
      expect(info.Config.Env).toContain('GREETING=hi');
      expect(await networksOf(e.runId)).toEqual([]);
    } finally {
      await e.cleanup();
    }
  });

  test.each(['host', 'sidecar', 'exec'] as const)('the %s reader sees the listener in the target netns, and owners by executable', async mode => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, plain);
      const reader = await e.openReader(t, mode, PROBE_IMAGE, LIFETIME);
      expect(reader.kind).toBe(mode);
      expect(reader.trusted).toBe(mode !== 'exec');
      const snap = await waitFor(async () => {
        const s = await reader.snapshot();
        return hasListener8080(s.tcp6) || hasListener8080(s.tcp) ? s : undefined;
      });
      const ls = listenersOf(snap, 'le').filter(l => l.address !== '127.0.0.11');
      expect(ls.map(l => `${l.protocol}/${l.port}`)).toEqual(['tcp/8080']);
      const scan = await reader.processes();
      const owner = processesByInode(scan.processes).get(ls[0]!.inode!);
      if (mode === 'exec') expect(owner).toBeUndefined();
      else {
        expect(scan.incomplete).toBeUndefined();
        // The pid the container sees (busybox httpd under docker-init), from either reader.
        expect(owner).toMatchObject({name: 'busybox', exe: '/bin/busybox', uid: 0, command: '/bin/busybox httpd -f -p 8080'});
        expect(owner!.pid).toBeLessThan(50);
      }
      expect(await reader.ephemeralRange()).toEqual([32768, 60999]);
    } finally {
      await e.cleanup();
    }
  });

  test('auto picks the host reader for a local engine', async () => {
    const e = new DockerEngine();
    try {
      const reader = await e.openReader(await e.startTarget(HTTPD, plain), 'auto', PROBE_IMAGE, LIFETIME);
      expect(reader.kind).toBe('host');
    } finally {
      await e.cleanup();
    }
  });

  test('sidecar probes: the streaming one joins only the network (own pid namespace, no capabilities, nobody); the ownership one only the pids', async () => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, plain);
      await e.openReader(t, 'sidecar', PROBE_IMAGE, LIFETIME);
      const probes = await docker().listContainers({filters: {label: ['io.portgate.role=probe', `io.portgate.run=${e.runId}`]}});
      const configs = await Promise.all(probes.map(p => docker().getContainer(p.Id).inspect()));
      const net = configs.find(c => c.HostConfig.NetworkMode === `container:${t.id}`)!;
      const pid = configs.find(c => c.HostConfig.PidMode === `container:${t.id}`)!;
      expect(configs).toHaveLength(2);
      expect(net.HostConfig.PidMode).toBe('');
      expect(net.HostConfig.CapAdd ?? []).toEqual([]);
      expect(net.Config.User).toBe('65534:65534');
      expect(pid.HostConfig.NetworkMode).toBe('none');
      expect([...(pid.HostConfig.CapAdd ?? [])].sort()).toEqual(['DAC_READ_SEARCH', 'SYS_PTRACE']);
      for (const c of configs) {
        expect(c.HostConfig.CapDrop).toEqual(['ALL']);
        expect(c.HostConfig.ReadonlyRootfs).toBe(true);
        expect(c.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
        // Bounded even when portgate is killed: the timeout plus a minute.
        expect(c.Config.Cmd!.join(' ')).toMatch(/sleep 90|-lt 450\b/);
      }
    } finally {
      await e.cleanup();
    }
    expect(await leftoverContainers()).toEqual([]);
  });

  test('a cleanup racing a container still being created leaves nothing behind', async () => {
    // What a SIGTERM during `docker create` amounts to: cleanup() before the id is known.
    const e = new DockerEngine();
    const starting = e.startTarget(HTTPD, plain);
    // Handled before the cleanup is awaited: the start may give up while the cleanup still runs.
    const refused = expect(starting).rejects.toMatchObject({name: 'EnvironmentError'});
    await e.cleanup();
    await refused;
    await e.cleanup();
    expect(await leftoverContainers()).toEqual([]);
    expect(await networksOf(e.runId)).toEqual([]);
  });

  test("cleanup also removes containers and networks it never tracked but that carry this run's label", async () => {
    // Stands in for a create the engine finished after a signal arrived, before its id was known.
    const e = new DockerEngine();
    const orphan = await docker().createContainer({Image: HTTPD, Labels: labels(e.runId, 'target')});
    const net = await docker().createNetwork({Name: `portgate-test-${e.runId}`, Internal: true, Labels: labels(e.runId, 'network')});
    await e.cleanup();
    await expect(docker().getContainer(orphan.id).inspect()).rejects.toMatchObject({statusCode: 404});
    await expect(docker().getNetwork(net.id).inspect()).rejects.toMatchObject({statusCode: 404});
  });

  test('concurrent cleanups (gate finally + signal handler) share one pass without errors', async () => {
    const e = new DockerEngine();
    await e.startTarget(HTTPD, plain);
    await Promise.all([e.cleanup(), e.cleanup(), e.cleanup()]);
    expect(await leftoverContainers()).toEqual([]);
    expect(await networksOf(e.runId)).toEqual([]);
  });

  test('exec on an image without a shell fails clearly', async () => {
    const e = new DockerEngine();
    try {
      const reader = await e.openReader(await e.startTarget(NOSHELL, plain), 'exec', PROBE_IMAGE, LIFETIME);
      await expect(reader.snapshot()).rejects.toThrow(/^reading \/proc\/net in the image \(exec\) failed \(exit 12[67]\)/);
    } finally {
      await e.cleanup();
    }
  });

  test('a missing probe image that cannot be pulled is an environment error that says why a probe was needed', async () => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, plain);
      await expect(e.openReader(t, 'sidecar', 'portgate-engine-no-such-probe:1', LIFETIME)).rejects.toMatchObject({name: 'EnvironmentError', message: expect.stringContaining('--probe-image')});
    } finally {
      await e.cleanup();
    }
  });

  test('a probe image without the tools the probe needs is an environment error, not an internal one', async () => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, plain);
      // HTTPD has sh and cat but no sleep: the streaming probe cannot run.
      await expect(e.openReader(t, 'sidecar', NOSHELL, LIFETIME)).rejects.toMatchObject({name: 'EnvironmentError', message: expect.stringMatching(/probe image .*(sh|cat|read)/)});
    } finally {
      await e.cleanup();
    }
  });
});
