import {describe, expect, test} from 'vitest';
import {discoverServices, skippedFolder} from '../../../src/fleet/discover.js';

describe('services: auto', () => {
  test('dependencies, VCS data and hidden folders (tool state that copies the repository) are not services', () => {
    const files = [
      'services/api/portgate.yml',
      'services/api/Dockerfile',
      'services/web/portgate.yml',
      // gitlab-ci-local keeps a copy of the repository here: api and web would be found twice, under path names.
      '.gitlab-ci-local/builds/.docker/services/api/portgate.yml',
      'node_modules/some-lib/portgate.yml',
      'vendor/x/portgate.yml',
      '.venv/lib/portgate.yml'
    ];
    const found = discoverServices(files, 'registry.example.com/shop/${SERVICE}:ci');
    expect(found.map(s => [s.name, s.spec, s.dockerfile])).toEqual([
      ['api', 'services/api/portgate.yml', 'services/api/Dockerfile'],
      ['web', 'services/web/portgate.yml', undefined]
    ]);
  });

  test('which folder names are skipped', () => {
    for (const name of ['node_modules', 'vendor', '.git', '.gitlab-ci-local', '.cache']) expect(skippedFolder(name), name).toBe(true);
    for (const name of ['services', 'api', 'portgate.d', '.']) expect(skippedFolder(name), name).toBe(false);
  });
});
