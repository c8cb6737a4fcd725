import {EnvironmentError} from '../errors.js';
import {engineAddress} from './connection.js';
import type {ImageFacts, TargetState} from './types.js';

/**
 * Checks of the engine answers portgate relies on. Something at DOCKER_HOST
 * that answers HTTP but is not a Docker engine (a proxy, a health endpoint, a
 * half-started service) must be an environment error that says so, not a
 * TypeError deep in the gate.
 */
export const nonsense = (what: string, detail: string): EnvironmentError =>
  new EnvironmentError(
    `the engine at ${engineAddress()} answered ${what} with something that is not a Docker engine's answer (${detail}): check that DOCKER_HOST points at a Docker or Podman engine, not a proxy or another service.`
  );

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
const describe = (v: unknown): string => (Buffer.isBuffer(v) ? `text "${v.toString('utf8').slice(0, 60)}"` : Array.isArray(v) ? 'a list' : v === null || v === undefined ? 'nothing' : `${typeof v} ${JSON.stringify(v).slice(0, 60)}`);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(s => typeof s === 'string');
const optional = <T>(v: unknown, ok: (v: unknown) => v is T): v is T | null | undefined => v === undefined || v === null || ok(v);

/** GET /_ping answers the text OK. */
export const checkPing = (answer: unknown): void => {
  const text = Buffer.isBuffer(answer) ? answer.toString('utf8') : typeof answer === 'string' ? answer : undefined;
  if (text?.trim() !== 'OK') throw nonsense('GET /_ping', `expected the text OK, got ${describe(answer)}`);
};

/** GET /info: the daemon's Architecture, which decides how /proc/net addresses are read. */
export const architectureOf = (info: unknown): string => {
  if (!isObject(info)) throw nonsense('GET /info', `expected an object, got ${describe(info)}`);
  if (typeof info.Architecture !== 'string' || !info.Architecture.trim()) throw nonsense('GET /info', 'no Architecture');
  return info.Architecture;
};

/** GET /images/{ref}/json → the facts the gate uses. */
export const imageFactsOf = (ref: string, i: unknown): ImageFacts => {
  const what = `GET /images/${ref}/json`;
  if (!isObject(i)) throw nonsense(what, `expected an object, got ${describe(i)}`);
  if (typeof i.Id !== 'string' || !i.Id) throw nonsense(what, 'no image Id');
  const config = i.Config ?? {};
  if (!isObject(config)) throw nonsense(what, 'Config is not an object');
  const {ExposedPorts: ports, User: user, Env: env, Entrypoint: entrypoint, Cmd: cmd} = config;
  if (!optional(ports, isObject)) throw nonsense(what, 'Config.ExposedPorts is not an object');
  if (!optional(user, (u): u is string => typeof u === 'string')) throw nonsense(what, 'Config.User is not a string');
  if (!optional(env, isStringList)) throw nonsense(what, 'Config.Env is not a list of strings');
  if (!optional(entrypoint, isStringList)) throw nonsense(what, 'Config.Entrypoint is not a list of strings');
  if (!optional(cmd, isStringList)) throw nonsense(what, 'Config.Cmd is not a list of strings');
  const {keys, ignored} = exposedPortKeys(Object.keys(ports ?? {}));
  return {ref, id: i.Id, exposedPorts: keys, ...(ignored.length && {ignoredExposedPorts: ignored}), user: user ?? '', env: env ?? [], entrypoint: entrypoint ?? null, cmd: cmd ?? null};
};

/** More ports than any image has in one range: a guard against a key like `1-65535/tcp` blowing up the report, not a limit any real image reaches. */
const MAX_RANGE = 65536;

/**
 * Config.ExposedPorts keys → `port/protocol`, one per port. Docker's builders
 * write them so; Buildah (podman build) writes what the EXPOSE word said,
 * unchecked: `8000-8010/tcp` for a range, `53/UDP`, `0080/tcp`, `81/`, and
 * words no engine reads as a port (`+80/tcp`, `$P/tcp`). Ranges are expanded,
 * protocols lowercased (an empty one is tcp), numbers read in base 10; the
 * rest is `ignored`, for the gate to say so.
 */
export const exposedPortKeys = (raw: string[]): {keys: string[]; ignored: string[]} => {
  const keys = new Set<string>();
  const ignored: string[] = [];
  for (const key of raw) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/([A-Za-z]*))?$/.exec(key);
    const protocol = (m?.[3] || 'tcp').toLowerCase();
    const start = Number(m?.[1]);
    const end = m?.[2] === undefined ? start : Number(m[2]);
    if (!m || !['tcp', 'udp', 'sctp'].includes(protocol) || end > 65535 || end < start || end - start >= MAX_RANGE) {
      ignored.push(key);
      continue;
    }
    for (let p = start; p <= end; p++) keys.add(`${p}/${protocol}`);
  }
  return {keys: [...keys], ignored};
};

/** GET /containers/{id}/json → State. */
export const stateOf = (id: string, c: unknown): TargetState => {
  const what = `GET /containers/${id.slice(0, 12)}/json`;
  if (!isObject(c)) throw nonsense(what, `expected an object, got ${describe(c)}`);
  const s = c.State;
  if (!isObject(s)) throw nonsense(what, 'no State');
  if (typeof s.Running !== 'boolean' || typeof s.Pid !== 'number') throw nonsense(what, 'State has no Running or Pid');
  if (!s.Running && typeof s.ExitCode !== 'number') throw nonsense(what, 'State of a stopped container has no ExitCode');
  return {running: s.Running, pid: s.Pid, ...(!s.Running && {exitCode: s.ExitCode as number}), ...(s.OOMKilled === true && {oomKilled: true})};
};

/** POST …/create → the new object's Id. */
export const createdId = (what: string, id: unknown): string => {
  if (typeof id !== 'string' || !/^[0-9a-f]{12,64}$/i.test(id)) throw nonsense(what, `no Id in the answer, got ${describe(id)}`);
  return id;
};

export interface Listed {
  Id: string;
  Labels?: Record<string, string>;
}

/** GET /containers/json and /networks: lists of objects with an Id. */
export const listOf = (what: string, list: unknown): Listed[] => {
  if (!Array.isArray(list)) throw nonsense(what, `expected a list, got ${describe(list)}`);
  for (const x of list) if (!isObject(x) || typeof x.Id !== 'string') throw nonsense(what, 'an entry has no Id');
  return list as Listed[];
};

/** GET /images/json → every tag the engine has. */
export const imageTagsOf = (list: unknown): string[] => {
  if (!Array.isArray(list)) throw nonsense('GET /images/json', `expected a list, got ${describe(list)}`);
  return list.flatMap(i => (isObject(i) && isStringList(i.RepoTags) ? i.RepoTags : [])).filter(t => t !== '<none>:<none>');
};

/**
 * GET /version → which engine answers. Docker lists its daemon as the
 * component `Engine`, Podman as `Podman Engine`; both give Version and
 * ApiVersion at the top level.
 */
export const engineInfoOf = (v: unknown): {name: string; version: string; apiVersion: string} => {
  if (!isObject(v)) throw nonsense('GET /version', `expected an object, got ${describe(v)}`);
  if (typeof v.Version !== 'string' || typeof v.ApiVersion !== 'string') throw nonsense('GET /version', 'no Version or ApiVersion');
  const components = Array.isArray(v.Components) ? v.Components.filter(isObject).map(c => c.Name) : [];
  const platform = isObject(v.Platform) && typeof v.Platform.Name === 'string' ? v.Platform.Name : '';
  const name = components.includes('Podman Engine') ? 'Podman' : components.includes('Engine') || /docker/i.test(platform) ? 'Docker' : platform.trim() || 'an engine of unknown kind';
  return {name, version: v.Version, apiVersion: v.ApiVersion};
};

/** GET /networks/{id} → the IPv4/IPv6 gateway addresses the host holds on the network (Podman writes `<nil>` for none). */
export const networkGatewaysOf = (n: unknown): string[] => {
  if (!isObject(n)) throw nonsense('GET /networks/{id}', `expected an object, got ${describe(n)}`);
  const ipam = isObject(n.IPAM) && Array.isArray(n.IPAM.Config) ? n.IPAM.Config.filter(isObject) : [];
  return ipam.map(c => c.Gateway).filter((g): g is string => typeof g === 'string' && /^[0-9a-f.:]+$/i.test(g) && /[0-9]/.test(g));
};
