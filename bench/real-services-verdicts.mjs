// Zero-config verdicts on the real services, before and after the sandbox
// work, side by side: the previous release (a git ref, built from this
// repository's history) and this one gate each image with no spec.
// Usage: node bench/real-services-verdicts.mjs [old-ref]   (after test/real-services/build.sh)
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

const oldRef = process.argv[2] ?? '56498d1';
const dir = mkdtempSync(join(tmpdir(), 'portgate-old-'));
execFileSync('git', ['worktree', 'add', '--detach', dir, oldRef], {stdio: 'ignore'});
symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
execFileSync('node', ['scripts/build.mjs'], {cwd: dir, stdio: 'ignore'});

const gate = (cli, image) => {
  const r = spawnSync('node', [cli, 'check', '--image', image, '--format', 'json'], {encoding: 'utf8'});
  try {
    const j = JSON.parse(r.stdout);
    const rules = [...new Set(j.findings.filter(f => f.severity === 'error' && !f.suppressed).map(f => `${f.rule}${f.port ? ` ${f.port}` : ''}`))].join(', ');
    return `${j.verdict}${j.container?.exited ? ' (exited)' : ''}${rules ? `: ${rules}` : ''}`;
  } catch {
    return `exit ${r.status}: ${(r.stderr || r.stdout).split('\n')[0]}`;
  }
};

try {
  console.log('| service | before (' + oldRef + ') | now |');
  console.log('|---|---|---|');
  for (const name of readdirSync('test/real-services/services').sort()) {
    const image = `portgate-real-${name}:test`;
    console.log(`| ${name} | ${gate(join(dir, 'dist/cli.js'), image)} | ${gate('dist/cli.js', image)} |`);
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', dir], {stdio: 'ignore'});
}
