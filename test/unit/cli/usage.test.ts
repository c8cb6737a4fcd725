import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
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
    expect(r.stdout).toMatch(/-V, --version\s+print the version/);
  });

  test('bare portgate prints the help on stderr and exits 2: a CI step whose arguments came out empty must not pass', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: portgate \[options\] \[command\]/);
    expect(r.stderr).toContain('check [options]');
  });
});
