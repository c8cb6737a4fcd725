import {describe, expect, test} from 'vitest';
import {flagLayers, planSandbox, summarizePlan} from '../../../src/sandbox/index.js';
import {at, DEFAULT_CAPS, K8S, manifest, spec, SPEC, WHAT} from './build.js';

const rows = (plan: ReturnType<typeof planSandbox>) => summarizePlan(plan).map(s => `${s.setting}=${s.value} <${s.from}>${s.isDefault ? ' (default)' : ''}`);

describe('summarizePlan', () => {
  test('the defaults: one row per setting, each marked as portgate’s default', () => {
    expect(rows(planSandbox([]))).toEqual([
      "readOnly=false <portgate's default> (default)",
      `capabilities=${DEFAULT_CAPS.join(' ')} (without NET_RAW) <portgate's default> (default)`,
      "network=isolated <portgate's default> (default)",
      "memory=1g <portgate's default> (default)",
      "pids=512 <portgate's default> (default)"
    ]);
  });

  test('a deployment and a spec: commands as JSON, env names grouped by source (values never shown), tmpfs per path', () => {
    const plan = planSandbox([
      manifest({
        entrypoint: {value: ['/app/server'], at: at(14)},
        command: {value: ['--config', '/etc/api/my conf.yaml'], at: at(15)},
        env: [{name: 'PORT', value: '8080', at: at(18)}, {name: 'DB_PASSWORD', value: 's3cret', at: at(20)}],
        runAsUser: {value: 1000, at: at(29)},
        readOnly: {value: true, at: at(30)},
        capDrop: {value: ['ALL'], at: at(33)},
        capAdd: {value: ['NET_BIND_SERVICE'], at: at(34)},
        tmpfs: [{path: '/var/cache/nginx', at: at(37), mode: '0777'}]
      }),
      ...spec({env: {LOG_LEVEL: 'debug', API_TOKEN: 'xyz'}, memoryBytes: 1.5 * 1024 ** 3, pids: 128}, {env: 5, memoryBytes: 6, pids: 7})
    ]);
    const m = `${K8S}:`;
    expect(rows(plan)).toEqual([
      `entrypoint=["/app/server"] <${m}14 (${WHAT})>`,
      `command=["--config","/etc/api/my conf.yaml"] <${m}15 (${WHAT})>`,
      `env=DB_PASSWORD, PORT <${m}18 (${WHAT})>`,
      `env=API_TOKEN, LOG_LEVEL <${SPEC}:5>`,
      `user=1000 <${m}29 (${WHAT})>`,
      `readOnly=true <${m}30 (${WHAT})>`,
      `tmpfs=/var/cache/nginx <${m}37 (${WHAT})>`,
      `capabilities=NET_BIND_SERVICE (without ${[...DEFAULT_CAPS.filter(c => c !== 'NET_BIND_SERVICE'), 'NET_RAW'].sort().join(' ')}) <${m}33 (${WHAT})>`,
      "network=isolated <portgate's default> (default)",
      `memory=1536m <${SPEC}:6>`,
      `pids=128 <${SPEC}:7>`
    ]);
    expect(JSON.stringify(summarizePlan(plan))).not.toMatch(/s3cret|xyz|debug/);
  });

  test('every capability dropped reads `none`', () => {
    const caps = summarizePlan(planSandbox(flagLayers({sandbox: 'strict'}))).find(s => s.setting === 'capabilities')!;
    expect(caps.value).toMatch(/^none \(without AUDIT_WRITE CHOWN .* SYS_CHROOT\)$/);
    expect(caps).toMatchObject({from: 'the strict profile (--sandbox strict)', isDefault: false});
  });

  // prettier-ignore
  test.each([
    [512 * 1024 ** 2, '512m'],
    [2 * 1024 ** 3,   '2g'],
    [1.5 * 1024 ** 3, '1536m'],
    [100 * 1024 ** 2, '100m']
  ])('memory %d bytes reads %s', (bytes, text) => {
    expect(summarizePlan(planSandbox(spec({memoryBytes: bytes}))).find(s => s.setting === 'memory')!.value).toBe(text);
  });
});
