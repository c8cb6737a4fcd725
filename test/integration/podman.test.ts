/**
 * The gate against Podman's Docker-compatible API (`podman system service`,
 * rootful; Debian 12's podman 4.3.1 with the CNI network backend here), as CI
 * runs it after scripts/setup.sh. When Podman does not answer, every test
 * fails with the reason: nothing is skipped.
 *
 * Images are built by Docker and moved over with `docker save | podman load`
 * (they are then named localhost/<name>; portgate is given the short name, as
 * a user would), and one is built by `podman build` (Buildah) itself.
 *
 * What differs from Docker, and what each test shows:
 * - Podman's default ulimits (nofile and nproc 1048576) exceed the hard limits
 *   of a `podman system service` that lacks CAP_SYS_RESOURCE: portgate then
 *   starts every container within the engine's hard limits and says so.
 * - Podman's default capabilities are 11, Docker's 14: portgate gives the same
 *   complete set on both (Docker's minus NET_RAW), checked in the kernel's CapEff.
 * - The init is catatonit (/run/podman-init); State.Pid is a host pid, and its
 *   cgroup is `libpod-<id>`, which is how the host reader proves it.
 * - com.docker.network.bridge.inhibit_ipv4 is ignored (Podman warns); the
 *   internal network of the CNI backend has no gateway at all, so the host has
 *   no address on it either. No DNS server listens in the container (Docker's
 *   127.0.0.11 does): Podman's (dnsname, aardvark-dns) sit on the host's side,
 *   and an internal CNI network has none.
 */
import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {promises as dns} from 'node:dns';
import {hostname, networkInterfaces, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import type Docker from 'dockerode';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {checkEngineKind, findEndpoint} from '../../src/engine/endpoint.js';
import {labels} from '../../src/engine/sandbox-config.js';
import {demux} from '../../src/engine/streams.js';
import {engineHardLimits, ulimitsWithin} from '../../src/engine/ulimits.js';
import {listenersOf} from '../../src/gate/observe.js';
import {runGate, type GateOptions} from '../../src/gate/run-gate.js';
import type {GateResult} from '../../src/model.js';
import {processesByInode} from '../../src/procnet/index.js';
import {ENGINE_DEFAULT_CAPS, LIMITS, planSandbox, specLayers} from '../../src/sandbox/index.js';
import {loadSpec} from '../../src/spec/index.js';
import {buildImage, busybox} from '../helpers/engine.js';
import {startFakeEngine, type SeenRequest} from '../helpers/fake-engine.js';
import {buildListenerImage, buildProbeImage, buildShellImage, listener} from '../helpers/images.js';
import {SCRIPT, hostAddresses, results, waitForLogs} from '../helpers/isolation.js';
import {PODMAN_SOCKET, capEff, capMask, loadIntoPodman, podman, podmanEndpoint, podmanLeftovers, removePodmanImages, requirePodman} from '../helpers/podman.js';

const P = 'portgate-podman-';
const img = (name: string) => `${P}${name}:test`;
const PROBE = img('probe');
const CLI = resolve('dist/cli.js');
const LIFETIME = 30_000;
/** Podman's default nofile and nproc for rootful containers (libpod define.RLimitDefaultValue). */
const PODMAN_DEFAULT_RLIMIT = 1_048_576;

const plain = planSandbox([]);
const strict = planSandbox(specLayers({sandbox: 'strict'}, 'portgate.yml'));

let server: Server;
let port = 0;
let peer: Docker.Container | undefined;
let peerIp = '';
let external = '';
/** HostConfig.Ulimits for the containers the tests start themselves (portgate finds its own). */
let ulimits: {Name: string; Soft: number; Hard: number}[] = [];
let engineLimits: {nofile: number; nproc: number};

beforeAll(async () => {
  await requirePodman();
  const limits = await engineHardLimits(PODMAN_SOCKET);
  if (!limits) throw new Error(`cannot read the hard limits of the process serving ${PODMAN_SOCKET}, nor this process's`);
  engineLimits = limits;
  ulimits = ulimitsWithin(limits);
  await buildProbeImage(PROBE);
  const listenerImages: [string, string, {shell?: boolean}?][] = [
    ['v4', 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]'],
    ['tcpudp', 'EXPOSE 8080 5353/udp\nENTRYPOINT ["sh", "-c", "/listen udp 0.0.0.0 5353 & exec /listen tcp :: 8080"]', {shell: true}],
    ['nonroot', 'USER 10001:10001\nEXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "127.0.0.1", "8081"]'],
    ['crash', 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--exit-after", "1", "3"]'],
    ['per-interface', 'EXPOSE 53/udp\nENTRYPOINT ["sh", "-c", "exec /listen udp 127.0.0.1 53 $(hostname -i) 53"]', {shell: true}],
    ['slow', 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--delay", "120"]'],
    // Podman 4.3 refuses to create containers from images that EXPOSE an SCTP port.
    ['sctp', 'EXPOSE 8080 5000/sctp\nCMD ["tcp", "0.0.0.0", "8080"]']
  ];
  await Promise.all([
    ...listenerImages.map(([name, tail, o]) => buildListenerImage(img(name), tail, o)),
    buildImage({
      tag: img('httpd'),
      files: {busybox: busybox(), Dockerfile: 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCOPY busybox /bin/cat\nENV PATH=/bin\nEXPOSE 8080\nENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080"]\n'}
    }),
    buildShellImage(img('prober'), 'COPY listen /listen\nCMD ["sh"]', {listen: listener()})
  ]);
  const loaded = loadIntoPodman([PROBE, img('httpd'), img('prober'), ...listenerImages.map(([name]) => img(name))]);
  expect(loaded).toContain(`localhost/${PROBE}`);
  // One image built by Podman itself (Buildah), FROM scratch: nothing to pull.
  const ctx = mkdtempSync(join(tmpdir(), `${P}buildah-`));
  writeFileSync(join(ctx, 'listen'), listener().content, {mode: 0o755});
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY listen /listen\nEXPOSE 8080\nENTRYPOINT ["/listen"]\nCMD ["tcp", "0.0.0.0", "8080"]\n');
  execFileSync('podman', ['build', '-q', '--label', 'io.portgate.test=true', '-t', img('buildah'), ctx], {stdio: 'pipe'});
  // Buildah records EXPOSE words unchecked: a range as one key, `53/UDP`, `+90`.
  writeFileSync(join(ctx, 'Dockerfile.odd'), 'FROM scratch\nCOPY listen /listen\nEXPOSE 8080-8082 53/UDP +90\nENTRYPOINT ["/listen"]\nCMD ["tcp", "0.0.0.0", "8080"]\n');
  execFileSync('podman', ['build', '-q', '--label', 'io.portgate.test=true', '-t', img('buildah-odd'), '-f', join(ctx, 'Dockerfile.odd'), ctx], {stdio: 'pipe'});

  server = createServer((_, res) => res.end('host service\n'));
  await new Promise<void>(r => server.listen(0, '0.0.0.0', r));
  port = (server.address() as AddressInfo).port;
  // Another container on Podman's default network, for the isolation probes.
  peer = await podman().createContainer({Image: img('prober'), Cmd: ['/listen', 'tcp', '0.0.0.0', '8080'], Labels: {'io.portgate.test': 'true'}, HostConfig: {Ulimits: ulimits}});
  await peer.start();
  peerIp = Object.values((await peer.inspect()).NetworkSettings.Networks)[0]!.IPAddress;
  external = await dns.lookup('deb.debian.org').then(r => r.address, () => '');
}, 600_000);

afterEach(async () => {
  expect(await podmanLeftovers()).toEqual([]);
});

afterAll(async () => {
  server?.close();
  await peer?.remove({force: true}).catch(() => undefined);
  await removePodmanImages(P);
  expect((await podman().listImages()).flatMap(i => i.RepoTags ?? []).filter(t => t.includes(P))).toEqual([]);
});

const engine = () => new DockerEngine({endpoint: podmanEndpoint()});
const hostStatus = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const networksOf = async (runId: string) => (await podman().listNetworks({filters: {label: [`io.portgate.run=${runId}`]}})).map(n => n.Name);
const hasListener8080 = (text = '') => text.split('\n').some(l => / [0-9A-F]+:1F90 [0-9A-F]+:0000 0A /.test(l));
const waitFor = async <T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise(r => setTimeout(r, 100));
  }
};
/** The ulimits note, when this engine's hard limits are below Podman's default (else portgate never needed it). */
const needsUlimits = () => engineLimits.nofile < PODMAN_DEFAULT_RLIMIT || engineLimits.nproc < PODMAN_DEFAULT_RLIMIT;

describe('the engine', () => {
  test('--engine podman finds the rootful socket; what answers is Podman; --engine docker refuses it; short image names find localhost/ images', async () => {
    expect(findEndpoint('podman', {})).toEqual({address: 'unix:///run/podman/podman.sock', socketPath: '/run/podman/podman.sock', fromEnv: false, chosenBy: '--engine podman'});
    const e = engine();
    const info = await e.describe();
    expect(info).toMatchObject({name: 'Podman', address: `unix://${PODMAN_SOCKET}`});
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(() => checkEngineKind('docker', info)).toThrow(/is Podman .*, not Docker/);
    expect((await e.inspectImage(img('httpd')))?.exposedPorts).toEqual(['8080/tcp']);
    expect((await e.inspectImage(`localhost/${img('httpd')}`))?.entrypoint).toEqual(['/bin/busybox', 'httpd', '-f', '-p', '8080']);
    expect(await e.inspectImage(`${P}nothing:here`)).toBeUndefined();
    // A wrong tag: the hint names the image Podman has, under its localhost/ name.
    expect(await e.similarImages(`${P}httpd:tset`)).toContain(`localhost/${img('httpd')}`);
  });

  test("default sandbox: Docker's default capabilities minus NET_RAW in effect (not Podman's 11), catatonit as init, limits, ulimits within the engine's, an internal network without a host address; all removed on cleanup", async () => {
    const e = engine();
    const t = await e.startTarget(img('httpd'), plain);
    const net = `portgate-${e.runId}`;
    try {
      const info = await podman().getContainer(t.id).inspect();
      const hc = info.HostConfig;
      const pid = info.State.Pid;
      // A host pid whose cgroup names the container: what the host reader relies on.
      expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(`libpod-${t.id}`);
      // catatonit, bind-mounted at /run/podman-init, once runc has handed over to it.
      expect(await waitFor(async () => (readlinkSync(`/proc/${pid}/exe`) === '/run/podman-init' ? true : undefined))).toBe(true);
      const status = hostStatus(pid);
      expect(capEff(status)).toBe(capMask(plain.capabilities.value));
      expect(plain.capabilities.value).toEqual(ENGINE_DEFAULT_CAPS.filter(c => c !== 'NET_RAW'));
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(hc.SecurityOpt).toContain('no-new-privileges');
      expect(hc.Privileged).toBe(false);
      expect(hc.PidsLimit).toBe(LIMITS.pids);
      expect(hc.Memory).toBe(LIMITS.memoryBytes);
      expect(hc.NanoCpus).toBe(LIMITS.nanoCpus);
      expect(hc.ReadonlyRootfs).toBe(false);
      expect(info.Config.Labels['io.portgate.role']).toBe('target');
      // Podman reports the mode as `bridge`; the network is the run's own.
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual([net]);
      expect(info.NetworkSettings.Networks[net]!.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
      if (needsUlimits()) {
        expect(t.notes?.join('\n')).toMatch(/^ulimits: the engine refused its own default .*nofile \d+ and nproc \d+, the hard limits of the engine's process \(pid \d+/m);
        expect(limits).toMatch(new RegExp(`^Max open files\\s+${engineLimits.nofile}\\s+${engineLimits.nofile}\\s`, 'm'));
        expect(limits).toMatch(new RegExp(`^Max processes\\s+${engineLimits.nproc}\\s+${engineLimits.nproc}\\s`, 'm'));
      } else {
        expect(t.notes ?? []).toEqual([]);
        expect(limits).toMatch(new RegExp(`^Max open files\\s+${PODMAN_DEFAULT_RLIMIT}\\s`, 'm'));
      }
      // No DNS server of the engine inside the container, unlike Docker's 127.0.0.11.
      expect(t.engineAddresses).toEqual([]);
      const n = await podman().getNetwork(net).inspect();
      expect(n.Internal).toBe(true);
      expect(n.Labels?.['io.portgate.role']).toBe('network');
      // inhibit_ipv4 is not a Podman option (it warns and drops it); the CNI internal network has no gateway instead.
      expect(n.Options ?? {}).toEqual({});
      const subnet = n.IPAM?.Config?.[0]?.Subnet ?? '';
      expect(n.IPAM?.Config?.[0]?.Gateway ?? '<nil>').toBe('<nil>');
      expect(t.notes?.some(x => x.startsWith('network:'))).toBe(false);
      const prefix = subnet.split('.').slice(0, 3).join('.');
      expect(prefix).toMatch(/^\d+\.\d+\.\d+$/);
      // The host holds no address on the run's network, so nothing on the host is reachable through it.
      const hostAddrs = Object.values(networkInterfaces()).flat().map(a => a?.address ?? '');
      expect(hostAddrs.filter(a => a.startsWith(`${prefix}.`))).toEqual([]);
    } finally {
      await e.cleanup();
    }
    await expect(podman().getContainer(t.id).inspect()).rejects.toMatchObject({statusCode: 404});
    expect(await networksOf(e.runId)).toEqual([]);
  });

  test('strict profile: read-only root, noexec /tmp, no capabilities in effect, no interface but loopback', async () => {
    const e = engine();
    try {
      const t = await e.startTarget(img('httpd'), strict);
      const info = await podman().getContainer(t.id).inspect();
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      expect(capEff(hostStatus(info.State.Pid))).toBe(0n);
      expect(readFileSync(`/proc/${info.State.Pid}/mounts`, 'utf8')).toMatch(/^tmpfs \/tmp tmpfs rw,nosuid,nodev,noexec/m);
      const devs = readFileSync(`/proc/${info.State.Pid}/net/dev`, 'utf8').split('\n').slice(2).filter(Boolean).map(l => l.trim().split(':')[0]);
      expect(devs).toEqual(['lo']);
      expect(await networksOf(e.runId)).toEqual([]);
    } finally {
      await e.cleanup();
    }
  });

  test.each(['host', 'sidecar', 'exec', 'auto'] as const)('the %s reader sees the listener in the target netns, and owners by executable', async mode => {
    const e = engine();
    try {
      const t = await e.startTarget(img('httpd'), plain);
      const reader = await e.openReader(t, mode, PROBE, LIFETIME);
      // The engine is local: auto proves the pid through its libpod-<id> cgroup and reads the host's /proc.
      expect(reader.kind).toBe(mode === 'auto' ? 'host' : mode);
      expect(reader.trusted).toBe(mode !== 'exec');
      const snap = await waitFor(async () => {
        const s = await reader.snapshot();
        return hasListener8080(s.tcp6) || hasListener8080(s.tcp) ? s : undefined;
      });
      const ls = listenersOf(snap, 'le');
      expect(ls.map(l => `${l.protocol}/${l.port}`)).toEqual(['tcp/8080']);
      const scan = await reader.processes();
      const owner = processesByInode(scan.processes).get(ls[0]!.inode!);
      if (mode === 'exec') expect(owner).toBeUndefined();
      else {
        expect(scan.incomplete).toBeUndefined();
        expect(owner).toMatchObject({name: 'busybox', exe: '/bin/busybox', uid: 0, command: '/bin/busybox httpd -f -p 8080'});
        expect(owner!.pid).toBeLessThan(50);
        // catatonit is pid 1 of the container, the service its child.
        expect(scan.processes.find(p => p.pid === 1)?.exe).toBe('/run/podman-init');
      }
      expect(await reader.ephemeralRange()).toEqual([32768, 60999]);
    } finally {
      await e.cleanup();
    }
  });

  test('sidecar probes: the streaming one joins only the network (nobody, no capabilities), the ownership one only the pids (SYS_PTRACE, DAC_READ_SEARCH)', async () => {
    const e = engine();
    try {
      const t = await e.startTarget(img('httpd'), plain);
      await e.openReader(t, 'sidecar', PROBE, LIFETIME);
      const probes = await podman().listContainers({filters: {label: ['io.portgate.role=probe', `io.portgate.run=${e.runId}`]}});
      const configs = await Promise.all(probes.map(p => podman().getContainer(p.Id).inspect()));
      expect(configs).toHaveLength(2);
      const net = configs.find(c => c.HostConfig.NetworkMode === `container:${t.id}`)!;
      const pid = configs.find(c => c.HostConfig.PidMode === `container:${t.id}`)!;
      expect(net.Config.User).toBe('65534:65534');
      expect(capEff(hostStatus(net.State.Pid))).toBe(0n);
      expect(capEff(hostStatus(pid.State.Pid))).toBe(capMask(['SYS_PTRACE', 'DAC_READ_SEARCH']));
      expect(pid.HostConfig.NetworkMode).toBe('none');
      // The streaming probe shares the target's network namespace, not its pids.
      const target = (await podman().getContainer(t.id).inspect()).State.Pid;
      const ns = (p: number, kind: string) => execFileSync('readlink', [`/proc/${p}/ns/${kind}`], {encoding: 'utf8'}).trim();
      expect(ns(net.State.Pid, 'net')).toBe(ns(target, 'net'));
      expect(ns(net.State.Pid, 'pid')).not.toBe(ns(target, 'pid'));
      expect(ns(pid.State.Pid, 'pid')).toBe(ns(target, 'pid'));
      expect(ns(pid.State.Pid, 'net')).not.toBe(ns(target, 'net'));
      for (const c of configs) {
        expect(c.HostConfig.ReadonlyRootfs).toBe(true);
        expect(hostStatus(c.State.Pid)).toMatch(/^NoNewPrivs:\s+1$/m);
      }
    } finally {
      await e.cleanup();
    }
  });

  test("a cleanup racing a create, and containers and networks it never tracked but that carry the run's label: nothing left", async () => {
    const e = engine();
    const starting = e.startTarget(img('httpd'), plain);
    const refused = expect(starting).rejects.toMatchObject({name: 'EnvironmentError'});
    await e.cleanup();
    await refused;
    expect(await networksOf(e.runId)).toEqual([]);
    const f = engine();
    const orphan = await podman().createContainer({Image: img('httpd'), Labels: labels(f.runId, 'target')});
    const net = await podman().createNetwork({Name: `${P}net-${f.runId}`, Internal: true, Labels: labels(f.runId, 'network')});
    await Promise.all([f.cleanup(), f.cleanup()]);
    await expect(podman().getContainer(orphan.id).inspect()).rejects.toMatchObject({statusCode: 404});
    await expect(podman().getNetwork(net.id).inspect()).rejects.toMatchObject({statusCode: 404});
  });

  test('a probe image Podman lacks cannot be pulled (no registry): an environment error naming --probe-image', async () => {
    const e = engine();
    try {
      const t = await e.startTarget(img('httpd'), plain);
      await expect(e.openReader(t, 'sidecar', `${P}no-such-probe:1`, LIFETIME)).rejects.toMatchObject({name: 'EnvironmentError', message: expect.stringContaining('--probe-image')});
    } finally {
      await e.cleanup();
    }
  });
});

const gate = (image: string, o: Omit<Partial<GateOptions>, 'spec'> & {spec?: string} = {}): Promise<GateResult> =>
  runGate(
    {image, timeoutMs: 15_000, settle: 1_000, probe: 'auto', probeImage: PROBE, failOn: 'error', ...o, spec: o.spec === undefined ? undefined : loadSpec(o.spec, 'portgate.yml')},
    engine()
  );
const seen = (r: GateResult) => r.listening.map(l => `${l.protocol} ${l.address} ${l.port} ${l.family} ${l.scope}`).sort();
const rules = (r: GateResult) => r.findings.map(f => `${f.rule}:${f.port ?? ''}`).sort();

describe('the gate', () => {
  test.each(['host', 'sidecar', 'exec'] as const)('%s reader: TCP + UDP from two processes, as on Docker', async probe => {
    const r = await gate(img('tcpudp'), {probe});
    expect(seen(r)).toEqual(['tcp :: 8080 ipv6 wildcard', 'udp 0.0.0.0 5353 ipv4 wildcard']);
    expect(r.container?.reader).toBe(probe);
    expect(rules(r)).toEqual(probe === 'exec' ? ['untrusted-reader:'] : []);
    if (probe !== 'exec') expect(r.listening.map(l => l.process?.command).sort()).toEqual(['/listen tcp :: 8080', '/listen udp 0.0.0.0 5353']);
    expect(r.engine?.name).toBe('Podman');
    expect(r.container?.sandbox?.notes.some(n => n.startsWith('ulimits:'))).toBe(needsUlimits());
  });

  test('an image built by Podman (Buildah) passes with the host reader, its owner named', async () => {
    const r = await gate(img('buildah'), {spec: 'version: 1\nports:\n  - port: 8080\n'});
    expect(seen(r)).toEqual(['tcp 0.0.0.0 8080 ipv4 wildcard']);
    expect(r.verdict).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.container).toMatchObject({exited: false, reader: 'host', trusted: true});
    expect(r.listening[0]!.process).toMatchObject({name: 'listen', exe: '/listen', command: '/listen tcp 0.0.0.0 8080'});
  });

  test("Buildah's unchecked ExposedPorts (a range, 53/UDP, +90), which Podman's Docker-compatible inspect cannot convert: read through Podman's own API, expanded and lowercased, the non-port left out with a notice", async () => {
    await expect(podman().getImage(img('buildah-odd')).inspect()).rejects.toMatchObject({statusCode: 500, message: expect.stringContaining('ImageInspect')});
    const notices: string[] = [];
    const r = await gate(img('buildah-odd'), {timeoutMs: 4_000, notice: n => notices.push(n)});
    expect(r.exposed.map(e => `${e.port}/${e.protocol}`).sort()).toEqual(['53/udp', '8080/tcp', '8081/tcp', '8082/tcp']);
    expect(notices).toEqual([`${img('buildah-odd')}'s config lists "+90/tcp" under ExposedPorts, which no engine reads as a port (Buildah records EXPOSE words without checking them): left out.`]);
    expect(seen(r)).toEqual(['tcp 0.0.0.0 8080 ipv4 wildcard']);
    expect(rules(r)).toEqual(['exposed-not-listening:53', 'exposed-not-listening:8081', 'exposed-not-listening:8082']);
  });

  test('an image that EXPOSEs an SCTP port: Podman will not create its container, an environment error that says so; --static-only still reads its EXPOSE', async () => {
    await expect(gate(img('sctp'))).rejects.toMatchObject({name: 'EnvironmentError', message: expect.stringContaining('refuses to create any container from an image that EXPOSEs an SCTP port')});
    const r = await gate(img('sctp'), {staticOnly: true});
    expect(r.exposed.map(e => `${e.port}/${e.protocol}`).sort()).toEqual(['5000/sctp', '8080/tcp']);
  });

  test.each(['host', 'sidecar'] as const)('%s reader: a service running as another user, its sockets and owner read', async probe => {
    const r = await gate(img('nonroot'), {probe});
    expect(r.listening.map(l => [l.port, l.uid, l.process?.name, l.process?.uid])).toEqual([
      [8080, 10001, 'listen', 10001],
      [8081, 10001, 'listen', 10001]
    ]);
    expect(r.container?.ownersIncomplete).toBeUndefined();
  });

  test('a container that crashes is reported with its exit code and log tail', async () => {
    const r = await gate(img('crash'));
    expect(r.container).toMatchObject({exited: true, exitCode: 3});
    expect(rules(r)).toEqual(['container-exited:']);
    expect(r.findings[0]!.message).toMatch(/exited with code 3[\s\S]*bound tcp 0\.0\.0\.0:8080/);
  });

  test('a per-interface binder is reachable on its own address, not judged loopback-only', async () => {
    const r = await gate(img('per-interface'), {spec: 'version: 1\nports:\n  - port: 53/udp\n'});
    expect(r.listening.map(l => l.scope).sort()).toEqual(['loopback', 'specific']);
    // Only the least-privilege note that DNS on 53 needs root or CAP_NET_BIND_SERVICE, as on Docker.
    expect(r.findings.map(f => `${f.rule}:${f.severity}:${f.port}`)).toEqual(['privileged-port:note:53']);
  });
});

const env = () => ({PORT: String(port), HOSTS: hostAddresses().join(' '), EXTERNAL: external, PEER: peerIp});
const logsOf = async (c: Docker.Container) => demux((await c.logs({stdout: true, stderr: true})) as unknown as Buffer).combined;

describe('the isolated network', () => {
  test("control: from an ordinary container on Podman's default network every probe gets through", async () => {
    const c = await podman().createContainer({
      Image: img('prober'),
      Cmd: ['sh', '-c', SCRIPT],
      Env: Object.entries(env()).map(([k, v]) => `${k}=${v}`),
      Labels: {'io.portgate.test': 'true'},
      HostConfig: {Ulimits: ulimits}
    });
    try {
      await c.start();
      const r = results(await waitForLogs(() => logsOf(c)));
      const want = Object.fromEntries([['gateway', 'open'], ['peer', 'open'], ['dns', 'open'], ...hostAddresses().map(a => [`host-${a}`, 'open']), ...(external ? [['external', 'open']] : [])]);
      expect(r).toMatchObject(want);
    } finally {
      await c.remove({force: true});
    }
  });

  test('from the target: no host address, no external address, no DNS and no other container answers; its own name resolves', async () => {
    const e = engine();
    try {
      const plan = planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['sh', '-c', SCRIPT], env: env()}}]);
      const t = await e.startTarget(img('prober'), plan);
      const r = results(await waitForLogs(() => t.logs(100)));
      const blocked = ['gateway', 'external', 'dns', 'peer', ...hostAddresses().map(a => `host-${a}`)];
      expect(r).toEqual({...Object.fromEntries(blocked.map(k => [k, 'blocked'])), 'own-name': 'resolves', done: r.done});
    } finally {
      await e.cleanup();
    }
  });

  test('two runs get two networks and cannot reach each other (the same address answers inside its own network)', async () => {
    const [a, b] = [engine(), engine()];
    try {
      const ta = await a.startTarget(img('prober'), planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['/listen', 'tcp', '0.0.0.0', '8080']}}]));
      const ip = (await podman().getContainer(ta.id).inspect()).NetworkSettings.Networks[`portgate-${a.runId}`]!.IPAddress;
      const probe = (label: string) => `if nc -w 2 ${ip} 8080 -e true </dev/null; then echo "PG ${label} open"; else echo "PG ${label} blocked"; fi; echo PG done; sleep 60`;
      const tb = await b.startTarget(img('prober'), planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['sh', '-c', probe('other')]}}]));
      expect(results(await waitForLogs(() => tb.logs(20))).other).toBe('blocked');
      const c = await podman().createContainer({Image: img('prober'), Cmd: ['sh', '-c', probe('same')], Labels: {'io.portgate.test': 'true'}, HostConfig: {NetworkMode: `portgate-${a.runId}`, Ulimits: ulimits}});
      try {
        await c.start();
        expect(results(await waitForLogs(() => logsOf(c))).same).toBe('open');
      } finally {
        await c.remove({force: true});
      }
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });
});

/** The built CLI against Podman; DOCKER_HOST only when given. */
const cli = (args: string[], env: Record<string, string> = {}, prefix: string[] = []) => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DOCKER_HOST')) as Record<string, string>;
  const [cmd, ...rest] = [...prefix, process.execPath, CLI, ...args];
  const child = spawn(cmd!, rest, {cwd: mkdtempSync(join(tmpdir(), P)), env: {...base, ...env}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', c => (stdout += c));
  child.stderr.on('data', c => (stderr += c));
  const done = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>(r => child.on('close', (code, signal) => r({code, signal, stdout, stderr})));
  return {child, done};
};

/** Runs `inner` (a shell command) where /var/run/docker.sock does not exist: /run is an empty tmpfs in a private mount namespace. */
const withoutDockerSocket = (inner: string) => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${inner} "$@"`, 'sh'];

describe('the CLI', () => {
  test('--engine podman: the text report names the engine on its context line, the JSON report in `engine`', async () => {
    const json = join(mkdtempSync(join(tmpdir(), P)), 'report.json');
    const r = await cli(['check', '--engine', 'podman', '--image', img('httpd'), '--probe-image', PROBE, '--timeout', '20s', '--report', `json=${json}`]).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/probe: host {3}engine: Podman \d+\.\d+\.\d+ at unix:\/\/\/run\/podman\/podman\.sock {3}took /);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.engine).toMatchObject({name: 'Podman', apiVersion: expect.stringMatching(/^1\.\d+$/), address: 'unix:///run/podman/podman.sock', chosenBy: '--engine podman'});
    expect(report.verdict).toBe('pass');
    expect(report.listening.map((l: {port: number}) => l.port)).toEqual([8080]);
    expect(report.container.sandbox.notes.some((n: string) => n.startsWith('ulimits:'))).toBe(needsUlimits());
  });

  test('auto-detection: without /var/run/docker.sock, the rootful Podman socket; without that too, $XDG_RUNTIME_DIR/podman/podman.sock', async () => {
    // Podman's socket directory survives under /run; Docker's socket does not.
    const keep = mkdtempSync(join(tmpdir(), `${P}keep-`));
    const rootful = `mount --bind /run/podman ${keep} && mount -t tmpfs tmpfs /run && mkdir /run/podman && mount --bind ${keep} /run/podman && exec`;
    const a = await cli(['check', '--image', img('httpd'), '--probe-image', PROBE, '--timeout', '20s', '--format', 'json'], {}, withoutDockerSocket(rootful)).done;
    expect(a.stderr).toBe('');
    expect(JSON.parse(a.stdout).engine).toMatchObject({name: 'Podman', address: 'unix:///run/podman/podman.sock', chosenBy: '/var/run/docker.sock is missing'});
    expect(a.code).toBe(0);
    // Rootless placement: the same service's socket, bind-mounted where a user's would be.
    const xdg = mkdtempSync(join(tmpdir(), `${P}xdg-`));
    mkdirSync(join(xdg, 'podman'));
    writeFileSync(join(xdg, 'podman', 'podman.sock'), '');
    const rootless = `mount --bind ${PODMAN_SOCKET} ${xdg}/podman/podman.sock && mount -t tmpfs tmpfs /run && exec`;
    const b = await cli(['check', '--image', img('httpd'), '--probe-image', PROBE, '--timeout', '20s', '--format', 'json'], {XDG_RUNTIME_DIR: xdg}, withoutDockerSocket(rootless)).done;
    expect(b.stderr).toBe('');
    const report = JSON.parse(b.stdout);
    expect(report.engine).toMatchObject({name: 'Podman', address: `unix://${xdg}/podman/podman.sock`, chosenBy: '/var/run/docker.sock and /run/podman/podman.sock are missing'});
    // The engine's process is still found behind the other path, so its hard limits are the ones used.
    if (needsUlimits()) expect(report.container.sandbox.notes.find((n: string) => n.startsWith('ulimits:'))).toContain("the hard limits of the engine's process (pid");
    expect(b.code).toBe(0);
  });

  test('an explicit DOCKER_HOST wins over --engine, and a kind mismatch is exit 3 that says so', async () => {
    const r = await cli(['check', '--engine', 'podman', '--image', img('httpd')], {DOCKER_HOST: 'unix:///var/run/docker.sock'}).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--engine podman: the engine at DOCKER_HOST \(unix:\/\/\/var\/run\/docker\.sock\), which always wins over --engine, is Docker .*, not Podman/);
    const s = await cli(['check', '--engine', 'docker', '--image', img('httpd'), '--static-only'], {DOCKER_HOST: `unix://${PODMAN_SOCKET}`}).done;
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(/is Podman .*, not Docker/);
  });

  test('a portgate killed with SIGKILL leaves a container and a network that the next run on this host sweeps', async () => {
    const {child, done} = cli(['check', '--engine', 'podman', '--image', img('slow'), '--timeout', '60s', '--probe', 'host']);
    const mine = {label: [`io.portgate.owner=${hostname()}:${child.pid}`]};
    for (let i = 0; i < 300 && !(await podman().listContainers({filters: {...mine, status: ['running']}})).length; i++) await new Promise(r => setTimeout(r, 100));
    child.kill('SIGKILL');
    await done;
    expect(await podman().listNetworks({filters: mine})).toHaveLength(1);
    expect(await podman().listContainers({all: true, filters: mine})).toHaveLength(1);
    const e = engine();
    try {
      await e.startTarget(img('prober'), planSandbox([{source: {kind: 'spec'}, settings: {entrypoint: ['true']}}]));
    } finally {
      await e.cleanup();
    }
    expect(await podman().listNetworks({filters: mine})).toEqual([]);
    expect(await podman().listContainers({all: true, filters: mine})).toEqual([]);
  });

  test('SIGINT then SIGTERM 20 ms later, during network create, container create, start and the wait: exit 130 with nothing of the run left in Podman', async () => {
    const triggers: Record<string, RegExp> = {
      'network create': /^POST \/networks\/create$/,
      'container create': /^POST \/containers\/create$/,
      start: /^POST \/containers\/[0-9a-f]{64}\/start$/
    };
    const outcomes: string[] = [];
    for (const moment of ['network create', 'container create', 'start', 'wait']) {
      let fire = () => {};
      const relay =
        moment === 'wait'
          ? undefined
          : await startFakeEngine(
              (r: SeenRequest) => (triggers[moment]!.test(`${r.method} ${r.path}`) ? {proxy: 'hold', holdMs: 150} : 'proxy'),
              (r: SeenRequest) => {
                if (triggers[moment]!.test(`${r.method} ${r.path}`)) fire();
              },
              undefined,
              PODMAN_SOCKET
            );
      const {child, done} = cli(['check', '--engine', 'podman', '--image', img('slow'), '--timeout', '60s', '--probe-image', PROBE], relay ? {DOCKER_HOST: relay.url} : {});
      let signalled = false;
      fire = () => {
        if (signalled) return;
        signalled = true;
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGTERM'), 20);
      };
      const owner = {label: [`io.portgate.owner=${hostname()}:${child.pid}`]};
      if (moment === 'wait') {
        for (let i = 0; i < 300 && !signalled; i++) {
          if ((await podman().listContainers({filters: {...owner, status: ['running']}})).length) {
            await new Promise(r => setTimeout(r, 300));
            fire();
          } else await new Promise(r => setTimeout(r, 100));
        }
      }
      const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const r = await done;
      clearTimeout(safety);
      await relay?.close();
      const left = [...(await podman().listContainers({all: true, filters: owner})).map(c => c.Id.slice(0, 12)), ...(await podman().listNetworks({filters: owner})).map(n => n.Name)];
      outcomes.push(`${moment}: signalled ${signalled}, exit ${r.code ?? r.signal}, left [${left.join(' ')}], ${/SIGINT: removing its containers/.test(r.stderr) ? 'cleanup announced' : `stderr: ${r.stderr.slice(-300)}`}`);
    }
    expect(outcomes).toEqual(['network create', 'container create', 'start', 'wait'].map(m => `${m}: signalled true, exit 130, left [], cleanup announced`));
  }, 300_000);
});
