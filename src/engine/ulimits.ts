import {readFile, readdir, readlink, stat} from 'node:fs/promises';

/**
 * Podman gives every container RLIMIT_NOFILE and RLIMIT_NPROC of 1048576
 * unless told otherwise (rootful: libpod `addRlimits`, define.RLimitDefaultValue).
 * Raising a hard limit above the one the engine process itself has needs
 * CAP_SYS_RESOURCE; where `podman system service` runs without it (a CI
 * container, a VM sandbox) with lower hard limits, every container start fails
 * with runc's `error setting rlimit type 7: operation not permitted` (7 is
 * RLIMIT_NOFILE, 6 RLIMIT_NPROC; crun says `setrlimit RLIMIT_NOFILE`). Docker
 * sets no such defaults, so it never gets here.
 *
 * portgate then starts the container again with `HostConfig.Ulimits` for
 * nofile and nproc at the hard limits of the engine process, which is what
 * Podman meant to give ("the maximum they can be set to"), and says so in the
 * report's sandbox notes.
 */

/** The resource a refused start names, when it is a refused rlimit; undefined for any other error. */
export const refusedRlimit = (message: string): string | undefined => {
  const m = /rlimit type (\d+)|setrlimit[^A-Za-z]*RLIMIT_([A-Z]+)/i.exec(message);
  if (!m) return undefined;
  if (m[2]) return m[2].toLowerCase();
  // The order of Linux's resource numbers (include/uapi/asm-generic/resource.h).
  const names = ['cpu', 'fsize', 'data', 'stack', 'core', 'rss', 'nproc', 'nofile', 'memlock', 'as', 'locks', 'sigpending', 'msgqueue', 'nice', 'rtprio', 'rttime'];
  return names[Number(m[1])] ?? `type ${m[1]}`;
};

export interface HardLimits {
  nofile: number;
  nproc: number;
  /** Whose limits these are, for the report: `the engine process (pid 3386, podman system service)`. */
  from: string;
}

/** `Max open files  20000  20000  files` → hard limits; undefined for `unlimited` or a missing row. */
export const parseLimits = (text: string): {nofile?: number; nproc?: number} => {
  const hard = (row: string): number | undefined => {
    const m = new RegExp(`^${row}\\s+\\S+\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const nofile = hard('Max open files');
  const nproc = hard('Max processes');
  return {...(nofile !== undefined && {nofile}), ...(nproc !== undefined && {nproc})};
};

const tryRead = (p: string): Promise<string | undefined> => readFile(p, 'utf8').catch(() => undefined);

/**
 * The pids holding the listening unix socket at `socketPath`: the engine
 * (and, under socket activation, systemd). Found through this network
 * namespace's /proc/net/unix and the holders' fd links; the socket a holder
 * bound is compared with `socketPath` by device and inode as the holder sees
 * it (/proc/<pid>/root), so a bind-mounted or symlinked socket is found too.
 * Works only where the engine is local and this process may read other
 * processes' fds (root, as rootful Podman's socket needs anyway).
 */
export const socketHolders = async (socketPath: string, procRoot = '/proc'): Promise<number[]> => {
  const want = await stat(socketPath).catch(() => undefined);
  const table = await tryRead(`${procRoot}/net/unix`);
  if (!want || !table) return [];
  // Num RefCount Protocol Flags Type St Inode Path; a listening socket has __SO_ACCEPTCON (0x10000) in Flags.
  const bound = new Map<string, string>();
  for (const f of table.split('\n').map(l => l.trim().split(/\s+/))) {
    if (f[7]?.startsWith('/') && (parseInt(f[3] ?? '0', 16) & 0x10000) !== 0) bound.set(`socket:[${f[6]}]`, f[7]);
  }
  const holders: number[] = [];
  for (const entry of await readdir(procRoot).catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of await readdir(`${procRoot}/${entry}/fd`).catch(() => [] as string[])) {
      const path = bound.get((await readlink(`${procRoot}/${entry}/fd/${fd}`).catch(() => undefined)) ?? '');
      if (path === undefined) continue;
      const seen = await stat(`${procRoot}/${entry}/root${path}`).catch(() => undefined);
      if (seen && seen.dev === want.dev && seen.ino === want.ino) {
        holders.push(Number(entry));
        break;
      }
    }
  }
  return holders;
};

/**
 * The hard nofile and nproc limits containers can be given: the lowest of the
 * processes that hold the engine's socket when it is local, else this
 * process's own (the best guess for an engine started from the same
 * environment). undefined when neither can be read.
 */
export const engineHardLimits = async (socketPath: string | undefined, procRoot = '/proc'): Promise<HardLimits | undefined> => {
  const holders = socketPath ? await socketHolders(socketPath, procRoot) : [];
  const found: {pid: number; limits: ReturnType<typeof parseLimits>; comm: string}[] = [];
  for (const pid of holders) {
    const limits = parseLimits((await tryRead(`${procRoot}/${pid}/limits`)) ?? '');
    const comm = ((await tryRead(`${procRoot}/${pid}/cmdline`)) ?? '').split('\0').filter(Boolean).slice(0, 3).join(' ');
    if (limits.nofile !== undefined && limits.nproc !== undefined) found.push({pid, limits, comm});
  }
  if (found.length) {
    const nofile = Math.min(...found.map(f => f.limits.nofile!));
    const nproc = Math.min(...found.map(f => f.limits.nproc!));
    return {nofile, nproc, from: `the engine's process${found.length > 1 ? 'es' : ''} (${found.map(f => `pid ${f.pid}${f.comm ? `, ${f.comm}` : ''}`).join('; ')})`};
  }
  const own = parseLimits((await tryRead(`${procRoot}/self/limits`)) ?? '');
  if (own.nofile === undefined || own.nproc === undefined) return undefined;
  return {nofile: own.nofile, nproc: own.nproc, from: `portgate's own process (the engine's could not be read${socketPath ? '' : ': it is not local'})`};
};

/** HostConfig.Ulimits within `limits`: soft = hard, as Podman's defaults are. */
export const ulimitsWithin = (limits: HardLimits): {Name: string; Soft: number; Hard: number}[] => [
  {Name: 'nofile', Soft: limits.nofile, Hard: limits.nofile},
  {Name: 'nproc', Soft: limits.nproc, Hard: limits.nproc}
];
