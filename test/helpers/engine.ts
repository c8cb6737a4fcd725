import {readFileSync} from 'node:fs';
import Docker from 'dockerode';
import {pack} from 'tar-stream';

/** Label on every image the test suite builds, so leftovers can be found and removed. */
export const TEST_LABEL = 'io.portgate.test';
/**
 * Which suite built an image: two suites on one engine (CI jobs sharing a
 * runner) build the same tags, and each removes only the images it built.
 */
export const TEST_JOB_LABEL = 'io.portgate.test.job';

let client: Docker | undefined;
export const docker = (): Docker => (client ??= new Docker());

export type ContextFile = string | Buffer | {content: string | Buffer; mode: number};

export interface BuildOptions {
  tag: string;
  /** Build context: path → content. `Dockerfile` is the default dockerfile name. */
  files: Record<string, ContextFile>;
  dockerfile?: string;
  buildargs?: Record<string, string>;
  target?: string;
}

export class BuildError extends Error {
  override name = 'BuildError';
}

const contextTar = async (files: Record<string, ContextFile>): Promise<Buffer> => {
  const p = pack();
  for (const [name, f] of Object.entries(files)) {
    const {content, mode} = typeof f === 'string' || Buffer.isBuffer(f) ? {content: f, mode: 0o644} : f;
    p.entry({name, mode}, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/**
 * Builds with the engine's API (the classic builder on Debian's docker.io),
 * returning the image's Config. Rejects with the builder's own error text.
 */
export const buildImage = async (opts: BuildOptions): Promise<Docker.ImageInspectInfo> => {
  const tar = await contextTar(opts.files);
  const stream = await docker().buildImage(tar as unknown as NodeJS.ReadableStream, {
    t: opts.tag,
    dockerfile: opts.dockerfile ?? 'Dockerfile',
    buildargs: opts.buildargs,
    target: opts.target,
    labels: {[TEST_LABEL]: 'true', [TEST_JOB_LABEL]: suiteJob()},
    rm: true,
    forcerm: true
  } as Docker.ImageBuildOptions);
  const events = await new Promise<{error?: string; errorDetail?: {message: string}}[]>((resolve, reject) =>
    docker().modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res)))
  );
  const failed = events.find(e => e.error || e.errorDetail);
  if (failed) throw new BuildError(failed.errorDetail?.message ?? failed.error ?? 'build failed');
  return docker().getImage(opts.tag).inspect();
};

/** The statically linked busybox that scripts/setup.sh installs; runs in FROM-scratch images. */
export const busybox = (): {content: Buffer; mode: number} => ({content: readFileSync('/bin/busybox'), mode: 0o755});

/**
 * This suite's id (vitest.config.ts sets it): every portgate the suite starts,
 * and every DockerEngine in the tests, labels what it creates io.portgate.job=<id>.
 */
export const suiteJob = (): string => {
  const job = process.env.PORTGATE_JOB;
  if (!job) throw new Error('PORTGATE_JOB is not set: run the integration tests with vitest.config.ts, which gives the suite its own id');
  return job;
};

/**
 * Containers and networks that portgates started by this suite created and
 * that still exist (labels io.portgate.managed and io.portgate.job=<suite>).
 * Another portgate run on the same engine (a parallel CI job, a developer's
 * run) carries another job label, or none, and is not counted.
 */
export const leftoverContainers = async (): Promise<string[]> => {
  const filters = {label: ['io.portgate.managed', `io.portgate.job=${suiteJob()}`]};
  const containers = await docker().listContainers({all: true, filters});
  const networks = await docker().listNetworks({filters});
  return [...containers.map(c => `${c.Id.slice(0, 12)} ${c.Image} ${c.State}`), ...networks.map(n => `network ${n.Name}`)];
};
