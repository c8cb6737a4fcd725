import {closest} from '../spec/suggest.js';

/** Every Linux capability (capability(7), kernel 6.x), without the CAP_ prefix. */
export const LINUX_CAPS = [
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN', 'DAC_OVERRIDE',
  'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN',
  'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYSLOG', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT',
  'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'WAKE_ALARM'
] as const;

const KNOWN: ReadonlySet<string> = new Set(LINUX_CAPS);

/** Why `name` is not a capability portgate can apply (undefined when it is), with the likely intended name. */
export const capabilityIssue = (name: string, allowAll: boolean): string | undefined => {
  const c = name.trim().toUpperCase().replace(/^CAP_/, '');
  if (KNOWN.has(c) || (allowAll && c === 'ALL')) return undefined;
  if (c === 'ALL') return '`ALL` can only be dropped: list the capabilities to add.';
  const guess = closest(c, [...KNOWN]);
  return `"${name}" is not a Linux capability.${guess ? ` Did you mean \`${guess}\`?` : ''} Write names like NET_BIND_SERVICE (with or without CAP_).`;
};

const UNITS: Record<string, number> = {b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3};

/** `512m`, `2g`, `1.5g` or a byte count → bytes; a string saying what is wrong otherwise. At least 6 MiB, the engine's floor. */
export const parseMemory = (v: string | number): number | string => {
  const m = /^(\d+(?:\.\d+)?) ?([bkmg])?$/i.exec(String(v).trim());
  if (!m) return `"${v}" is not a size: write e.g. 512m or 2g.`;
  const bytes = Math.round(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
  if (bytes < 6 * 1024 ** 2) return `"${v}" is below the engine's 6m minimum: write e.g. 512m.`;
  return bytes;
};
