import type Docker from 'dockerode';
import {PassThrough} from 'node:stream';

/**
 * Splits Docker's multiplexed stream format (Tty false): 8-byte header,
 * byte 0 = stream (1 stdout, 2 stderr), bytes 4–7 = big-endian length.
 * https://docs.docker.com/engine/api/v1.41/#operation/ContainerAttach
 */
export const demux = (buf: Buffer): {stdout: string; stderr: string; combined: string} => {
  const parts = {stdout: [] as Buffer[], stderr: [] as Buffer[], combined: [] as Buffer[]};
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const len = buf.readUInt32BE(off + 4);
    const chunk = buf.subarray(off + 8, off + 8 + len);
    (kind === 2 ? parts.stderr : parts.stdout).push(chunk);
    parts.combined.push(chunk);
    off += 8 + len;
  }
  const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8');
  return {stdout: text(parts.stdout), stderr: text(parts.stderr), combined: text(parts.combined)};
};

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const EXEC_IDLE_MS = 30_000;

/** Runs a command in a container and collects its output (non-hijacked, works on Podman too). */
export const execIn = async (container: Docker.Container, cmd: string[]): Promise<ExecResult> => {
  const exec = await container.exec({Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false});
  const stream = await exec.start({Detach: false, Tty: false});
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = {out: [] as Buffer[], err: [] as Buffer[]};
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  container.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    // An engine that stops sending in the middle of the output would hold the run forever.
    let idle: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        (stream as unknown as {destroy: () => void}).destroy();
        reject(new Error(`the engine sent no output of ${cmd[0]} for ${EXEC_IDLE_MS / 1000}s`));
      }, EXEC_IDLE_MS);
    };
    arm();
    stream.on('data', arm);
    const done = () => {
      clearTimeout(idle);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (e: Error) => {
      clearTimeout(idle);
      reject(e);
    });
  });
  const info = await exec.inspect();
  return {stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8'), exitCode: info.ExitCode ?? -1};
};
