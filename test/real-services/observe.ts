// Produces the evidence in OBSERVED.md: runs groundTruth on real-service images
// and prints one JSON line per run; `--render FILE` turns such lines into the table.
// Node 20 cannot run TypeScript, so bundle first (tmp/ is git-ignored):
//   npx esbuild test/real-services/observe.ts --bundle --platform=node --format=esm --packages=external --outfile=tmp/observe.mjs
//   node tmp/observe.mjs [--quiet MS] [--runs N] [--no-ipv6] [--no-wait] [name...] >> results.jsonl
//   node tmp/observe.mjs --render results.jsonl
// Each run also waits for the service's EXPOSEd ports (catalogue `exposes`); --no-wait relies
// on the quiet window alone.
import {readFileSync} from 'node:fs';
import {loadavg} from 'node:os';
import {describeListener, groundTruth, type GroundTruth} from '../helpers/ground-truth.js';
import {REAL_SERVICES, realService} from '../helpers/real-services.js';

interface Run extends GroundTruth {
  name: string;
  run: number;
  quietMs: number;
  ipv6: boolean;
  waitFor: string[];
  /** 1-minute load average when the run started: the machine's 2 cores are shared. */
  load: number;
  at: string;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const range = (xs: number[]) => [...new Set([Math.min(...xs), Math.max(...xs)].map(sec))].join('–');

/** One row per service and distinct listener set; runs that saw the same set share a row. */
const render = (runs: Run[]): string => {
  const rows = ['| service | runs | listeners (ss, normalised): proto address:port process @first seen | settled | seen, gone by the end |', '|---|---|---|---|---|'];
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.name}\n${r.listeners.map(describeListener).join('\n')}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const g of groups.values()) {
    const r = g[0];
    const ls = r.listeners.map(l => `\`${describeListener(l)}\` ${l.process ?? '?'} @${sec(r.firstSeenMs[describeListener(l)])}`);
    const ended = g.map(x => (x.exited ? `exited ${x.exited.code}` : x.timedOut ? `timed out at ${sec(x.elapsedMs)}${x.missing ? `, no ${x.missing.join(' ')}` : ''}` : ''));
    const loads = g.map(x => x.load.toFixed(1)).join('/');
    const settled = `${ended.some(Boolean) ? ended.join(', ') : range(g.map(x => x.settleMs))} (load ${loads})`;
    const gone = [...new Set(g.flatMap(x => x.vanished))].map(v => `\`${v}\``);
    rows.push(`| ${r.name} | ${g.map(x => x.run).join(', ')} | ${ls.join('<br>') || '(none)'} | ${settled} | ${gone.join('<br>')} |`);
  }
  return rows.join('\n');
};

const args = process.argv.slice(2);
const opt = (flag: string, dflt: number) => (args.includes(flag) ? Number(args.splice(args.indexOf(flag), 2)[1]) : dflt);

if (args[0] === '--render') {
  const runs = readFileSync(args[1], 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Run);
  process.stdout.write(`${render(runs)}\n`);
} else {
  const quietMs = opt('--quiet', 8000);
  const flag = (f: string) => args.includes(f) && args.splice(args.indexOf(f), 1).length > 0;
  const ipv6 = !flag('--no-ipv6');
  const ready = !flag('--no-wait');
  const runs = opt('--runs', 1);
  const names = args.length ? args : REAL_SERVICES.map(x => x.name);
  for (const name of names) {
    const {image, exposes} = realService(name);
    const waitFor = ready ? [...exposes] : [];
    for (let run = 1; run <= runs; run++) {
      const [load, at] = [loadavg()[0], new Date().toISOString()];
      const gt = await groundTruth(image, {quietMs, ipv6, waitFor});
      process.stdout.write(`${JSON.stringify({name, run, quietMs, ipv6, waitFor, load, at, ...gt})}\n`);
    }
  }
}
