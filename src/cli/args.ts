import {Command, CommanderError, Option} from 'commander';
import {InputError} from '../errors.js';
import type {Severity} from '../model.js';
import type {ProbeMode} from '../engine/types.js';
import {ENGINE_CHOICES, type EngineChoice} from '../engine/endpoint.js';
import {FORMATS, type Format} from '../report/index.js';
import {parseDuration, parseSettle} from '../util/duration.js';
import type {NetworkMode, SandboxProfile} from '../sandbox/types.js';
import {DEFAULTS} from '../gate/run-gate.js';
import {BUILD_ARG_NAME} from '../dockerfile/index.js';
import {VERSION} from '../version.js';
import {describeBadImageReference} from '../util/image-reference.js';
import {policyCommand, type PolicyArgs} from './policy.js';
import {FLEET_FILE, fleetCommands, type FleetArgs, type FleetCheckArgs} from './fleet-args.js';

/** Options of every command that runs the image (see runOptions). */
export interface RunArgs {
  image: string;
  dockerfile?: string;
  buildArgs: Record<string, string>;
  target?: string;
  output?: string;
  timeoutMs?: number;
  settle?: 'auto' | number;
  sandbox?: SandboxProfile;
  network?: NetworkMode;
  probe: ProbeMode;
  probeImage: string;
  pull: 'missing' | 'always' | 'never';
  engineWaitMs: number;
  engine: EngineChoice;
}

/** Where the image's port spec and deployment are: `init` reads them too, to run the image as `check` will. */
export interface DeployArgs {
  spec?: string;
  manifests: string[];
  compose: string[];
  container?: string;
}

export interface CheckArgs extends RunArgs, DeployArgs {
  command: 'check';
  builder: 'buildkit' | 'classic';
  format: Format;
  /** Extra report files, e.g. `junit=report.xml`. */
  reports: {format: Format; path: string}[];
  failOn: Severity | 'never';
  staticOnly: boolean;
  color: boolean;
  /** An earlier JSON report to compare with. */
  baseline?: string;
}

export interface InitArgs extends RunArgs, DeployArgs {
  command: 'init';
}

/**
 * `help` is asked for (--help, --version: exit 0, stdout); `usage` is bare
 * `portgate`, which a CI step with an empty variable also runs: it must not
 * pass, so the help goes to stderr with exit 2.
 */
export type CliArgs = CheckArgs | InitArgs | PolicyArgs | FleetArgs | {command: 'help'; text: string} | {command: 'usage'; text: string};

const formats = Object.keys(FORMATS) as Format[];
// Repeatable options start undefined rather than with a commander default, which help would print as `(default: [])`.
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

const buildArg = (v: string, prev: Record<string, string> | undefined) => {
  const i = v.indexOf('=');
  if (i <= 0 || !BUILD_ARG_NAME.test(v.slice(0, i))) throw new InputError(`--build-arg expects KEY=VALUE with KEY a variable name, got "${v}"`);
  return {...prev, [v.slice(0, i)]: v.slice(i + 1)};
};

const report = (v: string) => {
  const i = v.indexOf('=');
  const format = v.slice(0, i) as Format;
  if (i <= 0 || !formats.includes(format)) throw new InputError(`--report expects FORMAT=PATH with FORMAT one of ${formats.join(', ')}; got "${v}"`);
  return {format, path: filePath(v.slice(i + 1), `--report ${format}=`, 'report.xml')};
};

const runOptions = (c: Command, imageRequired = true) =>
  (imageRequired ? c.requiredOption('--image <ref>', 'image to gate (pulled when the engine lacks it, see --pull)') : c.option('--image <ref>', 'image to gate (pulled when the engine lacks it, see --pull); or --fleet'))
    .option('--dockerfile <path>', 'Dockerfile the image was built from (default: ./Dockerfile when present)')
    .option('--build-arg <key=value>', 'build argument used for the build (repeatable)', buildArg)
    .option('--target <stage>', 'build stage used for the build (default: the last stage)')
    .option('--timeout <duration>', `longest wait for listeners (default: spec run.timeout, else ${DEFAULTS.timeoutMs / 1000}s)`)
    .option('--settle <auto|duration>', 'how long the listener set must stay unchanged: auto (about 1s after the last new listener once the container is idle) or e.g. 2s (default: spec run.settle, else auto)')
    .addOption(new Option('--sandbox <profile>', 'default: as docker run starts it, contained; strict: read-only root, no capabilities, no network (default: spec run.sandbox, else default)').choices(['default', 'strict']))
    .addOption(new Option('--network <mode>', 'isolated: a per-run network with no route out and no peers; none: loopback only (default: spec run.network, else isolated)').choices(['isolated', 'none']))
    .addOption(new Option('--probe <mode>', 'how sockets are read').choices(['auto', 'host', 'sidecar', 'exec']).default('auto'))
    .option('--probe-image <ref>', 'image for the sidecar reader (needs sh and cat)', DEFAULTS.probeImage)
    .addOption(new Option('--pull <when>', 'pull the image from its registry').choices(['missing', 'always', 'never']).default('missing'))
    .addOption(
      new Option('--engine <kind>', 'engine when DOCKER_HOST is unset: auto (/var/run/docker.sock, else Podman: /run/podman/podman.sock, then $XDG_RUNTIME_DIR/podman/podman.sock); docker or podman look only there and insist on that kind')
        .choices([...ENGINE_CHOICES])
        .default('auto')
    )
    .option('--engine-wait <duration>', 'how long to wait for the Docker engine to answer (e.g. a starting dind service)', '0s');

const deployOptions = (c: Command, specUse = '') =>
  c
    .option('--spec <path>', `port spec${specUse} (default: ./portgate.yml when present)`)
    .option('--manifests <path>', 'Kubernetes manifests: file, folder or - for stdin (repeatable); the image runs as they run it', collect)
    .option('--compose <file>', 'Compose file (repeatable); the image runs as it runs it', collect)
    .option('--container <name>', 'container/service name that runs the image in the manifests');

const deploy = (o: Opts): DeployArgs => ({
  spec: filePath(o.spec, '--spec', 'portgate.yml'),
  manifests: (o.manifests ?? []).map(m => filePath(m, '--manifests', 'deploy/k8s')),
  compose: (o.compose ?? []).map(c => filePath(c, '--compose', 'compose.yaml')),
  container: o.container
});

/** Builds the commander program; `parse` throws InputError for any usage mistake. */
export const parseCliArgs = (argv: string[]): CliArgs => {
  let result: CliArgs | undefined;
  let help = '';
  const program = new Command('portgate')
    .description('Fail container images whose EXPOSE, real listeners and port spec disagree.')
    .version(VERSION, '-V, --version', 'print the portgate version')
    .exitOverride()
    .configureOutput({writeOut: s => (help += s), writeErr: s => (help += s)})
    .showSuggestionAfterError(true);

  deployOptions(runOptions(program.command('check').description('run the gate on an image, or on every service of a fleet'), false))
    .addOption(new Option('--builder <kind>', 'builder semantics for EXPOSE expansion').choices(['buildkit', 'classic']).default('buildkit'))
    .addOption(new Option('--format <format>', 'report format').choices(formats).default('text'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--report <format=path>', 'also write a report file (repeatable)', (v, p: CheckArgs['reports'] | undefined) => [...(p ?? []), report(v)])
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the gate').choices(['error', 'warning', 'never']).default('error'))
    .option('--static-only', 'do not run the image: check manifests against the spec and Dockerfile only')
    .option('--no-color', 'plain text output')
    .option('--fleet [file]', `gate every service of a fleet file (default: ./${FLEET_FILE})`)
    .option('--service <name>', 'with --fleet: only this service (repeatable)', collect)
    .option('--jobs <n>', 'with --fleet: how many services to gate at once (default: from the cores and memory)')
    .option('--baseline <report.json>', 'mark findings and listeners as new, unchanged or resolved against an earlier JSON report (e.g. the main branch\'s)')
    .action((o: Opts) => {
      if (o.fleet !== undefined) {
        result = fleetCheckArgs(o);
        return;
      }
      if (o.service || o.jobs !== undefined) throw new InputError(`${o.service ? '--service' : '--jobs'} goes with --fleet: gate a fleet with \`portgate check --fleet\`.`);
      if (o.image === undefined) throw new InputError('check needs --image (the image to gate) or --fleet (every service of a fleet file).\nRun `portgate check --help` for usage.');
      result = {
        command: 'check',
        ...common(o),
        ...deploy(o),
        builder: o.builder,
        format: o.format,
        output: filePath(o.output, '--output', 'report.txt'),
        reports: o.report ?? [],
        failOn: o.failOn,
        staticOnly: o.staticOnly ?? false,
        color: o.color,
        ...(o.baseline !== undefined && {baseline: filePath(o.baseline, '--baseline', 'main.json')})
      };
    });

  deployOptions(runOptions(program.command('init').description('print a portgate.yml baseline from what the image does')), ' whose run: settings to use')
    .option('--output <file>', 'write the spec to a file instead of stdout')
    .action((o: Opts) => {
      result = {command: 'init', ...common(o), ...deploy(o), output: filePath(o.output, '--output', 'portgate.yml')};
    });

  policyCommand(program, a => (result = a));
  fleetCommands(program, a => (result = a));

  try {
    program.parse(argv, {from: 'user'});
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help commander shows unasked (no command given) carries exit code 1; asked-for help and --version carry 0.
      if (e.code === 'commander.help' && e.exitCode !== 0) return {command: 'usage', text: help};
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return {command: 'help', text: help};
      const command = ['check', 'init', 'policy', 'matrix', 'merge'].includes(argv[0] ?? '') ? `${argv[0]} ` : '';
      throw new InputError(`${e.message.replace(/^error: /, '')}\nRun \`portgate ${command}--help\` for usage.`);
    }
    throw e;
  }
  if (!result) return {command: 'usage', text: program.helpInformation()};
  return result;
};

/** Options as commander hands them over (names derived from the flags). */
interface Opts extends Omit<CheckArgs, 'command' | 'buildArgs' | 'reports' | 'timeoutMs' | 'settle' | 'engineWaitMs' | 'manifests' | 'compose' | 'staticOnly'> {
  buildArg?: Record<string, string>;
  report?: CheckArgs['reports'];
  manifests?: string[];
  compose?: string[];
  staticOnly?: boolean;
  timeout?: string;
  settle?: string;
  engineWait: string;
  fleet?: string | true;
  service?: string[];
  jobs?: string;
  baseline?: string;
}

/** `check --fleet`: the flags that apply to every service. */
const fleetCheckArgs = (o: Opts): FleetCheckArgs => {
  if (o.image !== undefined || o.dockerfile !== undefined || o.spec !== undefined || o.manifests || o.compose || o.container !== undefined || o.buildArg || o.target !== undefined) {
    throw new InputError('--fleet gates the services its file lists, each with its own image, Dockerfile, spec and manifests: drop --image, --dockerfile, --spec, --manifests, --compose, --container, --build-arg and --target (set them per service in the fleet file).');
  }
  const jobs = o.jobs === undefined ? undefined : Number(o.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) throw new InputError(`--jobs must be a whole number from 1 to 64, not "${o.jobs}".`);
  return {
    command: 'check-fleet',
    fleet: filePath(o.fleet === true ? FLEET_FILE : o.fleet!, '--fleet', FLEET_FILE),
    services: o.service ?? [],
    ...(jobs !== undefined && {jobs}),
    format: o.format,
    output: filePath(o.output, '--output', 'report.txt'),
    reports: o.report ?? [],
    failOn: o.failOn,
    staticOnly: o.staticOnly ?? false,
    color: o.color,
    probe: o.probe,
    probeImage: imageRef(o.probeImage, '--probe-image', DEFAULTS.probeImage),
    pull: o.pull,
    builder: o.builder,
    engineWaitMs: parseDuration(o.engineWait, '--engine-wait'),
    engine: o.engine,
    ...(o.baseline !== undefined && {baseline: filePath(o.baseline, '--baseline', 'main.json')}),
    ...(o.timeout !== undefined && {timeoutMs: positive(parseDuration(o.timeout, '--timeout'), '--timeout')}),
    ...(o.settle !== undefined && {settle: parseSettle(o.settle, '--settle')}),
    ...(o.sandbox !== undefined && {sandbox: o.sandbox}),
    ...(o.network !== undefined && {network: o.network})
  };
};

/**
 * Empty values come from unset variables (`--image "$IMAGE"`); malformed ones
 * the engine API would misread as a path (a 301 that looks like an unreachable
 * engine): both are refused here, as the Docker CLI refuses them.
 */
const imageRef = (value: string, flag: string, example: string): string => {
  if (!value.trim()) throw new InputError(`${flag} is empty: give an image reference, e.g. ${example} (is the variable you pass set?)`);
  const bad = describeBadImageReference(value.trim(), flag);
  if (bad) throw new InputError(bad);
  return value.trim();
};

/**
 * An empty path comes from an unset variable too (`--spec "$SPEC"`); taking it
 * as "not given" would quietly drop the check the flag asked for.
 */
function filePath(value: string, flag: string, example: string): string;
function filePath(value: string | undefined, flag: string, example: string): string | undefined;
function filePath(value: string | undefined, flag: string, example: string): string | undefined {
  if (value !== undefined && !value.trim()) throw new InputError(`${flag} is empty: give a path, e.g. ${flag}${flag.endsWith('=') ? '' : ' '}${example}, or leave the option out (is the variable you pass set?)`);
  return value;
}

const positive = (ms: number, flag: string): number => {
  if (ms <= 0) throw new InputError(`${flag} must be longer than 0s, e.g. 30s`);
  return ms;
};

const common = (o: Opts) => ({
  image: imageRef(o.image, '--image', 'app:ci'),
  dockerfile: filePath(o.dockerfile, '--dockerfile', 'Dockerfile'),
  buildArgs: o.buildArg ?? {},
  target: o.target,
  probe: o.probe,
  probeImage: imageRef(o.probeImage, '--probe-image', DEFAULTS.probeImage),
  pull: o.pull,
  engineWaitMs: parseDuration(o.engineWait, '--engine-wait'),
  engine: o.engine,
  ...(o.timeout !== undefined && {timeoutMs: positive(parseDuration(o.timeout, '--timeout'), '--timeout')}),
  ...(o.settle !== undefined && {settle: parseSettle(o.settle, '--settle')}),
  ...(o.sandbox !== undefined && {sandbox: o.sandbox}),
  ...(o.network !== undefined && {network: o.network})
});
