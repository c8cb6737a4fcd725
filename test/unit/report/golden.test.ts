import {describe, expect, it} from 'vitest';
import pkg from '../../../package.json' with {type: 'json'};
import {EXTENSIONS, FORMATS, FORMAT_NAMES} from '../../../src/report/index.js';
import {CWD, FIXTURES, loadResult} from './fixtures.js';

// Every format × fixture is rendered into __outputs__/ so reviewers read the
// real output in diffs. Regenerate with `npx vitest run --project unit test/unit/report -u`.
// The tool version is masked so a release does not rewrite every SARIF file.
const mask = (s: string): string => s.replaceAll(`"${pkg.version}"`, '"0.0.0-test"');

describe.each(FIXTURES)('%s', fixture => {
  it.each(FORMAT_NAMES)('%s', async format => {
    const out = FORMATS[format](loadResult(fixture), {cwd: CWD});
    await expect(mask(out)).toMatchFileSnapshot(`__outputs__/${fixture}${EXTENSIONS[format]}`);
  });
});
