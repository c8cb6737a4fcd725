import {readFile, readdir, readlink} from 'node:fs/promises';
import type {ProcessFds} from '../../procnet/index.js';
import {DEFAULT_EPHEMERAL, type ProcNetSnapshot, type ProcessScan, type SocketReader} from '../types.js';
import {TABLES} from './protocol.js';

const tryRead = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);
const tryLink = (path: string): Promise<string | undefined> => readlink(path).catch(() => undefined);

/**
 * Reads /proc/<pid>/net/* of the container's init from the host's procfs, with
 * no binary from any image involved. Only possible when the engine shares the
 * caller's pid namespace (a local daemon). Returns undefined when `pid` is not
 * provably the container's: under Docker-in-Docker or a remote engine the pid
 * the engine reports names some other host process, or none.
 */
export const openHostReader = async (containerId: string, pid: number, procRoot = '/proc'): Promise<SocketReader | undefined> => {
  if (pid <= 0) return undefined;
  const cgroup = await tryRead(`${procRoot}/${pid}/cgroup`);
  // cgroup v1 `/docker/<id>`, v2 `docker-<id>.scope`, Podman `libpod-<id>`: all carry the full id.
  if (!cgroup?.includes(containerId)) return undefined;
  const netns = await tryLink(`${procRoot}/${pid}/ns/net`);
  if (!netns) return undefined;

  const snapshot = async (): Promise<ProcNetSnapshot> => {
    const out: ProcNetSnapshot = {};
    for (const t of TABLES) {
      const text = await tryRead(`${procRoot}/${pid}/net/${t === 'sctp' ? 'sctp/eps' : t}`);
      if (text !== undefined) out[t] = text;
    }
    if (out.tcp === undefined) throw new Error(`cannot read ${procRoot}/${pid}/net/tcp: the container stopped or procfs is not readable`);
    return out;
  };

  // Every process in the container's network namespace, not only its init's
  // children. Processes come and go while this runs: each is read best effort.
  const processes = async (): Promise<ProcessScan> => {
    const found: ProcessFds[] = [];
    let unreadable = 0;
    for (const entry of await readdir(procRoot).catch(() => [] as string[])) {
      if (!/^\d+$/.test(entry)) continue;
      const base = `${procRoot}/${entry}`;
      if ((await tryLink(`${base}/ns/net`)) !== netns) continue;
      const p = await readProcess(base);
      if (p) found.push(p);
      else unreadable++;
    }
    return {processes: found, ...(unreadable && {incomplete: `${unreadable} process(es) ended or could not be read while portgate looked`})};
  };

  return {kind: 'host', trusted: true, snapshot, processes, ephemeralRange: async () => DEFAULT_EPHEMERAL};
};

/** One process; undefined when it vanished before its status could be read. */
const readProcess = async (base: string): Promise<ProcessFds | undefined> => {
  const status = await tryRead(`${base}/status`);
  if (status === undefined) return undefined;
  // NSpid lists the pid in each namespace, outermost first: the last is what the container sees.
  const nspid = /^NSpid:\s+([\d\s]+)$/m.exec(status)?.[1]?.trim().split(/\s+/).pop();
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  const fds = await readdir(`${base}/fd`).catch(() => [] as string[]);
  const fdLinks = (await Promise.all(fds.map(fd => tryLink(`${base}/fd/${fd}`)))).filter((l): l is string => l?.startsWith('socket:') ?? false);
  const exe = await tryLink(`${base}/exe`);
  const comm = (await tryRead(`${base}/comm`))?.replace(/\n$/, '');
  const argv = (await tryRead(`${base}/cmdline`))?.split('\0').filter(Boolean) ?? [];
  return {
    pid: Number(nspid ?? base.split('/').pop()),
    ...(exe !== undefined && {exe}),
    ...(uid !== undefined && {uid: Number(uid)}),
    ...(comm !== undefined && {comm}),
    argv,
    fdLinks
  };
};
