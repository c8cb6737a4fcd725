import {spawnSync} from 'node:child_process';
import {accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {toSarif} from '../../../src/report/sarif.js';
import {CWD, FIXTURES, hostileResult, loadResult} from './fixtures.js';

/**
 * Runs Microsoft's SARIF validator (the engine behind sarifweb.azurewebsites.net)
 * on every golden SARIF file and on the hostile result, with the SARIF spec rules plus the GitHub ingestion
 * rules (`--rule-kind "Sarif;Gh;Ghas"`: GH1001 uri present, GH1015 locations,
 * GH2012 rule descriptions…). The validator exits 0 even when it finds problems,
 * so the test reads its output log and requires zero results of any level.
 */

const platformPkg = process.platform === 'win32' ? 'win32' : process.platform === 'darwin' ? 'darwin' : 'linux';
const BIN = join(process.cwd(), 'node_modules', '@microsoft', `sarif-multitool-${platformPkg}`, process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool');

const executable = (): boolean => {
  if (!existsSync(BIN)) return false;
  try {
    accessSync(BIN, constants.X_OK);
  } catch {
    // npm 11 skips install scripts it was not told to allow, so the execute bit can be missing.
    chmodSync(BIN, 0o755);
  }
  return true;
};

interface ValidatorResult {
  ruleId: string;
  level?: string;
  message: {id?: string; text?: string; arguments?: string[]};
}

const dir = mkdtempSync(join(tmpdir(), 'portgate-sarif-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const validate = (name: string, sarif: string): {results: ValidatorResult[]; ok: boolean} => {
  const input = join(dir, `${name}.sarif`);
  const output = join(dir, `${name}.validation.sarif`);
  writeFileSync(input, sarif);
  const p = spawnSync(BIN, ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh;Ghas', '--quiet'], {encoding: 'utf8', timeout: 60_000});
  expect(p.error).toBeUndefined();
  const log = JSON.parse(readFileSync(output, 'utf8'));
  const run = log.runs[0];
  return {results: run.results ?? [], ok: run.invocations?.[0]?.executionSuccessful === true};
};

// The validator ships for linux-x64 (CI's platform): there it must run, never skip silently.
const describeIf = describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64');

describeIf('Sarif.Multitool validate', () => {
  it('the validator binary is installed and executable', () => {
    expect(executable()).toBe(true);
  });

  // The committed goldens are what reviewers read, so those are validated.
  const golden = (n: string) => new URL(`__outputs__/${n}.sarif`, import.meta.url);
  const cases = [
    ...FIXTURES.map(n => [n, readFileSync(golden(n), 'utf8')] as const),
    ['hostile', toSarif(hostileResult(), {cwd: CWD})] as const,
    // The fleet's one run (every service, tool notifications for those not gated), plain and compared with a baseline (baselineState).
    ...['fleet', 'fleet-baseline'].map(n => [n, readFileSync(golden(n), 'utf8')] as const)
  ];

  it.each(cases)('%s: no errors, warnings or notes', (name, sarif) => {
    const {results, ok} = validate(name, sarif);
    expect(ok).toBe(true);
    expect(results.map(r => `${r.ruleId} ${r.level ?? 'warning'} ${r.message.id ?? r.message.text} ${r.message.arguments?.join(' ') ?? ''}`)).toEqual([]);
  }, 60_000);

  // Proof that the test reads real verdicts: a result without locations and a
  // driver without informationUri must be reported.
  it('reports problems it is shown', () => {
    const log = JSON.parse(toSarif(loadResult('failing-service'), {cwd: CWD}));
    delete log.runs[0].tool.driver.informationUri;
    delete log.runs[0].results[0].locations;
    const ids = validate('broken', JSON.stringify(log)).results.map(r => r.ruleId);
    expect(ids).toContain('SARIF2005');
    expect(ids).toContain('GH1015');
  }, 60_000);
});
