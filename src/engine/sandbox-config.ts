import {hostname} from 'node:os';
import type {ContainerCreateOptions, NetworkCreateOptions} from 'dockerode';
import {ENGINE_DEFAULT_CAPS} from '../sandbox/index.js';
import type {SandboxPlan, TmpfsMount} from '../sandbox/types.js';

/** Labels on everything portgate creates, so leftovers can always be found: `docker ps -a --filter label=io.portgate.managed`. */
export const MANAGED_LABEL = 'io.portgate.managed';

export type Role = 'target' | 'probe' | 'network';

export const labels = (runId: string, role: Role): Record<string, string> => ({
  [MANAGED_LABEL]: 'true',
  'io.portgate.run': runId,
  'io.portgate.role': role,
  // Lets a later run tell a container orphaned by a killed portgate from one in use.
  'io.portgate.owner': `${hostname()}:${process.pid}`,
  // CI jobs sharing an engine tell their runs apart (e.g. PORTGATE_JOB=$CI_JOB_ID).
  ...(process.env.PORTGATE_JOB && {'io.portgate.job': process.env.PORTGATE_JOB})
});

/**
 * The per-run network: internal (no route out, no NAT, no published ports)
 * and with no address on the host's side of the bridge, so the target cannot
 * reach the host either — a plain `--internal` network still lets it connect
 * to every host service through the gateway address. Nothing else joins it.
 */
export const networkConfig = (runId: string): NetworkCreateOptions => ({
  Name: `portgate-${runId}`,
  Driver: 'bridge',
  Internal: true,
  Attachable: false,
  CheckDuplicate: true,
  Labels: labels(runId, 'network'),
  Options: {'com.docker.network.bridge.inhibit_ipv4': 'true'}
});

const tmpfsOptions = (m: TmpfsMount): string =>
  ['rw', m.noexec ? 'noexec' : 'exec', 'nosuid', 'nodev', `size=${m.sizeBytes ?? 64 * 1024 ** 2}`, ...(m.mode ? [`mode=${m.mode}`] : []), ...(m.gid !== undefined ? [`gid=${m.gid}`] : [])].join(',');

/** Containment no setting can change: the image under test is never trusted. */
const contained = (memoryBytes: number, pids: number, nanoCpus: number) => ({
  SecurityOpt: ['no-new-privileges'],
  Privileged: false,
  PidsLimit: pids,
  Memory: memoryBytes,
  MemorySwap: memoryBytes,
  NanoCpus: nanoCpus,
  AutoRemove: false // removed explicitly: AutoRemove races with inspect/logs after exit
});

/**
 * The image under test, as the plan says. Capabilities are given as the
 * complete set (drop ALL, add the plan's), so the result does not depend on
 * the engine's own default set (Podman's differs from Docker's).
 */
export const targetConfig = (image: string, plan: SandboxPlan, runId: string, network: string, ipv6 = true): ContainerCreateOptions => ({
  Image: image,
  ...(plan.command && {Cmd: plan.command.value}),
  ...(plan.entrypoint && {Entrypoint: plan.entrypoint.value}),
  ...(plan.user && {User: plan.user.value}),
  Env: Object.entries(plan.env).map(([k, v]) => `${k}=${v.value}`),
  Tty: false,
  Labels: labels(runId, 'target'),
  HostConfig: {
    ...contained(plan.memoryBytes.value, plan.pids.value, plan.nanoCpus),
    NetworkMode: network,
    ReadonlyRootfs: plan.readOnly.value,
    CapDrop: ['ALL'],
    CapAdd: plan.capabilities.value.filter(c => (ENGINE_DEFAULT_CAPS as readonly string[]).includes(c)),
    Init: true, // reaps zombies and forwards signals, so odd entrypoints still stop
    Tmpfs: Object.fromEntries(plan.tmpfs.map(t => [t.value.path, tmpfsOptions(t.value)])),
    Sysctls: {
      // Docker ≥20.10 already sets this for private network modes; Podman does not.
      'net.ipv4.ip_unprivileged_port_start': '0',
      // Engines often disable IPv6 in containers; pods usually have ::1, so a service
      // binding it must be observable here too. Dropped when the host has no IPv6.
      ...(ipv6 && {'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.lo.disable_ipv6': '0'})
    }
  }
});

const PROBE_LIMITS = contained(64 * 1024 ** 2, 64, 0.5e9);

/**
 * The streaming probe: in the target's network namespace, its own pid
 * namespace (the image cannot see or signal it), no capabilities, an
 * unprivileged user, a read-only root. /proc/net is readable by anyone.
 */
export const netProbeConfig = (probeImage: string, targetId: string, runId: string, script: string): ContainerCreateOptions => ({
  Image: probeImage,
  Entrypoint: ['sh', '-c'],
  Cmd: [script],
  User: '65534:65534',
  Tty: false,
  Labels: labels(runId, 'probe'),
  HostConfig: {...PROBE_LIMITS, ReadonlyRootfs: true, CapDrop: ['ALL'], NetworkMode: `container:${targetId}`}
});

/**
 * The ownership probe: in the target's pid namespace only (no network), to
 * read /proc/<pid>/fd and /proc/<pid>/exe of the image's processes. The
 * kernel asks for SYS_PTRACE to read another process's fd links and exe, and
 * DAC_READ_SEARCH to list /proc/<pid>/fd of a process running as another uid;
 * nothing else. It sleeps for `seconds` and then exits by itself.
 */
export const pidProbeConfig = (probeImage: string, targetId: string, runId: string, seconds: number): ContainerCreateOptions => ({
  Image: probeImage,
  Entrypoint: ['sh', '-c'],
  Cmd: [`sleep ${seconds}`],
  User: '0:0',
  Tty: false,
  Labels: labels(runId, 'probe'),
  HostConfig: {...PROBE_LIMITS, ReadonlyRootfs: true, CapDrop: ['ALL'], CapAdd: ['SYS_PTRACE', 'DAC_READ_SEARCH'], NetworkMode: 'none', PidMode: `container:${targetId}`}
});
