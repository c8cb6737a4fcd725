import {describe, expect, test} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {readReport} from '../../../src/report/read.js';
import {FLEET_WRITERS} from '../../../src/report/fleet.js';
import {FORMATS} from '../../../src/report/index.js';
import {CWD, loadResult} from './fixtures.js';
import {fleetFixture} from './fleet-fixtures.js';

const single = FORMATS.json(loadResult('failing-service'), {cwd: CWD});
const fleet = FLEET_WRITERS.json(fleetFixture(), {});
const HINT = 'pass the right file.';

/** The document with one change, as text. */
const edit = (text: string, change: (d: Record<string, unknown>) => void): string => {
  const d = JSON.parse(text) as Record<string, unknown>;
  change(d);
  return JSON.stringify(d);
};

describe('readReport accepts what portgate writes', () => {
  test('a single-image report, as the single-image kind', () => {
    expect(readReport(single, 'main.json', 'single', HINT)).toEqual(JSON.parse(single));
  });
  test('a fleet report, as the fleet kind', () => {
    expect(readReport(fleet, 'main.json', 'fleet', HINT)).toEqual(JSON.parse(fleet));
  });
  test('keys this version does not know (reports only gain keys)', () => {
    expect(() => readReport(edit(single, d => (d.future = {x: 1})), 'main.json', 'single', HINT)).not.toThrow();
  });
});

// prettier-ignore
describe.each([
  ['not JSON',                             'single', 'not json {',                                          /^main\.json is not JSON \(.+\): pass the right file\.$/],
  ['JSON, not a report',                   'single', '{"hello": "world"}',                                  /^main\.json is not a portgate JSON report: pass the right file\.$/],
  ['a list',                               'fleet',  '[]',                                                  /^main\.json is not a portgate JSON report/],
  ['a SARIF log',                          'single', '{"version": "2.1.0", "runs": []}',                     /^main\.json is not a portgate JSON report/],
  ['a fleet report where one image\'s is needed', 'single', fleet,                                          /^main\.json is a fleet report \(`portgate check --fleet`\), but this needs a single-image report \(`portgate check --image`\): pass the right file\.$/],
  ['an image\'s report where a fleet\'s is needed', 'fleet', single,                                        /^main\.json is a single-image report \(`portgate check --image`\), but this needs a fleet report \(`portgate check --fleet`\)/],
  ['another version',                      'single', edit(single, d => (d.version = 2)),                    /^main\.json is a version 2 portgate report; this portgate reads version 1/],
  ['a finding without a rule',             'single', edit(single, d => delete (d.findings as Record<string, unknown>[])[0]!.rule), /^main\.json is not a portgate report this version can read: \$\.findings\[0\]\.rule must be a string\. pass the right file\.$/],
  ['a listener on a string port',          'single', edit(single, d => ((d.listening as Record<string, unknown>[])[0]!.port = '80')), /\$\.listening\[0\]\.port must be a number/],
  ['an unknown severity',                  'single', edit(single, d => ((d.findings as Record<string, unknown>[])[0]!.severity = 'fatal')), /\$\.findings\[0\]\.severity must be one of "error", "warning", "note"/],
  ['a fleet service with a damaged report', 'fleet', edit(fleet, d => ((d.services as {report?: {findings: unknown}}[]).find(s => s.report)!.report!.findings = {})), /\$\.services\[\d\]\.report\.findings must be a list/],
  ['a fleet service without a name',       'fleet',  edit(fleet, d => delete (d.services as Record<string, unknown>[])[0]!.name), /\$\.services\[0\]\.name must be a string/]
] as const)('readReport refuses %s', (_name, want, text, message) => {
  test('with an input error naming the file', () => {
    expect(() => readReport(text, 'main.json', want, HINT)).toThrow(InputError);
    expect(() => readReport(text, 'main.json', want, HINT)).toThrow(message);
  });
});
