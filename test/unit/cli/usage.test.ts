import {mkdirSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {parseCliArgs} from '../../../src/cli/args.js';
import {main, type Io} from '../../../src/cli/main.js';

/** Runs the CLI in-process with captured output; nothing here reaches an engine. */
const run = async (argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const io: Io = {stdout: s => (stdout += s), stderr: s => (stderr += s), isTty: false};
  const code = await main(argv, io);
  return {code, stdout, stderr};
};

const pkgVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as {version: string}).version;

describe('--version, help and bare portgate', () => {
  test.each([['--version'], ['-V']])('%s prints the version from package.json and exits 0', async flag => {
    const r = await run([flag]);
    expect(r).toEqual({code: 0, stdout: `${pkgVersion}\n`, stderr: ''});
  });

  test.each([['check'], ['init']])('%s --help lists its options without `(default: {})`, `[]` or `false` noise', async command => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--build-arg <key=value>');
    expect(r.stdout).toContain('--manifests <path>');
    expect(r.stdout).not.toMatch(/\(default: (\{\}|\[\]|false)\)/);
    // Defaults that say something stay.
    expect(r.stdout).toContain('(default: "busybox:1.37")');
  });

  test('the top-level help names --version', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/-V, --version\s+print the portgate version/);
  });

  test('bare portgate prints the help on stderr and exits 2: a CI step whose arguments came out empty must not pass', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: portgate \[options\] \[command\]/);
    expect(r.stderr).toContain('check [options]');
  });
});

describe('image references are checked before the engine is asked', () => {
  test.each([
    ['--image', ['check', '--image', 'my app:ci'], '--image "my app:ci" is not a valid image reference: invalid reference format (it contains whitespace)'],
    ['--image', ['check', '--image', 'registry.example.com/../app'], '--image "registry.example.com/../app" is not a valid image reference: invalid reference format (`.` and `..` are not path parts)'],
    ['--image', ['init', '--image', '/app'], '--image "/app" is not a valid image reference: invalid reference format (it starts or ends with `/`)'],
    ['--image', ['check', '--image', 'team//app:ci'], '--image "team//app:ci" is not a valid image reference: invalid reference format (it has an empty path part, `//`)'],
    ['--probe-image', ['check', '--image', 'app:ci', '--probe-image', 'busybox:1.37/'], '--probe-image "busybox:1.37/" is not a valid image reference: invalid reference format']
  ])('%s %j exits 2 naming the flag, with no stack trace', async (_flag, argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`portgate: ${message}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('paths: empty values and folders are input errors, never ignored', () => {
  test.each([
    [['check', '--image', 'app:ci', '--output', ''], '--output is empty: give a path, e.g. --output report.txt, or leave the option out'],
    [['init', '--image', 'app:ci', '--output', ' '], '--output is empty: give a path, e.g. --output portgate.yml, or leave the option out'],
    [['check', '--image', 'app:ci', '--dockerfile', ''], '--dockerfile is empty: give a path, e.g. --dockerfile Dockerfile, or leave the option out'],
    [['check', '--image', 'app:ci', '--spec', ''], '--spec is empty: give a path, e.g. --spec portgate.yml, or leave the option out'],
    [['init', '--image', 'app:ci', '--spec', ''], '--spec is empty'],
    [['check', '--image', 'app:ci', '--manifests', ''], '--manifests is empty: give a path, e.g. --manifests deploy/k8s'],
    [['check', '--image', 'app:ci', '--compose', ''], '--compose is empty: give a path, e.g. --compose compose.yaml'],
    [['check', '--image', 'app:ci', '--report', 'junit='], '--report junit= is empty: give a path, e.g. --report junit=report.xml']
  ])('%j exits 2', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`portgate: ${message}`);
  });

  // Each fails while reading its inputs, before the engine is asked for anything.
  test.each([
    ['--dockerfile', 'the Dockerfile', 'Dockerfile'],
    ['--spec', 'the spec', 'portgate.yml']
  ])('%s naming a folder says so in words, with the file it probably means', async (flag, what, file) => {
    const dir = mkdtempSync(join(tmpdir(), 'portgate-usage-'));
    const r = await run(['check', '--image', 'app:ci', '--static-only', flag, dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`portgate: ${what} ${dir} is a folder, not a file: pass the file itself, e.g. ${join(dir, file)}.\n`);
    expect(r.stderr).not.toContain('EISDIR');
  });

  test('--output naming a folder is refused before the image runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portgate-usage-'));
    mkdirSync(join(dir, 'out'));
    const r = await run(['check', '--image', 'app:ci', '--output', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`portgate: cannot write --output ${join(dir, 'out')}: it is a folder. Name a file inside it instead.\n`);
  });
});

describe('--engine', () => {
  test.each([['check'], ['init']])('%s --help documents the choices and the order auto looks in', async command => {
    const r = await run([command, '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('--engine <kind> engine when DOCKER_HOST is unset: auto (/var/run/docker.sock, else Podman: /run/podman/podman.sock, then $XDG_RUNTIME_DIR/podman/podman.sock)');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('(choices: "auto", "docker", "podman", default: "auto")');
  });

  test('check --fleet takes it for every service', () => {
    expect(parseCliArgs(['check', '--fleet', 'portgate.fleet.yml', '--engine', 'podman'])).toMatchObject({command: 'check-fleet', engine: 'podman'});
    expect(parseCliArgs(['check', '--fleet', 'portgate.fleet.yml'])).toMatchObject({command: 'check-fleet', engine: 'auto'});
  });

  test('another value is an input error', async () => {
    const r = await run(['check', '--image', 'app:ci', '--engine', 'containerd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--engine <kind>' argument 'containerd' is invalid. Allowed choices are auto, docker, podman.");
  });
});
