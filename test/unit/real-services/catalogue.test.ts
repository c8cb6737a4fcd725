import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {REAL_SERVICES} from '../../helpers/real-services.js';

const servicesDir = new URL('../../real-services/services/', import.meta.url);

describe('real-services catalogue', () => {
  it('has exactly one entry per services/<name>/Dockerfile', () => {
    const folders = readdirSync(servicesDir).filter(d => existsSync(new URL(`${d}/Dockerfile`, servicesDir)));
    expect(REAL_SERVICES.map(s => s.name).sort()).toEqual(folders.sort());
  });

  it('lists what each Dockerfile EXPOSEs (groundTruth waits for these)', () => {
    for (const s of REAL_SERVICES) {
      const dockerfile = readFileSync(new URL(`${s.name}/Dockerfile`, servicesDir), 'utf8');
      const exposed = [...dockerfile.matchAll(/^EXPOSE (.+)$/gm)].flatMap(m => m[1].trim().split(/\s+/)).map(p => (p.includes('/') ? p : `${p}/tcp`));
      expect([s.name, ...exposed]).toEqual([s.name, ...s.exposes]);
    }
  });

  it('names images as build.sh tags them', () => {
    for (const s of REAL_SERVICES) expect(s.image).toBe(`portgate-real-${s.name}:test`);
  });
});
