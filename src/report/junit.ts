import type {Finding, GateResult} from '../model.js';
import {isSourceLocation} from '../model.js';
import {describeLocation, failsGate, relPath, sanitize, type WriterOptions} from './common.js';
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
 * three views, go to <system-out> of the same case. No timestamps or host
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

const caseXml = (c: Case, r: GateResult, cwd: string | undefined): {xml: string; failed: boolean} => {
  const failing = c.findings.filter(f => failsGate(f.severity, r.failOn));
  const passing = c.findings.filter(f => !failsGate(f.severity, r.failOn));
  const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}"`;
  const out = [c.out, ...passing.map(f => describe(f, r, cwd))].filter(Boolean).join('\n\n');
  if (!failing.length && !out) return {xml: `${open}/>`, failed: false};
  const body = [
    ...(failing.length
      ? [
          `      <failure type="${attr(failing[0]!.rule)}" message="${attr(failing[0]!.message.split('\n', 1)[0]!)}">` +
            `${text(failing.map(f => describe(f, r, cwd)).join('\n\n'))}</failure>`
        ]
      : []),
    ...(out ? [`      <system-out>${text(out)}</system-out>`] : [])
  ];
  return {xml: [`${open}>`, ...body, '    </testcase>'].join('\n'), failed: failing.length > 0};
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

export const toJunit = (r: GateResult, opts: WriterOptions): string => {
  const rendered = cases(r).map(c => caseXml(c, r, opts.cwd));
  const failures = rendered.filter(c => c.failed).length;
  const counts = `tests="${rendered.length}" failures="${failures}" errors="0" skipped="0" time="${(r.timing.totalMs / 1000).toFixed(3)}"`;
  const props: [string, string | undefined][] = [
    ['verdict', r.verdict],
    ['failOn', r.failOn],
    ['dockerfile', r.dockerfile && relPath(r.dockerfile, opts.cwd)],
    ['spec', r.spec && relPath(r.spec, opts.cwd)]
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="portgate" ${counts}>`,
    `  <testsuite name="${attr(`portgate ${r.image}`)}" ${counts}>`,
    '    <properties>',
    ...props.flatMap(([k, v]) => (v === undefined ? [] : [`      <property name="${k}" value="${attr(v)}"/>`])),
    '    </properties>',
    ...rendered.map(c => c.xml),
    '  </testsuite>',
    '</testsuites>',
    ''
  ].join('\n');
};
