// A fleet's cost, measured side by side in one run: twenty services gated
// by twenty `portgate check` processes one after the other (what a pipeline
// with a step per service does), by one `check --fleet --jobs 1`, and by one
// `check --fleet` with the default pool; then how the pooled run grows with
// 5, 10, 20 and 40 services. Rounds are interleaved and rotated, so machine
// noise hits every variant alike.
// Usage: node bench/fleet.mjs [rounds]   (builds its own images from test/fixtures/c/listen.c; needs gcc and a Docker engine)
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir, totalmem} from 'node:os';
import {join, resolve} from 'node:path';

const rounds = Number(process.argv[2] ?? process.env.BENCH_ROUNDS ?? 3);
const CLI = resolve('dist/cli.js');
const PREFIX = 'portgate-bench-fleet-';

const stats = xs => {
  const s = [...xs].sort((a, b) => a - b);
  return {median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)};
};

const time = (args, cwd) => {
  const t = process.hrtime.bigint();
  const r = spawnSync('node', [CLI, ...args], {cwd, encoding: 'utf8'});
  if (![0, 1].includes(r.status)) {
    // A fleet's exit code is its worst service's; the service's own error is in the JSON report.
    let services = '';
    try {
      services = JSON.parse(r.stdout).services?.filter(s => s.code > 1).map(s => `\n  ${s.name}: exit ${s.code}: ${s.error}`).join('') ?? '';
    } catch {
      // not a fleet report: stderr says it all
    }
    throw new Error(`portgate ${args.join(' ')} exited ${r.status}: ${r.stderr}${services}`);
  }
  return Number(process.hrtime.bigint() - t) / 1e6;
};

/** A repository of n services: two ports each, a third of them drifting (JDWP on 5005), images FROM scratch. */
const monorepo = n => {
  const root = mkdtempSync(join(tmpdir(), 'portgate-bench-fleet-'));
  const bin = join(root, 'listen');
  execFileSync('gcc', ['-static', '-O2', '-o', bin, resolve('test/fixtures/c/listen.c')]);
  const services = [];
  for (let i = 0; i < n; i++) {
    const name = `svc${String(i + 1).padStart(2, '0')}`;
    const dir = join(root, 'services', name);
    mkdirSync(dir, {recursive: true});
    const port = 8000 + i * 10;
    const extra = i % 3 === 2 ? ', "0.0.0.0", "5005"' : '';
    writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nCOPY listen /listen\nEXPOSE ${port}\nENTRYPOINT ["/listen"]\nCMD ["tcp", "0.0.0.0", "${port}", "127.0.0.1", "${port + 1}"${extra}]\n`);
    writeFileSync(join(dir, 'portgate.yml'), `version: 1\nports:\n  - port: ${port}\n  - port: ${port + 1}\n    exposure: loopback\n`);
    execFileSync('cp', [bin, join(dir, 'listen')]);
    execFileSync('docker', ['build', '-q', '-t', `${PREFIX}${name}:bench`, dir], {stdio: 'ignore', env: {...process.env, DOCKER_BUILDKIT: '0'}});
    services.push({name, dir: `services/${name}`, image: `${PREFIX}${name}:bench`});
  }
  writeFileSync(join(root, 'portgate.fleet.yml'), `version: 1\nservices:\n${services.map(s => `  - name: ${s.name}\n    image: ${s.image}\n    context: ${s.dir}\n`).join('')}`);
  return {root, services};
};

const sequential = repo => () => repo.services.reduce((ms, s) => ms + time(['check', '--image', s.image, '--dockerfile', `${s.dir}/Dockerfile`, '--spec', `${s.dir}/portgate.yml`, '--format', 'json'], repo.root), 0);
const fleet = (repo, jobs) => () => time(['check', '--fleet', '--format', 'json', ...(jobs ? ['--jobs', String(jobs)] : [])], repo.root);

try {
  const repo20 = monorepo(20);
  const variants = {
    '20 × portgate check, one after the other': sequential(repo20),
    'check --fleet --jobs 1': fleet(repo20, 1),
    'check --fleet (default pool)': fleet(repo20)
  };
  const samples = Object.fromEntries(Object.keys(variants).map(k => [k, []]));
  const names = Object.keys(variants);
  for (let i = 0; i < rounds; i++) for (let j = 0; j < names.length; j++) samples[names[(i + j) % names.length]].push(variants[names[(i + j) % names.length]]());
  const base = stats(samples[names[0]]).median;
  console.log(`rounds: ${rounds}; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ${new Date().toISOString()}\n`);
  console.log('| 20 services | median s | min s | max s | × sequential |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [k, xs] of Object.entries(samples)) {
    const s = stats(xs);
    console.log(`| ${k} | ${(s.median / 1000).toFixed(1)} | ${(s.min / 1000).toFixed(1)} | ${(s.max / 1000).toFixed(1)} | ${(s.median / base).toFixed(2)} |`);
  }
  console.log('\n| services | check --fleet (default pool), median s | s per service |');
  console.log('|---:|---:|---:|');
  for (const n of [5, 10, 20, 40]) {
    const repo = n === 20 ? repo20 : monorepo(n);
    const s = stats(Array.from({length: rounds}, () => fleet(repo)()));
    console.log(`| ${n} | ${(s.median / 1000).toFixed(1)} | ${(s.median / 1000 / n).toFixed(2)} |`);
  }
} finally {
  const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], {encoding: 'utf8'}).split('\n').filter(i => i.startsWith(PREFIX));
  if (images.length) execFileSync('docker', ['rmi', '-f', ...images], {stdio: 'ignore'});
}
