import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import type {FleetJsonReport} from '../../src/fleet/result.js';
import {runAction as run, startFakeGitHub, type FakeGitHub, type Run, type RunOptions} from '../helpers/action-runner.js';
import {leftoverContainers} from '../helpers/engine.js';
import {buildProbeImage, PROBE_IMAGE, removeImages} from '../helpers/images.js';
import {generateMonorepo, type MonorepoService} from '../helpers/monorepo.js';

/**
 * The bundled Action (dist/index.js) in its fleet modes, run as the runner
 * runs it (INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a
 * pull_request event, a recording fake of the comment endpoints) on a
 * generated monorepo of FROM-scratch services and the real engine:
 * - `fleet:` gates every service in one step: one summary, one comment,
 *   one SARIF run, annotations naming their services;
 * - the matrix way: `portgate matrix --format github` plans the slices, each
 *   slice is one Action step with `services:` (no comment), and a last step
 *   with `merge:` folds their JSON reports into the one-step result and
 *   updates the same comment.
 */
const DIST = resolve('dist/index.js');
const CLI = resolve('dist/cli.js');
const P = 'portgate-actfleet-';

let repo: {root: string; services: MonorepoService[]};
let api: FakeGitHub;
let node24: string;
/** The one-step fleet report, which the merged slices must equal. */
let whole: FleetJsonReport;

const runAction = (inputs: Record<string, string>, opts: Partial<RunOptions> = {}): Promise<Run> =>
  run({bundle: DIST, node: process.execPath, workspace: repo.root, apiUrl: api.url, ...opts, inputs: {'github-token': 'ghs_test', comment: 'true', ...inputs}});

const titles = (r: Run, level: string) => r.commands.filter(c => c.level === level).map(c => c.props.title ?? `(setFailed) ${c.message}`);
const report = (r: Run) => JSON.parse(readFileSync(r.outputs.report!, 'utf8')) as FleetJsonReport;
/** What must agree between the one-step fleet and the merged slices: not times or pids. */
const essence = (r: FleetJsonReport) => ({
  verdict: r.verdict,
  summary: r.summary,
  services: r.services.map(s => [s.name, s.status, s.code, (s.report?.findings ?? []).map(f => `${f.severity} ${f.rule} ${f.port ?? ''}`).sort()])
});
/** Results as their rule and message, pids masked (the process id inside a container differs from run to run). */
const resultsOf = (file: string) => sarifOf(file).runs[0]!.results.map(x => `${x.ruleId} ${x.message.text.replace(/pid \d+/g, 'pid N')}`);
const sarifOf = (file: string) => JSON.parse(readFileSync(join(repo.root, file), 'utf8')) as {runs: {automationDetails: {id: string}; results: {ruleId: string; message: {text: string}}[]}[]};

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run build` first (scripts/test.sh does).');
  node24 = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], {encoding: 'utf8'}).trim().split('\n').pop()!;
  await buildProbeImage();
  // Two that pass, one that drifts (JDWP 5005, a metrics port on loopback), one whose image was never built.
  repo = await generateMonorepo(P, ['pass', 'drift', 'pass', 'missing']);
  api = await startFakeGitHub();
}, 300_000);

afterAll(async () => {
  api?.close();
  const left = (await leftoverContainers()).filter(c => c.includes(P));
  await removeImages(P);
  if (repo) rmSync(repo.root, {recursive: true, force: true});
  expect(left).toEqual([]);
});

describe('the built action gating a fleet', () => {
  test('fleet: every service in one step under Node 24: one summary, one comment keyed by the fleet, one SARIF run, annotations per service', async () => {
    const r = await runAction({fleet: 'portgate.fleet.yml', sarif: 'fleet.sarif', 'probe-image': PROBE_IMAGE}, {node: node24});
    expect(r.code, r.stdout).toBe(1);
    const doc = report(r);
    whole = doc;
    expect(doc).toMatchObject({kind: 'fleet', fleet: 'portgate.fleet.yml', verdict: 'fail', summary: {services: 4, passed: 2, failed: 1, errors: 1}});
    expect(r.outputs).toEqual({verdict: 'fail', errors: String(doc.summary.findings.error), warnings: String(doc.summary.findings.warning), report: expect.stringMatching(/portgate-fleet-portgate\.fleet\.yml\.json$/), sarif: 'fleet.sarif'});

    const errors = titles(r, 'error');
    expect(errors[0]).toBe('portgate svc04-missing: could not be gated');
    expect(errors).toContain('portgate svc02-drift: risky-port 5005/tcp: Risky port');
    expect(errors.at(-1)).toBe('(setFailed) portgate: fleet portgate.fleet.yml: 1 of 4 services fails at fail-on error (svc02-drift); 1 could not be gated (svc04-missing): see the annotations and the job summary.');
    // Annotations point into the service's own files, repository-relative.
    const files = new Set(r.commands.filter(c => c.props.title?.startsWith('portgate svc02-drift:')).map(c => c.props.file));
    expect([...files].every(f => f === undefined || f.startsWith('services/svc02-drift/')), [...files].join()).toBe(true);

    expect(r.summary).toMatch(/^## ❌ portgate fleet failed: `portgate\.fleet\.yml`\n\n4 services: 2 passed, 1 failed, 1 could not be gated/);
    for (const s of repo.services) expect(r.summary).toContain(`<b>${s.name}</b>`);

    const sarif = sarifOf('fleet.sarif');
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0]!.automationDetails.id).toBe('portgate/fleet/');
    expect(sarif.runs[0]!.results.every(x => x.message.text.startsWith('Service svc02-drift:'))).toBe(true);

    expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1', 'POST /repos/acme/shop/issues/7/comments']);
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]!.body.startsWith('<!-- portgate:sticky:fleet:portgate.fleet.yml -->\n## ❌ portgate fleet failed')).toBe(true);
  });

  test('matrix slices, then merge: the one-step result, the same comment updated, one SARIF run', async () => {
    const plan = JSON.parse(execFileSync(process.execPath, [CLI, 'matrix', '--format', 'github', '--max-jobs', '2'], {cwd: repo.root, encoding: 'utf8'})) as {include: {shard: string; services: string}[]};
    expect(plan.include.map(i => i.services)).toEqual(['svc01-pass svc02-drift', 'svc03-pass svc04-missing']);
    api.requests = [];
    for (const slice of plan.include) {
      const r = await runAction({fleet: 'portgate.fleet.yml', services: slice.services, 'probe-image': PROBE_IMAGE});
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toContain('portgate: no PR comment from a slice of the fleet (input services): the merge step posts one for the whole fleet.');
      expect(report(r).services.map(s => s.name).join(' ')).toBe(slice.services);
      // What actions/upload-artifact and download-artifact would carry: one folder per job.
      mkdirSync(join(repo.root, 'reports', slice.shard), {recursive: true});
      copyFileSync(r.outputs.report!, join(repo.root, 'reports', slice.shard, 'portgate-fleet-portgate.fleet.yml.json'));
    }
    // Slices post nothing.
    expect(api.requests).toEqual([]);

    const m = await runAction({merge: 'reports/**/*.json', sarif: 'merged.sarif'});
    expect(m.code, m.stdout).toBe(1);
    expect(m.stdout).toContain('portgate: merging 2 reports: reports/shard-01/portgate-fleet-portgate.fleet.yml.json, reports/shard-02/portgate-fleet-portgate.fleet.yml.json');
    const merged = report(m);
    expect(essence(merged)).toEqual(essence(whole));
    expect(m.outputs).toMatchObject({verdict: 'fail', errors: String(merged.summary.findings.error), sarif: 'merged.sarif'});
    expect(titles(m, 'error')[0]).toBe('portgate svc04-missing: could not be gated');
    expect(m.summary).toMatch(/^## ❌ portgate fleet failed: `portgate\.fleet\.yml`\n\n4 services: 2 passed, 1 failed, 1 could not be gated/);
    // The same single run as the one-step fleet: same rules, same messages.
    expect(sarifOf('merged.sarif').runs).toHaveLength(1);
    expect(resultsOf('merged.sarif')).toEqual(resultsOf('fleet.sarif'));
    // One comment for the fleet, updated in place.
    expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1', 'PATCH /repos/acme/shop/issues/comments/100']);
    expect(api.comments).toHaveLength(1);
  });

  test("report-only: the fleet file's fail-on: never holds (the action has no default of its own), and the comment is resolved", async () => {
    const fleet = readFileSync(join(repo.root, 'portgate.fleet.yml'), 'utf8');
    const reportOnly = fleet.replace('defaults:\n', 'defaults:\n  failOn: never\n').replace(/ {2}- name: svc04-missing\n( {4}.*\n)+/, '');
    writeFileSync(join(repo.root, 'portgate.fleet.yml'), reportOnly);
    try {
      api.requests = [];
      const r = await runAction({fleet: 'portgate.fleet.yml', 'probe-image': PROBE_IMAGE});
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.verdict).toBe('pass');
      expect(report(r)).toMatchObject({failOn: 'never', summary: {services: 3, passed: 3, failed: 0, errors: 0}});
      expect(titles(r, 'error').filter(t => t.startsWith('(setFailed)'))).toEqual([]);
      expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1', 'PATCH /repos/acme/shop/issues/comments/100']);
      expect(api.comments[0]!.body).toMatch(/^<!-- portgate:sticky:fleet:portgate\.fleet\.yml -->\n## ✅ portgate fleet passed/);
    } finally {
      writeFileSync(join(repo.root, 'portgate.fleet.yml'), fleet);
    }
  });

  test.each([
    [{merge: 'nowhere/**/*.json'}, /^portgate: input merge: nowhere\/\*\*\/\*\.json matches no file below nowhere\. /],
    [{fleet: 'portgate.fleet.yml', services: 'svc01-pass nope'}, /^portgate: input services nope: no such service in portgate\.fleet\.yml \(services: svc01-pass, svc02-drift, svc03-pass, svc04-missing\)\.$/],
    [{fleet: 'portgate.fleet.yml', dockerfile: 'Dockerfile'}, /^portgate: input dockerfile belongs to one image: with fleet/]
  ])('%j fails the step with one clear error and verdict=error', async (inputs, message) => {
    api.requests = [];
    const r = await runAction(inputs);
    expect(r.code, r.stdout).toBe(1);
    expect(r.commands).toEqual([{level: 'error', props: {}, message: expect.stringMatching(message)}]);
    expect(r.outputs).toEqual({verdict: 'error'});
    expect(api.requests).toEqual([]);
  });
});

