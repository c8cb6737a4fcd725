import type {FleetJsonReport} from '../fleet/result.js';
import {describeCounts, describeFailOn} from './common.js';
import {safeLine} from './sanitize.js';
import type {Format} from './index.js';

// Filled in below as each fleet writer lands; until then a clear refusal.
const unsupported = (f: string) => (): string => {
  throw new Error(`the ${f} format for fleets is not written yet`);
};

/**
 * The fleet's writers. Every one of them renders from the fleet's JSON
 * document, so a run split over CI jobs and merged (`portgate merge`) prints
 * what the one-machine run would have printed.
 */

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const pad = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)));
  return rows.map(r => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
};

const errorsOf = (s: FleetJsonReport['services'][number]) => (s.report?.findings ?? []).filter(f => !('suppressed' in f) && f.severity === 'error').length;
const warningsOf = (s: FleetJsonReport['services'][number]) => (s.report?.findings ?? []).filter(f => !('suppressed' in f) && f.severity === 'warning').length;

/** The summary table and, for each service that failed or could not be gated, why. */
export const fleetText = (r: FleetJsonReport): string => {
  const rows = [['SERVICE', 'IMAGE', 'VERDICT', 'ERRORS', 'WARNINGS', 'TIME']];
  for (const s of r.services) rows.push([s.name, safeLine(s.image), s.status === 'error' ? `error (exit ${s.code})` : s.status, String(errorsOf(s)), String(warningsOf(s)), seconds(s.timeMs)]);
  const lines = [`portgate fleet ${r.fleet}: ${r.summary.services} services`, '', ...pad(rows)];
  for (const s of r.services.filter(x => x.status !== 'pass')) {
    lines.push('', `${s.name} (${safeLine(s.image)}): ${s.status === 'error' ? 'could not be gated' : 'fails'}`);
    if (s.error) lines.push(...safeLine(s.error).split(' ⏎ ').map(l => `  ${l}`));
    for (const f of (s.report?.findings ?? []).filter(x => !('suppressed' in x))) {
      const where = f.location && 'file' in f.location ? `${f.location.file}:${f.location.line}` : '(image)';
      lines.push(`  ${where}  ${f.rule}${f.port !== undefined ? `  ${f.port}/${f.protocol}` : ''}`, `      ${safeLine(f.message)}`);
    }
  }
  const word = r.verdict === 'pass' ? 'PASS' : 'FAIL';
  lines.push('', `${word} fleet: ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.errors} could not be gated; ${describeCounts(r.summary.findings)} (gate ${describeFailOn(r.failOn)})`);
  return `${lines.join('\n')}\n`;
};

export const fleetJson = (r: FleetJsonReport): string => `${JSON.stringify(r, null, 2)}\n`;

/** Every format, from the fleet document. */
export const FLEET_WRITERS: Record<Format, (r: FleetJsonReport, opts: {cwd?: string}) => string> = {
  text: r => fleetText(r),
  json: r => fleetJson(r),
  markdown: unsupported('markdown'),
  sarif: unsupported('sarif'),
  'gitlab-codequality': unsupported('gitlab-codequality'),
  junit: unsupported('junit')
};
