import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {runAction as run, startFakeGitHub, type FakeGitHub, type Run, type RunOptions} from '../helpers/action-runner.js';
import {buildImage, busybox, leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildProbeImage, listener, removeImages} from '../helpers/images.js';

/**
 * The built dist/index.js run the way the runner runs it: a child process
 * with INPUT_* variables (hyphens kept), GITHUB_OUTPUT/GITHUB_STEP_SUMMARY
 * files, a pull_request event, and GITHUB_API_URL pointing at a recording
 * fake of the three issue-comment endpoints. Real images, real engine.
 */
const DIST = resolve('dist/index.js');
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as {version: string}).version;
const APP = 'portgate-action-app:test';
// Prints workflow commands, then exits: its log tail reaches the step log through the text report.
// It lives 2s so that the host reader attaches before the exit (an already-exited target has no /proc).
const INJECT = 'portgate-action-inject:test';
const INJECT_DOCKERFILE = `FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox", "sh", "-c", "echo '::error::injected'; echo '::set-output name=verdict::pass'; /bin/busybox sleep 2; exit 3"]\n`;
// Ports 7001-7006 and 9101-9111 are in no risky-port catalogue entry; 2375 and 5005 are.
const DRIFT = {
  expose: '8080 9000',
  listen: ['0.0.0.0 8080', '0.0.0.0 5005', '0.0.0.0 2375', ...[1, 2, 3, 4, 5, 6].map(i => `0.0.0.0 700${i}`), ...Array.from({length: 11}, (_, i) => `127.0.0.1 ${9101 + i}`)]
};
const GOOD = {expose: '8080 8443', listen: ['0.0.0.0 8080', '0.0.0.0 8443']};
const SPEC = 'version: 1\nports:\n  - port: 8080\n    name: http\n    exposure: public\n  - port: 8443\n    name: https\n    exposure: public\n';

// The chart names another registry and tag than CI builds, so the `container` input picks the container.
const MANIFEST = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: app}',
  'spec:',
  '  selector: {matchLabels: {app: app}}',
  '  template:',
  '    metadata: {labels: {app: app}}',
  '    spec:',
  '      containers:',
  '        - name: app',
  '          image: registry.example.com/shop/app:1.0',
  '          ports: [{containerPort: 8080}, {containerPort: 8443}]',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: app}',
  'spec:',
  '  selector: {app: app}',
  '  ports:',
  '    - port: 80',
  '      targetPort: 9090',
  ''
].join('\n');

// A comment line first, so findings placed on the image's lines must find them by parsing (FROM on 2, ENTRYPOINT on 5).
const dockerfile = (v: typeof GOOD) => `# portgate action test\nFROM scratch\nCOPY listen /listen\nEXPOSE ${v.expose}\nENTRYPOINT ${JSON.stringify(['/listen', 'tcp', ...v.listen.flatMap(l => l.split(' '))])}\n`;

let workspace: string;
let node24: string;
const build = async (v: typeof GOOD) => {
  writeFileSync(join(workspace, 'Dockerfile'), dockerfile(v));
  await buildImage({tag: APP, files: {listen: listener(), Dockerfile: dockerfile(v)}});
};

let api: FakeGitHub;

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run build` first (scripts/test.sh does).');
  // The action's declared runtime; `npx -y node@24` fetches the official binary as an npm package.
  node24 = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], {encoding: 'utf8'}).trim().split('\n').pop()!;
  workspace = mkdtempSync(join(tmpdir(), 'portgate-action-'));
  writeFileSync(join(workspace, 'portgate.yml'), SPEC);
  await buildProbeImage();
  await build(DRIFT);
  mkdirSync(join(workspace, 'deploy/k8s'), {recursive: true});
  writeFileSync(join(workspace, 'deploy/k8s/app.yaml'), MANIFEST);
  mkdirSync(join(workspace, 'inject'));
  writeFileSync(join(workspace, 'inject/Dockerfile'), INJECT_DOCKERFILE);
  await buildImage({tag: INJECT, files: {busybox: busybox(), Dockerfile: INJECT_DOCKERFILE}});
  api = await startFakeGitHub();
});

afterAll(async () => {
  api?.close();
  if (workspace) rmSync(workspace, {recursive: true, force: true});
  await removeImages('portgate-action-');
  // Only this suite's targets: other suites may share a developer's engine. scripts/test.sh checks the whole engine after the run.
  expect((await leftoverContainers()).filter(c => c.includes(' portgate-action-'))).toEqual([]);
});

/** The runner's defaults for these tests: a token, short waits, the Node 24 binary. */
const runAction = (inputs: Record<string, string>, opts: Partial<RunOptions> = {}): Promise<Run> =>
  run({bundle: DIST, node: node24, workspace, apiUrl: api.url, ...opts, inputs: {'github-token': 'ghs_test', timeout: '4s', settle: '500ms', ...inputs}});

const titles = (r: Run, level: string) => r.commands.filter(c => c.level === level).map(c => c.props.title ?? `(setFailed) ${c.message}`);

describe('the built action (dist/index.js) against the real engine', () => {
  test('a drifting image under Node 24: exit 1, capped annotations in order, summary, outputs, reports, a new PR comment', async () => {
    expect(execFileSync(node24, ['--version'], {encoding: 'utf8'})).toMatch(/^v24\./);
    const r = await runAction({image: APP, sarif: 'reports/portgate.sarif'});
    expect(r.code, r.stdout).toBe(1);
    // 9 finding errors, most important first, then setFailed's own error in the reserved 10th slot.
    expect(titles(r, 'error')).toEqual([
      'portgate risky-port 2375/tcp: Risky port',
      'portgate risky-port 5005/tcp: Risky port',
      ...[2375, 5005, 7001, 7002, 7003, 7004, 7005].map(p => `portgate undeclared-listener ${p}/tcp: Listener not in the port spec`),
      '(setFailed) portgate: 13 findings at fail-on error or above in portgate-action-app:test: see the annotations and the job summary.'
    ]);
    expect(titles(r, 'warning')).toEqual(Array.from({length: 9}, (_, i) => `portgate undeclared-loopback-listener ${9101 + i}/tcp: Loopback listener not in the port spec`));
    const first = r.commands[0];
    // A listener without a line of its own points at the ENTRYPOINT that starts it (findings/where.ts).
    expect(first.props).toMatchObject({file: 'Dockerfile', line: '5', endLine: '5'});
    expect(first.message).toMatch(/^2375\/tcp .*accept it\.$/);

    expect(r.outputs).toEqual({verdict: 'fail', errors: '13', warnings: '11', report: expect.stringMatching(/portgate-portgate-action-app_test\.json$/), sarif: 'reports/portgate.sarif'});
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'));
    expect(report).toMatchObject({verdict: 'fail', image: APP, dockerfile: 'Dockerfile', spec: 'portgate.yml'});
    expect(report.findings).toHaveLength(24);
    const sarif = JSON.parse(readFileSync(join(workspace, 'reports/portgate.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(new Set(sarif.runs[0].results.map((x: {locations: {physicalLocation: {artifactLocation: {uri: string}}}[]}) => x.locations[0].physicalLocation.artifactLocation.uri))).toEqual(new Set(['Dockerfile', 'portgate.yml']));

    expect(r.summary).toMatch(/^## ❌ portgate failed: `portgate-action-app:test`/);
    expect(r.summary).toContain('| `8443/tcp` |');
    expect(r.summary).toContain('> 6 findings are not annotated on the files: GitHub shows at most 10 annotations of each level per step.');

    expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1', 'POST /repos/acme/shop/issues/7/comments']);
    expect(api.comments[0].body.startsWith('<!-- portgate:sticky:portgate-action-app -->\n## ❌ portgate failed')).toBe(true);
    expect(api.comments[0].body).toContain('commit c0ffee0 · [workflow run](https://github.com/acme/shop/actions/runs/42)');
  });

  test('the next push updates the same comment (PATCH, no second POST)', async () => {
    api.requests = [];
    const r = await runAction({image: APP});
    expect(r.code, r.stdout).toBe(1);
    expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1', 'PATCH /repos/acme/shop/issues/comments/100']);
    expect(api.comments).toHaveLength(1);
    expect(r.stdout).toContain('portgate: PR comment 100 updated.');
  });

  test('once fixed, the gate passes and the comment turns into a resolved note', async () => {
    await build(GOOD);
    api.requests = [];
    const r = await runAction({image: APP});
    expect(r.code, r.stdout).toBe(0);
    expect(r.commands).toEqual([]);
    expect(r.outputs).toMatchObject({verdict: 'pass', errors: '0', warnings: '0', sarif: ''});
    expect(r.summary).toMatch(/^## ✅ portgate passed/);
    expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1', 'PATCH /repos/acme/shop/issues/comments/100']);
    expect(api.comments[0].body).toMatch(/^<!-- portgate:sticky:portgate-action-app -->\n## ✅ portgate passed: `portgate-action-app:test`\n\nThe port drift reported earlier in this pull request is resolved\./);
  });

  test(`a fork PR whose token gets 403 skips the comment with a notice and does not fail the step (Node ${process.versions.node}, sidecar probe)`, async () => {
    api.requests = [];
    api.mode = 'deny';
    try {
      const r = await runAction({image: APP, probe: 'sidecar', 'probe-image': PROBE_IMAGE}, {node: process.execPath, fork: true});
      expect(r.code, r.stdout).toBe(0);
      expect(r.commands).toEqual([{level: 'notice', props: {}, message: 'portgate: no PR comment: the token is read-only on pull requests from forks (HTTP 403). The job summary has the report.'}]);
      expect(r.stdout).toContain('sidecar');
      expect(api.requests).toEqual(['GET /repos/acme/shop/issues/7/comments?per_page=100&page=1']);
    } finally {
      api.mode = 'ok';
    }
  });

  test('manifests from a folder are checked against the running image and annotated on their own lines', async () => {
    const r = await runAction({image: APP, manifests: 'deploy/k8s', container: 'app', comment: 'false'}, {node: process.execPath});
    expect(r.code, r.stdout).toBe(1);
    const k8s = r.commands.filter(c => c.props.file === 'deploy/k8s/app.yaml');
    expect(k8s.map(c => [c.level, c.props.title?.split(':')[0], c.props.line])).toEqual([
      ['error', 'portgate k8s-target-port-not-listening 9090/tcp', String(MANIFEST.split('\n').indexOf('      targetPort: 9090') + 1)],
      // No NetworkPolicy selects the Deployment's pods: a warning at its name.
      ['warning', 'portgate k8s-netpol-missing', String(MANIFEST.split('\n').indexOf('metadata: {name: app}') + 1)]
    ]);
    expect(r.outputs.verdict).toBe('fail');
  });

  test('workflow commands printed by the image are not run by the runner', async () => {
    const r = await runAction({image: INJECT, dockerfile: 'inject/Dockerfile', comment: 'false'}, {node: process.execPath});
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain('::error::injected'.replace('::', ':\u200b:'));
    expect(r.commands.map(c => c.message)).not.toContain('injected');
    expect(r.commands.find(c => c.props.title?.startsWith('portgate container-exited'))?.message).toContain('::error::injected');
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).not.toMatch(/^::set-output/m);
  });

  test('a cancelled job (SIGINT) removes the gate\'s containers before the process exits', async () => {
    // 9999 never listens, so the gate would wait the whole minute.
    writeFileSync(join(workspace, 'slow.yml'), 'version: 1\nports:\n  - port: 9999\n    exposure: internal\n');
    const mine = async () => (await leftoverContainers()).filter(c => c.includes(APP));
    const r = await runAction({image: APP, spec: 'slow.yml', timeout: '60s', comment: 'false'}, {
      node: process.execPath,
      whileRunning: async child => {
        for (let i = 0; i < 100 && !(await mine()).length; i++) await new Promise(res => setTimeout(res, 100));
        expect(await mine()).toHaveLength(1);
        child.kill('SIGINT');
      }
    });
    expect(r.code, r.stdout).toBe(130);
    expect(r.stdout).toContain('portgate: SIGINT: removing its containers');
    expect(await mine()).toEqual([]);
  });

  test('comment: true on a push to main: no notice, no API call, one log line; a matching version input runs', async () => {
    api.requests = [];
    const r = await runAction({image: APP, comment: 'true', version: `v${VERSION}`}, {node: process.execPath, event: 'push'});
    expect(r.code, r.stdout).toBe(0);
    expect(r.commands).toEqual([]);
    expect(api.requests).toEqual([]);
    expect(r.stdout).toContain('portgate: no PR comment: the push event has no pull request.');
    expect(r.stdout).toContain(`portgate ${VERSION}\n`);
  });

  test('engine-wait: an engine that never answers is retried for that long, then the step fails with verdict=error', async () => {
    const t0 = Date.now();
    const r = await runAction({image: APP, 'engine-wait': '3s', comment: 'false'}, {node: process.execPath, env: {DOCKER_HOST: 'unix:///nonexistent/portgate-test.sock'}});
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000);
    expect(r.code, r.stdout).toBe(1);
    expect(r.commands).toEqual([{level: 'error', props: {}, message: expect.stringMatching(/^portgate: .*\/nonexistent\/portgate-test\.sock/)}]);
    expect(r.outputs).toEqual({verdict: 'error'});
  });

  test.each([
    [{image: APP, 'fail-on': 'sometimes'}, /^portgate: input fail-on is "sometimes"; expected one of error, warning, never\.$/],
    // A workflow pinned another release: stop before the engine or the API is touched.
    [{image: APP, version: '9.9'}, new RegExp(`^portgate: input version is 9\\.9, but this action runs portgate ${VERSION.replaceAll('.', '\\.')}\\. Point \`uses:\` at the release you reviewed`)],
    // The gate's own wording (not found, or could not be pulled); the action's part is the prefix, one error and verdict=error.
    [{image: 'portgate-action-missing:nope'}, /^portgate: .*portgate-action-missing:nope.*\. /]
  ])('%j fails the step with one clear error and verdict=error', async (inputs, message) => {
    api.requests = [];
    const r = await runAction(inputs, {node: process.execPath});
    expect(r.code, r.stdout).toBe(1);
    expect(r.commands).toEqual([{level: 'error', props: {}, message: expect.stringMatching(message)}]);
    expect(r.outputs).toEqual({verdict: 'error'});
    expect(api.requests).toEqual([]);
  });
});
