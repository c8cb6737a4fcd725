import {describe, expect, test} from 'vitest';
import {evaluate} from '../../../src/compare/evaluate.js';
import {riskyPort} from '../../../src/compare/risky-ports.js';
import type {DynamicPort, Listener} from '../../../src/model.js';
import {declare, expose, input, listen} from './build.js';

const JAVA = '/usr/lib/jvm/java-17-openjdk-amd64/bin/java';
const PORTS_AT = {file: 'portgate.yml', line: 2, column: 1};
const ENTRY_AT = {file: 'portgate.yml', line: 12, column: 5};

/** A listener owned by the executable `exe` (pid 7). */
const owned = (port: number, exe: string | undefined, address = '0.0.0.0', protocol: Listener['protocol'] = 'tcp'): Listener => ({
  ...listen(port, address, protocol),
  ...(exe && {process: {pid: 7, name: exe.replace(/ \(deleted\)$/, '').split('/').pop()!, exe, command: exe}})
});

/** A `dynamic:` entry as loadSpec builds it (located at portgate.yml:12). */
const entry = (d: Partial<DynamicPort>): DynamicPort => ({range: 'ephemeral', protocol: 'tcp', exposure: 'internal', max: 1, reason: 'JMX/RMI picks its data port at run time', location: ENTRY_AT, ...d});

/** The JMX image: HTTP 8080 (public), JMX 9010 fixed (internal), RMI on ports the JVM picks. */
const jmx = (listening: Listener[], dynamic: DynamicPort[], extra: Partial<Parameters<typeof input>[0]> = {}) =>
  evaluate(
    input({
      exposed: [expose(8080)],
      declared: [declare(8080), declare(9010, 'internal')],
      listening: [owned(8080, JAVA), owned(9010, JAVA), ...listening],
      dynamic,
      portsLocation: PORTS_AT,
      ...extra
    })
  );

const brief = (fs: ReturnType<typeof evaluate>) => fs.map(f => `${f.rule}:${f.port ?? ''}@${'file' in (f.location ?? {}) ? (f.location as {line: number}).line : 'image'}`);

describe('dynamic: ports chosen at run time, vouched for by their owner', () => {
  test('java owns 9010 and two ephemeral ports, the entry allows java 2: no finding', () => {
    expect(jmx([owned(40001, JAVA), owned(40002, JAVA, '::')], [entry({process: 'java', max: 2})])).toEqual([]);
  });

  test('a third ephemeral port: one undeclared-listener at the entry, listing every port, not one per port', () => {
    const fs = jmx([owned(40001, JAVA), owned(40002, JAVA), owned(40003, JAVA)], [entry({process: 'java', max: 2})]);
    expect(fs).toEqual([
      {
        rule: 'undeclared-listener',
        severity: 'error',
        message:
          "3 ports owned by java in the ephemeral range 32768-60999 listen (40001/tcp at 0.0.0.0 (java, pid 7); 40002/tcp at 0.0.0.0 (java, pid 7); 40003/tcp at 0.0.0.0 (java, pid 7)), but portgate.yml's `dynamic:` entry allows at most 2: find what opened the extra port, or raise `max`.",
        location: ENTRY_AT,
        // Each port's row in the report names this finding too.
        related: [40001, 40002, 40003].map(port => ({port, protocol: 'tcp'}))
      }
    ]);
  });

  test('an ephemeral port owned by another executable: undeclared-listener at `ports:`, with the `dynamic:` hint naming that executable', () => {
    const fs = jmx([owned(40001, JAVA), owned(45123, '/usr/bin/python3.11')], [entry({process: 'java', max: 2})]);
    expect(brief(fs)).toEqual(['undeclared-listener:45123@2']);
    expect(fs[0]!.message).toBe(
      '45123/tcp listens on 0.0.0.0 (python3.11, pid 7) but portgate.yml does not declare it: stop it, bind it to 127.0.0.1, or add it to portgate.yml. It is in the ephemeral range 32768-60999: if python3.11 picks it at run time, declare it under `dynamic:` with `process: python3.11` and a reason.'
    );
  });

  test('no hint outside the ephemeral range, and none without a known owner', () => {
    const fs = jmx([owned(7000, '/usr/bin/python3'), owned(45123, undefined)], []);
    expect(brief(fs)).toEqual(['undeclared-listener:7000@2', 'undeclared-listener:45123@2']);
    for (const f of fs) expect(f.message).not.toContain('dynamic:');
  });

  // prettier-ignore
  test.each([
    ['the file name',                             'java',                                         JAVA,                           true],
    ['the full path',                             JAVA,                                           JAVA,                           true],
    ['another full path with the same file name', '/usr/bin/java',                                JAVA,                           false],
    ['a prefix of the file name',                 'jav',                                          JAVA,                           false],
    ['a directory of the path',                   'bin/java',                                     JAVA,                           false],
    ['the file name, executable deleted',         'java',                                         '/opt/app/bin/java (deleted)',  true],
    ['the full path, executable deleted',         '/opt/app/bin/java',                            '/opt/app/bin/java (deleted)',  true],
    ['no known owner',                            'java',                                         undefined,                      false]
  ])('%s: process %s, owner %s → matches %s', (_name, process, exe, matches) => {
    const fs = jmx([owned(40001, exe)], [entry({process})]);
    expect(brief(fs)).toEqual(matches ? [] : ['undeclared-listener:40001@2']);
  });

  test('every listener of the port must be owned by the process (IPv4 and IPv6 sockets of one port)', () => {
    expect(jmx([owned(40001, JAVA), owned(40001, JAVA, '::')], [entry({process: 'java'})])).toEqual([]);
    expect(brief(jmx([owned(40001, JAVA), owned(40001, undefined, '::')], [entry({process: 'java'})]))).toEqual(['undeclared-listener:40001@2']);
  });

  test('exposure loopback and a wildcard listener: loopback-port-reachable at the entry, for that port', () => {
    const fs = jmx([owned(40001, JAVA, '127.0.0.1'), owned(40002, JAVA, '0.0.0.0')], [entry({process: 'java', max: 2, exposure: 'loopback'})]);
    expect(fs).toEqual([
      {
        rule: 'loopback-port-reachable',
        severity: 'error',
        port: 40002,
        protocol: 'tcp',
        message: '40002/tcp owned by java is a dynamic port declared loopback, but it listens on 0.0.0.0 (java, pid 7): bind it to 127.0.0.1.',
        location: ENTRY_AT
      }
    ]);
  });

  test('a matched port that is also in the risky catalog is accepted: the entry has a reason', () => {
    const dlv = (dynamic: DynamicPort[]) =>
      evaluate(input({declared: [], listening: [owned(40000, '/usr/local/bin/dlv')], dynamic, portsLocation: PORTS_AT, risky: riskyPort}));
    expect(brief(dlv([]))).toEqual(['undeclared-listener:40000@2', 'risky-port:40000@image']);
    expect(dlv([entry({process: 'dlv', reason: 'debug image for the staging cluster'})])).toEqual([]);
  });

  test('a range entry: only ports in the range match', () => {
    const fs = jmx([owned(40050, JAVA), owned(40200, JAVA)], [entry({process: 'java', range: [40000, 40100], max: 5})]);
    expect(brief(fs)).toEqual(['undeclared-listener:40200@2']);
  });

  test('an entry without process vouches for its range whoever owns the port, even nobody known', () => {
    expect(jmx([owned(40001, undefined), owned(40002, '/bin/other')], [entry({range: [40000, 40100], max: 2})])).toEqual([]);
  });

  test('the protocol must match: a UDP port does not match a TCP entry', () => {
    // A range outside the kernel's ephemeral one: a kernel-picked UDP port nothing names is a client socket, judged by no rule.
    const fs = jmx([owned(20001, JAVA, '0.0.0.0', 'udp')], [entry({process: 'java', range: [20000, 20100]})]);
    expect(brief(fs)).toEqual(['undeclared-listener:20001@2']);
    expect(jmx([owned(20001, JAVA, '0.0.0.0', 'udp')], [entry({process: 'java', protocol: 'udp', range: [20000, 20100]})])).toEqual([]);
  });

  test('`ephemeral` is the target’s ip_local_port_range, when the run measured it', () => {
    const dyn = [entry({process: 'java'})];
    expect(brief(jmx([owned(40001, JAVA)], dyn, {ephemeral: [49152, 65535]}))).toEqual(['undeclared-listener:40001@2']);
    expect(jmx([owned(50001, JAVA)], dyn, {ephemeral: [49152, 65535]})).toEqual([]);
    const [f] = jmx([owned(50001, JAVA), owned(50002, JAVA)], dyn, {ephemeral: [49152, 65535]});
    expect(f!.message).toContain('in the ephemeral range 49152-65535 listen');
  });

  test('the first matching entry takes the port and counts it toward its own max', () => {
    const fs = jmx([owned(40001, JAVA), owned(40002, JAVA)], [entry({process: 'java', max: 1, location: ENTRY_AT}), entry({range: [40000, 40100], max: 5, location: {file: 'portgate.yml', line: 20, column: 5}})]);
    expect(brief(fs)).toEqual(['undeclared-listener:@12']);
  });

  test('a declared port is the spec’s, never the dynamic entry’s', () => {
    const fs = evaluate(input({declared: [declare(40001, 'loopback')], listening: [owned(40001, JAVA, '127.0.0.1')], dynamic: [entry({process: 'java', exposure: 'internal'})]}));
    expect(fs).toEqual([]);
  });

  test('static-only (nothing observed): dynamic entries change nothing', () => {
    expect(evaluate(input({listening: undefined, container: undefined, declared: [], dynamic: [entry({process: 'java'})]}))).toEqual([]);
  });
});
