import type Docker from 'dockerode';
import type {SocketReader} from '../types.js';
import {execIn} from '../streams.js';
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
  snapshot: async () => parseSnapshot(await run(probe, SNAPSHOT_SCRIPT, 'the probe')),
  processes: async () => {
    // The probe's own shell shares the pid namespace; its sockets are none, but skip it anyway.
    return parseProcessDump(await run(probe, PROCESS_SCRIPT, 'the probe'));
  }
});

/**
 * Exec reader: runs `cat` from the image under test. Only on explicit request
 * (--probe exec): the image can ship a `cat` that lies, so the result is marked untrusted.
 */
export const execReader = (target: Docker.Container): SocketReader => ({
  kind: 'exec',
  trusted: false,
  snapshot: async () => parseSnapshot(await run(target, SNAPSHOT_SCRIPT, 'the image (exec)')),
  processes: async () => new Map()
});

const run = async (c: Docker.Container, script: string, who: string): Promise<string> => {
  const r = await execIn(c, ['sh', '-c', script]);
  if (r.exitCode !== 0 && !r.stdout) throw new Error(`reading /proc/net in ${who} failed (exit ${r.exitCode}): ${r.stderr.trim() || 'no output'}`);
  return r.stdout;
};
