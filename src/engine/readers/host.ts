import {readFile, readdir, readlink} from 'node:fs/promises';
import type {ProcessInfo} from '../../model.js';
import type {ProcNetSnapshot, SocketReader} from '../types.js';
import {processesByInode, type ProcessFds} from '../../procnet/index.js';
import {TABLES} from './sections.js';

const tryRead = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

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
  const netns = await readlink(`${procRoot}/${pid}/ns/net`).catch(() => undefined);
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

  // Every process in the container's network namespace, not only its init's children.
  const processes = async (): Promise<Map<number, ProcessInfo>> => {
    const found: ProcessFds[] = [];
    for (const entry of await readdir(procRoot)) {
      if (!/^\d+$/.test(entry)) continue;
      const base = `${procRoot}/${entry}`;
      if ((await readlink(`${base}/ns/net`).catch(() => undefined)) !== netns) continue;
      const fds = await readdir(`${base}/fd`).catch(() => [] as string[]);
      const fdLinks = await Promise.all(fds.map(fd => readlink(`${base}/fd/${fd}`).catch(() => '')));
      found.push({pid: Number(entry), command: await describeProcess(base), fdLinks});
    }
    return processesByInode(found);
  };

  return {kind: 'host', trusted: true, snapshot, processes};
};

/** argv joined, or comm for kernel-named processes; the kernel writes both, not the image. */
const describeProcess = async (base: string): Promise<string> => {
  const argv = (await tryRead(`${base}/cmdline`))?.split('\0').filter(Boolean) ?? [];
  const text = argv.length ? argv.join(' ') : ((await tryRead(`${base}/comm`))?.trim() ?? '?');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};
