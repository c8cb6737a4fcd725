import {hostname} from 'node:os';
import type {ContainerCreateOptions} from 'dockerode';
import type {RunSettings} from './types.js';

/** Labels on everything portgate creates, so leftovers can always be found: `docker ps -a --filter label=io.portgate.managed`. */
export const MANAGED_LABEL = 'io.portgate.managed';

export const labels = (runId: string, role: 'target' | 'probe'): Record<string, string> => ({
  [MANAGED_LABEL]: 'true',
  'io.portgate.run': runId,
  'io.portgate.role': role,
  // Lets a later run tell a container orphaned by a killed portgate from one in use.
  'io.portgate.owner': `${hostname()}:${process.pid}`
});

export const LIMITS = {memoryBytes: 512 * 1024 ** 2, pids: 256, nanoCpus: 1e9, tmpfsSize: '64m'} as const;

/** Hardening shared by the target and the probe: the image under test is never trusted. */
const hardened = {
  ReadonlyRootfs: true,
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
  PidsLimit: LIMITS.pids,
  Memory: LIMITS.memoryBytes,
  MemorySwap: LIMITS.memoryBytes,
  NanoCpus: LIMITS.nanoCpus,
  AutoRemove: false // removed explicitly: AutoRemove races with inspect/logs after exit
};

/**
 * The image under test: no network but its own loopback, so it can listen
 * but reach nothing; /tmp as the only writable place.
 */
export const targetConfig = (image: string, run: RunSettings, runId: string, ipv6 = true): ContainerCreateOptions => ({
  Image: image,
  ...(run.command && {Cmd: run.command}),
  ...(run.entrypoint && {Entrypoint: run.entrypoint}),
  ...(run.user && {User: run.user}),
  Env: Object.entries(run.env ?? {}).map(([k, v]) => `${k}=${v}`),
  Tty: false,
  NetworkDisabled: false,
  Labels: labels(runId, 'target'),
  HostConfig: {
    ...hardened,
    NetworkMode: 'none',
    Init: true, // reaps zombies and forwards signals, so odd entrypoints still stop
    Tmpfs: {'/tmp': `rw,noexec,nosuid,size=${LIMITS.tmpfsSize}`},
    Sysctls: {
      // Docker ≥20.10 already sets this for private network modes; Podman does not.
      'net.ipv4.ip_unprivileged_port_start': '0',
      // Engines often disable IPv6 in containers; pods usually have ::1, so a service
      // binding it must be observable here too. Dropped when the host has no IPv6.
      ...(ipv6 && {'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.lo.disable_ipv6': '0'})
    }
  }
});

/**
 * The probe shares the target's network and pid namespaces and reads
 * /proc itself. SYS_PTRACE is the one capability it keeps: the kernel asks for
 * it to read another uid's /proc/<pid>/fd (socket → process mapping).
 */
export const probeConfig = (probeImage: string, targetId: string, runId: string): ContainerCreateOptions => ({
  Image: probeImage,
  Entrypoint: ['sh', '-c'],
  // Bounded lifetime even if portgate is SIGKILLed and cannot remove it.
  Cmd: ['sleep 600'],
  User: '0:0',
  Tty: false,
  Labels: labels(runId, 'probe'),
  HostConfig: {...hardened, CapAdd: ['SYS_PTRACE'], NetworkMode: `container:${targetId}`, PidMode: `container:${targetId}`}
});
