// The sandbox's cost, before and after the streaming sidecar and settle auto,
// in one run: the previous portgate (a git ref, built here from this
// repository's history) and this one gate the same image with each reader,
// interleaved and rotated each round so machine noise hits every variant
// alike. Then settle auto against the old fixed 2 s window on real services:
// wall time, and how many listeners each saw (RabbitMQ opens its ports 3-5 s
// apart).
// Usage: node bench/sandbox-readers.mjs [runs] [old-ref]
//   (after scripts/examples.sh; the real-service part runs for the images
//    test/real-services/build.sh built, and is skipped for missing ones)
import {execFileSync, spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5);
const oldRef = process.argv[3] ?? '56498d1'; // the last commit before the streaming sidecar and settle auto
const root = resolve('.');

const time = (args, okCodes = [0, 1]) => {
  const t = process.hrtime.bigint();
  const r = spawnSync('node', args, {encoding: 'utf8'});
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (!okCodes.includes(r.status)) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return {ms, report: r.stdout};
};

/** The old release's CLI, built from git history into a temporary worktree. */
const buildOld = () => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-old-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, oldRef], {stdio: 'ignore'});
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync('node', ['scripts/build.mjs'], {cwd: dir, stdio: 'ignore'});
  return {dir, cli: join(dir, 'dist/cli.js')};
};

const ensureProbe = () => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-bench-'));
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  const applets = ['cat', 'sh', 'sleep', 'readlink', 'tr', 'od', 'stat'].map(a => `COPY busybox /bin/${a}`).join('\n');
  writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nCOPY busybox /bin/busybox\n${applets}\nENV PATH=/bin\n`);
  const r = spawnSync('docker', ['build', '-q', '-t', 'portgate-probe:bench', dir], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`building the probe image failed: ${r.stderr}`);
};

const stats = xs => {
  const s = [...xs].sort((a, b) => a - b);
  return {median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)};
};

/** Runs every variant `runs` times, rotating the order each round; returns medians. */
const interleave = variants => {
  const samples = Object.fromEntries(Object.keys(variants).map(k => [k, []]));
  const names = Object.keys(variants);
  for (let i = 0; i < runs; i++) for (let j = 0; j < names.length; j++) samples[names[(i + j) % names.length]].push(variants[names[(i + j) % names.length]]());
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, stats(xs)]));
};

ensureProbe();
const old = buildOld();
try {
  const image = 'portgate-example-good:latest';
  const common = ['check', '--image', image, '--dockerfile', 'examples/good/Dockerfile', '--spec', 'examples/good/portgate.yml', '--format', 'json', '--probe-image', 'portgate-probe:bench'];
  const gate = (cli, extra) => () => time([cli, ...common, ...extra]).ms;
  const readers = interleave({
    [`before (${oldRef}): host, settle 1s`]: gate(old.cli, ['--probe', 'host', '--settle', '1s']),
    [`before (${oldRef}): sidecar, settle 1s`]: gate(old.cli, ['--probe', 'sidecar', '--settle', '1s']),
    'now: host, settle 1s': gate('dist/cli.js', ['--probe', 'host', '--settle', '1s']),
    'now: sidecar, settle 1s': gate('dist/cli.js', ['--probe', 'sidecar', '--settle', '1s'])
  });
  console.log(`runs per variant: ${runs}; node ${process.version}; ${new Date().toISOString()}\n`);
  console.log(`Readers on ${image} (same settle window, so the difference is the reader):\n`);
  console.log('| variant | median ms | min ms | max ms |');
  console.log('|---|---:|---:|---:|');
  for (const [k, s] of Object.entries(readers)) console.log(`| ${k} | ${s.median.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} |`);
  const cost = pre => readers[`${pre}: sidecar, settle 1s`].median - readers[`${pre}: host, settle 1s`].median;
  console.log(`\nsidecar over host: before ${cost(`before (${oldRef})`).toFixed(0)} ms, now ${cost('now').toFixed(0)} ms\n`);

  const services = ['nginx', 'postgresql', 'redis', 'jdwp', 'node-inspect', 'rabbitmq'].filter(s => spawnSync('docker', ['image', 'inspect', `portgate-real-${s}:test`]).status === 0);
  if (services.length) {
    console.log('Settle on real services (host reader, no spec): the old fixed 2 s window against auto; ports = listeners seen\n');
    console.log('| service | settle | median ms | ports seen (min-max over runs) |');
    console.log('|---|---|---:|---|');
    for (const s of services) {
      for (const settle of ['2s', 'auto']) {
        const ms = [];
        const ports = [];
        for (let i = 0; i < runs; i++) {
          const r = time(['dist/cli.js', 'check', '--image', `portgate-real-${s}:test`, '--format', 'json', '--settle', settle]);
          ms.push(r.ms);
          ports.push(new Set(JSON.parse(r.report).listening.filter(l => !l.transient).map(l => `${l.port}/${l.protocol}`)).size);
        }
        console.log(`| ${s} | ${settle} | ${stats(ms).median.toFixed(0)} | ${Math.min(...ports)}-${Math.max(...ports)} |`);
      }
    }
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', old.dir], {stdio: 'ignore'});
}
