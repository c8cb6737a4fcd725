import type {Finding, GateResult} from '../model.js';
import {isSourceLocation} from '../model.js';
import {describeLocation, describeSuppression, failsGate, relPath, sanitize, type WriterOptions} from './common.js';
import {otherFindings, portCells, portRows} from './table.js';

/**
 * JUnit XML for GitLab `artifacts:reports:junit` (and any JUnit viewer).
 * https://docs.gitlab.com/ci/testing/unit_test_reports/
 *
 * One <testsuite> "portgate <image>"; one <testcase classname="portgate.ports"
 * name="8080/tcp"> per row of the port table, whether or not it has findings,
 * so that GitLab can report a port as newly failed *and* as fixed; plus one
 * <testcase classname="portgate.image" name="<rule>"> per finding that names no
 * port (container-exited, untrusted-reader…).
 *
 * A case fails exactly when it has a finding at or above the gate's `failOn`
 * (so the test report agrees with the exit code; `never` means nothing fails):
 * one <failure> whose message is the worst finding's first line and whose body
 * lists every failing finding. Findings below the threshold, and the row's
 * three views, go to <system-out> of the same case. A case whose findings
 * an `accept:` entry suppressed, and nothing fails, is <skipped> with the
 * entry's reason (the findings are in <system-out>). No timestamps or host
 * names: output is deterministic. GitLab deduplicates same classname+name, so
 * repeated rule names get " #2", " #3".
 */

// Attribute values also escape tab/newline, which attribute normalisation would turn into spaces.
const attr = (s: string): string =>
  sanitize(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\n', '&#10;')
    .replaceAll('\t', '&#9;');
const text = (s: string): string => sanitize(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const describe = (f: Finding, r: GateResult, cwd: string | undefined): string => {
  const where = !f.location ? '' : isSourceLocation(f.location) ? ` at ${describeLocation(f.location, r, cwd)}` : ` ${describeLocation(f.location, r, cwd)}`;
  return `[${f.severity}] ${f.rule}${where}\n${f.message}`;
};

interface Case {
  classname: string;
  name: string;
  findings: Finding[];
  /** Context printed first in <system-out>. */
  out?: string;
}

const caseXml = (c: Case, r: GateResult, cwd: string | undefined): {xml: string; failed: boolean; skipped: boolean} => {
  const active = c.findings.filter(f => !f.suppressed);
  const suppressed = c.findings.filter(f => f.suppressed);
  const failing = active.filter(f => failsGate(f.severity, r.failOn));
  const passing = active.filter(f => !failsGate(f.severity, r.failOn));
  // Nothing fails and an `accept:` entry suppressed something: the case is skipped, saying why.
  const skipped = !failing.length && suppressed.length > 0;
  const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}"`;
  const out = [c.out, ...passing.map(f => describe(f, r, cwd)), ...suppressed.map(f => `${describe(f, r, cwd)}\n(suppressed: ${describeSuppression(f, cwd)})`)]
    .filter(Boolean)
    .join('\n\n');
  if (!failing.length && !skipped && !out) return {xml: `${open}/>`, failed: false, skipped: false};
  const body = [
    ...(failing.length
      ? [
          `      <failure type="${attr(failing[0]!.rule)}" message="${attr(failing[0]!.message.split('\n', 1)[0]!)}">` +
            `${text(failing.map(f => describe(f, r, cwd)).join('\n\n'))}</failure>`
        ]
      : []),
    ...(skipped ? [`      <skipped message="${attr(`suppressed: ${suppressed[0]!.rule}, ${describeSuppression(suppressed[0]!, cwd)}`)}"/>`] : []),
    ...(out ? [`      <system-out>${text(out)}</system-out>`] : [])
  ];
  return {xml: [`${open}>`, ...body, '    </testcase>'].join('\n'), failed: failing.length > 0, skipped};
};

const cases = (r: GateResult): Case[] => {
  const ports: Case[] = portRows(r).map(row => {
    const c = portCells(row, r.container !== undefined);
    return {
      classname: 'portgate.ports',
      name: row.key,
      findings: row.findings,
      out: `EXPOSE: ${c.expose}; listening: ${c.listening}; spec: ${c.spec}`
    };
  });
  const seen = new Map<string, number>();
  const image: Case[] = otherFindings(r).map(f => {
    const n = (seen.get(f.rule) ?? 0) + 1;
    seen.set(f.rule, n);
    return {classname: 'portgate.image', name: n === 1 ? f.rule : `${f.rule} #${n}`, findings: [f]};
  });
  return [...ports, ...image];
};

/** One `<testsuite>` and its counts; `name` defaults to `portgate <image>` (a fleet names it after the service and adds `props`). */
export const junitSuite = (r: GateResult, opts: WriterOptions, name = `portgate ${r.image}`, props: [string, string][] = []) => {
  const rendered = cases(r).map(c => caseXml(c, r, opts.cwd));
  const tests = rendered.length;
  const failures = rendered.filter(c => c.failed).length;
  const skipped = rendered.filter(c => c.skipped).length;
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${(r.timing.totalMs / 1000).toFixed(3)}"`;
  const all: [string, string | undefined][] = [
    ...props,
    ['verdict', r.verdict],
    ['failOn', r.failOn],
    ['dockerfile', r.dockerfile && relPath(r.dockerfile, opts.cwd)],
    ['spec', r.spec && relPath(r.spec, opts.cwd)]
  ];
  const xml = [
    `  <testsuite name="${attr(name)}" ${counts}>`,
    '    <properties>',
    ...all.flatMap(([k, v]) => (v === undefined ? [] : [`      <property name="${k}" value="${attr(v)}"/>`])),
    '    </properties>',
    ...rendered.map(c => c.xml),
    '  </testsuite>'
  ];
  return {xml, counts, tests, failures, skipped};
};

export const junitAttr = attr;
export const junitText = text;

export const toJunit = (r: GateResult, opts: WriterOptions): string => {
  const suite = junitSuite(r, opts);
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="portgate" ${suite.counts}>`, ...suite.xml, '</testsuites>', ''].join('\n');
};
