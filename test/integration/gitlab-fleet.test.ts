import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parse} from 'yaml';
import type {FleetJsonReport} from '../../src/fleet/result.js';
import {leftoverContainers} from '../helpers/engine.js';
import {buildProbeImage, PROBE_IMAGE, removeImages} from '../helpers/images.js';
import {generateMonorepo, type MonorepoService} from '../helpers/monorepo.js';
import {requireGitlabCiLocal} from '../helpers/tools.js';

/**
 * The GitLab fleet side under gitlab-ci-local, on a generated monorepo of
 * FROM-scratch services and the real engine:
 * - the fleet component (templates/portgate-fleet.yml) run whole: the plan
 *   job emits the child pipeline with this checkout's CLI, the trigger job
 *   runs it (gitlab-ci-local's downstream pipelines), its gate jobs gate
 *   their slices and its merge job writes the Code Quality and JUnit
 *   reports. gitlab-ci-local runs jobs in the local shell and starts no
 *   services, so the component gets `docker-version: none` and the jobs
 *   use the local engine;
 * - the child pipeline `portgate matrix --format gitlab` emits with its
 *   defaults (dind over TLS) and the README's GitLab example, expanded and
 *   listed (`--preview`, `--list`): valid for GitLab's syntax as
 *   gitlab-ci-local reads it, not run (no privileged dind here).
 */

const REPO = resolve('.');
const CLI = join(REPO, 'dist/cli.js');
const P = 'portgate-glfleet-';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as {version: string}).version;

let tmp: string;
let repo: {root: string; services: MonorepoService[]};
let gcl: string;

const sh = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, {cwd, env: {...process.env, NO_COLOR: '1'}, encoding: 'utf8', timeout: 300_000});
  if (r.error) throw r.error;
  return {code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout};
};
const run = (dir: string, ...args: string[]) => sh(gcl, ['--force-shell-executor', '--no-color', '--home', join(tmp, 'home'), ...args], dir);

const gitRepo = (dir: string, remote: string) => {
  const git = (...args: string[]) => expect(sh('git', ['-c', 'user.name=portgate-test', '-c', 'user.email=test@portgate.invalid', ...args], dir).code).toBe(0);
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', remote);
  git('add', '-A');
  git('commit', '-q', '-m', 'test project');
};

const write = (root: string, files: Record<string, string>) => {
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, f)), {recursive: true});
    writeFileSync(join(root, f), content);
  }
};

/** " PASS  job" / " FAIL  job" lines of gitlab-ci-local's summary (a child pipeline's job may carry "[trigger] -> "). */
const verdicts = (out: string): Record<string, string> => Object.fromEntries([...out.matchAll(/^\s*(PASS|FAIL|WARN)\s+(?:\[[^\]]+\] -> )?(\S+)\s*$/gm)].map(m => [m[2]!, m[1]!]));

beforeAll(async () => {
  gcl = requireGitlabCiLocal();
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` before the integration tests');
  tmp = mkdtempSync(join(tmpdir(), 'portgate-glfleet-'));
  await buildProbeImage();
  // Two that pass and one that drifts (JDWP 5005, a metrics port on loopback), found by services: auto.
  repo = await generateMonorepo(P, ['pass', 'drift', 'pass'], {auto: true});
  const fleet = readFileSync(join(repo.root, 'portgate.fleet.yml'), 'utf8').replace('defaults:\n', `defaults:\n  probeImage: ${PROBE_IMAGE}\n`);
  write(repo.root, {
    'portgate.fleet.yml': fleet,
    'templates/portgate-fleet.yml': readFileSync('templates/portgate-fleet.yml', 'utf8'),
    '.gitlab-ci.yml': JSON.stringify({
      include: [{local: 'templates/portgate-fleet.yml', inputs: {needs: [], 'max-jobs': 2, 'portgate-command': `node ${CLI}`, 'docker-version': 'none'}}]
    })
  });
  gitRepo(repo.root, 'git@gitlab.example.com:acme/shop.git');
}, 300_000);

afterAll(async () => {
  const left = (await leftoverContainers()).filter(c => c.includes(P));
  await removeImages(P);
  for (const dir of [tmp, repo?.root]) if (dir) rmSync(dir, {recursive: true, force: true});
  expect(left).toEqual([]);
});

const artifact = (job: string, file: string) => readFileSync(join(repo.root, '.gitlab-ci-local/artifacts', job, file), 'utf8');

describe('the GitLab fleet component run by gitlab-ci-local', () => {
  test('plan → trigger → child gate jobs → merge: the drifting slice fails, the merge publishes one report of every service', () => {
    const r = run(repo.root);
    // The slice with the drifting service and the merge fail, the other slice passes. gitlab-ci-local does not
    // pass a child pipeline's failure up to its trigger job (`strategy: depend`); GitLab fails it.
    expect(verdicts(r.out), r.out).toEqual({'portgate-fleet-plan': 'PASS', 'portgate-fleet': 'PASS', 'portgate-shard-01': 'FAIL', 'portgate-shard-02': 'PASS', 'portgate-merge': 'FAIL'});
    expect(r.out).toContain(`$ node ${CLI} check --fleet portgate.fleet.yml --service svc01-pass --service svc02-drift --report json=portgate-shard-01.json`);
    expect(r.out).toMatch(/portgate-merge +finished in .* FAIL 1/);

    const child = parse(artifact('portgate-fleet-plan', 'portgate-fleet-child.yml')) as Record<string, unknown>;
    expect(Object.keys(child)).toEqual(['stages', '.portgate-gate', 'portgate-shard-01', 'portgate-shard-02', 'portgate-merge']);

    const merged = JSON.parse(artifact('portgate-merge', 'portgate-fleet.json')) as FleetJsonReport;
    expect(merged.summary).toMatchObject({services: 3, passed: 2, failed: 1, errors: 0});
    expect(merged.services.map(s => `${s.name} ${s.status}`)).toEqual(['svc01-pass pass', 'svc02-drift fail', 'svc03-pass pass']);

    const cq = JSON.parse(artifact('portgate-merge', 'gl-code-quality-report.json')) as {check_name: string; location: {path: string}; description: string}[];
    expect(cq.length).toBeGreaterThan(0);
    expect(cq.every(i => i.location.path.startsWith('services/svc02-drift/')), JSON.stringify(cq)).toBe(true);
    expect(cq.map(i => i.check_name)).toContain('risky-port');
    const junit = artifact('portgate-merge', 'portgate-junit.xml');
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map(m => m[1])).toEqual(expect.arrayContaining(['svc01-pass', 'svc02-drift', 'svc03-pass'].map(n => expect.stringContaining(n))));
    expect(artifact('portgate-merge', 'portgate.md')).toMatch(/^## ❌ portgate fleet failed: `portgate\.fleet\.yml`/);
  });
});

describe('gitlab-ci-local reads the GitLab YAML portgate ships', () => {
  test("the child pipeline portgate matrix emits by default (dind over TLS) expands and lists its jobs", () => {
    const child = sh(process.execPath, [CLI, 'matrix', '--format', 'gitlab', '--max-jobs', '2', '--cli', `npx --yes portgate@${VERSION}`, '--output', 'child.gitlab-ci.yml'], repo.root);
    expect(child.code, child.out).toBe(0);
    const preview = run(repo.root, '--file', 'child.gitlab-ci.yml', '--preview');
    expect(preview.code, preview.out).toBe(0);
    const expanded = parse(preview.stdout) as Record<string, {services?: {name: string}[]; variables?: Record<string, string>; script?: string[]; when?: string}>;
    for (const job of ['portgate-shard-01', 'portgate-shard-02']) {
      expect(expanded[job]!.services, job).toEqual([expect.objectContaining({name: 'docker:29-dind', alias: 'docker'})]);
      expect(expanded[job]!.variables).toMatchObject({DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1'});
      expect(expanded[job]!.script!.at(-1)).toContain('--engine-wait 60s');
    }
    expect(expanded['portgate-merge']!.when).toBe('always');
    const list = run(repo.root, '--file', 'child.gitlab-ci.yml', '--list');
    expect(list.code, list.out).toBe(0);
    for (const job of ['portgate-shard-01', 'portgate-shard-02', 'portgate-merge']) expect(list.out).toContain(job);
  });

  test('the README\'s GitLab example includes the released component (seeded as gitlab-ci-local would fetch it) and lists the build, plan and trigger jobs', () => {
    const project = join(tmp, 'example');
    write(project, {
      '.gitlab-ci.yml': readFileSync('examples/ci/gitlab-fleet.gitlab-ci.yml', 'utf8'),
      'portgate.fleet.yml': 'version: 1\ndefaults:\n  image: ${CI_REGISTRY_IMAGE}/${SERVICE}:${CI_COMMIT_SHA}\nservices: auto\n',
      'services/api/Dockerfile': 'FROM scratch\n',
      'services/api/portgate.yml': 'version: 1\nports: []\n'
    });
    // gitlab-ci-local fetches a component of another project into this folder; seeded, nothing is fetched.
    cpSync('templates', join(project, `.gitlab-ci-local/includes/gitlab.example.com/platform/portgate/${VERSION}/templates`), {recursive: true});
    gitRepo(project, 'git@gitlab.example.com:acme/shop.git');
    const preview = run(project, '--preview');
    expect(preview.code, preview.out).toBe(0);
    const expanded = parse(preview.stdout) as Record<string, Record<string, unknown>>;
    expect(expanded['portgate-fleet-plan']).toMatchObject({stage: 'test', needs: [expect.objectContaining({job: 'build-images'})], variables: {PORTGATE_MAX_JOBS: '8', PORTGATE_VERSION: VERSION, PORTGATE_DOCKER_VERSION: '29'}});
    expect(expanded['portgate-fleet']).toMatchObject({trigger: {include: [{artifact: 'portgate-fleet-child.yml', job: 'portgate-fleet-plan'}], strategy: 'depend'}});
    const list = run(project, '--list');
    expect(list.code, list.out).toBe(0);
    for (const job of ['build-images', 'portgate-fleet-plan', 'portgate-fleet']) expect(list.out).toContain(job);
  });
});
