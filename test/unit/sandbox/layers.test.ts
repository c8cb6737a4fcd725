import {describe, expect, test} from 'vitest';
import type {DeployedRun} from '../../../src/manifests/deployed-run.js';
import {describeSource, flagLayers, planSandbox, specLayers} from '../../../src/sandbox/index.js';
import {at, K8S, manifest, SPEC, WHAT} from './build.js';

describe('deployedLayer: the user a Kubernetes securityContext or Compose `user` runs the image as', () => {
  // prettier-ignore
  test.each<[string, Partial<DeployedRun>, string, string, number]>([
    ['runAsUser only',                                   {runAsUser: {value: 1001, at: at(29)}},                                        'app',       '1001',        29],
    ['runAsUser and runAsGroup',                         {runAsUser: {value: 1001, at: at(29)}, runAsGroup: {value: 3000, at: at(9)}},  'app',       '1001:3000',   29],
    ['runAsGroup only: the uid of the image USER name',  {runAsGroup: {value: 101, at: at(9)}},                                         'nginx',     'nginx:101',   9],
    ['runAsGroup only: the uid of the image USER uid:gid', {runAsGroup: {value: 101, at: at(9)}},                                       '1000:1000', '1000:101',    9],
    ['runAsGroup only: an image without USER is root',   {runAsGroup: {value: 101, at: at(9)}},                                         '',          '0:101',       9],
    ['Compose `user` as written',                        {user: {value: 'www-data:www-data', at: at(6)}},                               '',          'www-data:www-data', 6]
  ])('%s', (_name, run, imageUser, user, line) => {
    const plan = planSandbox([manifest(run, imageUser)]);
    expect(plan.user && {value: plan.user.value, from: describeSource(plan.user.from)}).toEqual({value: user, from: `${K8S}:${line} (${WHAT})`});
  });

  test('no user field: the image’s own USER applies (the plan sets none)', () => {
    expect(planSandbox([manifest({runAsNonRoot: {value: true, at: at(8)}}, 'app')]).user).toBeUndefined();
  });
});

describe('deployedLayer: what the sandbox does not copy is a note, never silently dropped', () => {
  // prettier-ignore
  test.each<[string, Partial<DeployedRun>, string]>([
    ['env from a Secret (valueFrom)', {envSkipped: [{name: 'DB_PASSWORD', why: 'valueFrom (a Secret, ConfigMap or field of the running pod)', at: at(21)}]},
      'DB_PASSWORD (deploy/k8s.yaml:21) is not set in the sandbox: valueFrom (a Secret, ConfigMap or field of the running pod) is not known to portgate.'],
    ['envFrom a ConfigMap', {envSkipped: [{name: 'envFrom api-config', why: 'the variables of a ConfigMap or Secret in the cluster', at: at(27)}]},
      'envFrom api-config (deploy/k8s.yaml:27) is not set in the sandbox: the variables of a ConfigMap or Secret in the cluster is not known to portgate.'],
    ['a configMap mount', {otherMounts: [{path: '/etc/api', kind: 'configMap', at: at(39)}]},
      "/etc/api (deploy/k8s.yaml:39) is a configMap mount in the deployment; the sandbox runs the image's own files there."],
    ['a secret mount', {otherMounts: [{path: '/etc/tls', kind: 'secret', at: at(43)}]},
      "/etc/tls (deploy/k8s.yaml:43) is a secret mount in the deployment; the sandbox runs the image's own files there."],
    ['privileged: true', {privileged: {value: true, at: at(32)}},
      'privileged: true (deploy/k8s.yaml:32) is never honoured: an untrusted image does not get the host.']
  ])('%s', (_name, run, note) => {
    const layer = manifest(run);
    expect(layer.notes).toEqual([note]);
    expect(planSandbox([layer]).notes).toEqual([note]);
  });

  test('privileged: false and allowPrivilegeEscalation make no note (no-new-privileges is always on)', () => {
    expect(manifest({privileged: {value: false, at: at(32)}, allowPrivilegeEscalation: {value: false, at: at(31)}}).notes).toEqual([]);
  });

  test('a manifest layer names the container and the line of each setting', () => {
    const layer = manifest({
      command: {value: ['--port=8080'], at: at(15)},
      env: [{name: 'A', value: '1', at: at(18)}],
      readOnly: {value: true, at: at(30)},
      capDrop: {value: ['ALL'], at: at(33)},
      tmpfs: [{path: '/tmp', at: at(41), mode: '0777'}]
    });
    expect(layer.source).toEqual({kind: 'manifest', location: {file: K8S, line: 10}, what: WHAT});
    expect(layer.settings).toEqual({command: ['--port=8080'], env: {A: '1'}, readOnly: true, capDrop: ['ALL'], tmpfs: [{path: '/tmp', mode: '0777'}]});
    expect(layer.at).toEqual({command: at(15), env: at(18), readOnly: at(30), capDrop: at(33), tmpfs: at(41)});
  });
});

describe('specLayers and flagLayers', () => {
  test('portgate.yml: the profile layer first, then its own settings, located per key', () => {
    const layers = specLayers({sandbox: 'strict', readOnly: false, timeoutMs: 30_000}, SPEC, {sandbox: {file: SPEC, line: 9, column: 3}, readOnly: {file: SPEC, line: 10, column: 3}});
    expect(layers.map(l => describeSource(l.source))).toEqual(['the strict profile (portgate.yml:9)', 'portgate.yml:1']);
    expect(layers[1]!.settings).toEqual({readOnly: false});
  });

  test('flags: --sandbox strict, then --network', () => {
    expect(flagLayers({sandbox: 'strict', network: 'none'}).map(l => describeSource(l.source))).toEqual(['the strict profile (--sandbox strict)', '--network none']);
  });
});
