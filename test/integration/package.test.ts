import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {beforeAll, describe, expect, test} from 'vitest';
import {localSchemaRef} from '../../src/cli/schema-ref.js';

/**
 * The path the README gives before portgate is on npm: a release tarball
 * (`npm pack`) installed into a project. It must install without the
 * registry (everything is bundled) and put the schema where `init` points.
 */
const ROOT = resolve('.');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string; dependencies?: object};
let project: string;

beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'portgate-pack-'));
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {cwd: ROOT, encoding: 'utf8'}).trim().split('\n').pop()!;
  project = mkdtempSync(join(tmpdir(), 'portgate-project-'));
  writeFileSync(join(project, 'package.json'), '{"name": "some-service", "version": "1.0.0", "private": true}\n');
  // --offline: a tarball with no dependencies needs no registry.
  execFileSync('npm', ['install', '--save-dev', '--offline', '--no-audit', '--no-fund', join(out, file)], {cwd: project, stdio: 'pipe'});
}, 180_000);

describe('a release tarball installed into a project', () => {
  test('has no runtime dependencies: the CLI and the Action are bundled', () => {
    expect(pkg.dependencies).toBeUndefined();
    expect(readFileSync(join(project, 'node_modules/portgate/dist/cli.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(existsSync(join(project, 'node_modules/portgate/node_modules'))).toBe(false);
  });

  test('runs as `portgate` from node_modules/.bin', () => {
    expect(execFileSync(join(project, 'node_modules/.bin/portgate'), ['--version'], {encoding: 'utf8'}).trim()).toBe(pkg.version);
  });

  test("init's $schema line points at the project's installed schema, which is there", () => {
    const ref = localSchemaRef(project);
    expect(ref).toBe('./node_modules/portgate/schema/portgate.schema.json');
    expect(JSON.parse(readFileSync(join(project, ref!), 'utf8')).$id).toMatch(/portgate\.schema\.json$/);
  });

  test('validates a spec with the bundled schema (no registry, no engine)', () => {
    writeFileSync(join(project, 'portgate.yml'), 'version: 1\nports:\n  - port: 8080\n    exposure: publc\n');
    let err = '';
    try {
      execFileSync(join(project, 'node_modules/.bin/portgate'), ['policy', '--spec', 'portgate.yml', '--pod-selector', 'app=x', '--namespace', 'n'], {cwd: project, encoding: 'utf8', stdio: 'pipe'});
    } catch (e) {
      err = String((e as {stderr: string}).stderr);
      expect((e as {status: number}).status).toBe(2);
    }
    expect(err).toMatch(/portgate\.yml:4:15: .*Did you mean `public`\?/);
  });
});
