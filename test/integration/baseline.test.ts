import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {leftoverContainers} from '../helpers/engine.js';
import {buildListenerImage, buildProbeImage, removeImages} from '../helpers/images.js';

// The built CLI, as a CI job runs it: two builds of one image, the second one
// adding a debug listener (the Node inspector's 9229), compared with --baseline.
const CLI = resolve('dist/cli.js');
const P = 'portgate-baseline-';
const REPO = `${P}api`;
const TAIL = {
  'sha-1': 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080"]',
  'sha-2': 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "0.0.0.0", "9229"]'
};
const dockerfile = (tag: keyof typeof TAIL) => `FROM scratch\nCOPY listen /listen\nENTRYPOINT ["/listen"]\n${TAIL[tag]}\n`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  new Promise(done => {
    const child = spawn(process.execPath, [CLI, ...args], {cwd, env: {...process.env, ...env}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    child.on('close', code => done({code, stdout, stderr}));
  });

/** A checkout at one commit: the Dockerfile the image was built from. */
const checkout = (tag: keyof typeof TAIL): string => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-baseline-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile(tag));
  return dir;
};

beforeAll(async () => {
  await buildProbeImage();
  for (const tag of ['sha-1', 'sha-2'] as const) await buildListenerImage(`${REPO}:${tag}`, TAIL[tag]);
}, 120_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

describe('check --image --baseline: a build compared with the main branch\'s report', () => {
  let main = '';

  beforeAll(async () => {
    const dir = checkout('sha-1');
    const r = await cli(['check', '--image', `${REPO}:sha-1`, '--settle', '500ms', '--format', 'json', '--output', 'main.json'], dir);
    expect([r.code, r.stderr]).toEqual([0, '']);
    main = join(dir, 'main.json');
  }, 120_000);

  test('the text report leads with the new listener and its finding; the JSON marks them; the Markdown (the PR comment) leads too', async () => {
    const dir = checkout('sha-2');
    const r = await cli(['check', '--image', `${REPO}:sha-2`, '--settle', '500ms', '--no-color', '--baseline', main, '--report', 'json=pr.json', '--report', 'markdown=pr.md'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[3]).toMatch(new RegExp(`^Compared with ${main.replaceAll('/', '\\/')} \\(${REPO}:sha-1\\): \\d+ new, nothing resolved$`));
    const table = lines.findIndex(l => l.startsWith('PORT'));
    const lead = lines.slice(4, table).filter(Boolean);
    expect(lead[0]).toMatch(/^ {2}new listener 9229\/tcp: 0\.0\.0\.0 \(listen, pid \d+\)$/);
    expect(lead).toContain('  new finding risky-port 9229/tcp: error at Dockerfile:3');
    expect(lead.join('\n')).not.toMatch(/8080/);

    const json = JSON.parse(readFileSync(join(dir, 'pr.json'), 'utf8'));
    expect(json.listening.map((l: {port: number; baseline: string}) => `${l.port}:${l.baseline}`)).toEqual(['8080:unchanged', '9229:new']);
    expect(json.findings.find((f: {rule: string}) => f.rule === 'risky-port')).toMatchObject({port: 9229, baseline: 'new'});
    expect(json.baseline).toMatchObject({report: main, status: 'compared', image: `${REPO}:sha-1`, resolved: {findings: [], listening: []}});

    const md = readFileSync(join(dir, 'pr.md'), 'utf8').split('\n');
    expect(md[0]).toBe(`## ❌ portgate failed: \`${REPO}:sha-2\``);
    expect(md[2]).toMatch(/^\*\*Compared with `.*main\.json`\*\* \(`portgate-baseline-api:sha-1`\): \d+ new, nothing resolved\.$/);
    expect(md[4]).toMatch(/^- 🆕 \*\*new listener\*\* `9229\/tcp`: `0\.0\.0\.0 \(listen, pid \d+\)`$/);
  });

  test('the build after the fix: the listener and its finding are resolved', async () => {
    const dir = checkout('sha-2');
    const pr = await cli(['check', '--image', `${REPO}:sha-2`, '--settle', '500ms', '--format', 'json', '--output', 'pr.json'], dir);
    expect(pr.code).toBe(1);
    const r = await cli(['check', '--image', `${REPO}:sha-1`, '--settle', '500ms', '--no-color', '--baseline', 'pr.json'], dir);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n');
    expect(lines[3]).toMatch(/^Compared with pr\.json \(portgate-baseline-api:sha-2\): nothing new, \d+ resolved$/);
    expect(lines.some(l => /^ {2}resolved listener 9229\/tcp: 0\.0\.0\.0 \(listen, pid \d+\)$/.test(l))).toBe(true);
    expect(lines.some(l => /^ {2}resolved finding risky-port 9229\/tcp: error at Dockerfile:3$/.test(l))).toBe(true);
  });

  test('a fleet report is not a baseline for one image: exit 2 naming the file, before the image runs', async () => {
    const dir = checkout('sha-2');
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify({version: 1, kind: 'fleet', services: []}));
    const r = await cli(['check', '--image', `${REPO}:sha-2`, '--baseline', 'fleet.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^portgate: fleet\.json is a fleet report \(`portgate check --fleet`\), but this needs a single-image report/);
  });
});

describe('check --fleet --baseline, and merge --baseline of the same job report', () => {
  const FLEET = `version: 1\nservices:\n  - name: api\n    image: ${REPO}:\${TAG}\n    dockerfile: Dockerfile\n`;

  test('the new listener in service api leads the fleet report; merging the job report prints the same', async () => {
    const main = checkout('sha-1');
    writeFileSync(join(main, 'portgate.fleet.yml'), FLEET);
    const before = await cli(['check', '--fleet', '--settle', '500ms', '--format', 'json', '--output', 'main.json'], main, {TAG: 'sha-1'});
    expect([before.code, before.stderr]).toEqual([0, '']);

    const dir = checkout('sha-2');
    writeFileSync(join(dir, 'portgate.fleet.yml'), FLEET);
    writeFileSync(join(dir, 'main.json'), readFileSync(join(main, 'main.json')));
    const r = await cli(['check', '--fleet', '--settle', '500ms', '--no-color', '--baseline', 'main.json', '--report', 'json=job.json'], dir, {TAG: 'sha-2'});
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[2]).toMatch(/^Compared with main\.json: \d+ new, nothing resolved$/);
    expect(lines[3]).toMatch(/^ {2}new listener 9229\/tcp in service api: 0\.0\.0\.0 \(listen, pid \d+\)$/);
    expect(lines).toContain('  new finding risky-port 9229/tcp in service api: error at Dockerfile:3');

    // The job's report merged alone, compared afresh: the same report, byte for byte.
    const merged = await cli(['merge', 'job.json', '--baseline', 'main.json', '--no-color'], dir);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toBe(r.stdout);
  });
});
