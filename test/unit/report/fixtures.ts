import {readFileSync} from 'node:fs';
import type {GateResult} from '../../../src/model.js';

/** The GateResult fixtures every report test renders, by file name. */
export const FIXTURES = ['passing', 'failing-service', 'crashed', 'no-spec', 'accepted'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export const loadResult = (name: FixtureName): GateResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results/${name}.json`, import.meta.url), 'utf8')) as GateResult;

/** The checkout root the absolute paths in passing.json live under. */
export const CWD = '/src/shop/services/web';

/**
 * Everything a writer must survive, built in code rather than kept as a golden:
 * paths outside the checkout with spaces and `#`, hostile process names and
 * messages (escapes, HTML, mentions, pipes, NUL), repeated fingerprints, a rule
 * this version does not know, a port without a protocol, and backtick fences
 * in the container logs.
 */
export const hostileResult = (): GateResult => {
  const evil = 'x\u001b]0;pwned\u0007 <script>alert(1)</script> & "q" \'a\' ]]> | @admin `tick` \u0000end';
  const dockerfile = '/outside/build dir/Dock#erfile';
  return {
    version: 1,
    verdict: 'fail',
    image: 'localhost:5000/edge/app:v1@sha256:0123abcd',
    failOn: 'warning',
    dockerfile,
    spec: `${CWD}/specs/port gate.yml`,
    exposed: [{port: 80, protocol: 'tcp', origin: 'dockerfile', location: {file: dockerfile, line: 3, column: 8}}],
    listening: [
      {port: 80, protocol: 'tcp', address: '::', family: 'ipv6', scope: 'wildcard', process: {pid: 7, name: evil, command: evil}},
      {port: 80, protocol: 'tcp', address: '0.0.0.0', family: 'ipv4', scope: 'wildcard'}
    ],
    declared: [{port: 443, protocol: 'tcp', exposure: 'public', name: evil, location: {file: `${CWD}/specs/port gate.yml`, line: 2}}],
    findings: [
      {rule: 'exposed-not-declared', severity: 'error', port: 80, protocol: 'tcp', message: `first ${evil}\nsecond line`, location: {image: 'x'}},
      {rule: 'exposed-not-declared', severity: 'error', port: 80, protocol: 'tcp', message: 'same rule, file and port', location: {image: 'x'}},
      {rule: 'future-rule', severity: 'note', message: 'a rule this writer does not know', suppressed: {reason: `accepted: ${evil}`, until: '2099-12-31', location: {file: `${CWD}/specs/port gate.yml`, line: 7, column: 5}}},
      {rule: 'risky-port', severity: 'warning', port: 2375, message: 'port without protocol', location: {file: dockerfile, line: 9}}
    ],
    container: {exited: true, exitCode: 137, logs: 'before\n```\nfenced ```` text\n```\nafter\u001b[0m\n', timedOut: false, reader: 'host', trusted: true},
    timing: {totalMs: 1}
  };
};

/** The same result with every array reversed: writers must not depend on input order. */
export const reversed = (r: GateResult): GateResult => ({
  ...r,
  exposed: [...r.exposed].reverse(),
  listening: [...r.listening].reverse(),
  declared: [...r.declared].reverse(),
  findings: [...r.findings].reverse(),
  timing: Object.fromEntries(Object.entries(r.timing).reverse()) as GateResult['timing']
});
