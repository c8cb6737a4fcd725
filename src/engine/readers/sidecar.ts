import {PassThrough} from 'node:stream';
import type Docker from 'dockerode';
import {execIn} from '../streams.js';
import {DEFAULT_EPHEMERAL, type ProcNetSnapshot, type ProcessScan, type SocketReader} from '../types.js';
import {FrameSplitter, PROCESS_SCRIPT, SNAPSHOT_SCRIPT, parseProcessDump, parseSnapshot} from './protocol.js';

/** Frames from the streaming probe, as they complete. */
class FrameStream {
  private frames: string[] = [];
  private waiting: {resolve: (f: string) => void; reject: (e: Error) => void}[] = [];
  private ended: Error | undefined;
  readonly splitter = new FrameSplitter();

  constructor(stream: NodeJS.ReadableStream, demux: (s: NodeJS.ReadableStream, out: PassThrough, err: PassThrough) => void) {
    const out = new PassThrough();
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      for (const f of this.splitter.push(chunk)) this.deliver(f);
    });
    demux(stream, out, new PassThrough().resume());
    const end = () => this.fail(new Error('the probe stopped sending snapshots'));
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', (e: Error) => this.fail(e));
  }

  private deliver(frame: string): void {
    const w = this.waiting.shift();
    if (w) w.resolve(frame);
    // Only the newest frame matters to a poll that arrives late.
    else this.frames = [frame];
  }

  private fail(e: Error): void {
    this.ended ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  /** The newest complete frame not handed out yet, or the next one; rejects when the probe is gone or silent. */
  next(timeoutMs: number): Promise<string> {
    const ready = this.frames.pop();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const w = {resolve: (f: string) => (clearTimeout(t), resolve(f)), reject: (e: Error) => (clearTimeout(t), reject(e))};
      const t = setTimeout(() => {
        this.waiting = this.waiting.filter(x => x !== w);
        reject(new Error(`the probe sent no snapshot for ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.waiting.push(w);
    });
  }
}

/**
 * Sidecar reader. `net` is a probe in the target's network namespace but its
 * own pid namespace: the image cannot see or signal it, and it streams every
 * table continuously (one process for the whole run, no exec per poll).
 * `pids` is a second probe in the target's pid namespace, used only to say
 * which process owns which socket: a process in the image can kill it, so
 * ownership is best effort while the listeners themselves stay trustworthy.
 */
export const sidecarReader = async (net: Docker.Container, pids: Docker.Container | undefined, pollMs: number): Promise<SocketReader> => {
  const stream = (await net.logs({follow: true, stdout: true, stderr: true})) as unknown as NodeJS.ReadableStream;
  const frames = new FrameStream(stream, (s, o, e) => net.modem.demuxStream(s, o, e));
  const silence = Math.max(5_000, pollMs * 20);
  const first = await frames.next(silence);
  let pending: string | undefined = first;
  return {
    kind: 'sidecar',
    trusted: true,
    paced: true,
    snapshot: async (): Promise<ProcNetSnapshot> => {
      const text = pending ?? (await frames.next(silence));
      pending = undefined;
      const snap = parseSnapshot(text);
      if (snap.tcp === undefined) throw new Error(`the probe could not read /proc/net/tcp: ${text.trim().slice(0, 200) || 'no output'}`);
      return snap;
    },
    processes: () => scanProcesses(pids),
    ephemeralRange: async () => frames.splitter.range ?? DEFAULT_EPHEMERAL
  };
};

const scanProcesses = async (pids: Docker.Container | undefined): Promise<ProcessScan> => {
  if (!pids) return {processes: [], incomplete: 'no probe could join the pid namespace of the container'};
  try {
    const r = await execIn(pids, ['sh', '-c', PROCESS_SCRIPT]);
    const processes = parseProcessDump(r.stdout);
    return {processes, ...(r.exitCode !== 0 && {incomplete: `the process scan ended with code ${r.exitCode}`})};
  } catch (e) {
    return {processes: [], incomplete: `the process probe is gone (${(e as Error).message}): a process in the image may have killed it, so socket owners are unknown`};
  }
};

/**
 * Exec reader: runs `cat` from the image under test. Only on explicit request
 * (--probe exec): the image can ship a `cat` that lies, so the result is marked untrusted.
 */
export const execReader = (target: Docker.Container): SocketReader => ({
  kind: 'exec',
  trusted: false,
  snapshot: async () => {
    const r = await execIn(target, ['sh', '-c', SNAPSHOT_SCRIPT]);
    // A failed exec (no `sh` in the image) prints the runtime's error on stdout: judge by the exit code.
    if (r.exitCode !== 0) throw new Error(`reading /proc/net in the image (exec) failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 300) || 'no output'}`);
    const snap = parseSnapshot(r.stdout);
    if (snap.tcp === undefined) throw new Error(`the image (exec) printed no /proc/net/tcp: ${r.stdout.trim().slice(0, 200) || 'no output'}`);
    return snap;
  },
  processes: async () => ({processes: [], incomplete: '--probe exec does not read processes'}),
  ephemeralRange: async () => DEFAULT_EPHEMERAL
});
