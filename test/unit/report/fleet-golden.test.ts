import {describe, expect, it} from 'vitest';
import pkg from '../../../package.json' with {type: 'json'};
import {compareFleet} from '../../../src/baseline/fleet.js';
import {FLEET_WRITERS} from '../../../src/report/fleet.js';
import {EXTENSIONS, FORMATS, FORMAT_NAMES} from '../../../src/report/index.js';
import {baselineFixture, FLEET_CWD, fleetFixture, singleBaseline} from './fleet-fixtures.js';

// Every fleet format is rendered into __outputs__/ so reviewers read the real
// output in diffs. Regenerate with `npx vitest run --project unit test/unit/report -u`.
const mask = (s: string): string => s.replaceAll(`"${pkg.version}"`, '"0.0.0-test"');

describe('fleet', () => {
  it.each(FORMAT_NAMES)('%s', async format => {
    await expect(mask(FLEET_WRITERS[format](fleetFixture(), {}))).toMatchFileSnapshot(`__outputs__/fleet${EXTENSIONS[format]}`);
  });
});

describe('fleet compared with a baseline', () => {
  it.each(['text', 'markdown', 'sarif', 'json'] as const)('%s', async format => {
    const r = compareFleet(fleetFixture(), baselineFixture(), 'main.json');
    await expect(mask(FLEET_WRITERS[format](r, {}))).toMatchFileSnapshot(`__outputs__/fleet-baseline${EXTENSIONS[format]}`);
  });
});

describe('one image compared with a baseline', () => {
  it.each(['text', 'markdown', 'json'] as const)('%s', async format => {
    await expect(mask(FORMATS[format](singleBaseline(), {cwd: FLEET_CWD}))).toMatchFileSnapshot(`__outputs__/baseline${EXTENSIONS[format]}`);
  });
});
