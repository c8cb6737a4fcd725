// Wall time of `portgate check` on the examples beside the bare lifecycle of the
// same image (`docker run -d` + `docker rm -f`), and beside a dgoss-style exec
// read, interleaved in one run so machine noise hits every variant alike.
// Usage: node bench/gate-vs-docker-run.mjs [runs]   (after scripts/examples.sh built the images)
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 7);
const examples = ['good', 'drift'];

const time = (cmd, args, okCodes = [0]) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {encoding: 'utf8'});
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (!okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return {ms, out: r.stdout.trim()};
};

const bareLifecycle = image => () => {
  const run = time('docker', ['run', '-d', '--network', 'none', image]);
  return run.ms + time('docker', ['rm', '-f', run.out]).ms;
};

// What a dgoss-like check costs at minimum: start, one read of /proc/net from
// inside the netns (via a probe sharing it), remove. No waiting, no comparison.
const probeOnce = image => () => {
  const run = time('docker', ['run', '-d', '--network', 'none', image]);
  const read = time('docker', ['run', '--rm', '--network', `container:${run.out}`, 'portgate-probe:bench', 'cat', '/proc/net/tcp', '/proc/net/tcp6']);
  return run.ms + read.ms + time('docker', ['rm', '-f', run.out]).ms;
};

const gate = (ex, extra) => () =>
  time('node', ['dist/cli.js', 'check', '--image', `portgate-example-${ex}:latest`, '--dockerfile', `examples/${ex}/Dockerfile`, '--spec', `examples/${ex}/portgate.yml`, '--format', 'json', ...extra], [0, 1]).ms;

const ensureProbe = () => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-bench-'));
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  const applets = ['cat', 'sh', 'sleep', 'readlink', 'tr'].map(a => `COPY busybox /bin/${a}`).join('\n');
  writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nCOPY busybox /bin/busybox\n${applets}\nENV PATH=/bin\n`);
  const r = spawnSync('docker', ['build', '-q', '-t', 'portgate-probe:bench', dir], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`building the probe image failed: ${r.stderr}`);
};

const stats = xs => {
  const s = [...xs].sort((a, b) => a - b);
  return {median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1)};
};

ensureProbe();
const rows = [];
for (const ex of examples) {
  const image = `portgate-example-${ex}:latest`;
  const variants = {
    'docker run + rm (baseline)': bareLifecycle(image),
    'docker run + one /proc read + rm': probeOnce(image),
    'portgate check, settle 0s': gate(ex, ['--settle', '0s']),
    'portgate check, spec settle (1s)': gate(ex, []),
    'portgate check --probe sidecar': gate(ex, ['--probe', 'sidecar', '--probe-image', 'portgate-probe:bench'])
  };
  const samples = Object.fromEntries(Object.keys(variants).map(k => [k, []]));
  variants['docker run + rm (baseline)'](); // warm the engine's caches once
  for (let i = 0; i < runs; i++) {
    // Rotate the order each round so no variant always runs first.
    const names = Object.keys(variants);
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length];
      samples[name].push(variants[name]());
    }
  }
  const base = stats(samples['docker run + rm (baseline)']).median;
  for (const [name, xs] of Object.entries(samples)) rows.push({example: ex, variant: name, ...stats(xs), ratio: stats(xs).median / base});
}

console.log(`runs per variant: ${runs}; node ${process.version}; ${new Date().toISOString()}`);
console.log('| example | variant | median ms | min ms | max ms | × baseline |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.example} | ${r.variant} | ${r.median.toFixed(0)} | ${r.min.toFixed(0)} | ${r.max.toFixed(0)} | ${r.ratio.toFixed(2)} |`);
