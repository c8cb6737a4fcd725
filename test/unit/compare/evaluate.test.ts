import {describe, expect, test} from 'vitest';
import {evaluate, failsAt} from '../../../src/compare/evaluate.js';
import {declare, expose, inherited, input, listen, ran} from './build.js';

const rules = (i: Parameters<typeof evaluate>[0]) => evaluate(i).map(f => `${f.rule}:${f.port ?? ''}/${f.protocol ?? ''}:${f.severity}`).sort();

describe('with a spec', () => {
  // prettier-ignore
  test.each([
    ['all three agree', {exposed: [expose(8080)], listening: [listen(8080)], declared: [declare(8080)]}, []],
    ['undeclared wildcard listener', {listening: [listen(8080), listen(9090)], exposed: [expose(8080)], declared: [declare(8080)]}, ['undeclared-listener:9090/tcp:error']],
    ['undeclared specific-address listener', {listening: [listen(9090, '10.0.0.5')], declared: []}, ['undeclared-listener:9090/tcp:error']],
    ['undeclared loopback listener', {listening: [listen(6060, '127.0.0.1')], declared: []}, ['undeclared-loopback-listener:6060/tcp:warning']],
    ['undeclared ::1 listener', {listening: [listen(6060, '::1')], declared: []}, ['undeclared-loopback-listener:6060/tcp:warning']],
    ['declared port not listening', {exposed: [expose(8080)], declared: [declare(8080)]}, ['declared-not-listening:8080/tcp:error']],
    ['public port bound to loopback', {exposed: [expose(8080)], listening: [listen(8080, '127.0.0.1')], declared: [declare(8080)]}, ['bound-to-loopback:8080/tcp:error']],
    ['internal port bound to loopback', {listening: [listen(9100, '::1')], declared: [declare(9100, 'internal')]}, ['bound-to-loopback:9100/tcp:error']],
    ['internal port on wildcard without EXPOSE is fine', {listening: [listen(9100, '::')], declared: [declare(9100, 'internal')]}, []],
    ['loopback port on loopback is fine', {listening: [listen(6060, '127.0.0.1')], declared: [declare(6060, 'loopback')]}, []],
    ['loopback port bound beyond loopback', {listening: [listen(6060, '0.0.0.0')], declared: [declare(6060, 'loopback')]}, ['loopback-port-reachable:6060/tcp:error']],
    ['loopback port EXPOSEd', {exposed: [expose(6060)], listening: [listen(6060, '127.0.0.1')], declared: [declare(6060, 'loopback')]}, ['loopback-port-exposed:6060/tcp:error']],
    ['EXPOSEd in the Dockerfile, not declared', {exposed: [expose(8080), expose(8081)], listening: [listen(8080)], declared: [declare(8080)]}, ['exposed-not-declared:8081/tcp:error']],
    ['inherited EXPOSE not declared', {exposed: [expose(8080), inherited(80)], listening: [listen(8080)], declared: [declare(8080)]}, ['exposed-not-declared:80/tcp:error']],
    ['public port not EXPOSEd', {listening: [listen(8080)], declared: [declare(8080)]}, ['public-not-exposed:8080/tcp:error']],
    ['UDP declared, TCP listening', {listening: [listen(53, '0.0.0.0', 'tcp')], declared: [declare(53, 'internal', 'udp')]}, ['protocol-mismatch:53/udp:error']],
    ['both protocols declared and listening', {listening: [listen(53, '0.0.0.0', 'tcp'), listen(53, '0.0.0.0', 'udp')], declared: [declare(53, 'internal', 'udp'), declare(53, 'internal', 'tcp')]}, []],
    ['risky port accepted with a reason', {exposed: [expose(5005)], listening: [listen(5005)], declared: [declare(5005, 'public', 'tcp', {reason: 'staging image only'})]}, []],
    ['risky port declared without a reason', {exposed: [expose(5005)], listening: [listen(5005)], declared: [declare(5005)]}, ['risky-port:5005/tcp:error']]
  ])('%s', (_name, views, expected) => {
    expect(rules(input(views))).toEqual(expected);
  });
});

describe('without a spec (EXPOSE vs runtime)', () => {
  // prettier-ignore
  test.each([
    ['EXPOSE matches listeners', {exposed: [expose(8080), expose(53, 'udp')], listening: [listen(8080, '::'), listen(53, '0.0.0.0', 'udp')]}, []],
    ['listener not EXPOSEd', {exposed: [expose(8080)], listening: [listen(8080), listen(8081)]}, ['listener-not-exposed:8081/tcp:error']],
    ['loopback listener needs no EXPOSE', {listening: [listen(6060, '127.0.0.1')]}, []],
    ['EXPOSEd but silent', {exposed: [expose(8080), inherited(9000)], listening: [listen(8080)]}, ['exposed-not-listening:9000/tcp:error']],
    ['EXPOSEd but loopback only (PostgreSQL, Redis defaults)', {exposed: [expose(5432)], listening: [listen(5432, '127.0.0.1'), listen(5432, '::1')]}, ['exposed-loopback-only:5432/tcp:error']],
    ['EXPOSEd, loopback and the pod address', {exposed: [expose(53, 'udp')], listening: [listen(53, '127.0.0.1', 'udp'), listen(53, '172.18.0.2', 'udp')]}, []],
    ['EXPOSE 53 (tcp) for a UDP server', {exposed: [expose(53)], listening: [listen(53, '0.0.0.0', 'udp')]}, ['protocol-mismatch:53/tcp:error']],
    ['debug port open to the network', {exposed: [expose(8080)], listening: [listen(8080), listen(5005)]}, ['listener-not-exposed:5005/tcp:error', 'risky-port:5005/tcp:error']],
    ['debug port on loopback only is not flagged as risky', {listening: [listen(5005, '127.0.0.1')]}, []]
  ])('%s', (_name, views, expected) => {
    expect(rules(input(views))).toEqual(expected);
  });
});

describe('a risky port is never advised to be EXPOSEd or simply declared', () => {
  test('without a spec, JDWP on 0.0.0.0: stop it or bind it to loopback', () => {
    const fs = evaluate(input({listening: [listen(5005, '0.0.0.0', 'tcp', 1)]}));
    const notExposed = fs.find(f => f.rule === 'listener-not-exposed')!;
    expect(notExposed.message).toBe('5005/tcp listens on 0.0.0.0 (app, pid 1) but is not EXPOSEd, and it is JDWP (Java debugger), which must not be reachable: stop it, or bind it to 127.0.0.1.');
    expect(fs.map(f => f.message).join(' ')).not.toMatch(/EXPOSE it/);
  });

  test('with a spec: stop it or bind it to loopback; keeping it takes a reason', () => {
    const [f] = evaluate(input({listening: [listen(5005, '::', 'tcp', 1)], declared: []})).filter(x => x.rule === 'undeclared-listener');
    expect(f!.message).toBe('5005/tcp listens on :: (app, pid 1) but portgate.yml does not declare it, and it is JDWP (Java debugger): stop it or bind it to 127.0.0.1; to keep it, declare it with a `reason:`.');
  });

  test('a risky port picked at run time (an Erlang node’s distribution port) still gets the dynamic: hint', () => {
    const beam = {...listen(41234, '0.0.0.0', 'tcp', 9), process: {pid: 9, name: 'beam.smp', exe: '/usr/lib/erlang/erts-14/bin/beam.smp', command: 'beam.smp'}};
    const erlang = (port: number, _p: unknown, owners: readonly string[] = []) => (port === 41234 && owners.includes('beam.smp') ? {name: 'an Erlang distribution port', why: 'It runs code.'} : undefined);
    const [f] = evaluate({...input({listening: [beam], declared: []}), risky: erlang}).filter(x => x.rule === 'undeclared-listener');
    expect(f!.message).toMatch(/and it is an Erlang distribution port: stop it or bind it to 127\.0\.0\.1; to keep it, declare it with a `reason:`\. It is in the ephemeral range 32768-60999: if beam\.smp picks it at run time, declare it under `dynamic:`/);
  });

  test('an ordinary port keeps the ordinary advice', () => {
    expect(evaluate(input({listening: [listen(8081)]}))[0]!.message).toContain(': EXPOSE it, stop it, or bind it to 127.0.0.1.');
  });
});

describe('messages say what to do', () => {
  test('a missing port explains the timeout', () => {
    const [f] = evaluate(input({declared: [declare(8080, 'internal')], container: {...ran, timedOut: true}, waitedMs: 30_000}));
    expect(f!.message).toMatch(/8080\/tcp is declared internal but nothing listens on it: nothing opened it within the 30s timeout/);
    expect(f!.location).toEqual({file: 'portgate.yml', line: 83, column: 11});
  });

  test('a protocol mismatch names both protocols and the fix', () => {
    const [f] = evaluate(input({exposed: [expose(53, 'tcp', 9)], listening: [listen(53, '0.0.0.0', 'udp')]}));
    expect(f!.message).toBe('53/tcp is expected (EXPOSEd at Dockerfile:9) but the process listens on 53/udp at 0.0.0.0: write `EXPOSE 53/udp`, or fix the service.');
  });

  test('an undeclared listener names address and process', () => {
    const [f] = evaluate(input({listening: [listen(9229, '0.0.0.0', 'tcp', 7), listen(9229, '::', 'tcp', 7)], declared: []}));
    expect(f!.message).toContain('9229/tcp listens on 0.0.0.0, :: (app, pid 7)');
    expect(f!.location).toEqual({image: 'app:test'});
  });

  test("an undeclared listener points at the spec's ports: key, where it is fixed", () => {
    const at = {file: 'portgate.yml', line: 2, column: 1};
    const [f] = evaluate(input({listening: [listen(9229)], declared: [], portsLocation: at}));
    expect(f!.location).toEqual(at);
  });

  test('an inherited port says so', () => {
    const [f] = evaluate(input({exposed: [inherited(80)], declared: []}));
    expect(f!.message).toBe("80/tcp is inherited from the base image's EXPOSE but portgate.yml does not declare it: declare it in portgate.yml, with `served: false` if the service does not serve it.");
  });
});

describe('run outcome', () => {
  test('an early exit is an error carrying exit code and logs', () => {
    const fs = evaluate(input({exposed: [expose(8080)], container: {...ran, exited: true, exitCode: 2, logs: 'panic: config missing\n'}}));
    expect(fs.map(f => f.rule).sort()).toEqual(['container-exited', 'exposed-not-listening']);
    expect(fs.find(f => f.rule === 'container-exited')!.message).toContain('exited with code 2 while portgate waited for its listeners. Last log lines:\npanic: config missing');
    expect(fs.find(f => f.rule === 'exposed-not-listening')!.message).toContain('the container exited before it opened');
  });

  test('an exec reader makes the result untrusted', () => {
    expect(rules(input({container: {...ran, reader: 'exec', trusted: false}}))).toEqual(['untrusted-reader:/:warning']);
  });
});

describe('severity overrides and fail threshold', () => {
  test('rules can be turned off or downgraded', () => {
    const views = {exposed: [inherited(80)], listening: [listen(6060, '127.0.0.1'), listen(8080)], declared: [declare(8080, 'internal')]};
    expect(rules(input({...views, overrides: {'exposed-not-declared': 'warning', 'undeclared-loopback-listener': 'off'}}))).toEqual(['exposed-not-declared:80/tcp:warning']);
  });

  // prettier-ignore
  test.each([
    ['error', 'error', true], ['warning', 'error', false], ['note', 'error', false],
    ['error', 'warning', true], ['warning', 'warning', true], ['note', 'warning', false],
    ['error', 'never', false]
  ] as const)('%s fails at --fail-on %s: %s', (severity, failOn, fails) => {
    expect(failsAt(severity, failOn)).toBe(fails);
  });
});

describe('static-only (listeners not observed, no container)', () => {
  const statics = (o: Parameters<typeof input>[0]) => rules(input({listening: undefined, container: undefined, waitedMs: 0, ...o}));

  // prettier-ignore
  test.each([
    ['spec and EXPOSE agree', {exposed: [expose(8080)], declared: [declare(8080), declare(9090, 'internal')]}, []],
    ['declared ports are not "not listening"', {declared: [declare(9090, 'internal'), declare(6060, 'loopback')]}, []],
    ['EXPOSEd, not declared', {exposed: [expose(8080), inherited(80)], declared: [declare(8080)]}, ['exposed-not-declared:80/tcp:error']],
    ['public, not EXPOSEd', {declared: [declare(8080)]}, ['public-not-exposed:8080/tcp:error']],
    ['loopback port EXPOSEd', {exposed: [expose(6060)], declared: [declare(6060, 'loopback')]}, ['loopback-port-exposed:6060/tcp:error']],
    ['risky port EXPOSEd', {exposed: [expose(5005)], declared: [declare(5005)]}, ['risky-port:5005/tcp:error']],
    ['risky port EXPOSEd, accepted with a reason', {exposed: [expose(5005)], declared: [declare(5005, 'public', 'tcp', {reason: 'staging'})]}, []],
    ['risky port declared, not EXPOSEd: nothing shows it is served', {declared: [declare(5005, 'internal')]}, []],
    ['no spec: EXPOSE is not compared with anything, risky EXPOSE still flagged', {exposed: [expose(8080), expose(5005)]}, ['risky-port:5005/tcp:error']],
    ['no protocol-mismatch without listeners', {exposed: [expose(53)], declared: [declare(53, 'public', 'udp')]}, ['exposed-not-declared:53/tcp:error', 'public-not-exposed:53/udp:error']]
  ])('%s', (_name, views, expected) => {
    expect(statics(views)).toEqual(expected);
  });

  test('no container: no container-exited or untrusted-reader, and extra findings keep their overrides', () => {
    const extra = [{rule: 'k8s-probe-port-not-listening', severity: 'error' as const, port: 8081, protocol: 'tcp' as const, message: 'probe', location: {file: 'k8s.yaml', line: 3}}];
    expect(statics({extra, overrides: {'k8s-probe-port-not-listening': 'warning'}})).toEqual(['k8s-probe-port-not-listening:8081/tcp:warning']);
  });
});

describe('sockets seen only for a moment during start-up', () => {
  const brief = (port: number, protocol: 'tcp' | 'udp' = 'tcp') => ({...listen(port, '0.0.0.0', protocol), transient: true as const});
  test('on a port the kernel picked (a DNS lookup, a boot helper): reported, judged by no rule', () => {
    expect(rules(input({listening: [listen(5672, '::'), brief(40293), brief(53332, 'udp')], exposed: [expose(5672)]}))).toEqual([]);
  });

  test('on a fixed port, or a known debug port even in the ephemeral range: judged like any listener', () => {
    expect(rules(input({listening: [brief(9999)]}))).toEqual(['listener-not-exposed:9999/tcp:error']);
    const risky = (port: number) => (port === 40000 ? {name: 'Delve', why: 'It runs code.'} : undefined);
    expect(rules({...input({listening: [brief(40000)]}), risky})).toEqual(['listener-not-exposed:40000/tcp:error', 'risky-port:40000/tcp:error']);
  });
});

describe('UDP client sockets: a kernel-picked UDP port nothing EXPOSEs or declares', () => {
  test('still open at the end (RabbitMQ’s beam.smp, one run in three): reported, judged by no rule, with or without a spec', () => {
    expect(rules(input({listening: [listen(5672, '::'), listen(46825, '0.0.0.0', 'udp')], exposed: [expose(5672)]}))).toEqual([]);
    expect(rules(input({listening: [listen(5672, '::'), listen(46825, '0.0.0.0', 'udp')], exposed: [expose(5672)], declared: [declare(5672)]}))).toEqual([]);
  });

  test('TCP on a kernel-picked port accepts connections: judged; so is a UDP port outside the range, or a risky one', () => {
    expect(rules(input({listening: [listen(46825)]}))).toEqual(['listener-not-exposed:46825/tcp:error']);
    expect(rules(input({listening: [listen(5353, '0.0.0.0', 'udp')]}))).toEqual(['listener-not-exposed:5353/udp:error']);
    const risky = (port: number) => (port === 40000 ? {name: 'Delve', why: 'It runs code.'} : undefined);
    expect(rules({...input({listening: [listen(40000, '0.0.0.0', 'udp')]}), risky})).toEqual(['listener-not-exposed:40000/udp:error', 'risky-port:40000/udp:error']);
  });

  test('a UDP port in the range that the Dockerfile or the spec names is judged as named (a TURN relay, a game server)', () => {
    expect(rules(input({listening: [], exposed: [expose(50000, 'udp')]}))).toEqual(['exposed-not-listening:50000/udp:error']);
    expect(rules(input({listening: [listen(50000, '127.0.0.1', 'udp')], exposed: [expose(50000, 'udp')]}))).not.toEqual([]);
  });
});

describe('findings without a line of their own point where findings/where.ts says, in every format', () => {
  const anchors = {
    from: {file: 'Dockerfile', line: 9, column: 1},
    baseFrom: {file: 'Dockerfile', line: 1, column: 1},
    command: {file: 'Dockerfile', line: 14, column: 1}
  };
  const at = (i: Parameters<typeof input>[0]) => evaluate(input({anchors, ...i})).map(f => `${f.rule}:${f.port ?? ''} ${f.location && 'file' in f.location ? `${f.location.file}:${f.location.line}` : '(image)'}`).sort();

  test('inherited EXPOSE → the FROM that names the base image; a listener → the ENTRYPOINT/CMD line', () => {
    expect(at({exposed: [inherited(9000), expose(8080)], listening: [listen(8080), listen(5005)]})).toEqual([
      'exposed-not-listening:9000 Dockerfile:1',
      'listener-not-exposed:5005 Dockerfile:14',
      'risky-port:5005 Dockerfile:14'
    ]);
  });

  test('with a spec: an undeclared listener → the ports: key; an inherited EXPOSE → the FROM line', () => {
    const portsLocation = {file: 'portgate.yml', line: 2, column: 1};
    expect(at({exposed: [inherited(9000)], listening: [listen(7070)], declared: [], portsLocation})).toEqual(['exposed-not-declared:9000 Dockerfile:1', 'undeclared-listener:7070 portgate.yml:2']);
  });

  test('a crash → the ENTRYPOINT/CMD line; an untrusted reader → the target FROM', () => {
    expect(at({container: {...ran, exited: true, exitCode: 1, reader: 'exec', trusted: false}})).toEqual(['container-exited: Dockerfile:14', 'untrusted-reader: Dockerfile:9']);
  });

  test('without a Dockerfile nothing is invented: the finding stays on the image', () => {
    expect(evaluate(input({exposed: [inherited(9000)]}))[0]!.location).toEqual({image: 'app:test'});
  });
});

describe('served: false (EXPOSEd, knowingly not served)', () => {
  const unserved = (port: number, protocol: 'tcp' | 'udp' = 'tcp') => declare(port, 'public', protocol, {served: false});

  // prettier-ignore
  test.each([
    ['an inherited port nothing listens on: nothing to report, nothing to wait for',  {exposed: [expose(8080), inherited(9000)], listening: [listen(8080)], declared: [declare(8080), unserved(9000)]}, []],
    ['a risky port the base image EXPOSEs, not served: no risky-port',               {exposed: [inherited(22)], declared: [unserved(22)]}, []],
    ['it listens after all: unserved-port-listening',                                {exposed: [inherited(9000)], listening: [listen(9000)], declared: [unserved(9000)]}, ['unserved-port-listening:9000/tcp:error']],
    ['it listens on loopback only: still not what the spec says',                    {exposed: [inherited(9000)], listening: [listen(9000, '127.0.0.1')], declared: [unserved(9000)]}, ['unserved-port-listening:9000/tcp:error']],
    ['a risky port it says is not served listens: both',                              {exposed: [inherited(5005)], listening: [listen(5005)], declared: [unserved(5005)]}, ['risky-port:5005/tcp:error', 'unserved-port-listening:5005/tcp:error']],
    ['not expected on its protocol: another protocol listening is undeclared, not a mismatch', {exposed: [inherited(53)], listening: [listen(53, '0.0.0.0', 'udp')], declared: [unserved(53)]}, ['undeclared-listener:53/udp:error']]
  ])('%s', (_name, views, expected) => {
    expect(rules(input(views))).toEqual(expected);
  });

  test('the message says what to change', () => {
    const [f] = evaluate(input({exposed: [inherited(9000)], listening: [listen(9000, '0.0.0.0', 'tcp', 3)], declared: [unserved(9000)]}));
    expect(f!.message).toBe('9000/tcp is declared `served: false` but listens on 0.0.0.0 (app, pid 3): stop the listener, or remove `served: false` and give the port the exposure it needs.');
  });

  test('static-only: nothing to say either', () => {
    expect(rules(input({listening: undefined, container: undefined, exposed: [inherited(9000)], declared: [unserved(9000)]}))).toEqual([]);
  });
});
