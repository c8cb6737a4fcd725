import type {AgentSetting} from '../compare/debug-agents.js';
import type {DockerfileConfig} from '../dockerfile/index.js';
import type {ImageFacts} from '../engine/types.js';
import {locate, type Anchors} from '../findings/where.js';
import type {Location} from '../model.js';
import type {SandboxPlan} from '../sandbox/types.js';
import type {DeployedContainer} from './manifests.js';

export interface AgentInputs {
  image: string;
  /** The image's config (Env, Entrypoint, Cmd) when the engine has the image. */
  facts?: ImageFacts;
  /** The Dockerfile's lines for them, and (static-only without the image) its values. */
  config?: DockerfileConfig;
  anchors: Anchors;
  /** Every container of the manifests that runs the image. */
  containers: DeployedContainer[];
  /** How the sandbox ran it: the settings portgate.yml's `run:` decided. */
  plan: SandboxPlan;
}

const splitEnv = (e: string): [string, string] => {
  const i = e.indexOf('=');
  return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
};

/**
 * Every place a debug agent can be switched on, as settings for
 * compare/debug-agents.ts: the image's Env and Entrypoint/Cmd (pointed at the
 * Dockerfile's ENV / ENTRYPOINT / CMD line, else the FROM that brings them
 * in, else the image), each manifest container's env and command/args (at
 * their manifest lines), and what portgate.yml's `run:` sets for the sandbox.
 */
export const agentSettings = (i: AgentInputs): AgentSetting[] => {
  const inherited: Location = locate('inherited', i.anchors, i.image);
  const env: [string, string][] = i.facts ? i.facts.env.map(splitEnv) : Object.entries(i.config?.env ?? {}).map(([k, v]) => [k, v.value]);
  const out: AgentSetting[] = env.map(([name, value]) => ({kind: 'env', name, value, where: "the image's ENV", location: i.config?.env[name]?.location ?? inherited}));
  const entrypoint = i.facts ? (i.facts.entrypoint ?? []) : (i.config?.entrypoint?.value ?? []);
  const cmd = i.facts ? (i.facts.cmd ?? []) : (i.config?.cmd?.value ?? []);
  out.push({
    kind: 'argv',
    where: "the image's ENTRYPOINT/CMD",
    parts: [
      {words: entrypoint, location: i.config?.entrypoint?.location ?? inherited},
      {words: cmd, location: i.config?.cmd?.location ?? inherited}
    ]
  });
  for (const c of i.containers) {
    for (const e of c.run.env) out.push({kind: 'env', name: e.name, value: e.value, where: c.what, location: e.at});
    const parts = [c.run.entrypoint, c.run.command].flatMap(p => (p ? [{words: p.value, location: p.at}] : []));
    if (parts.length) out.push({kind: 'argv', where: `the command of ${c.what}`, parts});
  }
  const spec = (from: SandboxPlan['env'][string]['from']) => (from.kind === 'spec' ? from.location : undefined);
  for (const [name, v] of Object.entries(i.plan.env)) {
    const at = spec(v.from);
    if (at) out.push({kind: 'env', name, value: v.value, where: "portgate.yml's run:", location: at});
  }
  const parts = [i.plan.entrypoint, i.plan.command].flatMap(p => {
    const at = p && spec(p.from);
    return p && at ? [{words: p.value, location: at}] : [];
  });
  if (parts.length) out.push({kind: 'argv', where: "the command portgate.yml's run: gives", parts});
  return out;
};
