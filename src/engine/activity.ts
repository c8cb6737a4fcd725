import {readFile} from 'node:fs/promises';
import type Docker from 'dockerode';
import type {CpuSample} from './types.js';

const read = (p: string): Promise<string | undefined> => readFile(p, 'utf8').catch(() => undefined);

/**
 * The container's cumulative CPU time from its cgroup, read on the host
 * (cgroup v2 `cpu.stat` usage_usec, or v1 `cpuacct.usage`): microseconds to
 * read, so the wait can poll it as often as it polls sockets. undefined when
 * the cgroup is not visible (remote engine, Docker-in-Docker).
 */
export const cgroupCpuReader = async (hostPid: number, procRoot = '/proc', cgroupRoot = '/sys/fs/cgroup'): Promise<(() => Promise<CpuSample | undefined>) | undefined> => {
  const text = await read(`${procRoot}/${hostPid}/cgroup`);
  if (!text) return undefined;
  const candidates: {path: string; parse: (t: string) => number | undefined}[] = [];
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    if (controllers === '') {
      const usec = (t: string) => Number(/^usage_usec (\d+)$/m.exec(t)?.[1]) * 1000 || undefined;
      candidates.push({path: `${cgroupRoot}${path}/cpu.stat`, parse: usec}, {path: `${cgroupRoot}/unified${path}/cpu.stat`, parse: usec});
    } else if (controllers!.split(',').includes('cpuacct')) {
      const ns = (t: string) => Number(t.trim()) || undefined;
      for (const dir of ['cpuacct', controllers, 'cpu,cpuacct']) candidates.push({path: `${cgroupRoot}/${dir}${path}/cpuacct.usage`, parse: ns});
    }
  }
  for (const c of candidates) {
    const t = await read(c.path);
    if (t === undefined || c.parse(t) === undefined) continue;
    const procs = `${c.path.slice(0, c.path.lastIndexOf('/'))}/cgroup.procs`;
    return async () => {
      const now = await read(c.path);
      const ns = now === undefined ? undefined : c.parse(now);
      return ns === undefined ? undefined : {ns, atMs: Date.now(), runnable: await anyRunnable(procs, procRoot)};
    };
  }
  return undefined;
};

/**
 * Whether any process of the cgroup is running or waiting to run (R) or in
 * uninterruptible I/O (D). On a loaded machine a service that is still
 * starting can be starved of CPU and so look idle by its CPU time alone;
 * its state still says it has work to do.
 */
const anyRunnable = async (procsFile: string, procRoot: string): Promise<boolean | undefined> => {
  const pids = (await read(procsFile))?.split('\n').filter(Boolean);
  if (!pids) return undefined;
  for (const pid of pids) {
    const stat = await read(`${procRoot}/${pid}/stat`);
    // The state follows the command name in parentheses, which may itself contain ") ".
    const state = stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'R' || state === 'D') return true;
  }
  return false;
};

/**
 * The same figure from the engine's stats stream (one sample a second), for
 * engines whose cgroups portgate cannot read. Started on first use; `stop`
 * closes the stream.
 */
export const statsCpuReader = (c: Docker.Container): {read: () => Promise<CpuSample | undefined>; stop: () => void} => {
  // Stamped when it arrives: a remote daemon's clock may differ from ours.
  let latest: CpuSample | undefined;
  let stream: NodeJS.ReadableStream | undefined;
  let starting: Promise<void> | undefined;
  const start = () =>
    (starting ??= c.stats({stream: true}).then(
      s => {
        stream = s as unknown as NodeJS.ReadableStream;
        let buf = '';
        stream.on('data', (chunk: Buffer) => {
          buf += chunk.toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            try {
              const ns = (JSON.parse(line) as {cpu_stats?: {cpu_usage?: {total_usage?: number}}}).cpu_stats?.cpu_usage?.total_usage;
              if (typeof ns === 'number') latest = {ns, atMs: Date.now()};
            } catch {
              // A partial or foreign line: keep the last good sample.
            }
          }
        });
        stream.on('error', () => undefined);
      },
      () => undefined
    ));
  return {
    read: async () => {
      void start();
      return latest;
    },
    stop: () => (stream as unknown as {destroy?: () => void} | undefined)?.destroy?.()
  };
};
