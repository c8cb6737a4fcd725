import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {DockerEngine} from '../../src/engine/docker-engine.js';
import {planSandbox} from '../../src/sandbox/index.js';
import {docker, leftoverContainers, suiteJob} from '../helpers/engine.js';
import {buildListenerImage, removeImages} from '../helpers/images.js';

/**
 * The suite's "nothing left behind" checks (leftoverContainers() after each
 * test, scripts/leftovers.sh after the run) count what this suite's portgate
 * runs created, by the io.portgate.job label every one of them carries, so
 * that another portgate run on a shared engine does not fail them, while a
 * leftover of the suite's own still does.
 */
const CLI = resolve('dist/cli.js');
const P = 'portgate-leftovers-';
const SLOW = `${P}slow:test`;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** The built CLI with `env` on top of the suite's, waiting for its target; resolves once the target exists. */
const startRun = async (env: NodeJS.ProcessEnv): Promise<{child: ChildProcess; owner: {label: string[]}; closed: Promise<number | null>}> => {
  const child = spawn(process.execPath, [CLI, 'check', '--image', SLOW, '--timeout', '120s'], {cwd: mkdtempSync(join(tmpdir(), P)), env: {...process.env, ...env}, stdio: 'ignore'});
  const closed = new Promise<number | null>(r => child.on('close', r));
  const owner = {label: [`io.portgate.owner=${hostname()}:${child.pid}`]};
  for (let i = 0; i < 300 && !(await docker().listContainers({filters: {...owner, status: ['running']}})).length; i++) await sleep(100);
  return {child, owner, closed};
};

/** scripts/leftovers.sh as scripts/test.sh runs it after the suite. */
const script = () => {
  const r = spawnSync('bash', ['scripts/leftovers.sh'], {env: {...process.env, PORTGATE_JOB: suiteJob()}, encoding: 'utf8'});
  return {code: r.status, stderr: r.stderr};
};

beforeAll(async () => {
  await buildListenerImage(SLOW, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--delay", "120"]');
}, 120_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

describe("the leftover checks count this suite's portgate runs only", () => {
  test('unrelated portgate runs on the same engine (another job label, or none) are ignored while they run; a leftover of the suite itself is caught', async () => {
    const others = await Promise.all([startRun({PORTGATE_JOB: 'another-ci-job-4711'}), startRun({PORTGATE_JOB: ''})]);
    try {
      for (const o of others) {
        // Each has its target and network on the engine, labelled as managed by portgate.
        const containers = await docker().listContainers({filters: o.owner});
        expect(containers.length).toBeGreaterThan(0);
        expect(containers[0]!.Labels['io.portgate.managed']).toBe('true');
        expect(await docker().listNetworks({filters: o.owner})).toHaveLength(1);
      }
      expect((await docker().listContainers({filters: others[0]!.owner}))[0]!.Labels['io.portgate.job']).toBe('another-ci-job-4711');
      expect((await docker().listContainers({filters: others[1]!.owner}))[0]!.Labels['io.portgate.job']).toBeUndefined();
      expect(await leftoverContainers()).toEqual([]);
      expect(script()).toEqual({code: 0, stderr: ''});

      // A DockerEngine in the tests labels with the suite's id: what it leaves is the suite's.
      const e = new DockerEngine();
      const target = await e.startTarget(SLOW, planSandbox([]));
      try {
        expect((await leftoverContainers()).sort()).toEqual([expect.stringMatching(new RegExp(`^${target.id.slice(0, 12)} ${SLOW} running$`)), `network portgate-${e.runId}`].sort());
        const found = script();
        expect(found.code).toBe(1);
        expect(found.stderr).toContain(target.id.slice(0, 12));
        expect(found.stderr).toContain(`portgate-${e.runId}`);
        expect(found.stderr).toContain(`left 1 container(s) and 1 network(s) of test suite ${suiteJob()} behind`);
      } finally {
        await e.cleanup();
      }
      expect(await leftoverContainers()).toEqual([]);
    } finally {
      for (const o of others) o.child.kill('SIGTERM');
      // They clean up after themselves.
      expect(await Promise.all(others.map(o => o.closed))).toEqual([143, 143]);
    }
    for (const o of others) expect(await docker().listContainers({all: true, filters: o.owner})).toEqual([]);
  });

  test('a CLI started by the suite inherits its label: what it leaves when killed is caught', async () => {
    const run = await startRun({});
    try {
      expect((await docker().listContainers({filters: run.owner}))[0]!.Labels['io.portgate.job']).toBe(suiteJob());
      run.child.kill('SIGKILL');
      await run.closed;
      // No chance to clean up: its target and network stay, and both checks see them.
      const left = await leftoverContainers();
      expect(left).toHaveLength(2);
      expect(left).toContainEqual(expect.stringMatching(/^network portgate-/));
      expect(script().code).toBe(1);
    } finally {
      for (const c of await docker().listContainers({all: true, filters: run.owner})) await docker().getContainer(c.Id).remove({force: true});
      for (const n of await docker().listNetworks({filters: run.owner})) await docker().getNetwork(n.Id).remove();
    }
  });
});
