import {Option, type Command} from 'commander';
import {InputError} from '../errors.js';
import type {Severity} from '../model.js';
import type {EngineChoice} from '../engine/endpoint.js';
import type {ProbeMode} from '../engine/types.js';
import {FORMATS, type Format} from '../report/index.js';
import type {NetworkMode, SandboxProfile} from '../sandbox/types.js';

/** The fleet file `--fleet` and `matrix` read when none is named. */
export const FLEET_FILE = 'portgate.fleet.yml';

export interface FleetCheckArgs {
  command: 'check-fleet';
  fleet: string;
  /** Only these services (`--service`); empty = all. */
  services: string[];
  jobs?: number;
  format: Format;
  output?: string;
  reports: {format: Format; path: string}[];
  failOn: Severity | 'never';
  staticOnly: boolean;
  color: boolean;
  probe: ProbeMode;
  probeImage: string;
  pull: 'missing' | 'always' | 'never';
  builder: 'buildkit' | 'classic';
  engineWaitMs: number;
  /** --engine: one engine for every service. */
  engine: EngineChoice;
  baseline?: string;
  timeoutMs?: number;
  settle?: 'auto' | number;
  sandbox?: SandboxProfile;
  network?: NetworkMode;
}

export interface MatrixArgs {
  command: 'matrix';
  fleet: string;
  format: 'github' | 'gitlab';
  maxJobs: number;
  /** How a job runs portgate (e.g. `npx portgate@0.2.0`, or `portgate` in portgate's image). */
  cli: string;
  /** GitLab: the image the jobs run in. */
  image: string;
  output?: string;
}

export interface MergeArgs {
  command: 'merge';
  reports: string[];
  format: Format;
  output?: string;
  extra: {format: Format; path: string}[];
  baseline?: string;
  color: boolean;
}

export type FleetArgs = FleetCheckArgs | MatrixArgs | MergeArgs;

const formats = Object.keys(FORMATS) as Format[];

const report = (v: string, prev: {format: Format; path: string}[] | undefined) => {
  const i = v.indexOf('=');
  const format = v.slice(0, i) as Format;
  if (i <= 0 || !formats.includes(format) || !v.slice(i + 1).trim()) throw new InputError(`--report expects FORMAT=PATH with FORMAT one of ${formats.join(', ')}; got "${v}"`);
  return [...(prev ?? []), {format, path: v.slice(i + 1)}];
};

/** An empty path comes from an unset variable (`--baseline "$MAIN_REPORT"`): refused, not taken as "none". */
const empty = (v: string, flag: string): string => {
  if (!v.trim()) throw new InputError(`${flag} is empty: give a path, e.g. ${flag} main.json, or leave the option out (is the variable you pass set?)`);
  return v;
};

const count = (v: string, flag: string, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(`${flag} must be a whole number from 1 to ${max}, not "${v}".`);
  return n;
};

/** `matrix` and `merge`: fanning a fleet out over CI jobs and folding their reports back into one. */
export const fleetCommands = (program: Command, done: (a: FleetArgs) => void): void => {
  program
    .command('matrix')
    .description('split a fleet over CI jobs: print a GitHub Actions matrix (JSON) or a GitLab child pipeline (YAML)')
    .option('--fleet <file>', `fleet file (default: ./${FLEET_FILE})`, FLEET_FILE)
    .addOption(new Option('--format <ci>', 'which CI system').choices(['github', 'gitlab']).makeOptionMandatory())
    .option('--max-jobs <n>', 'at most this many jobs (GitHub allows 256 per matrix, GitLab 200 per parallel:matrix)', '8')
    .option('--cli <command>', 'how each job runs portgate', 'npx --yes portgate')
    .option('--image <ref>', 'GitLab: the image the jobs run in (needs Node.js and a docker engine: the component runs dind)', 'node:24-bookworm-slim')
    .option('--output <file>', 'write it to a file instead of stdout')
    .action((o: {fleet: string; format: 'github' | 'gitlab'; maxJobs: string; cli: string; image: string; output?: string}) =>
      done({command: 'matrix', fleet: o.fleet, format: o.format, maxJobs: count(o.maxJobs, '--max-jobs', o.format === 'github' ? 256 : 200), cli: o.cli, image: o.image, ...(o.output !== undefined && {output: o.output})})
    );
  program
    .command('merge')
    .description("fold the JSON reports of a fleet's jobs into one verdict, in every format")
    .argument('<report.json...>', 'the jobs\' reports (`portgate check --fleet --report json=FILE`)')
    .addOption(new Option('--format <format>', 'report format').choices(formats).default('text'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--report <format=path>', 'also write a report file (repeatable)', report)
    .option('--baseline <report.json>', "mark findings and listeners as new, unchanged or resolved against an earlier fleet report (e.g. the main branch's)")
    .option('--no-color', 'plain text output')
    .action((files: string[], o: {format: Format; output?: string; report?: {format: Format; path: string}[]; baseline?: string; color: boolean}) =>
      done({command: 'merge', reports: files, format: o.format, ...(o.output !== undefined && {output: o.output}), extra: o.report ?? [], ...(o.baseline !== undefined && {baseline: empty(o.baseline, '--baseline')}), color: o.color})
    );
};
