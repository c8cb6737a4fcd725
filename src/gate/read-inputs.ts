import {readdir, readFile, stat} from 'node:fs/promises';
import {basename, dirname, join, resolve} from 'node:path';
import {InputError} from '../errors.js';
import type {ManifestSource} from '../manifests/index.js';
import type {DeploymentInputs} from './manifests.js';

/**
 * Reads a file the user named; a failure is their input error (exit 2), not a
 * crash. A folder is said in words (Node only says EISDIR), with the file it
 * probably holds: `inFolder`, e.g. `Dockerfile`.
 */
export const readInput = async (path: string, what: string, inFolder?: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new InputError(`${what} ${path} is a folder, not a file: pass the file itself${inFolder ? `, e.g. ${join(path, inFolder)}` : ''}.`);
    throw new InputError(`cannot read ${what} ${path}: ${code ?? (e as Error).message}. Check the path.`);
  }
};

/** How findings name manifests read from standard input. */
export const STDIN_LABEL = '<stdin>';

const YAML_FILE = /\.ya?ml$/i;

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Every *.yaml / *.yml below `dir`, sorted by path (byte order, so the same on every machine); symlinked folders are not followed. */
const yamlFilesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, {withFileTypes: true}).catch(e => {
    throw new InputError(`cannot read the manifest folder ${dir}: ${code(e)}. Check the path.`);
  });
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFilesUnder(path)));
    else if (YAML_FILE.test(e.name) && (e.isFile() || (e.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()))) out.push(path);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
};

const readText = async (path: string, what: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${code(e)}. Check the path.`);
  }
};

/**
 * `--manifests` arguments → sources, in the order given: a file as is; a
 * folder → every *.yaml / *.yml inside it, recursively, sorted; `-` → standard
 * input (once). A file reached twice is read once. Paths stay as the user
 * wrote them, so findings cite `k8s/deploy.yaml:12`.
 */
export const readManifestSources = async (paths: string[], readStdin: () => Promise<string>): Promise<ManifestSource[]> => {
  if (paths.filter(p => p === '-').length > 1) throw new InputError('--manifests - (standard input) can be given only once.');
  const out: ManifestSource[] = [];
  const seen = new Set<string>();
  const add = async (file: string) => {
    if (seen.has(resolve(file))) return;
    seen.add(resolve(file));
    out.push({file, text: await readText(file, 'the manifest')});
  };
  for (const p of paths) {
    if (p === '-') {
      out.push({file: STDIN_LABEL, text: await readStdin()});
      continue;
    }
    const info = await stat(p).catch(e => {
      throw new InputError(`cannot read the manifests ${p}: ${code(e)}. Check the path.`);
    });
    if (!info.isDirectory()) {
      await add(p);
      continue;
    }
    const files = await yamlFilesUnder(p);
    if (!files.length) throw new InputError(`the manifest folder ${p} has no *.yaml or *.yml file: pass rendered manifests (e.g. the output of \`helm template\` or \`kustomize build\`).`);
    // Its templates would fail as YAML one by one; the chart as a whole is what needs rendering.
    const chart = files.find(f => basename(f) === 'Chart.yaml');
    if (chart) {
      const dir = dirname(chart);
      throw new InputError(`--manifests ${p} holds a Helm chart (${chart}), whose templates are not manifests yet: render it with \`helm template\` and pass the output, e.g. \`helm template RELEASE ${dir} | portgate check … --manifests -\`.`);
    }
    for (const f of files) await add(f);
  }
  return out;
};

/** `--compose` arguments → sources, in the order given (later files override earlier ones, as with `docker compose -f`). */
export const readComposeSources = async (paths: string[]): Promise<ManifestSource[]> => {
  const out: ManifestSource[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(e => {
      throw new InputError(`cannot read the Compose file ${p}: ${code(e)}. Check the path.`);
    });
    if (info.isDirectory()) throw new InputError(`--compose ${p} is a folder: pass the Compose file itself (e.g. ${join(p, 'compose.yaml')}).`);
    out.push({file: p, text: await readText(p, 'the Compose file')});
  }
  return out;
};

/** All of standard input as UTF-8. */
export const readStdin = async (stream: NodeJS.ReadableStream = process.stdin): Promise<string> => {
  if ((stream as NodeJS.ReadStream).isTTY) throw new InputError('--manifests - reads the manifests from standard input, which is a terminal here: pipe them in (e.g. `helm template … | portgate check … --manifests -`).');
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
};

/** The manifest part of GateOptions from `check`'s flags. */
export const deploymentInputs = async (
  a: {manifests: string[]; compose: string[]; container?: string},
  stdin: () => Promise<string> = readStdin
): Promise<DeploymentInputs> => {
  if (a.container !== undefined && !a.manifests.length && !a.compose.length) throw new InputError('--container names the container that runs the image in the manifests: pass --manifests or --compose too.');
  const manifests = await readManifestSources(a.manifests, stdin);
  const compose = await readComposeSources(a.compose);
  return {...(manifests.length && {manifests}), ...(compose.length && {compose}), ...(a.container !== undefined && {containerName: a.container})};
};
