import type {RunSettings, SandboxLayer, SandboxProfile, SettingSource} from './types.js';

/**
 * The capability set `docker run`, containerd/CRI and so a default Kubernetes
 * pod give a container (moby `oci/caps/defaults.go`). Services rely on it:
 * nginx and HAProxy setgid/setuid to their user, Redis as root reads its 0640
 * config through DAC_OVERRIDE, RabbitMQ's start script `su`s.
 */
export const ENGINE_DEFAULT_CAPS = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT'
] as const;

/**
 * The most the sandbox grants. A deployment may add capabilities beyond the
 * engine's defaults (SYS_ADMIN, NET_ADMIN, SYS_PTRACE…), but those widen what
 * an untrusted image can do to the host during the run, so portgate never
 * grants them and says so in the report.
 */
export const GRANTABLE_CAPS: ReadonlySet<string> = new Set(ENGINE_DEFAULT_CAPS);

export const LIMITS = {memoryBytes: 1024 ** 3, pids: 512, nanoCpus: 1e9} as const;

/**
 * `default`: the image as a plain `docker run` starts it — the engine's
 * capabilities minus NET_RAW (raw packets are not needed to listen), a
 * writable container layer that is discarded with the container, and an
 * isolated network. Read-only roots and dropped capabilities are production
 * hardening a deployment chooses; a manifest or `run:` brings them in.
 */
const DEFAULT: RunSettings = {
  readOnly: false,
  capDrop: ['NET_RAW'],
  network: 'isolated',
  memoryBytes: LIMITS.memoryBytes,
  pids: LIMITS.pids
};

/** `strict`: read-only root with a small noexec /tmp, no capabilities, loopback-only network (portgate 0.1's sandbox). */
const STRICT: RunSettings = {
  readOnly: true,
  capDrop: ['ALL'],
  network: 'none',
  tmpfs: [{path: '/tmp', mode: '1777', sizeBytes: 64 * 1024 ** 2, noexec: true}]
};

export const defaultLayer = (): SandboxLayer => ({source: {kind: 'default'}, settings: DEFAULT});

/**
 * Naming `default` above a `strict` (`--sandbox default` over the spec's
 * `sandbox: strict`) puts back what strict took away: a writable root, the
 * default capabilities, an interface. planSandbox also drops a profile's /tmp.
 */
const DEFAULT_AGAIN: RunSettings = {
  readOnly: false,
  network: 'isolated',
  capDrop: ['ALL'],
  capAdd: ENGINE_DEFAULT_CAPS.filter(c => c !== 'NET_RAW')
};

/** The settings a named profile stands for, attributed to where it was named. */
export const profileLayer = (profile: SandboxProfile, from: SettingSource): SandboxLayer => ({
  source: {kind: 'profile', profile, from},
  settings: profile === 'strict' ? STRICT : DEFAULT_AGAIN
});
