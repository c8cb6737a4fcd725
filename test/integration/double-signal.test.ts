import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {startFakeEngine, type SeenRequest} from '../helpers/fake-engine.js';
import {buildListenerImage, removeImages} from '../helpers/images.js';

/**
 * A CI cancel sends SIGINT and then, within milliseconds, SIGINT or SIGTERM
 * again; so does a user pressing Ctrl-C twice. The second signal must not end
 * the process before the first one's cleanup has removed the run's
 * containers and network, even when a create or start is still in flight.
 *
 * To land the signals inside a given request, the run talks to the real
 * engine through a relay (helpers/fake-engine.ts) that reports each request as
 * it arrives and holds the engine's answer to that one back for a moment; the signals
 * go out when the request arrives (the engine is still working on it) or
 * while its answer is held (the engine is done, portgate does not know yet).
 * The wait is hit without the relay, on the engine's own socket.
 */
const CLI = resolve('dist/cli.js');
const P = 'portgate-dsig-';
const SLOW = `${P}slow:test`;
const HOLD_MS = 150;

type Moment = 'network create' | 'container create' | 'start' | 'wait';
const TRIGGERS: Record<Exclude<Moment, 'wait'>, RegExp> = {
  'network create': /^POST \/networks\/create$/,
  'container create': /^POST \/containers\/create$/,
  start: /^POST \/containers\/[0-9a-f]{64}\/start$/
};

interface Outcome {
  moment: Moment;
  second: NodeJS.Signals;
  gapMs: number;
  /** Signalled when the request arrived (0) or while its answer was held (HOLD_MS / 2). */
  delayMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  signalled: boolean;
  left: string[];
  stderr: string;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** One run of the built CLI, signalled twice at `moment`; then what of it is left on the engine. */
const doubleSignal = async (moment: Moment, second: NodeJS.Signals, gapMs: number, delayMs: number): Promise<Outcome> => {
  let signalled = false;
  const relay =
    moment === 'wait'
      ? undefined
      : await startFakeEngine(
          r => (TRIGGERS[moment].test(`${r.method} ${r.path}`) ? {proxy: 'hold', holdMs: HOLD_MS} : 'proxy'),
          (r: SeenRequest) => {
            // Requests come only from the child, which exists (and `fire` with it) before it can send one.
            if (!signalled && TRIGGERS[moment].test(`${r.method} ${r.path}`)) setTimeout(() => fire(), delayMs);
          }
        );
  const env = {...process.env, ...(relay && {DOCKER_HOST: relay.url})};
  const child = spawn(process.execPath, [CLI, 'check', '--image', SLOW, '--timeout', '60s'], {cwd: mkdtempSync(join(tmpdir(), P)), env});
  const owner = {label: [`io.portgate.owner=${hostname()}:${child.pid}`]};
  const fire = () => {
    if (signalled) return;
    signalled = true;
    child.kill('SIGINT');
    setTimeout(() => child.kill(second), gapMs);
  };
  let stderr = '';
  child.stderr.on('data', c => (stderr += c));
  child.stdout.resume();
  const closed = new Promise<[number | null, NodeJS.Signals | null]>(r => child.on('close', (code, signal) => r([code, signal])));
  if (moment === 'wait') {
    // Its target is running and being watched: signal a moment after it appears.
    for (let i = 0; i < 200 && !signalled; i++) {
      const running = await docker().listContainers({filters: {...owner, status: ['running']}});
      if (running.length) {
        await sleep(300 + delayMs);
        fire();
      } else await sleep(50);
    }
  }
  const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await closed;
  clearTimeout(safety);
  await relay?.close();
  // Right after the exit: portgate must have removed everything before it.
  const containers = await docker().listContainers({all: true, filters: owner});
  const networks = await docker().listNetworks({filters: owner});
  const left = [...containers.map(c => `container ${c.Id.slice(0, 12)} ${c.State}`), ...networks.map(n => `network ${n.Name}`)];
  // Not this test's to keep, whatever the verdict.
  for (const c of containers) await docker().getContainer(c.Id).remove({force: true}).catch(() => undefined);
  for (const n of networks) await docker().getNetwork(n.Id).remove().catch(() => undefined);
  return {moment, second, gapMs, delayMs, code, signal, signalled, left, stderr};
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

describe('two signals within 50 ms', () => {
  test('24 runs signalled twice during network create, container create, start and the wait: each exits 130 after removing everything of its run', async () => {
    const moments: Moment[] = ['network create', 'container create', 'start', 'wait'];
    const variants: [NodeJS.Signals, number, number][] = [
      ['SIGINT', 0, 0],
      ['SIGTERM', 0, HOLD_MS / 2],
      ['SIGINT', 20, HOLD_MS / 2],
      ['SIGTERM', 20, 0],
      ['SIGINT', 45, 0],
      ['SIGTERM', 45, HOLD_MS / 2]
    ];
    const outcomes: Outcome[] = [];
    for (const moment of moments) for (const [second, gap, delay] of variants) outcomes.push(await doubleSignal(moment, second, gap, delay));
    const bad = outcomes.filter(o => !o.signalled || o.code !== 130 || o.left.length || /internal error|could not remove/.test(o.stderr) || !o.stderr.includes('SIGINT: removing its containers'));
    console.log(outcomes.map(o => `${o.moment}, then ${o.second} after ${o.gapMs} ms (+${o.delayMs} ms): exit ${o.code ?? o.signal}, left ${o.left.length}`).join('\n'));
    expect(outcomes).toHaveLength(24);
    expect(bad.map(o => ({...o, stderr: o.stderr.slice(-600)}))).toEqual([]);
  }, 600_000);
});
