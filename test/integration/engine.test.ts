import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {LIMITS, labels} from '../../src/engine/sandbox-config.js';
import {listenersOf} from '../../src/gate/observe.js';
import {buildImage, busybox, docker, leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildProbeImage, removeImages} from '../helpers/images.js';

// A FROM-scratch image with busybox httpd on :8080 and a shell for the exec reader.
const HTTPD = 'portgate-engine-httpd:test';
const NOSHELL = 'portgate-engine-noshell:test';

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

  test('starts the target hardened and labelled, and removes it on cleanup', async () => {
    const e = new DockerEngine();
    const t = await e.startTarget(HTTPD, {env: {GREETING: 'hi'}});
    try {
      const info = await docker().getContainer(t.id).inspect();
      const hc = info.HostConfig;
      expect(hc.NetworkMode).toBe('none');
      expect(hc.ReadonlyRootfs).toBe(true);
      expect(hc.CapDrop).toEqual(['ALL']);
      expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
      expect(hc.PidsLimit).toBe(LIMITS.pids);
      expect(hc.Memory).toBe(LIMITS.memoryBytes);
      expect(hc.NanoCpus).toBe(LIMITS.nanoCpus);
      expect(hc.Tmpfs).toEqual({'/tmp': 'rw,noexec,nosuid,size=64m'});
      expect(hc.Init).toBe(true);
      expect(info.Config.Labels['io.portgate.managed']).toBe('true');
      expect(info.Config.Labels['io.portgate.role']).toBe('target');
      expect(info.Config.Env).toContain('GREETING=hi');
      expect((await t.state()).running).toBe(true);
    } finally {
      await e.cleanup();
    }
    await expect(docker().getContainer(t.id).inspect()).rejects.toMatchObject({statusCode: 404});
  });

  test.each(['host', 'sidecar', 'exec'] as const)('the %s reader sees the listener in the target netns', async mode => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, {});
      const reader = await e.openReader(t, mode, PROBE_IMAGE);
      expect(reader.kind).toBe(mode);
      expect(reader.trusted).toBe(mode !== 'exec');
      const snap = await waitFor(async () => {
        const s = await reader.snapshot();
        return hasListener8080(s.tcp6) || hasListener8080(s.tcp) ? s : undefined;
      });
      expect(listenersOf(snap, 'le').map(l => `${l.protocol}/${l.port}`)).toEqual(['tcp/8080']);
      const procs = await reader.processes();
      if (mode === 'exec') expect(procs.size).toBe(0);
      else expect([...procs.values()].map(p => p.command)).toContain('/bin/busybox httpd -f -p 8080');
    } finally {
      await e.cleanup();
    }
  });

  test('auto picks the host reader for a local engine', async () => {
    const e = new DockerEngine();
    try {
      const reader = await e.openReader(await e.startTarget(HTTPD, {}), 'auto', PROBE_IMAGE);
      expect(reader.kind).toBe('host');
    } finally {
      await e.cleanup();
    }
  });

  test('the sidecar probe is hardened, labelled and shares only the target namespaces', async () => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, {});
      await e.openReader(t, 'sidecar', PROBE_IMAGE);
      const [probe] = await docker().listContainers({filters: {label: ['io.portgate.role=probe']}});
      const hc = (await docker().getContainer(probe!.Id).inspect()).HostConfig;
      expect(hc.NetworkMode).toBe(`container:${t.id}`);
      expect(hc.PidMode).toBe(`container:${t.id}`);
      expect(hc.CapDrop).toEqual(['ALL']);
      expect(hc.CapAdd).toEqual(['SYS_PTRACE']);
      expect(hc.ReadonlyRootfs).toBe(true);
    } finally {
      await e.cleanup();
    }
    expect(await leftoverContainers()).toEqual([]);
  });

  test('a cleanup racing a container still being created leaves nothing behind', async () => {
    // What a SIGTERM during `docker create` amounts to: cleanup() before the id is known.
    const e = new DockerEngine();
    const starting = e.startTarget(HTTPD, {});
    await e.cleanup();
    await expect(starting).rejects.toMatchObject({name: 'EnvironmentError'});
    await e.cleanup();
    expect(await leftoverContainers()).toEqual([]);
  });

  test("cleanup also removes containers it never tracked but that carry this run's label", async () => {
    // Stands in for a create the engine finished after a signal arrived, before its id was known.
    const e = new DockerEngine();
    const orphan = await docker().createContainer({Image: HTTPD, Labels: labels(e.runId, 'target')});
    await e.cleanup();
    await expect(docker().getContainer(orphan.id).inspect()).rejects.toMatchObject({statusCode: 404});
  });

  test('concurrent cleanups (gate finally + signal handler) share one pass without errors', async () => {
    const e = new DockerEngine();
    await e.startTarget(HTTPD, {});
    await Promise.all([e.cleanup(), e.cleanup(), e.cleanup()]);
    expect(await leftoverContainers()).toEqual([]);
  });

  test('exec on an image without a shell fails clearly', async () => {
    const e = new DockerEngine();
    try {
      const reader = await e.openReader(await e.startTarget(NOSHELL, {}), 'exec', PROBE_IMAGE);
      await expect(reader.snapshot()).rejects.toThrow(/^reading \/proc\/net in the image \(exec\) failed \(exit 12[67]\)/);
    } finally {
      await e.cleanup();
    }
  });

  test('a missing probe image that cannot be pulled is an environment error', async () => {
    const e = new DockerEngine();
    try {
      const t = await e.startTarget(HTTPD, {});
      await expect(e.openReader(t, 'sidecar', 'portgate-engine-no-such-probe:1')).rejects.toMatchObject({name: 'EnvironmentError'});
    } finally {
      await e.cleanup();
    }
  });
});
