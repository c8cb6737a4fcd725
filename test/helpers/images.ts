import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {buildImage, busybox, docker, suiteJob, TEST_JOB_LABEL, type ContextFile} from './engine.js';

/** The sidecar probe image for tests: static busybox FROM scratch (no registry here to pull busybox from). */
export const PROBE_IMAGE = 'portgate-probe:test';

/** What the sidecar probes run: the streaming loop (sh, cat, sleep) and the ownership scan (readlink, stat, od, tr). */
const applets = ['sh', 'cat', 'sleep', 'readlink', 'stat', 'tr', 'od', 'ls', 'hostname'];

export const buildProbeImage = async (tag = PROBE_IMAGE): Promise<void> => {
  await buildImage({
    tag,
    files: {
      busybox: busybox(),
      Dockerfile: `FROM scratch\nCOPY busybox /bin/busybox\n${applets.map(a => `COPY busybox /bin/${a}`).join('\n')}\nENV PATH=/bin\nCMD ["sh"]\n`
    }
  });
};

let listenBinary: Buffer | undefined;

/** test/fixtures/c/listen.c compiled once per process with gcc -static. */
export const listener = (): {content: Buffer; mode: number} => {
  if (!listenBinary) {
    const out = join(mkdtempSync(join(tmpdir(), 'portgate-listen-')), 'listen');
    execFileSync('gcc', ['-static', '-O2', '-o', out, 'test/fixtures/c/listen.c']);
    listenBinary = readFileSync(out);
  }
  return {content: listenBinary, mode: 0o755};
};

/**
 * A FROM-scratch image whose entrypoint is the static listener; `dockerfileTail`
 * adds EXPOSE/USER/CMD lines. With `shell`, busybox is added at /bin so the
 * exec reader has sh and cat.
 */
export const buildListenerImage = async (tag: string, dockerfileTail: string, opts: {shell?: boolean; from?: string} = {}): Promise<string> => {
  const files: Record<string, ContextFile> = {listen: listener()};
  let df = `FROM ${opts.from ?? 'scratch'}\nCOPY listen /listen\n`;
  if (opts.shell) {
    files.busybox = busybox();
    df += applets.map(a => `COPY busybox /bin/${a}`).join('\n') + '\nCOPY busybox /bin/busybox\nENV PATH=/bin\n';
  }
  files.Dockerfile = `${df}ENTRYPOINT ["/listen"]\n${dockerfileTail}\n`;
  await buildImage({tag, files});
  return tag;
};

/**
 * Removes the images this suite built under tags starting with `prefix`, and
 * its own images another suite's build of the same tag left untagged. A tag
 * that now names another suite's build is left alone: that suite may be
 * using it (CI jobs sharing an engine build the same tags).
 */
export const removeImages = async (prefix: string): Promise<void> => {
  const mine = await docker().listImages({filters: {label: [`${TEST_JOB_LABEL}=${suiteJob()}`]}});
  for (const img of mine) {
    const tags = (img.RepoTags ?? []).filter(t => t !== '<none>:<none>');
    const remove = tags.length ? tags.filter(t => t.startsWith(prefix)) : [img.Id];
    for (const ref of remove) await docker().getImage(ref).remove({force: true}).catch(() => undefined);
  }
};

/**
 * A FROM-scratch image with every busybox applet on PATH (nc, nslookup, ip,
 * kill…), for scripts that probe the sandbox from inside; `files` adds more.
 */
export const buildShellImage = async (tag: string, dockerfileTail: string, files: Record<string, ContextFile> = {}): Promise<string> => {
  await buildImage({
    tag,
    files: {...files, busybox: busybox(), Dockerfile: `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nENV PATH=/bin\n${dockerfileTail}\n`}
  });
  return tag;
};
