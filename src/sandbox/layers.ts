import type {DeployedRun} from '../manifests/deployed-run.js';
import type {RunConfig, RunLocations} from '../spec/types.js';
import {profileLayer} from './profiles.js';
import type {NetworkMode, RunSettings, SandboxLayer, SandboxProfile, SourceLocationMap} from './types.js';

/**
 * One container of the deployment manifests, as a sandbox layer: command,
 * literal env, user, read-only root, capabilities, emptyDir/tmpfs mounts.
 * What a deployment does that the sandbox will not copy is a note, never
 * silently dropped. `imageUser` completes a Kubernetes runAsGroup without
 * runAsUser (the image's USER keeps the uid).
 */
export const deployedLayer = (run: DeployedRun, what: string, at: {file: string; line: number}, imageUser: string): SandboxLayer => {
  const settings: RunSettings = {};
  const where: SourceLocationMap = {};
  const notes: string[] = [];
  const set = <K extends keyof RunSettings>(key: K, value: RunSettings[K], loc: {file: string; line: number}) => {
    settings[key] = value;
    where[key] = loc;
  };
  if (run.entrypoint) set('entrypoint', run.entrypoint.value, run.entrypoint.at);
  if (run.command) set('command', run.command.value, run.command.at);
  if (run.env.length) set('env', Object.fromEntries(run.env.map(e => [e.name, e.value])), run.env[0]!.at);
  if (run.user) set('user', run.user.value, run.user.at);
  else if (run.runAsUser || run.runAsGroup) {
    const uid = run.runAsUser ? String(run.runAsUser.value) : (imageUser.split(':')[0] || '0');
    set('user', run.runAsGroup ? `${uid}:${run.runAsGroup.value}` : uid, (run.runAsUser ?? run.runAsGroup)!.at);
  }
  if (run.readOnly) set('readOnly', run.readOnly.value, run.readOnly.at);
  if (run.capDrop) set('capDrop', run.capDrop.value, run.capDrop.at);
  if (run.capAdd) set('capAdd', run.capAdd.value, run.capAdd.at);
  if (run.tmpfs.length)
    set(
      'tmpfs',
      run.tmpfs.map(({at: _at, ...m}) => m),
      run.tmpfs[0]!.at
    );
  const place = (l: {file: string; line: number}) => `${l.file}:${l.line}`;
  for (const s of run.envSkipped) notes.push(`${s.name} (${place(s.at)}) is not set in the sandbox: ${s.why} is not known to portgate.`);
  for (const m of run.otherMounts) notes.push(`${m.path} (${place(m.at)}) is a ${m.kind} mount in the deployment; the sandbox runs the image's own files there.`);
  if (run.privileged?.value) notes.push(`privileged: true (${place(run.privileged.at)}) is never honoured: an untrusted image does not get the host.`);
  return {source: {kind: 'manifest', location: {file: at.file, line: at.line}, what}, settings, at: where, notes};
};

/** portgate.yml's `run:`: its profile first (so its own settings override the profile's), then its settings. */
export const specLayers = (run: RunConfig, file: string, at?: RunLocations): SandboxLayer[] => {
  const {sandbox, timeoutMs: _t, settleMs: _s, ...settings} = run;
  const layers: SandboxLayer[] = [];
  if (sandbox) layers.push(profileLayer(sandbox, {kind: 'spec', location: at?.sandbox ?? {file, line: 1}}));
  if (Object.keys(settings).length) layers.push({source: {kind: 'spec', location: {file, line: 1}}, settings, ...(at && {at})});
  return layers;
};

/** Command-line flags, the highest layer. */
export const flagLayers = (flags: {sandbox?: SandboxProfile; network?: NetworkMode}): SandboxLayer[] => [
  ...(flags.sandbox ? [profileLayer(flags.sandbox, {kind: 'flag', flag: `--sandbox ${flags.sandbox}`})] : []),
  ...(flags.network ? [{source: {kind: 'flag' as const, flag: `--network ${flags.network}`}, settings: {network: flags.network}}] : [])
];
