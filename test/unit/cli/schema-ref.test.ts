import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {localSchemaRef, specDir} from '../../../src/cli/schema-ref.js';

describe('localSchemaRef', () => {
  test("the project's installed copy beside the spec, as a relative path", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-schema-'));
    mkdirSync(join(dir, 'node_modules/portgate/schema'), {recursive: true});
    writeFileSync(join(dir, 'node_modules/portgate/schema/portgate.schema.json'), '{}');
    expect(localSchemaRef(dir)).toBe('./node_modules/portgate/schema/portgate.schema.json');
  });

  test('none without one (a global install or a clone elsewhere is never written)', () => {
    expect(localSchemaRef(mkdtempSync(join(tmpdir(), 'pg-schema-')))).toBeUndefined();
  });

  test("the spec's directory: --output's, else the working directory", () => {
    expect(specDir('/srv/app/portgate.yml')).toBe('/srv/app');
    expect(specDir(undefined)).toBe(process.cwd());
  });
});
