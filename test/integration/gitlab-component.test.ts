import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parse} from 'yaml';
import {buildImage, leftoverContainers} from '../helpers/engine.js';
import {buildProbeImage, listener, removeImages} from '../helpers/images.js';

/**
 * The GitLab CI/CD component (templates/portgate.yml) run for real by
 * gitlab-ci-local, in a throw-away project that includes it with `inputs:`,
 * against real images on the real engine. gitlab-ci-local runs the job in the
 * local shell (--force-shell-executor, as the job has an image) and starts no
 * services, so the project drops the dind service and points `docker-host` at
 * the local engine without TLS; the job still reads the sockets through the
 * sidecar reader, the way it must under dind. The job runs this checkout's
 * CLI (`portgate-command: node dist/cli.js`).
 *
 * Not covered here (no GitLab instance, no privileged dind): the dind service
 * itself with its TLS certificates, `npx portgate@<version>`, and how GitLab
 * renders the reports in a merge request.
 */

const REPO = resolve('.');
const CLI = join(REPO, 'dist/cli.js');
const GCL = join(REPO, 'node_modules/.bin/gitlab-ci-local');
const PREFIX = 'portgate-glc-';
const PROBE = `${PREFIX}probe:test`;
const GOOD = `${PREFIX}good:test`;
const DRIFT = `${PREFIX}drift:test`;
const ENGINE = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as {version: string}).version;

// The good image EXPOSEs ${PORT}/${PROTO}: only with both build-args does the
// Dockerfile match the image (else dockerfile-mismatch), so a clean report
// proves the multi-line `build-args` input reached the CLI intact.
const GOOD_DOCKERFILE = 'FROM scratch\nARG PORT=1234\nARG PROTO=udp\nCOPY listen /listen\nEXPOSE ${PORT}/${PROTO}\nENTRYPOINT ["/listen"]\nCMD ["tcp", "0.0.0.0", "8080"]\n';
// The drifting image also listens on 9090, which neither EXPOSE nor the spec mention.
const DRIFT_DOCKERFILE = 'FROM scratch\nCOPY listen /listen\nEXPOSE 8080\nENTRYPOINT ["/listen"]\nCMD ["tcp", "0.0.0.0", "8080", "0.0.0.0", "9090"]\n';
const SPEC = 'version: 1\nports:\n  - port: 8080\n    name: http\n';

const gateInputs = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
  local: 'templates/portgate.yml',
  inputs: {
    'job-name': `gate-${name}`,
    image,
    dockerfile: `${name}/Dockerfile`,
    spec: `${name}/portgate.yml`,
    needs: [],
    'probe-image': PROBE,
    timeout: '20s',
    settle: '1s',
    'artifacts-dir': `reports/${name}`,
    'docker-host': ENGINE,
    'docker-tls': false,
    'portgate-command': `node ${CLI}`,
    ...extra
  }
});

const PIPELINE = {
  include: [gateInputs('good', GOOD, {'build-args': 'PORT=8080\nPROTO=tcp\n'}), gateInputs('drift', DRIFT)],
  // Shell-executor runs start no services: the jobs use the local engine instead of dind.
  'gate-good': {services: []},
  'gate-drift': {services: []}
};

let tmp: string;
let project: string;

const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(cmd, args, {cwd, env, encoding: 'utf8', timeout: 120_000});
  if (r.error) throw r.error;
  return {code: r.status, out: `${r.stdout}${r.stderr}`};
};

const gitRepo = (dir: string, remote?: string) => {
  const git = (...args: string[]) => expect(sh('git', ['-c', 'user.name=portgate-test', '-c', 'user.email=test@portgate.invalid', ...args], dir).code).toBe(0);
  git('init', '-q', '-b', 'main');
  if (remote) git('remote', 'add', 'origin', remote);
  git('add', '-A');
  git('commit', '-q', '-m', 'test project');
};

/** gitlab-ci-local in `dir`, its state and HOME inside the temp folder. */
const gcl = (dir: string, ...args: string[]) =>
  sh(GCL, ['--force-shell-executor', '--no-color', '--home', join(tmp, 'home'), ...args], dir, {...process.env, NO_COLOR: '1'});

/** The job's verdict from gitlab-ci-local's summary (" FAIL  gate-drift") and the exit code from "finished in 2.1 s  FAIL 1". */
const jobResult = (out: string, job: string) => {
  const status = new RegExp(`^\\s*(PASS|FAIL|WARN)\\s+${job}\\s*$`, 'm').exec(out)?.[1];
  const code = new RegExp(`^${job}\\s+finished in .*\\b(?:FAIL|WARN)\\s+(\\d+)`, 'm').exec(out)?.[1];
  return status && {status, code: code === undefined ? 0 : Number(code)};
};

const artifact = (job: string, file: string) => readFileSync(join(project, '.gitlab-ci-local/artifacts', job, file), 'utf8');

interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: {path: string; lines: {begin: number}};
}

/** The required fields of GitLab's Code Quality format, and nothing GitLab would reject. */
const expectCodeQuality = (raw: string): CodeQualityIssue[] => {
  expect(raw.charCodeAt(0)).not.toBe(0xfeff);
  const issues = JSON.parse(raw) as CodeQualityIssue[];
  expect(Array.isArray(issues)).toBe(true);
  for (const i of issues) {
    expect(i.description).toEqual(expect.any(String));
    expect(i.check_name).toEqual(expect.any(String));
    expect(i.fingerprint).toEqual(expect.any(String));
    expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(i.severity);
    expect(i.location.path).toEqual(expect.any(String));
    expect(i.location.path).not.toMatch(/^\//);
    expect(Number.isInteger(i.location.lines.begin) && i.location.lines.begin >= 1).toBe(true);
  }
  expect(new Set(issues.map(i => i.fingerprint)).size).toBe(issues.length);
  return issues;
};

/** `<testcase classname="portgate.ports" name="9090/tcp">…</testcase>` → whether it has a <failure>, and its type. */
const junitCase = (xml: string, classname: string, name: string) => {
  const m = new RegExp(`<testcase classname="${classname}" name="${name}"(/>|>([\\s\\S]*?)</testcase>)`).exec(xml);
  if (!m) return undefined;
  return {failure: /<failure type="([^"]+)"/.exec(m[2] ?? '')?.[1]};
};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` before the integration tests');
  const help = sh(process.execPath, [CLI, '--help'], REPO);
  if (help.code !== 0) throw new Error(`dist/cli.js does not run (rebuild it with \`npm run build\`):\n${help.out}`);
  tmp = mkdtempSync(join(tmpdir(), 'portgate-glc-'));
  await buildProbeImage(PROBE);
  await buildImage({tag: GOOD, files: {listen: listener(), Dockerfile: GOOD_DOCKERFILE}, buildargs: {PORT: '8080', PROTO: 'tcp'}});
  await buildImage({tag: DRIFT, files: {listen: listener(), Dockerfile: DRIFT_DOCKERFILE}});

  project = join(tmp, 'project');
  const files: Record<string, string> = {
    'templates/portgate.yml': readFileSync('templates/portgate.yml', 'utf8'),
    'good/Dockerfile': GOOD_DOCKERFILE,
    'good/portgate.yml': SPEC,
    'drift/Dockerfile': DRIFT_DOCKERFILE,
    'drift/portgate.yml': SPEC,
    '.gitlab-ci.yml': JSON.stringify(PIPELINE, null, 2)
  };
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, f)), {recursive: true});
    writeFileSync(join(project, f), content);
  }
  gitRepo(project);
});

afterAll(async () => {
  // Every container these jobs start runs one of this file's images (target or sidecar probe);
  // other test files may share the engine when run in parallel, so only those are counted,
  // before the images are removed (a container of a removed image shows only the image id).
  const left = (await leftoverContainers()).filter(c => c.includes(PREFIX));
  await removeImages(PREFIX);
  if (tmp) rmSync(tmp, {recursive: true, force: true});
  expect(left).toEqual([]);
});

describe('GitLab component run by gitlab-ci-local', () => {
  test('a matching image: the job succeeds and publishes clean reports', () => {
    const run = gcl(project, 'gate-good');
    expect(jobResult(run.out, 'gate-good'), run.out).toEqual({status: 'PASS', code: 0});
    expect(run.code, run.out).toBe(0);
    // The job ran the CLI with the sidecar reader and the local engine.
    expect(run.out).toContain(`portgate check --image ${GOOD} --probe sidecar --fail-on error --format text`);
    expect(run.out).toContain(`--probe-image ${PROBE}`);
    // Build args may carry secrets: the log does not show them (the clean report proves they arrived).
    expect(run.out).not.toContain('PROTO=tcp');

    expect(expectCodeQuality(artifact('gate-good', 'reports/good/gl-code-quality-report.json'))).toEqual([]);
    const junit = artifact('gate-good', 'reports/good/portgate-junit.xml');
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toMatch(/<testsuites name="portgate" tests="1" failures="0"/);
    expect(junitCase(junit, 'portgate.ports', '8080/tcp')).toEqual({failure: undefined});
    const report = JSON.parse(artifact('gate-good', 'reports/good/portgate-report.json')) as {verdict: string; findings: unknown[]; container: {reader: string; trusted: boolean}};
    expect(report).toMatchObject({verdict: 'pass', findings: [], container: {reader: 'sidecar', trusted: true}});
  });

  test('a drifting image: the job fails with the CLI exit code and reports the drift', () => {
    const run = gcl(project, 'gate-drift');
    expect(jobResult(run.out, 'gate-drift'), run.out).toEqual({status: 'FAIL', code: 1});
    expect(run.code, run.out).not.toBe(0);
    expect(run.out).toContain('9090');

    // artifacts:when always: exported although the job failed.
    const issues = expectCodeQuality(artifact('gate-drift', 'reports/drift/gl-code-quality-report.json'));
    const listener9090 = issues.find(i => i.check_name === 'undeclared-listener');
    expect(listener9090, JSON.stringify(issues)).toBeDefined();
    expect(listener9090!.description).toContain('9090');
    expect(listener9090!.severity).toBe('major');
    expect(listener9090!.location.path).toMatch(/^drift\/(portgate\.yml|Dockerfile)$/);

    const junit = artifact('gate-drift', 'reports/drift/portgate-junit.xml');
    expect(junitCase(junit, 'portgate.ports', '9090/tcp')).toEqual({failure: 'undeclared-listener'});
    expect(junitCase(junit, 'portgate.ports', '8080/tcp')).toEqual({failure: undefined});
    expect(junit).toMatch(/failures="[1-9]/);

    const report = JSON.parse(artifact('gate-drift', 'reports/drift/portgate-report.json')) as {verdict: string; findings: {rule: string; port?: number}[]};
    expect(report.verdict).toBe('fail');
    expect(report.findings).toContainEqual(expect.objectContaining({rule: 'undeclared-listener', port: 9090}));
  });

  test("the job script also runs under busybox sh (node:*-alpine's shell)", () => {
    const expanded = parse(readFileSync(join(project, '.gitlab-ci-local/expanded-gitlab-ci.yml'), 'utf8')) as Record<string, {variables: Record<string, string>; script: string[]}>;
    const job = expanded['gate-good']!;
    const env = {...process.env, ...job.variables, PORTGATE_REPORTS: 'reports/ash'};
    const run = sh('/bin/busybox', ['sh', '-c', `set -eo pipefail\n${job.script.join('\n')}`], project, env);
    expect(run.code, run.out).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'reports/ash/portgate-report.json'), 'utf8'))).toMatchObject({verdict: 'pass', findings: []});
  });

  test('with the default inputs the job runs the dind service over TLS and the published CLI', () => {
    writeFileSync(join(project, 'defaults.yml'), JSON.stringify({include: [{local: 'templates/portgate.yml', inputs: {image: 'registry.example.com/app:ci', needs: ['build']}}], build: {script: ['true']}}));
    const run = gcl(project, '--file', 'defaults.yml', '--list');
    expect(run.code, run.out).toBe(0);
    const expanded = parse(readFileSync(join(project, '.gitlab-ci-local/expanded-gitlab-ci.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
    const job = expanded.portgate as {
      stage: string;
      image: {name: string; entrypoint: string[]};
      services: {name: string; alias: string}[];
      variables: Record<string, string>;
      needs: unknown[];
      allow_failure: boolean;
      script: string[];
      artifacts: {when: string; reports: Record<string, string>};
    };
    expect(job.stage).toBe('test');
    expect(job.image).toEqual({name: 'node:24-alpine', entrypoint: ['']});
    expect(job.services).toEqual([expect.objectContaining({name: 'docker:29-dind', alias: 'docker'})]);
    expect(job.variables).toMatchObject({
      DOCKER_HOST: 'tcp://docker:2376',
      DOCKER_TLS_CERTDIR: '/certs',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '$DOCKER_TLS_CERTDIR/client',
      PORTGATE_IMAGE: 'registry.example.com/app:ci',
      PORTGATE_PROBE: 'sidecar',
      PORTGATE_FAIL_ON: 'error',
      PORTGATE_VERSION: VERSION
    });
    expect(job.needs).toEqual([expect.objectContaining({job: 'build'})]);
    expect(job.allow_failure).toBe(false);
    expect(job.script.join('\n')).toContain('if [ "true" = false ]');
    expect(job.variables).toMatchObject({PORTGATE_RUNNER: 'npx', PORTGATE_COMMAND: ''});
    expect(job.script.at(-1)).toContain('cli="npx --yes portgate@${PORTGATE_VERSION}"');
    expect(job.script.at(-1)).toMatch(/\$cli check "\$@"\s*$/);
    expect(job.artifacts).toEqual({
      when: 'always',
      paths: ['portgate-report/'],
      reports: {codequality: 'portgate-report/gl-code-quality-report.json', junit: 'portgate-report/portgate-junit.xml'}
    });
  });
});

describe("the repository's own .gitlab-ci.yml (component self-test and release)", () => {
  let self: string;
  beforeAll(() => {
    // Included as a component of this project at this commit, as GitLab does.
    self = join(tmp, 'self');
    mkdirSync(self);
    for (const f of ['.gitlab-ci.yml', 'package.json', 'templates']) cpSync(f, join(self, f), {recursive: true});
    gitRepo(self, 'git@gitlab.example.com:group/portgate.git');
  });

  test('expands: both gates from the component at this commit, the drift check and the release jobs', () => {
    const run = gcl(self, '--list-all');
    expect(run.code, run.out).toBe(0);
    const expanded = parse(readFileSync(join(self, '.gitlab-ci-local/expanded-gitlab-ci.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const job of ['build-cli', 'build-examples', 'gate-good', 'gate-drift', 'verify-drift', 'check-versions', 'create-release']) expect(expanded, job).toHaveProperty(job);
    expect(expanded['gate-good']).toMatchObject({services: [{name: 'docker:29-dind'}], variables: {PORTGATE_IMAGE: 'portgate-example-good:latest'}, allow_failure: false});
    expect(expanded['gate-drift']).toMatchObject({variables: {PORTGATE_IMAGE: 'portgate-example-drift:latest'}, allow_failure: true});
    expect(expanded['create-release']).toMatchObject({release: {tag_name: '$CI_COMMIT_TAG'}});
  });

  test('check-versions passes for the package version tag and fails for another', () => {
    const ok = gcl(self, 'check-versions', '--variable', `CI_COMMIT_TAG=${VERSION}`);
    expect(jobResult(ok.out, 'check-versions'), ok.out).toEqual({status: 'PASS', code: 0});
    const bad = gcl(self, 'check-versions', '--variable', 'CI_COMMIT_TAG=99.0.0');
    expect(jobResult(bad.out, 'check-versions'), bad.out).toEqual({status: 'FAIL', code: 1});
  });
});
