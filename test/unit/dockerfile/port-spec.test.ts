import {describe, expect, test} from 'vitest';
import {parsePortSpec, PortSpecError} from '../../../src/dockerfile/port-spec.js';
import type {Builder} from '../../../src/dockerfile/lex.js';

const keys = (raw: string, builder: Builder): string[] => parsePortSpec(raw, builder).ports.map(p => `${p.port}/${p.protocol}`);
const error = (raw: string, builder: Builder): string => {
  try {
    parsePortSpec(raw, builder);
  } catch (e) {
    if (e instanceof PortSpecError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('accepted by both builders', () => {
  // prettier-ignore
  test.each<[string, string[], boolean]>([
    ['80',                    ['80/tcp'],                     false],
    ['80/udp',                ['80/udp'],                     false],
    ['80/sctp',               ['80/sctp'],                    false],
    ['80/TCP',                ['80/tcp'],                     false],
    ['53/Udp',                ['53/udp'],                     false],
    ['80/',                   ['80/tcp'],                     false],
    ['0080',                  ['80/tcp'],                     false],
    ['0',                     ['0/tcp'],                      false],
    ['65535',                 ['65535/tcp'],                  false],
    ['8000-8002',             ['8000/tcp', '8001/tcp', '8002/tcp'], false],
    ['8000-8001/udp',         ['8000/udp', '8001/udp'],       false],
    ['8000-8000',             ['8000/tcp'],                   false],
    ['80:8080',               ['8080/tcp'],                   true],
    [':80',                   ['80/tcp'],                     false],
    ['1.2.3.4:80:81',         ['81/tcp'],                     true],
    ['[::1]:8080:8080',       ['8080/tcp'],                   true],
    ['0.0.0.0::80',           ['80/tcp'],                     true],
    ['1-2:5',                 ['5/tcp'],                      true],
    ['[::1]:80-81:90',        ['90/tcp'],                     true],
    ['0.0.0.0:1234-1235:3333-3334/tcp', ['3333/tcp', '3334/tcp'], true]
  ])('%s → %j', (raw, expected, hostPart) => {
    for (const builder of ['buildkit', 'classic'] as const) {
      expect(keys(raw, builder)).toEqual(expected);
      expect(parsePortSpec(raw, builder).hostPart).toBe(hostPart);
    }
  });
});

describe('rejected, in each builder’s words', () => {
  // BuildKit: convert_expose.go; classic: go-connections nat v0.4 in Docker 20.10 (messages checked against that engine).
  // prettier-ignore
  test.each([
    ['70000',           'invalid containerPort: 70000',                    'Invalid containerPort: 70000'],
    ['abc',             'invalid containerPort: abc',                      'Invalid containerPort: abc'],
    ['-1',              'invalid containerPort: -1',                       'Invalid containerPort: -1'],
    ['-80',             'invalid containerPort: -80',                      'Invalid containerPort: -80'],
    ['80--81',          'invalid containerPort: 80--81',                   'Invalid containerPort: 80--81'],
    ['+65536',          'invalid containerPort: +65536',                   'Invalid containerPort: +65536'],
    ['++80',            'invalid containerPort: ++80',                     'Invalid containerPort: ++80'],
    ['9000-8000',       'invalid containerPort: 9000-8000',                'Invalid containerPort: 9000-8000'],
    ['8000-',           'invalid containerPort: 8000-',                    'Invalid containerPort: 8000-'],
    ['1-70000',         'invalid containerPort: 1-70000',                  'Invalid containerPort: 1-70000'],
    ['80/foo',          'invalid port: "80/foo": invalid proto: foo',      'Invalid proto: foo'],
    ['80/FOO',          'invalid port: "80/FOO": invalid proto: FOO',      'Invalid proto: FOO'],
    ['/tcp',            'invalid port: "/tcp": no port specified',         'No port specified: /tcp<empty>'],
    ['80:',             'invalid port: "80:": no port specified',          'No port specified: 80:<empty>'],
    ['localhost:80:80', 'invalid IP address: localhost',                   'Invalid ip address: localhost'],
    ['01.2.3.4:80:80',  'invalid IP address: 01.2.3.4',                    'Invalid ip address: 01.2.3.4'],
    ['[x]:80:80',       'invalid IP address: x',                           'Invalid ip address: x'],
    ['abc:80',          'invalid hostPort: abc',                           'Invalid hostPort: abc'],
    ['1234-1236:1-2',   'invalid ranges specified for container and host Ports: 1-2 and 1234-1236', 'Invalid ranges specified for container and host Ports: 1-2 and 1234-1236'],
    ['80 90',           'invalid containerPort: 80 90',                    'Invalid containerPort: 80 90']
  ])('%s', (raw, buildkit, classic) => {
    expect(error(raw, 'buildkit')).toBe(buildkit);
    expect(error(raw, 'classic')).toBe(classic);
  });
});

describe('where the builders disagree', () => {
  // prettier-ignore
  test.each([
    // ParseInt (BuildKit) takes a sign; ParseUint (classic) does not. BuildKit's own parser
    // (convert_expose.go parsePortNumber) has used ParseInt since dockerfile frontend 1.18 /
    // BuildKit v0.24 (moby/buildkit 99624297b); before, go-connections nat.ParsePortRange's
    // ParseUint refused `+80` there too. Buildah records it unparsed, as the key `+80/tcp`.
    ['+80',               ['80/tcp'],                                         'Invalid containerPort: +80'],
    ['+80-+81',           ['80/tcp', '81/tcp'],                               'Invalid containerPort: +80-+81'],
    ['+0/udp',            ['0/udp'],                                          'Invalid containerPort: +0'],
    ['0--0',              ['0/tcp'],                                          'Invalid containerPort: 0--0'],
    // Classic splits on every '-' and ignores a third part; BuildKit cuts at the first.
    ['80-81-82',          'invalid containerPort: 80-81-82',                  ['80/tcp', '81/tcp']],
    // Classic reads the second '/'-part as the protocol; BuildKit takes everything after the first '/'.
    ['80/tcp/udp',        'invalid port: "80/tcp/udp": invalid proto: tcp/udp', ['80/tcp']],
    // Classic checks the protocol last, BuildKit first.
    ['80/foo:90',         'invalid hostPort: 80/foo',                         'Invalid hostPort: 80/foo'],
    ['1.2.3.4:80:80/foo', 'invalid port: "1.2.3.4:80:80/foo": invalid proto: foo', 'Invalid proto: foo'],
    // Classic runs every IP through net.SplitHostPort, BuildKit only a bracketed one.
    ['::1:80:80',         ['80/tcp'],                                         'Invalid ip address ::1: address ::1:: too many colons in address'],
    ['[::1]x:80:80',      'invalid IP address [::1]x: address [::1]x:: missing port in address', 'Invalid ip address [::1]x: address [::1]x:: missing port in address']
  ])('%s', (raw, buildkit, classic) => {
    const got = (b: Builder): string | string[] => (error(raw, b) === 'no error' ? keys(raw, b) : error(raw, b));
    expect(got('buildkit')).toEqual(buildkit);
    expect(got('classic')).toEqual(classic);
  });
});

describe('IP addresses follow Go net.ParseIP', () => {
  // prettier-ignore
  test.each<[string, boolean]>([
    ['1.2.3.4',             true],
    ['0.0.0.0',             true],
    ['255.255.255.255',     true],
    ['256.1.1.1',           false],
    ['01.2.3.4',            false],
    ['1.2.3',               false],
    ['::',                  true],
    ['::1',                 true],
    ['2001:db8::68',        true],
    ['::ffff:1.2.3.4',      true],
    ['::ffff:01.2.3.4',     false],
    ['1:2:3:4:5:6:7:8',     true],
    ['1:2:3:4:5:6:7::',     true],
    ['1:2:3:4:5:6:7:8::',   false],
    ['1:2:3:4:5:6:7',       false],
    ['1::2::3',             false],
    ['12345::',             false],
    ['fe80::1%eth0',        false],
    ['localhost',           false]
  ])('%s → %s', (ip, valid) => {
    for (const builder of ['buildkit', 'classic'] as const) {
      const raw = `[${ip}]:80:80`;
      expect(error(raw, builder) === 'no error').toBe(valid);
    }
  });
});
