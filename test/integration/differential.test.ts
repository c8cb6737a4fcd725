/**
 * Differential test: every Dockerfile in test/fixtures/dockerfiles is built by
 * the real engine (the classic builder of Docker 20.10) and resolved by
 * resolveExpose; the ports must agree, and a build that fails must make the
 * resolver throw an InputError on the right line with the engine's wording.
 * Each is also built by a second builder, `podman build` (Buildah) against
 * the local Podman, and the three-way comparison (classic, Buildah,
 * portgate's BuildKit mode) is written to test/fixtures/dockerfiles/BUILDERS.md
 * (a file snapshot: `-u` rewrites it after a reviewed change).
 *
 * cases.json adds, per file: buildArgs, target, `error` (the build must fail;
 * `line` is where, absent for errors without one), `warnings` (how many
 * expose-host-part-ignored findings), `buildkit` (the ports BuildKit would
 * expose, when they differ from the classic builder's), and `buildah` (what
 * Buildah does when it differs from BuildKit mode, and why). Without
 * `buildkit`, BuildKit mode must agree with the classic builder; without
 * `buildah`, Buildah must agree with BuildKit mode.
 *
 * Time: the Buildah builds are FROM scratch or the local base, without layers
 * (`--layers=false`): the whole corpus takes Buildah about 35 s three at a
 * time on a busy 2-core machine, and it runs beside the engine's builds, which
 * set the file's time.
 */
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {resolveExpose, type BaseImageInfo, type ResolvedDockerfile, type ResolveOptions} from '../../src/dockerfile/index.js';
import {exposedPortKeys} from '../../src/engine/shapes.js';
import {InputError} from '../../src/errors.js';
import {buildImage, docker} from '../helpers/engine.js';
import {buildahBuild, buildahVersion, imagebuilderVersion, podman, removePodmanImagesLabelled, requirePodman} from '../helpers/podman.js';

interface Case {
  buildArgs?: Record<string, string>;
  target?: string;
  error?: {line?: number};
  warnings?: number;
  buildkit?: string[];
  /** Buildah's own ports (beyond the base's), the ExposedPorts keys it records that are no port, or a part of its error; and why it differs. */
  buildah?: {ports?: string[]; ignored?: string[]; error?: string; why: string};
}

const DIR = new URL('../fixtures/dockerfiles/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const CASES = JSON.parse(read('cases.json')) as Record<string, Case>;
const FILES = readdirSync(DIR)
  .filter(f => f.endsWith('.Dockerfile'))
  .sort();

const PREFIX = 'portgate-diff-';
const BASE_TAG = `${PREFIX}base`;
/** Set by the base image and inherited by everything built from it, failed builds' leftovers included. */
const BASE_LABEL = 'io.portgate.diff';

/** The three-way counts BUILDERS.md shows, reviewed: a change in any builder or in portgate moves one. */
const AGREEMENT_COUNTS: Record<string, number> = {
  'all three agree': 57,
  'Buildah = classic, BuildKit mode differs': 7,
  'Buildah = BuildKit mode, classic differs': 2,
  'classic = BuildKit mode, Buildah differs': 23,
  'all three differ': 1
};

const tagOf = (file: string): string => PREFIX + file.replace(/\.Dockerfile$/, '').toLowerCase();
const portSet = (keys: Iterable<string>, minus: readonly string[] = []): string[] => [...new Set(keys)].filter(k => !minus.includes(k)).sort();
const keysOf = (r: ResolvedDockerfile): string[] => r.exposed.map(p => `${p.port}/${p.protocol}`);

/** What `docker build` said, reduced to the message the resolver reproduces (before its ` — hint`). */
const dockerPart = (e: InputError): string => e.message.split(' — ')[0] as string;

/** One builder's outcome: its own ports (base image's left out), keys it recorded that are no port, or an error. */
type Outcome = {error: string} | {ports: string[]; ignored: string[]};

interface Row {
  file: string;
  classic: Outcome;
  buildah: Outcome;
  buildkit: Outcome;
  why?: string;
}

/** `80/tcp 8000/tcp 8001/tcp` → `80/tcp 8000-8001/tcp`, by protocol then port. */
const compact = (ports: string[]): string => {
  const parsed = ports.map(k => ({port: Number(k.split('/')[0]), protocol: k.split('/')[1]!})).sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  const runs: {start: number; end: number; protocol: string}[] = [];
  for (const p of parsed) {
    const last = runs.findLast(r => r.protocol === p.protocol);
    if (last && last.end === p.port - 1 && runs.at(-1) === last) last.end = p.port;
    else runs.push({start: p.port, end: p.port, protocol: p.protocol});
  }
  return runs.map(r => `${r.start}${r.end > r.start ? `-${r.end}` : ''}/${r.protocol}`).join(' ');
};

/** Markdown code span; a key with a backtick in it gets a double fence. */
const code = (k: string): string => (k.includes('`') ? `\`\` ${k} \`\`` : `\`${k}\``);

const cell = (o: Outcome): string =>
  'error' in o ? 'error' : [o.ports.length ? compact(o.ports) : 'none', ...(o.ignored.length ? [`+ no port: ${o.ignored.map(code).join(' ')}`] : [])].join(' ');

const same = (a: Outcome, b: Outcome): boolean => cell(a) === cell(b);

const AGREEMENT = ['all three agree', 'Buildah = classic, BuildKit mode differs', 'Buildah = BuildKit mode, classic differs', 'classic = BuildKit mode, Buildah differs', 'all three differ'] as const;

const agreement = (r: Row): (typeof AGREEMENT)[number] => {
  const [bc, bk, ck] = [same(r.buildah, r.classic), same(r.buildah, r.buildkit), same(r.classic, r.buildkit)];
  return bc && bk ? AGREEMENT[0] : bc ? AGREEMENT[1] : bk ? AGREEMENT[2] : ck ? AGREEMENT[3] : AGREEMENT[4];
};

const countAgreement = (rows: Row[]): Record<string, number> => Object.fromEntries(AGREEMENT.map(a => [a, rows.filter(r => agreement(r) === a).length]));

const buildersReport = (rows: Row[], versions: {docker: string; podman: string; buildah: string; imagebuilder: string}): string => {
  const counts = countAgreement(rows);
  const sorted = [...rows].sort((a, b) => a.file.localeCompare(b.file));
  return [
    '# EXPOSE in three builders',
    '',
    '<!-- Generated by test/integration/differential.test.ts; `npx vitest run --project integration test/integration/differential.test.ts -u` rewrites it. Do not edit. -->',
    '',
    `Every Dockerfile of this corpus (${rows.length} files) built by two real builders and resolved by portgate:`,
    '',
    `- **classic**: Docker ${versions.docker}'s classic builder (the engine's build API). portgate's \`--builder classic\` agrees with it on every file (asserted).`,
    `- **Buildah**: \`podman build\` with Podman ${versions.podman} (Buildah ${versions.buildah}, whose Dockerfile front end is openshift/imagebuilder ${versions.imagebuilder}), FROM scratch or the local base image.`,
    "- **BuildKit mode**: portgate's `--builder buildkit`, modelled on moby/buildkit's frontend/dockerfile source (dispatchExpose, shell/lex.go, the stage graph); where it differs from the classic builder, cases.json records the BuildKit result and why.",
    '',
    "Ports are each builder's own (the base image's 9000/tcp and 9001/udp left out); `error` means the build (or portgate) stops. Buildah keeps EXPOSE words as written, so its cells show the keys it recorded that are no port (`+ no port: …`).",
    '',
    '## Agreement',
    '',
    '| | files |',
    '|---|---:|',
    ...AGREEMENT.map(a => `| ${a} | ${counts[a]} |`),
    '',
    '## Why Buildah differs',
    '',
    `Buildah is no stand-in for BuildKit. Its Dockerfile front end here, imagebuilder ${versions.imagebuilder}, uses no BuildKit code; where Buildah differs from BuildKit mode, the per-file table names one of these causes (imagebuilder's dispatchers.go, shell_parser.go, builder.go; Buildah's imagebuildah):`,
    '',
    "- **EXPOSE words kept as written** (dispatchers.go `expose`): each word becomes the key `<text before the first />/<the rest, or tcp>`, unchecked, so host parts, bad ports and bad protocols are recorded, not refused (portgate reads such keys as no port, with a notice).",
    "- **Pre-BuildKit lexer** (shell_parser.go, a copy of Docker's old one): only `${V:-w}` and `${V:+w}`; the backslash always escapes, whatever `# escape=` says; no special parameters.",
    "- **Variables as in the classic builder** (builder.go): ENV, the base image's included, beats a same-name ARG (Builder.Step); the proxy build args need no ARG (builtinAllowedBuildArgs); a stage built FROM another does not inherit that stage's ARGs.",
    '- **Checks elsewhere**: EXPOSE counts its words after expansion; its flags are split off and ignored (evaluator.go); `--target` must match the stage name exactly (Stages.ThroughTarget); to find the stages a FROM needs, Buildah expands it with --build-arg values only, not global ARG defaults, and skips the others (imagebuildah/executor.go, `--skip-unused-stages`).',
    '- **ONBUILD dropped**: `podman build` writes OCI images by default, which have no ONBUILD field (Buildah warns; `--format docker` keeps the triggers and runs them).',
    '',
    "So Buildah shows no BuildKit semantics that BuildKit mode gets wrong: it sides with BuildKit mode against the classic builder only where it checks nothing (a repeated stage name, an unused stage). It records `EXPOSE +80` as the key `+80/tcp`, evidence for neither reading; BuildKit's own source accepts `+80` since dockerfile frontend 1.18 (ParseInt in convert_expose.go; ParseUint before, as in the classic builder), and so does BuildKit mode.",
    '',
    '## Per file',
    '',
    '| file | classic | Buildah | BuildKit mode | agreement | why |',
    '|---|---|---|---|---|---|',
    ...sorted.map(r => `| ${r.file.replace(/\.Dockerfile$/, '')} | ${cell(r.classic)} | ${cell(r.buildah)} | ${cell(r.buildkit)} | ${agreement(r)} | ${r.why ?? ''} |`),
    ''
  ].join('\n');
};

const resolveOrError = (text: string, opts: ResolveOptions): ResolvedDockerfile | InputError => {
  try {
    return resolveExpose(text, opts);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
};

describe('resolveExpose agrees with the engine', () => {
  let baseImages: Record<string, BaseImageInfo>;
  const ran = new Set<string>();
  const rows = new Map<string, Row>();
  /** An empty build context for Buildah: the corpus copies nothing. */
  let context = '';

  beforeAll(async () => {
    await requirePodman();
    context = mkdtempSync(join(tmpdir(), PREFIX));
    const img = await buildImage({tag: BASE_TAG, files: {Dockerfile: read('base/Dockerfile')}});
    baseImages = {[BASE_TAG]: {env: img.Config.Env ?? [], exposedPorts: Object.keys(img.Config.ExposedPorts ?? {})}};
    // The same base in Podman, where Buildah's `FROM portgate-diff-base` finds it as localhost/portgate-diff-base.
    const base = await buildahBuild({tag: BASE_TAG, dockerfile: fileURLToPath(new URL('base/Dockerfile', DIR)), context, label: `${BASE_LABEL}=1`});
    expect(base).toEqual({ok: true, keys: expect.arrayContaining(baseImages[BASE_TAG]!.exposedPorts)});
  });

  afterAll(async () => {
    // Tagged images first (that also prunes their untagged parents), then whatever failed builds left,
    // newest first so children go before parents.
    for (const tag of [...FILES.map(tagOf), BASE_TAG]) await docker().getImage(tag).remove({force: true}).catch(() => undefined);
    const left = await docker().listImages({all: true, filters: {label: [BASE_LABEL]}});
    for (const img of left.sort((a, b) => b.Created - a.Created)) await docker().getImage(img.Id).remove({force: true}).catch(() => undefined);
    expect(await docker().listImages({all: true, filters: {label: [BASE_LABEL]}})).toEqual([]);
    await removePodmanImagesLabelled(BASE_LABEL);
    expect(await podman().listImages({all: true, filters: {label: [BASE_LABEL]}})).toEqual([]);
    expect([...ran].sort()).toEqual(FILES);
  });

  test('the corpus is large and cases.json names only existing files', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(45);
    expect(Object.keys(CASES).filter(k => !FILES.includes(k))).toEqual([]);
  });

  // Builds run a few at a time: the engine spends most of each one creating and committing containers.
  test.concurrent.for(FILES)('%s', async (file, {expect}) => {
    const text = read(file);
    const c = CASES[file] ?? {};
    const opts = {file, buildArgs: c.buildArgs, target: c.target, baseImages};
    const classic = resolveOrError(text, {...opts, builder: 'classic'});
    const buildkit = resolveOrError(text, {...opts, builder: 'buildkit'});
    const build = buildImage({tag: tagOf(file), files: {Dockerfile: text}, buildargs: c.buildArgs, target: c.target});
    const buildah = buildahBuild({tag: tagOf(file), dockerfile: fileURLToPath(new URL(file, DIR)), context, buildArgs: c.buildArgs, target: c.target, label: `${BASE_LABEL}=1`});
    // The base image's ports are left out of every column; a file may EXPOSE one of them again.
    const inherited = /portgate-diff-base/.test(text) ? baseImages[BASE_TAG]!.exposedPorts : [];
    let classicOutcome: Outcome;

    if (c.error) {
      const engineError = await build.then(
        () => undefined,
        (e: Error) => e.message
      );
      expect(engineError, 'the engine should fail').toBeDefined();
      expect(classic).toBeInstanceOf(InputError);
      const err = classic as InputError;
      expect(err.line).toBe(c.error.line);
      expect(engineError).toContain(dockerPart(err));
      const engineLine = /line (\d+)/.exec(engineError as string);
      if (engineLine) expect(err.line).toBe(Number(engineLine[1]));
      classicOutcome = {error: engineError as string};
      if (c.buildkit) expect(keysOf(buildkit as ResolvedDockerfile).sort()).toEqual(portSet(c.buildkit));
      else {
        expect(buildkit).toBeInstanceOf(InputError);
        expect((buildkit as InputError).line).toBe(c.error.line);
      }
    } else {
      const img = await build;
      expect(classic).not.toBeInstanceOf(InputError);
      const resolved = classic as ResolvedDockerfile;
      const fromBase = img.Config.Labels?.[BASE_LABEL] !== undefined;
      expect(resolved.baseImage).toBe(fromBase ? BASE_TAG : 'scratch');
      const inherited = fromBase ? baseImages[BASE_TAG]!.exposedPorts : [];
      expect(portSet(keysOf(resolved), inherited)).toEqual(portSet(Object.keys(img.Config.ExposedPorts ?? {}), inherited));
      expect(resolved.warnings).toHaveLength(c.warnings ?? 0);
      expect(keysOf(buildkit as ResolvedDockerfile).sort()).toEqual(c.buildkit ? portSet(c.buildkit) : keysOf(resolved).sort());
      classicOutcome = {ports: portSet(Object.keys(img.Config.ExposedPorts ?? {}), inherited), ignored: []};
    }

    // Buildah: what cases.json says when it differs from BuildKit mode, else the same.
    const bh = await buildah;
    const bhKeys = bh.ok ? exposedPortKeys(bh.keys) : undefined;
    const buildahOutcome: Outcome = bhKeys ? {ports: portSet(bhKeys.keys, inherited), ignored: bhKeys.ignored} : {error: (bh as {error: string}).error};
    const buildkitOutcome: Outcome = buildkit instanceof InputError ? {error: buildkit.message} : {ports: portSet(keysOf(buildkit), inherited), ignored: []};
    const want = c.buildah;
    rows.set(file, {file, classic: classicOutcome, buildah: buildahOutcome, buildkit: buildkitOutcome, ...(want && {why: want.why})});
    if (want?.error !== undefined) expect(buildahOutcome).toEqual({error: expect.stringContaining(want.error)});
    else if (want) expect(buildahOutcome).toEqual({ports: portSet(want.ports ?? []), ignored: want.ignored ?? []});
    else expect(buildahOutcome, 'Buildah agrees with BuildKit mode unless cases.json says otherwise').toEqual('error' in buildkitOutcome ? {error: expect.any(String)} : buildkitOutcome);
    ran.add(file);
  });

  test('BUILDERS.md: where Buildah, the classic builder and BuildKit mode agree and differ', async () => {
    const all = [...rows.values()];
    if (process.env.PG_DUMP) (await import('node:fs')).writeFileSync(process.env.PG_DUMP, JSON.stringify(all, null, 1));
    expect([...rows.keys()].sort()).toEqual(FILES);
    const [dv, pv] = await Promise.all([docker().version(), podman().version()]);
    const report = buildersReport(all, {docker: dv.Version, podman: pv.Version, buildah: buildahVersion(), imagebuilder: imagebuilderVersion()});
    await expect(report).toMatchFileSnapshot('../fixtures/dockerfiles/BUILDERS.md');
    // Every difference of Buildah from BuildKit mode is explained in cases.json.
    expect(all.filter(r => !same(r.buildah, r.buildkit) && !r.why).map(r => r.file)).toEqual([]);
    expect(countAgreement(all)).toEqual(AGREEMENT_COUNTS);
  });
});
