import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {main, type Io} from '../../../src/cli/main.js';
import {compareFleet} from '../../../src/baseline/fleet.js';
import {fleetReport, type FleetJsonReport} from '../../../src/fleet/result.js';
import {FLEET_WRITERS} from '../../../src/report/fleet.js';
import {FORMATS} from '../../../src/report/index.js';
import {baselineFixture, fleetFixture} from '../report/fleet-fixtures.js';
import {loadResult} from '../report/fixtures.js';

/** `merge` and `--baseline` through the CLI's own entry point; nothing here needs the engine. */
const run = async (argv: string[]) => {
  const out = {stdout: '', stderr: ''};
  const io: Io = {stdout: s => (out.stdout += s), stderr: s => (out.stderr += s), isTty: false};
  return {code: await main(argv, io), ...out};
};

const dir = mkdtempSync(join(tmpdir(), 'portgate-baseline-cli-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const whole = fleetFixture();
const part = (names: string[], totalMs: number): FleetJsonReport => fleetReport(whole.services.filter(s => names.includes(s.name)), {failOn: whole.failOn, fleet: whole.fleet, totalMs});
const JOB1 = file('shard-01.json', FLEET_WRITERS.json(part(['billing', 'edge', 'gateway', 'orders'], whole.timing.totalMs), {}));
const JOB2 = file('shard-02.json', FLEET_WRITERS.json(part(['proxy', 'search', 'web', 'worker'], 1_000), {}));
const MAIN = file('main.json', FLEET_WRITERS.json(baselineFixture(), {}));
const SINGLE = file('single.json', FORMATS.json(loadResult('passing'), {}));
const FLEET_FILE = file('portgate.fleet.yml', 'version: 1\nservices:\n  - name: api\n    image: api:1\n');

describe('portgate merge', () => {
  it('writes the merged fleet in every format asked, exit 3 as its worst service (search); --baseline compares it', async () => {
    const r = await run(['merge', JOB1, JOB2, '--baseline', MAIN, '--output', join(dir, 'merged.txt'), '--report', `json=${join(dir, 'merged.json')}`, '--report', `markdown=${join(dir, 'merged.md')}`]);
    expect([r.code, r.stdout, r.stderr]).toEqual([3, '', '']);
    const expected = compareFleet(whole, baselineFixture(), MAIN);
    expect(readFileSync(join(dir, 'merged.txt'), 'utf8')).toBe(FLEET_WRITERS.text(expected, {}));
    expect(JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8'))).toEqual(expected);
    const md = readFileSync(join(dir, 'merged.md'), 'utf8');
    expect(md).toBe(FLEET_WRITERS.markdown(expected, {fullReport: join(dir, 'merged.json')}));
    expect(md).toContain(`**Compared with \`${MAIN}\`**: 15 new, 2 resolved.`);
  });

  // prettier-ignore
  it.each([
    ['a single-image report as --baseline', [JOB1, '--baseline', SINGLE], new RegExp(`^portgate: ${SINGLE.replaceAll('/', '\\/')} is a single-image report \\(\`portgate check --image\`\\), but this needs a fleet report \\(\`portgate check --fleet\`\\): give --baseline the JSON report of an earlier run of this fleet`)],
    ['a baseline that is not JSON',         [JOB1, '--baseline', FLEET_FILE], /portgate\.fleet\.yml is not JSON/],
    ['a missing baseline file',             [JOB1, '--baseline', join(dir, 'nope.json')], /cannot read the baseline report .*nope\.json: ENOENT/],
    ['an empty --baseline (an unset variable)', [JOB1, '--baseline', ''], /--baseline is empty/],
    ['a single-image report as a job report', [SINGLE], /single\.json is a single-image report .* but this needs a fleet report/]
  ])('exit 2 for %s, naming the file', async (_name, args, message) => {
    const r = await run(['merge', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('portgate check --baseline: the kind of report is checked before anything runs', () => {
  // prettier-ignore
  it.each([
    ['a fleet report for one image', ['check', '--image', 'api:2', '--baseline', MAIN], new RegExp(`${MAIN.replaceAll('/', '\\/')} is a fleet report .* but this needs a single-image report .*: give --baseline the JSON report of an earlier run of this image`)],
    ['an image\'s report for a fleet', ['check', '--fleet', FLEET_FILE, '--baseline', SINGLE], /single\.json is a single-image report .* but this needs a fleet report/],
    ['a file that is not a report', ['check', '--image', 'api:2', '--baseline', FLEET_FILE], /portgate\.fleet\.yml is not JSON/],
    ['an empty --baseline', ['check', '--image', 'api:2', '--baseline', ''], /--baseline is empty/]
  ])('exit 2 for %s', async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
