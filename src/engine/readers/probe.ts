import type Docker from 'dockerode';
import type {ProcNetSnapshot, SocketReader} from '../types.js';
import {execIn} from '../streams.js';
import {processesByInode} from '../../procnet/index.js';
import {PROCESS_SCRIPT, SNAPSHOT_SCRIPT, parseProcessDump, parseSnapshot} from './sections.js';

/**
 * Sidecar reader: a container from the probe image shares the target's
 * network and pid namespaces, so its own /proc/net is the target's. Works
 * wherever the engine runs (remote, Docker-in-Docker) and needs nothing from
 * the image under test.
 */
export const sidecarReader = (probe: Docker.Container): SocketReader => ({
  kind: 'sidecar',
  trusted: true,
  snapshot: async () => snapshotFrom(await run(probe, SNAPSHOT_SCRIPT, 'the probe'), 'the probe'),
  processes: async () => processesByInode(parseProcessDump(await run(probe, PROCESS_SCRIPT, 'the probe')))
});

/**
 * Exec reader: runs `cat` from the image under test. Only on explicit request
 * (--probe exec): the image can ship a `cat` that lies, so the result is marked untrusted.
 */
export const execReader = (target: Docker.Container): SocketReader => ({
  kind: 'exec',
  trusted: false,
  snapshot: async () => snapshotFrom(await run(target, SNAPSHOT_SCRIPT, 'the image (exec)'), 'the image (exec)'),
  processes: async () => new Map()
});

// A failed exec (no `sh` in the image) prints the runtime's error on stdout, so
// success is judged by the exit code, and an empty snapshot is never "no listeners".
const run = async (c: Docker.Container, script: string, who: string): Promise<string> => {
  const r = await execIn(c, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`reading /proc/net in ${who} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 300) || 'no output'}`);
  return r.stdout;
};

const snapshotFrom = (text: string, who: string): ProcNetSnapshot => {
  const snap = parseSnapshot(text);
  if (snap.tcp === undefined) throw new Error(`${who} printed no /proc/net/tcp: ${text.trim().slice(0, 200) || 'no output'}`);
  return snap;
};
