import {execFile, execFileSync} from 'node:child_process';
import Docker from 'dockerode';
import type {Endpoint} from '../../src/engine/endpoint.js';
import {suiteJob} from './engine.js';

/**
 * Podman's Docker-compatible API, rootful, as scripts/setup.sh starts it
 * (`podman system service --time=0 unix:///run/podman/podman.sock`).
 * PORTGATE_PODMAN_SOCKET points the tests at another one.
 */
export const PODMAN_SOCKET = process.env.PORTGATE_PODMAN_SOCKET || '/run/podman/podman.sock';

/** The endpoint a DockerEngine of these tests talks to, as `--engine podman` finds it. */
export const podmanEndpoint = (): Endpoint => ({address: `unix://${PODMAN_SOCKET}`, socketPath: PODMAN_SOCKET, fromEnv: false, chosenBy: '--engine podman'});

let client: Docker | undefined;
export const podman = (): Docker => (client ??= new Docker({socketPath: PODMAN_SOCKET}));

/**
 * Fails (never skips) when Podman does not answer, or something else does:
 * a skipped Podman suite would be a silent pass.
 */
export const requirePodman = async (): Promise<{version: string; apiVersion: string}> => {
  let v: Docker.DockerVersion;
  try {
    await podman().ping();
    v = await podman().version();
  } catch (e) {
    throw new Error(
      `the Podman tests need Podman's API service at ${PODMAN_SOCKET}, and it does not answer (${(e as Error).message}): run scripts/setup.sh as root, which installs podman and catatonit and starts \`podman system service --time=0 unix://${PODMAN_SOCKET}\``
    );
  }
  const names = (v.Components ?? []).map(c => c.Name);
  if (!names.includes('Podman Engine')) throw new Error(`${PODMAN_SOCKET} answers, but as ${names.join(', ') || 'an unknown engine'}, not Podman`);
  return {version: v.Version, apiVersion: v.ApiVersion};
};

/**
 * Moves images built by Docker into Podman (`docker save … | podman load`),
 * where they are named localhost/<name>:<tag>; then drops them from Docker.
 */
export const loadIntoPodman = (refs: string[]): string[] => {
  const out = execFileSync('bash', ['-o', 'pipefail', '-c', `docker save ${refs.join(' ')} | podman load -q`], {encoding: 'utf8', maxBuffer: 16 * 1024 * 1024});
  execFileSync('docker', ['rmi', '-f', ...refs], {stdio: 'ignore'});
  return [...out.matchAll(/^Loaded image(?:\(s\))?: (.+)$/gm)].map(m => m[1]!.trim());
};

/** Images in Podman whose name (without `localhost/`) starts with `prefix`, removed. */
export const removePodmanImages = async (prefix: string): Promise<void> => {
  for (const img of await podman().listImages()) {
    for (const tag of img.RepoTags ?? []) {
      if (tag.replace(/^localhost\//, '').startsWith(prefix)) await podman().getImage(tag).remove({force: true}).catch(() => undefined);
    }
  }
};

/** What portgates of this suite left in Podman (see leftoverContainers in engine.ts). */
export const podmanLeftovers = async (): Promise<string[]> => {
  const filters = {label: ['io.portgate.managed', `io.portgate.job=${suiteJob()}`]};
  const containers = await podman().listContainers({all: true, filters});
  const networks = await podman().listNetworks({filters});
  return [...containers.map(c => `${c.Id.slice(0, 12)} ${c.Image} ${c.State}`), ...networks.map(n => `network ${n.Name}`)];
};

/** Effective capabilities of a host pid, as the kernel reports them (CapEff, hex). */
export const capEff = (status: string): bigint => BigInt(`0x${/^CapEff:\s+([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);

/** Linux capability numbers (include/uapi/linux/capability.h) of the names portgate gives. */
export const CAP_NUMBERS: Record<string, number> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  DAC_READ_SEARCH: 2,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  NET_BIND_SERVICE: 10,
  NET_RAW: 13,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  MKNOD: 27,
  AUDIT_WRITE: 29,
  SETFCAP: 31
};

export const capMask = (names: readonly string[]): bigint => names.reduce((m, n) => m | (1n << BigInt(CAP_NUMBERS[n]!)), 0n);

export type BuildahOutcome = {ok: true; keys: string[]} | {ok: false; error: string};

/**
 * `podman build` (Buildah) of one Dockerfile FROM scratch or local images,
 * and the Config.ExposedPorts keys it recorded, raw (from `podman image
 * inspect`, not the Docker-compatible API, which fails on some of them).
 */
export const buildahBuild = async (o: {tag: string; dockerfile: string; context: string; buildArgs?: Record<string, string>; target?: string; label: string}): Promise<BuildahOutcome> => {
  const args = [
    'build',
    '-q',
    '--layers=false',
    '--force-rm',
    '--label',
    o.label,
    '-t',
    o.tag,
    '-f',
    o.dockerfile,
    ...Object.entries(o.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...(o.target !== undefined ? ['--target', o.target] : []),
    o.context
  ];
  const run = (cmd: string[]) =>
    new Promise<{code: number; stdout: string; stderr: string}>(resolve =>
      execFile('podman', cmd, {maxBuffer: 4 * 1024 * 1024}, (err, stdout, stderr) => resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr}))
    );
  let built = await run(args);
  if (built.code !== 0) return {ok: false, error: built.stderr.trim().split('\n').filter(Boolean).pop() ?? `podman build exited ${built.code}`};
  let inspected = await run(['image', 'inspect', '--format', '{{json .Config.ExposedPorts}}', o.tag]);
  // Builds run three at a time: two that commit the same image (same base, same config) race in Podman's
  // store, and the tag can name an ID the other build's clean-up just removed ("image not known"). Once more.
  if (inspected.code !== 0 && /image not known/.test(inspected.stderr)) {
    built = await run(args);
    if (built.code !== 0) return {ok: false, error: built.stderr.trim().split('\n').filter(Boolean).pop() ?? `podman build exited ${built.code}`};
    inspected = await run(['image', 'inspect', '--format', '{{json .Config.ExposedPorts}}', o.tag]);
  }
  if (inspected.code !== 0) throw new Error(`podman image inspect ${o.tag}: ${inspected.stderr.trim()}`);
  return {ok: true, keys: Object.keys((JSON.parse(inspected.stdout.trim() || 'null') as Record<string, unknown> | null) ?? {})};
};

/** Removes every image in Podman with `label` (KEY=VALUE). */
export const removePodmanImagesLabelled = async (label: string): Promise<void> => {
  for (const img of await podman().listImages({all: true, filters: {label: [label]}})) await podman().getImage(img.Id).remove({force: true}).catch(() => undefined);
};

/** Debian's build records which imagebuilder (Buildah's Dockerfile front end) it used; elsewhere unknown. */
export const imagebuilderVersion = (): string => {
  try {
    return /golang-github-openshift-imagebuilder \(= ([^)+]+)/.exec(execFileSync('dpkg-query', ['-W', '-f', '${Built-Using}', 'podman'], {encoding: 'utf8'}))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** The Buildah version Podman was built with (`podman info`). */
export const buildahVersion = (): string => {
  try {
    return execFileSync('podman', ['info', '--format', '{{.Host.BuildahVersion}}'], {encoding: 'utf8'}).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
};
