import {posix} from 'node:path';
import type {ValidateFunction} from 'ajv';
import schema from '../../schema/portgate.fleet.schema.json' with {type: 'json'};
import {fail, readDocument} from '../spec/document.js';
import {pathLabel, type Issue, type Path} from '../spec/positions.js';
import {compileSchema, issuesFrom} from '../spec/validate.js';
import {RULES} from '../findings/rules.js';
import {parseDuration, parseSettle} from '../util/duration.js';
import {didYouMean} from '../spec/suggest.js';
import type {Fleet, FleetDefaults, FleetService} from './types.js';

/** The shapes the schema guarantees once it has passed. */
interface RawService {
  name: string;
  image?: string;
  context?: string;
  dockerfile?: string;
  spec?: string;
  buildArgs?: Record<string, string | number | boolean>;
  target?: string;
  manifests?: string[];
  compose?: string[];
  container?: string;
}
interface RawFleet {
  version: 1;
  defaults?: Omit<FleetDefaults, 'timeoutMs' | 'settle' | 'rules' | 'riskyPorts'> & {timeout?: string; settle?: string; rules?: FleetDefaults['rules']; riskyPorts?: FleetDefaults['riskyPorts']};
  services: 'auto' | RawService[];
}

let compiled: ValidateFunction | undefined;

const field = (path: Path, data: unknown): string | undefined => {
  const p = path.join('.');
  if ((p === 'defaults.timeout' || p === 'defaults.settle') && typeof data === 'string') {
    try {
      if (p === 'defaults.timeout') parseDuration(data, pathLabel(path));
      else parseSettle(data, pathLabel(path));
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (path[0] === 'services' && path[2] === 'name' && typeof data === 'string') {
    return `${pathLabel(path)} "${data}" must start with a letter or digit and use only letters, digits, \`.\`, \`_\` and \`-\` (at most 63): reports, job names and --service use it.`;
  }
  return undefined;
};

/** Relative to the fleet file's folder, with `/`; refuses a path that leaves it. */
const inside = (root: string, p: string): string | undefined => {
  const joined = posix.normalize(posix.join(root, p.replaceAll('\\', '/')));
  return joined === '..' || joined.startsWith('../') || posix.isAbsolute(p) ? undefined : joined;
};

/**
 * Reads portgate.fleet.yml: the schema (errors at file:line:column, the same
 * wording as portgate.yml's), then what it cannot say: unique names, paths
 * inside the repository, durations, org-wide rule ids. `root` is the folder
 * of the file, as the user named it (e.g. `.`): every path is resolved
 * against it, so reports cite `services/api/Dockerfile`. Pure.
 */
export const loadFleet = (text: string, file: string, root = posix.dirname(file.replaceAll('\\', '/'))): Fleet => {
  const {data, positions} = readDocument(text, file, {
    what: 'the fleet file',
    empty: 'the fleet file is empty: start it with `version: 1` and `services:` (a list, or `auto`).',
    shape: 'a mapping with `version: 1` and `services:`',
    issues: issuesFrom((compiled ??= compileSchema(schema)), field)
  });
  const raw = data as unknown as RawFleet;
  const issues: Issue[] = [];
  const d = raw.defaults ?? {};
  const defaults: FleetDefaults = {
    ...(d.image !== undefined && {image: d.image}),
    ...(d.failOn !== undefined && {failOn: d.failOn}),
    ...(d.timeout !== undefined && {timeoutMs: parseDuration(d.timeout, 'defaults.timeout')}),
    ...(d.settle !== undefined && {settle: parseSettle(d.settle, 'defaults.settle')}),
    ...(d.probe !== undefined && {probe: d.probe}),
    ...(d.probeImage !== undefined && {probeImage: d.probeImage}),
    ...(d.pull !== undefined && {pull: d.pull}),
    ...(d.sandbox !== undefined && {sandbox: d.sandbox}),
    ...(d.network !== undefined && {network: d.network}),
    ...(d.builder !== undefined && {builder: d.builder}),
    rules: {...d.rules},
    riskyPorts: [...(d.riskyPorts ?? [])]
  };
  for (const id of Object.keys(defaults.rules)) {
    if (!(id in RULES)) issues.push({path: ['defaults', 'rules', id], at: 'key', message: `unknown rule \`${id}\` in defaults.rules.${didYouMean(id, Object.keys(RULES))}`});
  }
  const servicesAt = positions.locate(['services'], 'key').location;
  let services: Fleet['services'] = 'auto';
  if (raw.services !== 'auto') {
    const seen = new Map<string, number>();
    services = raw.services.flatMap((s, i): FleetService[] => {
      const first = seen.get(s.name);
      if (first !== undefined) {
        issues.push({path: ['services', i, 'name'], message: `service name "${s.name}" is already used by services[${first}]: names must be unique, as reports and --service use them.`});
        return [];
      }
      seen.set(s.name, i);
      const paths: Record<string, string | undefined> = {};
      for (const key of ['context', 'dockerfile', 'spec'] as const) {
        const v = s[key];
        if (v === undefined) continue;
        paths[key] = inside(root, v);
        if (paths[key] === undefined) issues.push({path: ['services', i, key], message: `${pathLabel(['services', i, key])} "${v}" leaves the fleet file's folder: give a path inside the repository, relative to ${file}.`});
      }
      const list = (key: 'manifests' | 'compose') =>
        (s[key] ?? []).flatMap((v, j) => {
          const p = inside(root, v);
          if (p === undefined) issues.push({path: ['services', i, key, j], message: `${pathLabel(['services', i, key, j])} "${v}" leaves the fleet file's folder: give a path inside the repository.`});
          return p === undefined ? [] : [p];
        });
      const image = s.image ?? defaults.image;
      if (image === undefined) issues.push({path: ['services', i], message: `services[${i}] (${s.name}) has no \`image\`, and defaults.image gives none: add \`image:\` (e.g. registry.example.com/${s.name}:\${TAG}).`});
      const context = paths.context ?? (paths.spec ? posix.dirname(paths.spec) : root);
      return [
        {
          name: s.name,
          image: image ?? '',
          context,
          ...(paths.dockerfile !== undefined && {dockerfile: paths.dockerfile}),
          ...(paths.spec !== undefined && {spec: paths.spec}),
          buildArgs: Object.fromEntries(Object.entries(s.buildArgs ?? {}).map(([k, v]) => [k, String(v)])),
          ...(s.target !== undefined && {target: s.target}),
          manifests: list('manifests'),
          compose: list('compose'),
          ...(s.container !== undefined && {container: s.container}),
          at: positions.locate(['services', i], 'value').location
        }
      ];
    });
  }
  if (issues.length) fail(positions.place(issues));
  return {file, root, defaults, services, servicesAt};
};
