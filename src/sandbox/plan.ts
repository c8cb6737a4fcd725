import {ENGINE_DEFAULT_CAPS, GRANTABLE_CAPS, LIMITS, defaultLayer} from './profiles.js';
import type {NetworkMode, RunSettings, SandboxLayer, SandboxPlan, SettingSource, Sourced, TmpfsMount} from './types.js';

const normCap = (c: string): string => c.trim().toUpperCase().replace(/^CAP_/, '');

type Scalars = Pick<RunSettings, 'entrypoint' | 'command' | 'user' | 'readOnly' | 'network' | 'memoryBytes' | 'pids'>;
const SCALARS = ['entrypoint', 'command', 'user', 'readOnly', 'network', 'memoryBytes', 'pids'] as const satisfies readonly (keyof Scalars)[];

/** A layer's source, narrowed to the file line of one setting when the layer knows it. */
const sourceOf = (layer: SandboxLayer, key: keyof RunSettings): SettingSource => {
  const at = layer.at?.[key];
  if (!at) return layer.source;
  if (layer.source.kind === 'manifest') return {...layer.source, location: at};
  if (layer.source.kind === 'spec') return {kind: 'spec', location: at};
  return layer.source;
};

/**
 * Merges the layers, lowest precedence first (defaults, then manifests, then
 * portgate.yml, then flags). A later layer wins per setting and per env
 * variable and tmpfs path; capabilities are replayed layer by layer, drops
 * before adds, as the engine applies CapDrop/CapAdd, so a later layer has the
 * last word on each capability it names. Pure.
 */
export const planSandbox = (layers: SandboxLayer[]): SandboxPlan => {
  const all = [defaultLayer(), ...layers];
  const scalars: Partial<Record<keyof Scalars, Sourced<unknown>>> = {};
  const env: Record<string, Sourced<string>> = {};
  const tmpfs = new Map<string, Sourced<TmpfsMount>>();
  let caps = new Map<string, SettingSource>(ENGINE_DEFAULT_CAPS.map(c => [c, {kind: 'default'}]));
  const dropped: Record<string, SettingSource> = {};
  const notes: string[] = [];
  let capsFrom: SettingSource = {kind: 'default'};

  for (const layer of all) {
    const s = layer.settings;
    if (layer.source.kind === 'profile' && layer.source.profile === 'default') {
      for (const [path, m] of tmpfs) if (m.from.kind === 'profile') tmpfs.delete(path);
    }
    for (const key of SCALARS) if (s[key] !== undefined) scalars[key] = {value: s[key], from: sourceOf(layer, key)};
    for (const [k, v] of Object.entries(s.env ?? {})) env[k] = {value: v, from: sourceOf(layer, 'env')};
    for (const m of s.tmpfs ?? []) tmpfs.set(m.path, {value: m, from: sourceOf(layer, 'tmpfs')});
    if (s.capDrop?.length || s.capAdd?.length) capsFrom = sourceOf(layer, s.capDrop?.length ? 'capDrop' : 'capAdd');
    for (const raw of s.capDrop ?? []) {
      const c = normCap(raw);
      const from = sourceOf(layer, 'capDrop');
      const gone = c === 'ALL' ? [...caps.keys()] : caps.has(c) ? [c] : [];
      if (c === 'ALL') caps = new Map();
      else caps.delete(c);
      for (const g of gone) dropped[g] = from;
    }
    for (const raw of s.capAdd ?? []) {
      const c = normCap(raw);
      if (c === 'ALL' || !GRANTABLE_CAPS.has(c)) {
        notes.push(`capability ${c} (${describeSource(sourceOf(layer, 'capAdd'))}) is not granted: portgate grants at most the engine's default set to an image it does not trust, so this run may differ from production where that capability matters.`);
        continue;
      }
      caps.set(c, sourceOf(layer, 'capAdd'));
      delete dropped[c];
    }
    notes.push(...(layer.notes ?? []));
  }

  const get = <T>(key: keyof Scalars): Sourced<T> | undefined => scalars[key] as Sourced<T> | undefined;
  const plan: SandboxPlan = {
    env,
    readOnly: get<boolean>('readOnly')!,
    tmpfs: [...tmpfs.values()].sort((a, b) => (a.value.path < b.value.path ? -1 : 1)),
    capabilities: {value: [...caps.keys()].sort(), from: capsFrom},
    dropped,
    network: get<NetworkMode>('network')!,
    memoryBytes: get<number>('memoryBytes')!,
    pids: get<number>('pids')!,
    nanoCpus: LIMITS.nanoCpus,
    notes
  };
  for (const key of ['entrypoint', 'command', 'user'] as const) {
    const v = get<never>(key);
    if (v) (plan as unknown as Record<string, unknown>)[key] = v;
  }
  return plan;
};

/** `deploy/k8s.yaml:23 (container api of Deployment shop-api)`, `portgate.yml:9`, `--sandbox`, `portgate's default`. */
export const describeSource = (s: SettingSource): string => {
  switch (s.kind) {
    case 'default':
      return "portgate's default";
    case 'profile':
      return `the ${s.profile} profile (${describeSource(s.from)})`;
    case 'spec':
      return s.location ? `${s.location.file}:${s.location.line}` : 'portgate.yml';
    case 'manifest':
      return `${s.location.file}:${s.location.line} (${s.what})`;
    case 'flag':
      return s.flag;
    case 'org':
      return `the defaults of ${s.file}`;
  }
};
