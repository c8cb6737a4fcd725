import type {SandboxSetting} from '../model.js';
import {describeSource} from './plan.js';
import type {SandboxPlan, SettingSource, Sourced} from './types.js';

const mib = (b: number): string => (b % 1024 ** 3 === 0 ? `${b / 1024 ** 3}g` : `${Math.round(b / 1024 ** 2)}m`);

/**
 * The plan as reports list it: one line per setting with its value and
 * source. Env values are named, not shown: a deployment's literal env may
 * still hold something nobody wants in a CI log.
 */
export const summarizePlan = (plan: SandboxPlan): SandboxSetting[] => {
  const out: SandboxSetting[] = [];
  const add = (setting: SandboxSetting['setting'], value: string, from: SettingSource) =>
    out.push({setting, value, from: describeSource(from), isDefault: from.kind === 'default'});
  const opt = <T>(setting: SandboxSetting['setting'], s: Sourced<T> | undefined, show: (v: T) => string) => s && add(setting, show(s.value), s.from);
  opt('entrypoint', plan.entrypoint, v => JSON.stringify(v));
  opt('command', plan.command, v => JSON.stringify(v));
  const envFrom = new Map<string, {names: string[]; from: SettingSource}>();
  for (const [name, v] of Object.entries(plan.env)) {
    const key = describeSource(v.from);
    envFrom.set(key, {names: [...(envFrom.get(key)?.names ?? []), name], from: v.from});
  }
  for (const {names, from} of envFrom.values()) add('env', names.sort().join(', '), from);
  opt('user', plan.user, v => v);
  add('readOnly', String(plan.readOnly.value), plan.readOnly.from);
  for (const t of plan.tmpfs) add('tmpfs', t.value.path, t.from);
  const dropped = Object.keys(plan.dropped).sort();
  add('capabilities', dropped.length ? `${plan.capabilities.value.join(' ') || 'none'} (without ${dropped.join(' ')})` : plan.capabilities.value.join(' '), plan.capabilities.from);
  add('network', plan.network.value, plan.network.from);
  add('memory', mib(plan.memoryBytes.value), plan.memoryBytes.from);
  add('pids', String(plan.pids.value), plan.pids.from);
  return out;
};
