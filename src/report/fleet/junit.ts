import type {FleetJsonReport} from '../../fleet/result.js';
import {fromJsonReport} from '../from-json.js';
import {junitAttr as attr, junitSuite, junitText as text} from '../junit.js';

/**
 * The fleet as JUnit XML: one <testsuites> holding a <testsuite> per
 * service, the single-image suite (its cases, properties and counts) named
 * after the service, with its image as a property. GitLab keys a case by
 * suite, classname and name (Gitlab::Ci::Reports::TestCase), so the same
 * port in two services stays two cases. A service that could not be gated
 * is a suite with one errored case (`portgate.service` / `gate`), its message
 * the first line of why.
 */

export const fleetJunit = (r: FleetJsonReport): string => {
  const suites = r.services.map(s => {
    if (s.report) {
      const suite = junitSuite(fromJsonReport(s.report), {}, s.name, [['image', s.image]]);
      return {xml: suite.xml, tests: suite.tests, failures: suite.failures, errors: 0, skipped: suite.skipped};
    }
    const why = s.error ?? 'unknown';
    const counts = `tests="1" failures="0" errors="1" skipped="0" time="${(s.timeMs / 1000).toFixed(3)}"`;
    const xml = [
      `  <testsuite name="${attr(s.name)}" ${counts}>`,
      '    <properties>',
      `      <property name="image" value="${attr(s.image)}"/>`,
      `      <property name="exitCode" value="${s.code}"/>`,
      '    </properties>',
      '    <testcase classname="portgate.service" name="gate">',
      `      <error type="exit-${s.code}" message="${attr(`could not be gated: ${why.split('\n', 1)[0]!}`)}">${text(why)}</error>`,
      '    </testcase>',
      '  </testsuite>'
    ];
    return {xml, tests: 1, failures: 0, errors: 1, skipped: 0};
  });
  const sum = (k: 'tests' | 'failures' | 'errors' | 'skipped') => suites.reduce((n, s) => n + s[k], 0);
  const counts = `tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" skipped="${sum('skipped')}" time="${(r.timing.totalMs / 1000).toFixed(3)}"`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${attr(`portgate fleet ${r.fleet}`)}" ${counts}>`, ...suites.flatMap(s => s.xml), '</testsuites>', ''].join('\n');
};
