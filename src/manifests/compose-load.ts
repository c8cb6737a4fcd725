import {isMap, isScalar, visit, type Node, type YAMLMap} from 'yaml';
import type {Protocol, SourceLocation} from '../model.js';
import type {ManifestSource} from './k8s-load.js';
import {badInterpolation, parseProtocol, parseRange, parseShortPort, withDefaults, type PortMapping} from './compose-ports.js';
import {asMap, deref, entry, fail, locate, optMap, optSeq, optStr, pairsOf, parseDocs, type At, type Y} from './yaml-read.js';
import {emptyRun, type DeployedRun} from './deployed-run.js';
import {readComposeRun} from './compose-run.js';

export interface ComposePort extends PortMapping {
  /** The entry as written, for messages (`"5005:5005"` or `{target: 5005}`). */
  raw: string;
  at: SourceLocation;
}

export interface ComposeExpose {
  port: number;
  protocol: Protocol;
  at: SourceLocation;
}

export interface ComposeService {
  name: string;
  image?: string;
  containerName?: string;
  ports: ComposePort[];
  expose: ComposeExpose[];
  networkMode?: At<string>;
  /** How Compose starts it: what the sandbox copies to run the image as deployed. */
  run: DeployedRun;
  at: SourceLocation;
}

/**
 * An override file merges into the base like `docker compose -f a -f b`:
 * scalar settings and command/entrypoint are replaced, environment merges
 * by name, capability lists, tmpfs and volumes add up.
 */
const mergeRun = (a: DeployedRun, b: DeployedRun): DeployedRun => {
  const union = (x?: At<string[]>, y?: At<string[]>) => (x && y ? {value: [...new Set([...x.value, ...y.value])], at: y.at} : (y ?? x));
  // A variable the override makes unknown is no longer the base's value: it is skipped.
  const unknown = new Set(b.envSkipped.map(e => e.name));
  const env = new Map([...a.env.filter(e => !unknown.has(e.name)), ...b.env].map(e => [e.name, e]));
  const capAdd = union(a.capAdd, b.capAdd);
  const capDrop = union(a.capDrop, b.capDrop);
  return {
    ...a,
    ...Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined && !Array.isArray(v))),
    env: [...env.values()],
    envSkipped: [...a.envSkipped.filter(s => !env.has(s.name)), ...b.envSkipped],
    ...(capAdd && {capAdd}),
    ...(capDrop && {capDrop}),
    tmpfs: [...a.tmpfs, ...b.tmpfs],
    otherMounts: [...a.otherMounts, ...b.otherMounts]
  };
};

export interface ComposeModel {
  services: ComposeService[];
}

/** Entries whose values are `${VAR}` without default cannot be checked statically and are skipped. */
const scalarText = (y: Y, node: Node, what: string): string | undefined => {
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return fail(y, node, `${what} must be a string or a number`);
  return withDefaults(String(node.value));
};

const longPort = (y: Y, m: YAMLMap): PortMapping[] => {
  const text = (key: string): string | undefined => {
    const e = entry(y, m, key);
    return e && scalarText(y, e.value, `\`${key}\``);
  };
  if (!entry(y, m, 'target')) return fail(y, m, 'a long-syntax port needs `target`');
  const targetText = text('target');
  if (targetText === undefined) return [];
  const target = parseRange(targetText);
  if (typeof target === 'string' || target[0] !== target[1]) return fail(y, entry(y, m, 'target')!.value, `\`target\`: "${targetText}" is not a port number`);
  const protocol = parseProtocol(text('protocol') ?? 'tcp');
  if (protocol.includes(' ')) return fail(y, entry(y, m, 'protocol')!.value, protocol);
  const published = text('published');
  const hostIp = text('host_ip');
  return [{target: target[0], protocol: protocol as Protocol, ...(published && {published}), ...(hostIp && {hostIp})}];
};

const longRaw = (p: PortMapping): string =>
  `{${[`target: ${p.target}`, p.published && `published: ${p.published}`, p.hostIp && `host_ip: ${p.hostIp}`, p.protocol !== 'tcp' && `protocol: ${p.protocol}`].filter(Boolean).join(', ')}}`;

const readPorts = (y: Y, svc: YAMLMap): ComposePort[] =>
  (optSeq(y, svc, 'ports')?.value ?? []).flatMap(node => {
    const at = locate(y, node);
    if (isMap(node)) return longPort(y, node).map(p => ({...p, raw: longRaw(p), at}));
    const text = scalarText(y, node, 'a `ports` entry');
    if (text === undefined) return [];
    const parsed = parseShortPort(text);
    return typeof parsed === 'string' ? fail(y, node, `invalid port mapping ${parsed}`) : parsed.map(p => ({...p, raw: `"${text}"`, at}));
  });

const readExpose = (y: Y, svc: YAMLMap): ComposeExpose[] =>
  (optSeq(y, svc, 'expose')?.value ?? []).flatMap(node => {
    const text = scalarText(y, node, 'an `expose` entry');
    if (text === undefined) return [];
    const [range, proto = 'tcp'] = text.split('/');
    const r = parseRange(range!);
    const protocol = parseProtocol(proto);
    if (typeof r === 'string' || protocol.includes(' ')) return fail(y, node, `invalid expose entry "${text}": expected PORT[-PORT][/PROTOCOL]`);
    return Array.from({length: r[1] - r[0] + 1}, (_, i) => ({port: r[0] + i, protocol: protocol as Protocol, at: locate(y, node)}));
  });

/** Compose interpolates every string of the file before it reads any, so a bad `${` anywhere stops it. */
const checkInterpolation = (y: Y): void => {
  visit(y.doc, {
    Scalar: (_key, node) => {
      const bad = typeof node.value === 'string' ? badInterpolation(node.value) : undefined;
      if (bad !== undefined)
        fail(y, node, `invalid interpolation format at "${bad}": a \`\${\` needs a variable name and a closing \`}\` (\${VAR}, \${VAR:-default}); write $$ for a literal $`);
    }
  });
};

/**
 * Parses Compose files. Several files (`compose.yaml` + `compose.override.yaml`)
 * merge like `docker compose -f a -f b`: per service, the last `image`,
 * `container_name` and `network_mode` win and `ports`/`expose` add up.
 */
export function loadCompose(sources: ManifestSource[]): ComposeModel {
  const byName = new Map<string, ComposeService>();
  for (const src of sources) {
    for (const {y, root} of parseDocs(src.file, src.text, '1.2')) {
      checkInterpolation(y);
      const services = root && optMap(y, root, 'services')?.value;
      for (const pair of services ? pairsOf(y, services) : []) {
        const name = isScalar(pair.key) ? String(pair.key.value) : fail(y, pair.key, 'service names must be strings');
        const value = deref(y, pair.value);
        const svc = value && asMap(y, value, `service ${name}`);
        const prev = byName.get(name) ?? {name, ports: [], expose: [], run: emptyRun(), at: locate(y, pair.key)};
        if (!svc) {
          byName.set(name, prev);
          continue;
        }
        const image = optStr(y, svc, 'image')?.value;
        const containerName = optStr(y, svc, 'container_name')?.value;
        const networkMode = optStr(y, svc, 'network_mode');
        byName.set(name, {
          ...prev,
          ...(image !== undefined && {image}),
          ...(containerName !== undefined && {containerName}),
          ...(networkMode && {networkMode}),
          run: mergeRun(prev.run, readComposeRun(y, svc)),
          ports: [...prev.ports, ...readPorts(y, svc)],
          expose: [...prev.expose, ...readExpose(y, svc)]
        });
      }
    }
  }
  return {services: [...byName.values()]};
}
