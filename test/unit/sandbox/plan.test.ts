import {describe, expect, test} from 'vitest';
import {describeSource, flagLayers, planSandbox, specLayers} from '../../../src/sandbox/index.js';
import {ENGINE_DEFAULT_CAPS, LIMITS} from '../../../src/sandbox/profiles.js';
import type {SandboxPlan, SettingSource} from '../../../src/sandbox/types.js';
import {at, DEFAULT_CAPS, K8S, manifest, spec, SPEC, WHAT} from './build.js';

/** Each setting's value and where it came from, as the report says it. */
const where = (plan: SandboxPlan, key: 'entrypoint' | 'command' | 'user' | 'readOnly' | 'network' | 'memoryBytes' | 'pids' | 'capabilities') => {
  const s = plan[key];
  return s && {value: s.value, from: describeSource(s.from)};
};

const STRICT_FROM_SPEC = 'the strict profile (portgate.yml:9)';
const DEFAULT = "portgate's default";

describe('planSandbox: defaults', () => {
  test('no layer: a plain `docker run`, contained (engine capabilities minus NET_RAW, writable root, isolated network, limits)', () => {
    const plan = planSandbox([]);
    expect(plan).toEqual({
      env: {},
      readOnly: {value: false, from: {kind: 'default'}},
      tmpfs: [],
      capabilities: {value: DEFAULT_CAPS, from: {kind: 'default'}},
      dropped: {NET_RAW: {kind: 'default'}},
      network: {value: 'isolated', from: {kind: 'default'}},
      memoryBytes: {value: 1024 ** 3, from: {kind: 'default'}},
      pids: {value: 512, from: {kind: 'default'}},
      nanoCpus: 1e9,
      notes: []
    });
    expect(plan).not.toHaveProperty('user');
    expect(plan).not.toHaveProperty('command');
    expect(plan).not.toHaveProperty('entrypoint');
  });

  test('the engine default set is moby’s 14 capabilities; the limits are 1 GiB, 512 pids, one CPU', () => {
    expect([...ENGINE_DEFAULT_CAPS]).toEqual([...DEFAULT_CAPS, 'NET_RAW'].sort());
    expect(LIMITS).toEqual({memoryBytes: 1024 ** 3, pids: 512, nanoCpus: 1e9});
  });

  test('run: timeout and settle are not sandbox settings: they make no layer', () => {
    expect(specLayers({timeoutMs: 5_000, settleMs: 'auto'}, SPEC)).toEqual([]);
    expect(flagLayers({})).toEqual([]);
  });
});

describe('planSandbox: precedence defaults < manifests < portgate.yml run: < flags, per setting', () => {
  const layers = [
    manifest({
      entrypoint: {value: ['/app/server'], at: at(14)},
      command: {value: ['--port=8080'], at: at(15)},
      runAsUser: {value: 1000, at: at(29)},
      readOnly: {value: true, at: at(30)}
    }),
    ...spec({user: '2000:2000', memoryBytes: 2 * 1024 ** 3, command: ['--port=9090']}, {user: 5, memoryBytes: 6, command: 4}),
    ...flagLayers({network: 'none'})
  ];

  // prettier-ignore
  test.each([
    ['entrypoint: only the manifest sets it',   'entrypoint',  ['/app/server'],   `${K8S}:14 (${WHAT})`],
    ['command: portgate.yml over the manifest', 'command',     ['--port=9090'],   `${SPEC}:4`],
    ['user: portgate.yml over runAsUser',       'user',        '2000:2000',       `${SPEC}:5`],
    ['readOnly: the manifest over the default', 'readOnly',    true,              `${K8S}:30 (${WHAT})`],
    ['memory: portgate.yml over the default',   'memoryBytes', 2 * 1024 ** 3,     `${SPEC}:6`],
    ['network: the flag over the default',      'network',     'none',            '--network none'],
    ['pids: nobody set it',                     'pids',        512,               DEFAULT]
  ] as const)('%s', (_name, key, value, from) => {
    expect(where(planSandbox(layers), key)).toEqual({value, from});
  });

  test('env is merged per variable: a later layer wins for the names it sets, the others keep their source', () => {
    const plan = planSandbox([
      manifest({env: [{name: 'PORT', value: '8080', at: at(18)}, {name: 'LOG_LEVEL', value: 'info', at: at(20)}]}),
      ...spec({env: {LOG_LEVEL: 'debug', PROFILE: 'test'}}, {env: 7})
    ]);
    expect(Object.fromEntries(Object.entries(plan.env).map(([k, v]) => [k, `${v.value} from ${describeSource(v.from)}`]))).toEqual({
      PORT: `8080 from ${K8S}:18 (${WHAT})`,
      LOG_LEVEL: `debug from ${SPEC}:7`,
      PROFILE: `test from ${SPEC}:7`
    });
  });

  test('tmpfs is merged per path and sorted: portgate.yml replaces the manifest’s /tmp, the emptyDir elsewhere stays', () => {
    const plan = planSandbox([
      manifest({
        tmpfs: [
          {path: '/var/cache/nginx', at: at(37), mode: '0777', sizeBytes: 64 * 1024 ** 2, gid: 2000},
          {path: '/tmp', at: at(41), mode: '0777'}
        ]
      }),
      ...spec({tmpfs: [{path: '/tmp'}, {path: '/run'}]}, {tmpfs: 8})
    ]);
    expect(plan.tmpfs.map(t => ({...t.value, from: describeSource(t.from)}))).toEqual([
      {path: '/run', from: `${SPEC}:8`},
      {path: '/tmp', from: `${SPEC}:8`},
      {path: '/var/cache/nginx', mode: '0777', sizeBytes: 64 * 1024 ** 2, gid: 2000, from: `${K8S}:37 (${WHAT})`}
    ]);
  });
});

describe('planSandbox: capabilities are replayed layer by layer, drops before adds', () => {
  const dropped = (plan: SandboxPlan) => Object.fromEntries(Object.entries(plan.dropped).map(([c, s]) => [c, describeSource(s)]));

  test('a manifest that drops ALL and adds NET_BIND_SERVICE: every other capability is recorded as removed by its drop line', () => {
    const plan = planSandbox([manifest({capDrop: {value: ['ALL'], at: at(33)}, capAdd: {value: ['NET_BIND_SERVICE'], at: at(34)}})]);
    expect(where(plan, 'capabilities')).toEqual({value: ['NET_BIND_SERVICE'], from: `${K8S}:33 (${WHAT})`});
    const drop = `${K8S}:33 (${WHAT})`;
    expect(dropped(plan)).toEqual({
      // NET_RAW was already gone: portgate's default removed it first.
      NET_RAW: DEFAULT,
      ...Object.fromEntries(DEFAULT_CAPS.filter(c => c !== 'NET_BIND_SERVICE').map(c => [c, drop]))
    });
  });

  test('within one layer the drop applies first, whatever order the keys are written in', () => {
    const plan = planSandbox(spec({capAdd: ['CHOWN'], capDrop: ['ALL']}, {capAdd: 4, capDrop: 5}));
    expect(plan.capabilities.value).toEqual(['CHOWN']);
    expect(plan.dropped.CHOWN).toBeUndefined();
  });

  test('a later layer adds back what an earlier one dropped, and the capability is no longer listed as dropped', () => {
    const plan = planSandbox([manifest({capDrop: {value: ['ALL'], at: at(33)}}), ...spec({capAdd: ['CHOWN', 'SETUID', 'SETGID']}, {capAdd: 6})]);
    expect(where(plan, 'capabilities')).toEqual({value: ['CHOWN', 'SETGID', 'SETUID'], from: `${SPEC}:6`});
    expect(Object.keys(plan.dropped)).not.toContain('CHOWN');
    expect(plan.dropped.KILL).toEqual({kind: 'manifest', location: at(33), what: WHAT});
  });

  test('a later layer drops one capability: only that one is attributed to it', () => {
    const plan = planSandbox([manifest({capAdd: {value: ['NET_RAW'], at: at(34)}}), ...spec({capDrop: ['SETUID']}, {capDrop: 6})]);
    expect(plan.capabilities.value).toEqual([...DEFAULT_CAPS.filter(c => c !== 'SETUID'), 'NET_RAW'].sort());
    expect(dropped(plan)).toEqual({SETUID: `${SPEC}:6`});
  });

  test('names are normalised: CAP_ prefix, lower case, spaces', () => {
    const plan = planSandbox(spec({capDrop: ['cap_chown', ' Kill ']}, {capDrop: 4}));
    expect(Object.keys(plan.dropped).sort()).toEqual(['CHOWN', 'KILL', 'NET_RAW']);
  });

  test('dropping a capability that is not in the set records nothing', () => {
    expect(Object.keys(planSandbox(spec({capDrop: ['SYS_ADMIN']})).dropped)).toEqual(['NET_RAW']);
  });

  // prettier-ignore
  test.each([
    ['SYS_ADMIN', 'SYS_ADMIN'],
    ['NET_ADMIN', 'NET_ADMIN'],
    ['SYS_PTRACE', 'SYS_PTRACE'],
    ['CAP_SYS_ADMIN', 'SYS_ADMIN'],
    ['ALL', 'ALL']
  ])('capAdd %s beyond the engine default set is never granted, and a note says so', (raw, name) => {
    const plan = planSandbox([manifest({capDrop: {value: ['ALL'], at: at(33)}, capAdd: {value: [raw, 'NET_BIND_SERVICE'], at: at(34)}})]);
    expect(plan.capabilities.value).toEqual(['NET_BIND_SERVICE']);
    expect(plan.notes).toEqual([
      `capability ${name} (${K8S}:34 (${WHAT})) is not granted: portgate grants at most the engine's default set to an image it does not trust, so this run may differ from production where that capability matters.`
    ]);
  });
});

describe('planSandbox: the strict profile', () => {
  test('`sandbox: strict` in portgate.yml: read-only root, small noexec /tmp, no capabilities, loopback only, each from the profile', () => {
    const plan = planSandbox(spec({sandbox: 'strict'}, {sandbox: 9}));
    expect(where(plan, 'readOnly')).toEqual({value: true, from: STRICT_FROM_SPEC});
    expect(where(plan, 'network')).toEqual({value: 'none', from: STRICT_FROM_SPEC});
    expect(where(plan, 'capabilities')).toEqual({value: [], from: STRICT_FROM_SPEC});
    expect(plan.tmpfs).toEqual([
      {value: {path: '/tmp', mode: '1777', sizeBytes: 64 * 1024 ** 2, noexec: true}, from: {kind: 'profile', profile: 'strict', from: {kind: 'spec', location: {file: SPEC, line: 9, column: 3}}}}
    ]);
    // Limits are not part of the profile.
    expect(where(plan, 'memoryBytes')).toEqual({value: 1024 ** 3, from: DEFAULT});
  });

  test('portgate.yml’s own run: settings override its profile', () => {
    const plan = planSandbox(spec({sandbox: 'strict', readOnly: false, network: 'isolated', capAdd: ['NET_BIND_SERVICE'], tmpfs: [{path: '/tmp'}]}, {sandbox: 9, readOnly: 10, network: 11, capAdd: 12, tmpfs: 13}));
    expect(where(plan, 'readOnly')).toEqual({value: false, from: `${SPEC}:10`});
    expect(where(plan, 'network')).toEqual({value: 'isolated', from: `${SPEC}:11`});
    expect(where(plan, 'capabilities')).toEqual({value: ['NET_BIND_SERVICE'], from: `${SPEC}:12`});
    expect(plan.tmpfs.map(t => ({...t.value, from: describeSource(t.from)}))).toEqual([{path: '/tmp', from: `${SPEC}:13`}]);
  });

  test('the strict profile in portgate.yml overrides the manifest, but keeps the manifest’s emptyDirs elsewhere', () => {
    const plan = planSandbox([
      manifest({readOnly: {value: false, at: at(30)}, tmpfs: [{path: '/var/cache/nginx', at: at(37), mode: '0777'}]}),
      ...spec({sandbox: 'strict'}, {sandbox: 9})
    ]);
    expect(where(plan, 'readOnly')).toEqual({value: true, from: STRICT_FROM_SPEC});
    expect(plan.tmpfs.map(t => `${t.value.path} from ${describeSource(t.from)}`)).toEqual([`/tmp from ${STRICT_FROM_SPEC}`, `/var/cache/nginx from ${K8S}:37 (${WHAT})`]);
  });

  test('`--sandbox strict` is a flag, the highest layer: it overrides portgate.yml’s run: settings', () => {
    const plan = planSandbox([...spec({readOnly: false, capAdd: ['NET_BIND_SERVICE']}, {readOnly: 4, capAdd: 5}), ...flagLayers({sandbox: 'strict'})]);
    expect(where(plan, 'readOnly')).toEqual({value: true, from: 'the strict profile (--sandbox strict)'});
    expect(where(plan, 'capabilities')).toEqual({value: [], from: 'the strict profile (--sandbox strict)'});
    expect(describeSource(plan.dropped.NET_BIND_SERVICE!)).toBe('the strict profile (--sandbox strict)');
  });

  test('`--sandbox strict --network isolated`: the network flag applies on top of the profile', () => {
    const plan = planSandbox(flagLayers({sandbox: 'strict', network: 'isolated'}));
    expect(where(plan, 'network')).toEqual({value: 'isolated', from: '--network isolated'});
    expect(where(plan, 'readOnly')).toEqual({value: true, from: 'the strict profile (--sandbox strict)'});
  });

  test('`sandbox: default` in portgate.yml gives the default values, and outranks a manifest’s hardening', () => {
    const values = (p: ReturnType<typeof planSandbox>) => ({readOnly: p.readOnly.value, network: p.network.value, caps: p.capabilities.value, tmpfs: p.tmpfs.map(t => t.value.path)});
    expect(values(planSandbox(spec({sandbox: 'default'})))).toEqual(values(planSandbox([])));
    const hardened = planSandbox([{source: {kind: 'manifest', location: {file: 'k8s.yaml', line: 3}, what: 'container api'}, settings: {readOnly: true, capDrop: ['ALL']}}, ...spec({sandbox: 'default'})]);
    expect(values(hardened)).toEqual(values(planSandbox([])));
  });

  // Regression (fixed; the defect as found): `--sandbox default` makes no layer (flagLayers keeps only profiles that profileLayer returns, and
  // profileLayer returns undefined for `default`), so it cannot override `sandbox: strict` in portgate.yml,
  // although the CLI help says the flag defaults to the spec's run.sandbox and action.yml says the input
  // "wins over the spec's run.sandbox". src/sandbox/profiles.ts:62-63, src/sandbox/layers.ts:56-59.
  test('`--sandbox default` wins over `sandbox: strict` in portgate.yml', () => {
    const plan = planSandbox([...spec({sandbox: 'strict'}, {sandbox: 9}), ...flagLayers({sandbox: 'default'})]);
    expect(plan.readOnly.value).toBe(false);
    expect(plan.network.value).toBe('isolated');
    expect(plan.capabilities.value).toEqual(DEFAULT_CAPS);
    expect(plan.tmpfs.filter(t => t.value.noexec)).toEqual([]);
  });
});

describe('describeSource', () => {
  const spot = {file: 'deploy/k8s.yaml', line: 23, column: 11};
  // prettier-ignore
  test.each<[string, SettingSource, string]>([
    ['the default',                   {kind: 'default'},                                                             "portgate's default"],
    ['a portgate.yml line',           {kind: 'spec', location: {file: 'ci/portgate.yml', line: 9, column: 3}},       'ci/portgate.yml:9'],
    ['portgate.yml, no line known',   {kind: 'spec'},                                                                'portgate.yml'],
    ['a manifest line and container', {kind: 'manifest', location: spot, what: 'container api of Deployment shop-api'}, 'deploy/k8s.yaml:23 (container api of Deployment shop-api)'],
    ['a flag',                        {kind: 'flag', flag: '--network none'},                                        '--network none'],
    ['a profile named in the spec',   {kind: 'profile', profile: 'strict', from: {kind: 'spec', location: {file: SPEC, line: 4}}}, 'the strict profile (portgate.yml:4)'],
    ['a profile named by a flag',     {kind: 'profile', profile: 'strict', from: {kind: 'flag', flag: '--sandbox strict'}},        'the strict profile (--sandbox strict)']
  ])('%s', (_name, source, text) => {
    expect(describeSource(source)).toBe(text);
  });
});
