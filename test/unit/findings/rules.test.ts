import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {RISKY_PORTS} from '../../../src/compare/risky-ports.js';
import {DOCS_URL, GRADES, RISK_GRADES, RULES, gradeOf, helpUri, type Grade} from '../../../src/findings/rules.js';
import type {RiskCategory, Severity} from '../../../src/model.js';
import {INFORMATION_URI, toSarifLog} from '../../../src/report/sarif.js';
import {loadResult} from '../report/fixtures.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The README section under a `### Heading` whose GitHub/npm anchor is `anchor`, up to the next heading of any level. */
const section = (anchor: string): string => {
  const lines = README.split('\n');
  const slug = (h: string) => h.replace(/^#+\s*/, '').toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
  const start = lines.findIndex(l => /^#{2,4} /.test(l) && slug(l) === anchor);
  expect(start, `README heading for #${anchor}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && /^#{1,4} /.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
};

describe('catalogue', () => {
  test.each(Object.values(RULES))('$id has a title, what it means, how to fix it, true tags and a grade', m => {
    expect(m.title.length).toBeGreaterThan(5);
    expect(m.description).toMatch(/\.$/);
    expect(m.fix).toMatch(/^[A-Z`].*\.$/);
    expect(m.tags.length).toBeGreaterThan(0);
    expect(GRADES).toContain(m.grade);
  });

  test('helpUri is the README section documenting the rule, on the npm page SARIF names as informationUri', () => {
    expect(INFORMATION_URI).toBe(DOCS_URL);
    for (const m of Object.values(RULES)) {
      expect(helpUri(m)).toBe(`${DOCS_URL}#${m.docs}`);
      expect(section(m.docs), `${m.id} in README #${m.docs}`).toContain(`| \`${m.id}\` |`);
    }
  });

  test('tags tell security findings from correctness and configuration ones', () => {
    const tagged = (id: keyof typeof RULES) => RULES[id].tags as readonly string[];
    expect(tagged('container-exited')).not.toContain('security');
    expect(tagged('declared-not-listening')).toEqual(['correctness']);
    expect(tagged('risky-port')).toContain('security');
    expect(tagged('expose-host-part-ignored')).toEqual(['configuration']);
  });
});

describe('SARIF rule descriptors', () => {
  const rules = toSarifLog(loadResult('failing-service')).runs[0]!.tool.driver.rules;

  test('carry helpUri, a help that says how to fix, and security-severity only on security rules', () => {
    for (const r of rules) {
      const m = RULES[r.id as keyof typeof RULES];
      expect(r.helpUri).toBe(helpUri(m));
      expect(r.help.text).toBe(`${m.description} How to fix: ${m.fix}`);
      expect(r.properties.tags).toEqual([...m.tags]);
      expect('security-severity' in r.properties).toBe(m.tags.includes('security' as never));
    }
    expect(rules.map(r => r.id)).toContain('declared-not-listening');
  });
});

describe('gradeOf: Code Quality severity from one table', () => {
  test('risky-port is graded by its catalog category, and every category has a grade', () => {
    const categories = new Set<RiskCategory>(RISKY_PORTS.map(r => r.category));
    expect(Object.keys(RISK_GRADES).sort()).toEqual([...categories].sort());
    const risky = (category: RiskCategory) => gradeOf({rule: 'risky-port', severity: 'error', category});
    expect([risky('debug'), risky('container-runtime'), risky('remote-admin'), risky('cleartext')]).toEqual(['blocker', 'blocker', 'critical', 'major']);
  });

  // prettier-ignore
  test.each<[string, Severity, Grade]>([
    ['risky-port',                   'error',   'critical'],
    ['bound-to-loopback',            'error',   'major'],
    ['undeclared-loopback-listener', 'warning', 'info'],
    ['k8s-external-sensitive-port',  'warning', 'major'],
    ['risky-port',                   'note',    'info'],
    ['some-future-rule',             'error',   'major'],
    ['some-future-rule',             'warning', 'minor']
  ])('%s at %s → %s (a warning override caps at major, a note is info)', (rule, severity, grade) => {
    expect(gradeOf({rule, severity})).toBe(grade);
  });
});
