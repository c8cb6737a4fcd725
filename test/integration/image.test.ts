import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parse} from 'yaml';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {buildListenerImage, buildProbeImage, removeImages} from '../helpers/images.js';

/**
 * portgate's own container image (the Dockerfile at the repository root),
 * built FROM a Node base that test/image/node-base.sh makes without a
 * registry, then run the way the README documents it: with the engine's
 * socket mounted, reading sockets through the sidecar reader. It also gates
 * itself with portgate.image.yml, and runs the GitLab component's job script
 * as `runner: image` does.
 */

const REPO = resolve('.');
const IMAGE = 'portgate:test';
const PREFIX = 'portgate-img-';
const PROBE = `${PREFIX}probe:test`;
const APP = `${PREFIX}app:test`;
const DRIFT = `${PREFIX}drift:test`;
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as {version: string}).version;
const SOCKET = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

let base: string;
let tmp: string;
const figures: Record<string, string> = {};

const run = (args: string[], dockerArgs: string[] = []) => {
  const r = spawnSync('docker', ['run', '--rm', '-v', `${SOCKET}:/var/run/docker.sock`, ...dockerArgs, IMAGE, ...args], {encoding: 'utf8', timeout: 180_000});
  if (r.error) throw r.error;
  return {code: r.status, stdout: r.stdout, stderr: r.stderr, out: `${r.stdout}${r.stderr}`};
};

const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

beforeAll(async () => {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run `npm run build` first (scripts/test.sh does)');
  tmp = mkdtempSync(join(tmpdir(), 'portgate-img-'));
  let t0 = Date.now();
  base = execFileSync('bash', ['test/image/node-base.sh'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']}).trim().split('\n').pop()!;
  figures.base = `${base} in ${seconds(t0)} (cached after the first build)`;
  t0 = Date.now();
  const revision = execFileSync('git', ['rev-parse', 'HEAD'], {encoding: 'utf8'}).trim();
  // The classic builder: what Debian's docker.io runs, and what needs no buildx plugin.
  execFileSync(
    'docker',
    ['build', '-q', '--label', 'io.portgate.test=true', '--build-arg', `NODE_BASE=${base}`, '--build-arg', `VERSION=${VERSION}`, '--build-arg', `REVISION=${revision}`, '-t', IMAGE, '.'],
    {env: {...process.env, DOCKER_BUILDKIT: '0'}, stdio: ['ignore', 'ignore', 'pipe']}
  );
  const size = (await docker().getImage(IMAGE).inspect()).Size;
  figures.image = `${IMAGE} in ${seconds(t0)}, ${(size / 1e6).toFixed(0)} MB`;
  console.log(`portgate image: base ${figures.base}; ${figures.image}`);
  await buildProbeImage(PROBE);
  await buildListenerImage(APP, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]');
  await buildListenerImage(DRIFT, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "0.0.0.0", "5005"]');
}, 600_000);

afterAll(async () => {
  const left = (await leftoverContainers()).filter(c => c.includes(PREFIX) || c.includes(IMAGE));
  await removeImages(PREFIX);
  await docker()
    .getImage(IMAGE)
    .remove({force: true})
    .catch(() => undefined);
  if (tmp) rmSync(tmp, {recursive: true, force: true});
  expect(left).toEqual([]);
});

describe("portgate's container image", () => {
  test('runs portgate as its entrypoint, carries OCI labels, and holds only dist/, schema/ and package.json (no node_modules)', async () => {
    const info = await docker().getImage(IMAGE).inspect();
    expect(info.Config.Entrypoint).toEqual(['portgate']);
    expect(info.Config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'portgate',
      'org.opencontainers.image.version': VERSION,
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.base.name': base,
      'org.opencontainers.image.revision': expect.stringMatching(/^[0-9a-f]{40}$/)
    });
    expect(run(['--version']).stdout).toBe(`${VERSION}\n`);
    const files = spawnSync('docker', ['run', '--rm', '--entrypoint', 'sh', IMAGE, '-c', 'ls -A /usr/local/lib/node_modules/portgate; find / -xdev -name node_modules -path "*portgate*"; readlink /usr/local/bin/portgate'], {encoding: 'utf8'});
    expect(files.stdout.trim().split('\n')).toEqual(['dist', 'package.json', 'schema', '../lib/node_modules/portgate/dist/cli.js']);
  });

  test('docker run -v docker.sock portgate:test check --probe sidecar: pass for a matching image, as the non-root user', () => {
    const out = join(tmp, 'out');
    mkdirSync(out);
    chmodSync(out, 0o777);
    const r = run(['check', '--image', APP, '--probe', 'sidecar', '--probe-image', PROBE, '--report', 'json=/out/report.json'], ['-v', `${out}:/out`]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain(`PASS ${APP}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({verdict: 'pass', findings: [], container: {reader: 'sidecar', trusted: true}});
    // Written by uid 1000 (node), which reached the engine through the socket's group.
    expect(statSync(join(out, 'report.json'))).toMatchObject({uid: 1000, gid: 1000});
  });

  test('a drifting image fails with exit 1 and the risky port; --probe auto falls back to the sidecar inside a container', () => {
    const r = run(['check', '--image', DRIFT, '--probe-image', PROBE, '--format', 'json']);
    expect(r.code, r.out).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe('fail');
    expect(report.findings).toContainEqual(expect.objectContaining({rule: 'risky-port', port: 5005}));
    expect(report.container).toMatchObject({reader: 'sidecar', trusted: true});
  });

  test('in a mounted checkout owned by another user, portgate runs as that user so its reports are theirs', () => {
    const checkout = join(tmp, 'checkout');
    mkdirSync(checkout);
    chownSync(checkout, 1234, 1234);
    const r = run(['check', '--image', APP, '--probe-image', PROBE, '--report', 'junit=portgate-junit.xml'], ['-v', `${checkout}:/work`]);
    expect(r.code, r.out).toBe(0);
    expect(statSync(join(checkout, 'portgate-junit.xml'))).toMatchObject({uid: 1234, gid: 1234});
  });

  test('portgate gates its own image: it listens on nothing, so portgate.image.yml (ports: []) passes, from the host and from the image itself', () => {
    const host = spawnSync(process.execPath, ['dist/cli.js', 'check', '--image', IMAGE, '--spec', 'portgate.image.yml', '--build-arg', `NODE_BASE=${base}`, '--format', 'json'], {encoding: 'utf8', timeout: 120_000});
    expect(host.status, host.stderr).toBe(0);
    const report = JSON.parse(host.stdout);
    expect(report).toMatchObject({verdict: 'pass', findings: [], listening: [], exposed: [], dockerfile: 'Dockerfile', spec: 'portgate.image.yml', container: {exited: false}});
    const self = run(['check', '--image', IMAGE, '--spec', 'portgate.image.yml', '--build-arg', `NODE_BASE=${base}`, '--probe-image', PROBE], ['-v', `${REPO}:/src:ro`, '-w', '/src']);
    expect(self.code, self.out).toBe(0);
    expect(self.stdout).toContain(`PASS ${IMAGE}: no findings`);
  });
});

describe('the GitLab component with runner: image', () => {
  test('its job runs in portgate:test with entrypoint [""], and the job script, run there by sh, gates the image with the image\'s portgate', () => {
    const project = join(tmp, 'project');
    mkdirSync(join(project, 'templates'), {recursive: true});
    writeFileSync(join(project, 'templates/portgate.yml'), readFileSync('templates/portgate.yml', 'utf8'));
    writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\nCOPY listen /listen\nENTRYPOINT ["/listen"]\nEXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]\n');
    const inputs = {image: APP, needs: [], runner: 'image', 'job-image': IMAGE, 'probe-image': PROBE, 'docker-host': 'unix:///var/run/docker.sock', 'docker-tls': false, 'artifacts-dir': 'reports'};
    writeFileSync(join(project, '.gitlab-ci.yml'), JSON.stringify({include: [{local: 'templates/portgate.yml', inputs}]}));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=portgate-test', '-c', 'user.email=test@portgate.invalid', ...args], {cwd: project});
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'test project');
    const gcl = spawnSync(join(REPO, 'node_modules/.bin/gitlab-ci-local'), ['--no-color', '--home', join(tmp, 'gcl-home'), '--list'], {cwd: project, encoding: 'utf8', timeout: 120_000});
    expect(gcl.status, `${gcl.stdout}${gcl.stderr}`).toBe(0);
    const job = (parse(readFileSync(join(project, '.gitlab-ci-local/expanded-gitlab-ci.yml'), 'utf8')) as Record<string, {image: unknown; variables: Record<string, string>; script: string[]}>).portgate!;
    expect(job.image).toEqual({name: IMAGE, entrypoint: ['']});
    expect(job.variables).toMatchObject({PORTGATE_RUNNER: 'image', PORTGATE_COMMAND: ''});

    // What the runner does with that job: the image's shell runs the script in the checkout, variables in the environment.
    const env = Object.entries(job.variables).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const r = run(['-c', `set -e\n${job.script.join('\n')}`], ['--entrypoint', 'sh', '-v', `${project}:/builds/project`, '-w', '/builds/project', ...env]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`portgate check --image ${APP} --probe sidecar`);
    const report = JSON.parse(readFileSync(join(project, 'reports/portgate-report.json'), 'utf8'));
    expect(report).toMatchObject({verdict: 'pass', findings: [], dockerfile: 'Dockerfile', container: {reader: 'sidecar'}});
  });
});
