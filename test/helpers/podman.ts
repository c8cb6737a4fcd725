import {execFileSync} from 'node:child_process';
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
