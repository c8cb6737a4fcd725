import {describe, expect, test} from 'vitest';
import {evaluate, verdictOf} from '../../../src/compare/evaluate.js';
import {applySuppressions, matches} from '../../../src/findings/suppress.js';
import type {Acceptance, Finding} from '../../../src/model.js';
import {declare, expose, inherited, input, listen} from '../compare/build.js';

const at = (line: number) => ({file: 'portgate.yml', line, column: 5});
const entry = (o: Partial<Acceptance>): Acceptance => ({rule: 'exposed-not-declared', reason: 'base image', location: at(20), ...o});
const f = (o: Partial<Finding>): Finding => ({rule: 'exposed-not-declared', severity: 'error', port: 9000, protocol: 'tcp', message: 'm', location: {file: 'Dockerfile', line: 1}, ...o});

describe('matches: rule + port/protocol (+ file)', () => {
  // prettier-ignore
  test.each<[string, Partial<Acceptance>, Partial<Finding>, boolean]>([
    ['same rule and port',                     {ports: [9000, 9000], protocol: 'tcp'}, {},                                              true],
    ['another rule',                           {ports: [9000, 9000], protocol: 'tcp'}, {rule: 'risky-port'},                            false],
    ['another port',                           {ports: [9000, 9000], protocol: 'tcp'}, {port: 9001},                                    false],
    ['another protocol',                       {ports: [9000, 9000], protocol: 'udp'}, {},                                              false],
    ['inside a range',                         {ports: [8000, 9999], protocol: 'tcp'}, {},                                              true],
    ['no port: only findings that name none',  {},                                     {},                                              false],
    ['no port, finding without a port',        {rule: 'k8s-host-network'},             {rule: 'k8s-host-network', port: undefined, protocol: undefined}, true],
    ['in the named file',                      {rule: 'k8s-target-port-omitted', ports: [80, 80], protocol: 'tcp', file: './deploy/k8s.yaml'}, {rule: 'k8s-target-port-omitted', port: 80, location: {file: 'deploy/k8s.yaml', line: 3}}, true],
    ['in the named file, absolute path',       {rule: 'k8s-target-port-omitted', ports: [80, 80], protocol: 'tcp', file: 'deploy/k8s.yaml'}, {rule: 'k8s-target-port-omitted', port: 80, location: {file: '/home/runner/work/app/deploy/k8s.yaml', line: 3}}, true],
    ['in another file with the same end',      {rule: 'k8s-target-port-omitted', ports: [80, 80], protocol: 'tcp', file: 'k8s.yaml'}, {rule: 'k8s-target-port-omitted', port: 80, location: {file: 'deploy/old-k8s.yaml', line: 3}}, false],
    ['a file given, finding on the image',     {file: 'Dockerfile', ports: [9000, 9000], protocol: 'tcp'}, {location: {image: 'app'}},    false]
  ])('%s → %s', (_name, a, finding, expected) => {
    expect(matches(entry(a), f(finding))).toBe(expected);
  });
});

describe('applySuppressions', () => {
  const accepted = entry({ports: [9000, 9000], protocol: 'tcp', until: '2027-03-31', untilLocation: {file: 'portgate.yml', line: 24, column: 12}});

  test('a matched finding is kept, marked suppressed with the reason, expiry and entry', () => {
    const [out] = applySuppressions([f({})], [accepted], '2027-03-31');
    expect(out).toEqual({...f({}), suppressed: {reason: 'base image', until: '2027-03-31', location: at(20)}});
  });

  test('after its last day the entry suppresses nothing and is a warning at its until: line, naming the entry', () => {
    const out = applySuppressions([f({})], [accepted], '2027-04-01');
    expect(out[0]).not.toHaveProperty('suppressed');
    expect(out[1]).toEqual({
      rule: 'suppression-expired',
      severity: 'warning',
      message:
        'accept[0] (exposed-not-declared 9000/tcp, portgate.yml:20) expired on 2027-03-31, so the finding it accepted counts again: fix it and remove the entry, or review it and move `until:` to a new date.',
      location: {file: 'portgate.yml', line: 24, column: 12}
    });
  });

  test('an expired entry that matches nothing says so', () => {
    expect(applySuppressions([], [accepted], '2028-01-01')[0]!.message).toMatch(/expired on 2027-03-31, and it matches nothing now: remove it\.$/);
  });

  test('an entry that matches nothing is a note at the entry', () => {
    const out = applySuppressions([f({port: 9001})], [entry({rule: 'risky-port', ports: [7000, 7010], protocol: 'udp', file: 'deploy/k8s.yaml'})], '2026-01-01');
    expect(out.map(x => `${x.rule}:${x.severity}`)).toEqual(['exposed-not-declared:error', 'suppression-unused:note']);
    expect(out[1]!.message).toBe('accept[0] (risky-port 7000-7010/udp in deploy/k8s.yaml, portgate.yml:20) matches no finding of this run: remove it, or correct its rule, port, protocol or file.');
    expect(out[1]!.location).toEqual(at(20));
  });

  test('an expired entry does not hide a later one that still holds; findings about entries are never suppressed', () => {
    const later = entry({ports: [9000, 9000], protocol: 'tcp', reason: 'renewed', location: at(30)});
    const out = applySuppressions([f({})], [accepted, later], '2028-01-01');
    expect(out[0]!.suppressed?.reason).toBe('renewed');
    expect(out.filter(x => x.rule === 'suppression-expired')).toHaveLength(1);
    const about = applySuppressions([f({rule: 'suppression-unused', port: undefined, protocol: undefined})], [entry({rule: 'suppression-unused'})], '2026-01-01');
    expect(about[0]).not.toHaveProperty('suppressed');
  });
});

describe('through evaluate: suppressed findings never count, overrides still apply', () => {
  const accept = [entry({ports: [80, 80], protocol: 'tcp', reason: 'nginx base image'}), entry({rule: 'risky-port', ports: [5005, 5005], protocol: 'tcp', reason: 'old'})];
  const run = (today: string, overrides = {}) =>
    evaluate(input({exposed: [expose(8080), inherited(80)], listening: [listen(8080)], declared: [declare(8080)], suppressions: {accept, today}, overrides}));

  test('the inherited EXPOSE is suppressed, the unused entry is a note, the gate passes', () => {
    const fs = run('2026-05-01');
    expect(fs.map(x => `${x.rule}:${x.port ?? ''}:${x.suppressed ? 'suppressed' : x.severity}`)).toEqual(['exposed-not-declared:80:suppressed', 'suppression-unused::note']);
    expect(verdictOf(fs, 'error')).toBe('pass');
    expect(verdictOf(fs, 'note')).toBe('fail');
    expect(verdictOf([{...fs[0]!, suppressed: undefined}], 'error')).toBe('fail');
  });

  test('`rules:` overrides reach the suppression findings too', () => {
    expect(run('2026-05-01', {'suppression-unused': 'off'}).map(x => x.rule)).toEqual(['exposed-not-declared']);
  });
});
