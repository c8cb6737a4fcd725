import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import type {FleetJsonReport} from '../../src/fleet/result.js';
import type {JsonReport} from '../../src/report/json.js';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildProbeImage, removeImages} from '../helpers/images.js';
import {generateMonorepo, type MonorepoService, type ServiceKind} from '../helpers/monorepo.js';

/**
 * A generated monorepo of twenty services gated in one `check --fleet` run,
 * against the same twenty gated one `check` at a time: the fleet must say
 * exactly what the single runs say, service by service.
 */
const CLI = resolve('dist/cli.js');
const P = 'portgate-fleet-';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], cwd: string, onSpawn?: (pid: number) => void): Promise<Run> =>
  new Promise(done => {
    const child = spawn(process.execPath, [CLI, ...args], {cwd, env: process.env});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    onSpawn?.(child.pid!);
    child.on('close', code => done({code, stdout, stderr}));
  });

// 12 that pass, 4 that drift, 2 that crash, 2 whose image is missing.
const KINDS: ServiceKind[] = [...Array<ServiceKind>(12).fill('pass'), 'drift', 'drift', 'drift', 'drift', 'crash', 'crash', 'missing', 'missing'];

let repo: {root: string; services: MonorepoService[]};

beforeAll(async () => {
  await buildProbeImage();
  repo = await generateMonorepo(P, KINDS);
}, 300_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

/** What must agree between a fleet's service and the same service gated alone: not pids, times or paths. */
const essence = (r: JsonReport | undefined) =>
  r && {
    verdict: r.verdict,
    findings: r.findings.map(f => `${f.severity} ${f.rule} ${f.port ?? ''}/${f.protocol ?? ''}`).sort(),
    listening: r.listening.map(l => `${l.protocol} ${l.address} ${l.port}`).sort(),
    exited: r.container?.exited
  };

describe('a fleet of twenty services in one run', () => {
  test('the fleet report equals twenty single-service runs: verdicts, findings, listeners, exit codes', async () => {
    const fleet = await cli(['check', '--fleet', '--format', 'json', '--probe-image', PROBE_IMAGE], repo.root);
    const report = JSON.parse(fleet.stdout) as FleetJsonReport;
    expect(report.kind).toBe('fleet');
    expect(report.services.map(s => s.name)).toEqual(repo.services.map(s => s.name).sort());
    expect(report.summary).toMatchObject({services: 20, passed: 12, failed: 6, errors: 2});
    // The worst of the services: a missing image is an environment problem (3), worse than drift (1).
    expect(fleet.code, fleet.stderr).toBe(3);
    for (const s of repo.services) {
      const one = await cli(['check', '--image', s.image, '--dockerfile', join(s.dir, 'Dockerfile'), '--spec', join(s.dir, 'portgate.yml'), '--format', 'json', '--probe-image', PROBE_IMAGE, '--timeout', '20s', '--pull', 'missing'], repo.root);
      const mine = report.services.find(x => x.name === s.name)!;
      if (s.kind === 'missing') {
        expect(one.code).toBe(3);
        expect(mine).toMatchObject({status: 'error', code: 3});
        expect(mine.error).toContain(s.image);
        continue;
      }
      expect(one.stdout, `${s.name}: exit ${one.code}: ${one.stderr}`).not.toBe('');
      const single = JSON.parse(one.stdout) as JsonReport;
      expect(essence(mine.report), s.name).toEqual(essence(single));
      expect(mine.code).toBe(one.code);
      expect(mine.status).toBe(s.kind === 'pass' ? 'pass' : 'fail');
    }
  }, 900_000);

  test('a split over CI jobs (portgate matrix), each job run here, merged: the same verdict, services and findings', async () => {
    const whole = JSON.parse((await cli(['check', '--fleet', '--format', 'json', '--probe-image', PROBE_IMAGE], repo.root)).stdout) as FleetJsonReport;
    const errors = (r: FleetJsonReport) => r.services.filter(s => s.status === 'error').map(s => `${s.name}: ${s.error}`);
    const plan = JSON.parse((await cli(['matrix', '--format', 'github', '--max-jobs', '3', '--cli', `node ${CLI}`], repo.root)).stdout) as {include: {shard: string; command: string; report: string}[]};
    expect(plan.include).toHaveLength(3);
    for (const job of plan.include) {
      const args = job.command.split(' ').slice(2);
      const r = await cli([...args, '--probe-image', PROBE_IMAGE], repo.root);
      expect([0, 1, 2, 3]).toContain(r.code);
    }
    const merged = await cli(['merge', ...plan.include.map(j => j.report), '--format', 'json'], repo.root);
    const m = JSON.parse(merged.stdout) as FleetJsonReport;
    expect(merged.code).toBe(3);
    expect(errors(m)).toEqual(errors(whole));
    expect(m.summary).toEqual(whole.summary);
    expect(m.services.map(s => [s.name, s.status, essence(s.report)])).toEqual(whole.services.map(s => [s.name, s.status, essence(s.report)]));
  }, 900_000);

  test('services: auto finds every folder with a portgate.yml, and --service picks some', async () => {
    const auto = await generateMonorepo(`${P}auto-`, ['pass', 'drift', 'pass']);
    try {
      const r = await cli(['check', '--fleet', '--service', 'svc02-drift', '--service', 'svc01-pass', '--probe-image', PROBE_IMAGE, '--format', 'json'], auto.root);
      // The generated fleet file lists the services; rewrite it to discover them instead.
      expect(JSON.parse(r.stdout).services.map((s: {name: string}) => s.name)).toEqual(['svc01-pass', 'svc02-drift']);
      const text = readFileSync(join(auto.root, 'portgate.fleet.yml'), 'utf8').replace(/services:\n[\s\S]*$/, `  image: ${P}auto-\${SERVICE}:test\nservices: auto\n`);
      await import('node:fs').then(fs => fs.writeFileSync(join(auto.root, 'portgate.fleet.yml'), text));
      const d = await cli(['check', '--fleet', '--probe-image', PROBE_IMAGE, '--format', 'json'], auto.root);
      expect(JSON.parse(d.stdout).services.map((s: {name: string; status: string}) => `${s.name} ${s.status}`)).toEqual(['svc01-pass pass', 'svc02-drift fail', 'svc03-pass pass']);
      expect(d.code).toBe(1);
    } finally {
      await removeImages(`${P}auto-`);
    }
  }, 300_000);

  test('Ctrl-C in the middle of a fleet run removes every service\'s containers and networks', async () => {
    const slow = await generateMonorepo(`${P}slow-`, ['slow', 'slow', 'slow', 'slow', 'pass', 'slow']);
    try {
      let pid = 0;
      const mine = () => ({label: [`io.portgate.owner=${hostname()}:${pid}`]});
      const r = await cli(['check', '--fleet', '--jobs', '3', '--probe-image', PROBE_IMAGE, '--timeout', '60s'], slow.root, async p => {
        pid = p;
        for (let i = 0; i < 200 && (await docker().listContainers({filters: mine()})).length < 3; i++) await new Promise(res => setTimeout(res, 100));
        expect((await docker().listContainers({filters: mine()})).length).toBeGreaterThanOrEqual(3);
        process.kill(p, 'SIGINT');
      });
      expect(r.code).toBe(130);
      expect(await docker().listContainers({all: true, filters: mine()})).toEqual([]);
      expect(await docker().listNetworks({filters: mine()})).toEqual([]);
    } finally {
      await removeImages(`${P}slow-`);
    }
  }, 300_000);
});
