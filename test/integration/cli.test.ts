import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {PROBE_IMAGE, buildListenerImage, buildProbeImage, removeImages} from '../helpers/images.js';

// The built CLI, run as a user runs it: exit codes and stderr are the contract.
const CLI = resolve('dist/cli.js');
const P = 'portgate-cli-';
const IMAGE = `${P}app:test`;
const SLOW = `${P}slow:test`;
const CRASH = `${P}crash:test`;
const INJECT = `${P}inject:test`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], opts: {env?: NodeJS.ProcessEnv; cwd?: string; onSpawn?: (pid: number) => void} = {}): Promise<Run> =>
  new Promise(done => {
    const child = spawn(process.execPath, [CLI, ...args], {cwd: opts.cwd ?? process.cwd(), env: {...process.env, ...opts.env}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    opts.onSpawn?.(child.pid!);
    child.on('close', (code, signal) => done({code, signal, stdout, stderr}));
  });

const tmp = () => mkdtempSync(join(tmpdir(), 'portgate-cli-'));

beforeAll(async () => {
  await buildProbeImage();
  await buildListenerImage(IMAGE, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "0.0.0.0", "5005"]');
  // Declares nothing that will listen soon, so the gate is still waiting when it is signalled.
  await buildListenerImage(SLOW, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--delay", "120"]');
  await buildListenerImage(CRASH, 'EXPOSE 8080\nCMD ["tcp", "0.0.0.0", "8080", "--exit-after", "0", "9"]');
  // Prints workflow commands (both grammars) to its log, then runs a listener whose argv and name say `::error` after a newline, then exits.
  await buildListenerImage(
    INJECT,
    'EXPOSE 8080\nENTRYPOINT ["sh", "-c", "echo \'::error file=README.md,line=1::pwned by the log\'; echo \'   ::add-mask::secret\'; echo \'x ##[set-output name=verdict]pass\'; /listen tcp 0.0.0.0 5005 --forge \'srv\\\\n::error file=a::pwned by argv\' & sleep 2; exit 3"]',
    {shell: true}
  );
}, 120_000);

afterEach(async () => {
  expect(await leftoverContainers()).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

describe('exit codes', () => {
  test('1 on drift, with the findings in the text report', async () => {
    const r = await cli(['check', '--image', IMAGE, '--settle', '500ms', '--no-color'], {cwd: tmp()});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/5005/);
    expect(r.stdout).toMatch(/risky-port/);
    expect(r.stderr).toBe('');
  });

  test('0 when drift is below --fail-on, and the JSON report is stable', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports:\n  - port: 8080\n  - port: 5005\n    exposure: internal\n    reason: remote debugging in the staging image\n');
    const r = await cli(['check', '--image', IMAGE, '--settle', '500ms', '--format', 'json', '--output', 'out.json', '--report', 'junit=out.xml'], {cwd: dir});
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(Object.keys(json)).toEqual(['version', 'verdict', 'failOn', 'image', 'spec', 'exposed', 'listening', 'declared', 'findings', 'engine', 'container', 'timing']);
    expect(json.verdict).toBe('pass');
    expect(json.declared.map((d: {port: number}) => d.port)).toEqual([5005, 8080]);
    expect(readFileSync(join(dir, 'out.xml'), 'utf8')).toContain('<testsuite');
  });

  test('--fail-on decides which severities fail: warnings pass at error, fail at warning; nothing fails at never', async () => {
    const dir = tmp();
    // Every finding downgraded to a warning by the spec's rules: section.
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports:\n  - port: 8080\nrules:\n  risky-port: warning\n  undeclared-listener: warning\n');
    const run = (failOn: string) => cli(['check', '--image', IMAGE, '--settle', '0s', '--fail-on', failOn, '--format', 'json'], {cwd: dir});
    const atError = await run('error');
    expect(atError.code).toBe(0);
    expect(JSON.parse(atError.stdout).findings.map((f: {rule: string; severity: string}) => `${f.rule}:${f.severity}`).sort()).toEqual(['risky-port:warning', 'undeclared-listener:warning']);
    expect((await run('warning')).code).toBe(1);
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports:\n  - port: 8080\n');
    const never = await run('never');
    expect(never.code).toBe(0);
    expect(JSON.parse(never.stdout).findings.some((f: {severity: string}) => f.severity === 'error')).toBe(true);
  });

  test.each([
    ['an empty --image (an unset variable)', ['check', '--image', ''], /--image is empty/],
    ['an empty --probe-image', ['check', '--image', IMAGE, '--probe-image', ' '], /--probe-image is empty/],
    ['an invalid image reference', ['check', '--image', 'UPPER:case', '--pull', 'never'], /"UPPER:case" is not a valid image reference/],
    // Before the reference check these reached the engine's URL path and came back as "cannot reach the Docker engine ... HTTP 301" (exit 3) or a crash.
    ['a reference with a space', ['check', '--image', 'my app:ci'], /--image "my app:ci" is not a valid image reference: invalid reference format \(it contains whitespace\)/],
    ['a reference with `//`', ['check', '--image', 'team//app', '--static-only'], /--image "team\/\/app" is not a valid image reference/],
    ['a reference with `..`', ['init', '--image', 'team/../app'], /--image "team\/\.\.\/app" is not a valid image reference/],
    ['a probe image with a trailing slash', ['check', '--image', IMAGE, '--probe-image', 'busybox/'], /--probe-image "busybox\/" is not a valid image reference/],
    ['an empty --output', ['check', '--image', IMAGE, '--output', ''], /--output is empty/],
    ['a zero timeout', ['check', '--image', IMAGE, '--timeout', '0s'], /--timeout must be longer than 0s/],
    ['an unknown command', ['bogus'], /Run `portgate --help` for usage/],
    ['no command at all (the help, on stderr)', [], /^Usage: portgate \[options\] \[command\]/],
    ['an unknown option', ['check', '--image', 'x', '--bogus'], /unknown option '--bogus'/],
    ['a missing --image', ['check'], /check needs --image \(the image to gate\) or --fleet/],
    ['a bad --fail-on', ['check', '--image', 'x', '--fail-on', 'fatal'], /fail-on/],
    ['a bad duration', ['check', '--image', 'x', '--timeout', 'soon'], /--timeout/],
    ['a missing spec file', ['check', '--image', 'x', '--spec', 'nope.yml'], /cannot read the spec nope\.yml: ENOENT/],
    ['a report path in a missing folder', ['check', '--image', IMAGE, '--report', 'junit=/nonexistent/dir/r.xml'], /cannot write --report junit \/nonexistent\/dir\/r\.xml: the folder \/nonexistent\/dir does not exist/],
    ['init into a missing folder', ['init', '--image', IMAGE, '--output', '/nonexistent/portgate.yml'], /cannot write --output \/nonexistent\/portgate\.yml: the folder \/nonexistent does not exist/],
    ['a report format that does not exist', ['check', '--image', 'x', '--report', 'pdf=r.pdf'], /--report expects FORMAT=PATH/]
  ])('2 for %s, with no stack trace', async (_name, args, message) => {
    const r = await cli(args, {cwd: tmp()});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('--version prints the version the bundle was built from', async () => {
    const r = await cli(['--version']);
    expect(r).toMatchObject({code: 0, stdout: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`, stderr: ''});
  });

  test('2 for an invalid spec, naming file, line and column', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports:\n  - port: 70000\n');
    const r = await cli(['check', '--image', IMAGE], {cwd: dir});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^portgate: portgate\.yml:3:\d+: /);
  });

  test('2 for an invalid EXPOSE, with the Dockerfile position', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nEXPOSE 8080\nEXPOSE 80/foo\n');
    const r = await cli(['check', '--image', IMAGE], {cwd: dir});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Dockerfile:3:\d+: .*invalid proto: foo/);
  });

  test('2 for a Dockerfile with bare CR line ends or a huge EXPOSE range, never a crash', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\rEXPOSE 8080\r');
    const cr = await cli(['check', '--image', IMAGE, '--static-only'], {cwd: dir});
    expect(cr.code).toBe(2);
    expect(cr.stderr).toMatch(/^portgate: Dockerfile:1:13: bare carriage return/);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nEXPOSE 1-65535/udp 1-65535/tcp\n');
    const huge = await cli(['check', '--image', IMAGE, '--static-only', '--output', 'report.txt'], {cwd: dir});
    expect(huge.stderr).not.toMatch(/internal error/);
    // No spec: the 131,070 ports the image lacks are dockerfile-mismatch warnings, which do not fail at --fail-on error.
    expect(huge.code).toBe(0);
    expect(readFileSync(join(dir, 'report.txt'), 'utf8')).toMatch(/dockerfile-mismatch/);
  });

  test('3 for an image the engine does not have and cannot pull', async () => {
    const r = await cli(['check', '--image', `${P}missing:nope`], {cwd: tmp()});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/could not pull portgate-cli-missing:nope: .*Build or load it into the engine first/);
    // Nothing the engine has is close: no guess.
    expect(r.stderr).not.toMatch(/hint:/);
    const never = await cli(['check', '--image', `${P}missing:nope`, '--pull', 'never'], {cwd: tmp()});
    expect(never.code).toBe(3);
    expect(never.stderr).toMatch(/is not in the engine: build it/);
  });

  test('3 for a wrong tag or a typo in the name, with the images the engine has that come close as the hint', async () => {
    const tag = await cli(['check', '--image', `${P}app:tset`], {cwd: tmp()});
    expect(tag.code).toBe(3);
    expect(tag.stderr).toMatch(/^portgate: could not pull portgate-cli-app:tset: .*\n {2}hint: did you mean an image the engine has\? portgate-cli-app:test \(other tags of portgate-cli-app\)\n$/);
    const name = await cli(['check', '--image', `${P}ap:test`, '--pull', 'never'], {cwd: tmp()});
    expect(name.code).toBe(3);
    expect(name.stderr).toMatch(/is not in the engine: build it .*\n {2}hint: did you mean an image the engine has\? [^\n]*portgate-cli-app:test[^\n]* \(similar names\)\n$/);
    expect(name.stderr).not.toMatch(/\n\s+at /);
  });

  test('3 for a probe image that has no shell', async () => {
    const r = await cli(['check', '--image', IMAGE, '--probe', 'sidecar', '--probe-image', SLOW, '--settle', '0s'], {cwd: tmp()});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the probe image portgate-cli-slow:test cannot run `sh -c`/);
  });

  test('3 for a run: user the image does not have, naming the user and the spec line it comes from', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports: []\nrun:\n  user: nobodyx\n');
    const r = await cli(['check', '--image', IMAGE, '--settle', '0s'], {cwd: dir});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/The user "nobodyx" comes from portgate\.yml:4[^\n]*: it must exist in the image's \/etc\/passwd, or be numeric/);
  });

  test("3 when --probe auto cannot see the engine's /proc (another pid namespace) and the probe image is missing: it says why a probe image was needed", async () => {
    // unshare gives portgate a pid namespace of its own: the container's pid is not visible, as under a remote engine.
    const r = await new Promise<Run>(done => {
      const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'check', '--image', IMAGE, '--settle', '0s', '--probe-image', 'portgate-cli-no-such-probe:1', '--pull', 'never'], {cwd: tmp(), env: process.env});
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', c => (stdout += c));
      child.stderr.on('data', c => (stderr += c));
      child.on('close', (code, signal) => done({code, signal, stdout, stderr}));
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cannot read this engine's \/proc from here \(a remote engine or Docker-in-Docker\), so it reads sockets from a probe container/);
    expect(r.stderr).toMatch(/the probe image portgate-cli-no-such-probe:1 is not in the engine/);
    expect(r.stderr).toMatch(/--probe-image/);
  });

  test('3 for an unreachable engine', async () => {
    const r = await cli(['check', '--image', IMAGE], {cwd: tmp(), env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach the Docker engine \(unix:\/\/\/nonexistent\/docker\.sock\)/);
    // --engine-wait retries before giving up.
    const started = Date.now();
    const waited = await cli(['check', '--image', IMAGE, '--engine-wait', '2s'], {cwd: tmp(), env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}});
    expect(waited.code).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  test('init prints a baseline that check then accepts, except the risky port', async () => {
    const dir = tmp();
    const init = await cli(['init', '--image', IMAGE, '--settle', '500ms', '--output', 'portgate.yml'], {cwd: dir});
    expect(init.code).toBe(0);
    const spec = readFileSync(join(dir, 'portgate.yml'), 'utf8');
    expect(spec).toMatch(/port: 8080/);
    expect(spec).toMatch(/JDWP/);
    const check = await cli(['check', '--image', IMAGE, '--settle', '500ms', '--format', 'json'], {cwd: dir});
    expect(JSON.parse(check.stdout).findings.map((f: {rule: string}) => f.rule)).toEqual(['risky-port']);
  });
});

describe('image-controlled text in a GitHub log', () => {
  // actions/runner: ActionCommand.TryParseV2 (the line, leading white space trimmed, starts with `::`) and the legacy TryParse (`##[` anywhere).
  const commands = (out: string): string[] => out.split('\n').filter(l => /^[\s\u0085]*::/.test(l) || l.includes('##['));

  test('no line of the text report or stderr is a workflow command, whatever the image logs or calls itself', async () => {
    const r = await cli(['check', '--image', INJECT, '--settle', '500ms', '--no-color'], {cwd: tmp()});
    expect(r.code).toBe(1);
    // The hostile text is there, and inert.
    expect(r.stdout).toMatch(/pwned by the log/);
    expect(r.stdout).toMatch(/set-output name=verdict/);
    expect(commands(r.stdout)).toEqual([]);
    expect(commands(r.stderr)).toEqual([]);
    // A control character in argv or a log never reaches the terminal.
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});

describe('init writes only a baseline it could observe', () => {
  test('a container that exits: no baseline, exit 1, the cause and the log tail on stderr', async () => {
    const dir = tmp();
    const r = await cli(['init', '--image', CRASH, '--output', 'portgate.yml'], {cwd: dir});
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'portgate.yml'))).toBe(false);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no baseline written: the container exited with code 9/);
    expect(r.stderr).toMatch(/cause: portgate does not recognise why it stopped/);
    expect(r.stderr).toMatch(/exiting with code 9 as asked/);
  });

  test('nothing listened within the timeout although the image EXPOSEs ports: no baseline, exit 1, the ports named', async () => {
    const dir = tmp();
    const r = await cli(['init', '--image', SLOW, '--timeout', '2s', '--output', 'portgate.yml'], {cwd: dir});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no baseline written: nothing listened within the timeout, although the image EXPOSEs 8080\/tcp/);
    expect(existsSync(join(dir, 'portgate.yml'))).toBe(false);
  });

  test("an existing portgate.yml's run: is used and copied into the new baseline", async () => {
    const dir = tmp();
    // The image's own command would listen on 8080 and 5005; run: replaces it.
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports: []\nrun:\n  command: ["tcp", "0.0.0.0", "7070"]\n  settle: 500ms\n  timeout: 3s\n');
    const r = await cli(['init', '--image', IMAGE], {cwd: dir});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/- port: 7070/);
    expect(r.stdout).not.toMatch(/- port: 5005/);
    expect(r.stdout).toMatch(/run:\n {2}command: \["tcp","0.0.0.0","7070"\]/);
    expect(r.stdout).toMatch(/The run: section is copied from portgate\.yml/);
  });
});

describe('signals remove every container', () => {
  test('SIGTERM during init exits 143 and leaves nothing', async () => {
    const r = await cli(['init', '--image', SLOW, '--timeout', '100s'], {
      cwd: tmp(),
      onSpawn: pid => {
        const poll = setInterval(async () => {
          if ((await docker().listContainers({filters: {label: [`io.portgate.owner=${hostname()}:${pid}`]}})).length >= 1) {
            clearInterval(poll);
            process.kill(pid, 'SIGTERM');
          }
        }, 100);
      }
    });
    expect(r.code).toBe(143);
    expect(r.stderr).not.toMatch(/could not remove/);
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143]
  ] as const)('%s while waiting for listeners exits %i and leaves nothing', async (signal, code) => {
    const r = await cli(['check', '--image', SLOW, '--probe', 'sidecar', '--probe-image', PROBE_IMAGE, '--timeout', '100s'], {
      cwd: tmp(),
      onSpawn: pid => {
        // Signal once both the target and the probe exist, i.e. mid-wait.
        const poll = setInterval(async () => {
          const list = await docker().listContainers({filters: {label: [`io.portgate.owner=${hostname()}:${pid}`]}});
          if (list.length >= 2) {
            clearInterval(poll);
            process.kill(pid, signal);
          }
        }, 100);
      }
    });
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(`${signal}: removing its containers`);
  });
});
