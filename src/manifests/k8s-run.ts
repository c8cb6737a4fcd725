import {isScalar, type Node, type YAMLMap} from 'yaml';
import {emptyRun, expandK8s, type DeployedRun} from './deployed-run.js';
import {asMap, entry, fail, locate, optBool, optMap, optSeq, optStr, pairsOf, type At, type Y} from './yaml-read.js';

const strList = (y: Y, map: YAMLMap, key: string): At<string[]> | undefined => {
  const seq = optSeq(y, map, key);
  if (!seq) return undefined;
  const value = seq.value.map(n => (isScalar(n) && n.value !== null && typeof n.value !== 'object' ? String(n.value) : fail(y, n, `\`${key}\` must be a list of strings`)));
  return {value, at: seq.at};
};

const optInt = (y: Y, map: YAMLMap, key: string): At<number> | undefined => {
  const e = entry(y, map, key);
  if (!e) return undefined;
  const v = isScalar(e.value) ? e.value.value : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? {value: v, at: locate(y, e.key)} : fail(y, e.value, `\`${key}\` must be a whole number`);
};

/** Kubernetes quantities as emptyDir sizeLimit uses them: `64Mi`, `1Gi`, `500M`. */
const quantity = (text: string): number | undefined => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit: Record<string, number> = {Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12};
  return Math.round(Number(m[1]) * (m[2] ? unit[m[2]]! : 1));
};

/** Pod volumes by name: emptyDir (with its size) or the kind of anything else. */
export const readVolumes = (y: Y, podSpec: YAMLMap): Map<string, {kind: string; sizeBytes?: number}> => {
  const out = new Map<string, {kind: string; sizeBytes?: number}>();
  for (const node of optSeq(y, podSpec, 'volumes')?.value ?? []) {
    const v = asMap(y, node, 'a volume');
    const name = optStr(y, v, 'name')?.value;
    if (!name) continue;
    const kind = pairsOf(y, v).map(p => (isScalar(p.key) ? String(p.key.value) : '')).find(k => k && k !== 'name') ?? 'unknown';
    const empty = kind === 'emptyDir' ? optMap(y, v, 'emptyDir')?.value : undefined;
    const size = empty && optStr(y, empty, 'sizeLimit')?.value;
    const bytes = size !== undefined ? quantity(size) : undefined;
    out.set(name, {kind, ...(bytes !== undefined && {sizeBytes: bytes})});
  }
  return out;
};

/**
 * The pod's `sysctls` entry for net.ipv4.ip_unprivileged_port_start (a safe
 * sysctl since Kubernetes 1.22, which the restricted Pod Security Standard
 * allows). The name may be written with `/` for `.`, as the API accepts.
 */
const unprivilegedPortStart = (y: Y, podCtx: YAMLMap): At<number> | undefined => {
  for (const node of optSeq(y, podCtx, 'sysctls')?.value ?? []) {
    const s = asMap(y, node, 'a sysctls entry');
    const name = optStr(y, s, 'name');
    if (name?.value.replace(/\//g, '.') !== 'net.ipv4.ip_unprivileged_port_start') continue;
    const value = optStr(y, s, 'value');
    const n = Number(value?.value);
    if (!value || !/^\d+$/.test(value.value.trim()) || n > 65536) return fail(y, entry(y, s, 'value')?.value ?? s, '`net.ipv4.ip_unprivileged_port_start` takes a port number from 0 to 65536, as a string: `value: "0"`');
    return {value: n, at: name.at};
  }
  return undefined;
};

/** One securityContext (pod or container level): the fields the sandbox copies. */
const securityContext = (y: Y, map: YAMLMap | undefined, run: DeployedRun, container: boolean): void => {
  if (!map) return;
  const user = optInt(y, map, 'runAsUser');
  const group = optInt(y, map, 'runAsGroup');
  const nonRoot = optBool(y, map, 'runAsNonRoot');
  if (user) run.runAsUser = user;
  if (group) run.runAsGroup = group;
  if (nonRoot) run.runAsNonRoot = nonRoot;
  if (!container) {
    const start = unprivilegedPortStart(y, map);
    if (start) run.unprivilegedPortStart = start;
    return;
  }
  const ro = optBool(y, map, 'readOnlyRootFilesystem');
  const esc = optBool(y, map, 'allowPrivilegeEscalation');
  const priv = optBool(y, map, 'privileged');
  if (ro) run.readOnly = ro;
  if (esc) run.allowPrivilegeEscalation = esc;
  if (priv) run.privileged = priv;
  const caps = optMap(y, map, 'capabilities')?.value;
  const add = caps && strList(y, caps, 'add');
  const drop = caps && strList(y, caps, 'drop');
  if (add) run.capAdd = add;
  if (drop) run.capDrop = drop;
};

const readEnv = (y: Y, c: YAMLMap, run: DeployedRun): void => {
  const vars = new Map<string, string>();
  for (const node of optSeq(y, c, 'env')?.value ?? []) {
    const e = asMap(y, node, 'an env entry');
    const name = optStr(y, e, 'name') ?? fail(y, e, 'an env entry needs `name`');
    const value = optStr(y, e, 'value');
    if (entry(y, e, 'valueFrom')) {
      run.envSkipped.push({name: name.value, why: 'valueFrom (a Secret, ConfigMap or field of the running pod)', at: name.at});
      continue;
    }
    // Later entries may refer to earlier ones, as the kubelet expands them in order.
    const text = expandK8s(value?.value ?? '', vars);
    vars.set(name.value, text);
    run.env.push({name: name.value, value: text, at: value?.at ?? name.at});
  }
  for (const node of optSeq(y, c, 'envFrom')?.value ?? []) {
    const from = asMap(y, node, 'an envFrom entry');
    const src = optMap(y, from, 'configMapRef') ?? optMap(y, from, 'secretRef');
    const name = src && optStr(y, src.value, 'name')?.value;
    run.envSkipped.push({name: `envFrom ${name ?? ''}`.trim(), why: 'the variables of a ConfigMap or Secret in the cluster', at: locate(y, node)});
  }
};

/** How the pod runs container `c`: command, env, security context (container over pod) and mounts. */
export const readRun = (y: Y, c: YAMLMap, podSpec: YAMLMap, volumes: Map<string, {kind: string; sizeBytes?: number}>): DeployedRun => {
  const run = emptyRun();
  readEnv(y, c, run);
  const vars = new Map(run.env.map(e => [e.name, e.value]));
  const expand = (l: At<string[]> | undefined) => l && {value: l.value.map(a => expandK8s(a, vars)), at: l.at};
  const entrypoint = expand(strList(y, c, 'command'));
  const command = expand(strList(y, c, 'args'));
  if (entrypoint) run.entrypoint = entrypoint;
  if (command) run.command = command;
  const podCtx = optMap(y, podSpec, 'securityContext')?.value;
  securityContext(y, podCtx, run, false);
  securityContext(y, optMap(y, c, 'securityContext')?.value, run, true);
  const fsGroup = podCtx && optInt(y, podCtx, 'fsGroup');
  for (const node of optSeq(y, c, 'volumeMounts')?.value ?? []) {
    const m = asMap(y, node as Node, 'a volumeMount');
    const path = optStr(y, m, 'mountPath');
    const vol = volumes.get(optStr(y, m, 'name')?.value ?? '');
    if (!path) continue;
    if (vol?.kind === 'emptyDir')
      run.tmpfs.push({path: path.value, at: path.at, mode: '0777', ...(vol.sizeBytes !== undefined && {sizeBytes: vol.sizeBytes}), ...(fsGroup && {gid: fsGroup.value})});
    else run.otherMounts.push({path: path.value, kind: vol?.kind ?? 'volume', at: path.at});
  }
  return run;
};
