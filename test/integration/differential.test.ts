/**
 * Differential test: every Dockerfile in test/fixtures/dockerfiles is built by
 * the real engine (the classic builder of Docker 20.10) and resolved by
 * resolveExpose; the ports must agree, and a build that fails must make the
 * resolver throw an InputError on the right line with the engine's wording.
 *
 * cases.json adds, per file: buildArgs, target, `error` (the build must fail;
 * `line` is where, absent for errors without one), `warnings` (how many
 * expose-host-part-ignored findings), and `buildkit` (the ports BuildKit
 * would expose, when they differ from the classic builder's). Without
 * `buildkit`, BuildKit mode must agree with the classic builder.
 */
import {readdirSync, readFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {resolveExpose, type BaseImageInfo, type ResolvedDockerfile, type ResolveOptions} from '../../src/dockerfile/index.js';
import {InputError} from '../../src/errors.js';
import {buildImage, docker} from '../helpers/engine.js';

interface Case {
  buildArgs?: Record<string, string>;
  target?: string;
  error?: {line?: number};
  warnings?: number;
  buildkit?: string[];
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

const tagOf = (file: string): string => PREFIX + file.replace(/\.Dockerfile$/, '').toLowerCase();
const portSet = (keys: Iterable<string>, minus: readonly string[] = []): string[] => [...new Set(keys)].filter(k => !minus.includes(k)).sort();
const keysOf = (r: ResolvedDockerfile): string[] => r.exposed.map(p => `${p.port}/${p.protocol}`);

/** What `docker build` said, reduced to the message the resolver reproduces (before its ` — hint`). */
const dockerPart = (e: InputError): string => e.message.split(' — ')[0] as string;

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

  beforeAll(async () => {
    const img = await buildImage({tag: BASE_TAG, files: {Dockerfile: read('base/Dockerfile')}});
    baseImages = {[BASE_TAG]: {env: img.Config.Env ?? [], exposedPorts: Object.keys(img.Config.ExposedPorts ?? {})}};
  });

  afterAll(async () => {
    // Tagged images first (that also prunes their untagged parents), then whatever failed builds left,
    // newest first so children go before parents.
    for (const tag of [...FILES.map(tagOf), BASE_TAG]) await docker().getImage(tag).remove({force: true}).catch(() => undefined);
    const left = await docker().listImages({all: true, filters: {label: [BASE_LABEL]}});
    for (const img of left.sort((a, b) => b.Created - a.Created)) await docker().getImage(img.Id).remove({force: true}).catch(() => undefined);
    expect(await docker().listImages({all: true, filters: {label: [BASE_LABEL]}})).toEqual([]);
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
    }
    ran.add(file);
  });
});
