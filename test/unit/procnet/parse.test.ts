import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {parseProcNet, parseSctpEps, socketInode} from '../../../src/procnet/index.js';
import type {ProcNetTable} from '../../../src/procnet/index.js';

const fixture = (dir: string, file: string): string => readFileSync(new URL(`../../fixtures/procnet/${dir}/${file}.txt`, import.meta.url), 'utf8');

/** `address:port state` per row, in file order. */
const rows = (dir: string, table: ProcNetTable, endianness: 'le' | 'be' = 'le') =>
  parseProcNet(fixture(dir, table), table, endianness).map(s => `${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort} ${s.state.toString(16).padStart(2, '0').toUpperCase()}`);

describe('parseProcNet on real captures', () => {
  // prettier-ignore
  test.each<[string, ProcNetTable, string[]]>([
    ['empty',            'tcp',  []],
    ['empty',            'udp6', []],
    ['tcp-wildcard-v4',  'tcp',  ['0.0.0.0:8080 0.0.0.0:0 0A']],
    ['tcp-dual-stack',   'tcp',  []],
    ['tcp-dual-stack',   'tcp6', [':::8080 :::0 0A']],
    ['loopback',         'tcp',  ['127.0.0.11:53 0.0.0.0:0 0A', '127.0.0.1:9229 0.0.0.0:0 0A']],
    ['loopback',         'tcp6', ['::1:5005 :::0 0A', '::ffff:127.0.0.1:6060 :::0 0A']],
    ['specific',         'tcp6', ['2001:db8::1:0:0:5:8080 :::0 0A']],
    ['udp-bound-vs-connected', 'udp',  ['0.0.0.0:5353 0.0.0.0:0 07', '127.0.0.1:58125 127.0.0.1:5353 01']],
    ['udp-bound-vs-connected', 'udp6', [':::5354 :::0 07', '::1:5355 :::0 07', '::1:41918 ::1:5355 01']],
    ['connections',      'tcp',  ['0.0.0.0:9000 0.0.0.0:0 0A', '127.0.0.1:60646 127.0.0.1:9001 01', '127.0.0.1:36480 127.0.0.1:9000 01', '127.0.0.1:9000 127.0.0.1:36480 01']],
    ['connections',      'tcp6', [':::9001 :::0 0A', ':::8080 :::0 0A', '::ffff:127.0.0.1:8080 ::ffff:127.0.0.1:58866 06', '::ffff:127.0.0.1:9001 ::ffff:127.0.0.1:60646 01']]
  ])('%s %s', (dir, table, expected) => {
    expect(rows(dir, table)).toEqual(expected);
  });

  test('keeps uid and inode; TIME_WAIT and accepted sockets have inode 0', () => {
    const [first] = parseProcNet(fixture('reuseport', 'tcp'), 'tcp', 'le');
    expect(first).toEqual({table: 'tcp', localAddress: '0.0.0.0', localPort: 8080, remoteAddress: '0.0.0.0', remotePort: 0, state: 0x0a, uid: 1000, inode: 37479});
    const tcp6 = parseProcNet(fixture('connections', 'tcp6'), 'tcp6', 'le');
    expect(tcp6.filter(s => s.state !== 0x0a).map(s => s.inode)).toEqual([0, 0]);
  });

  test('SO_REUSEPORT: every socket is its own row with its own inode', () => {
    expect(parseProcNet(fixture('reuseport', 'tcp'), 'tcp', 'le').map(s => s.inode)).toEqual([37479, 37478, 37477]);
    expect(parseProcNet(fixture('reuseport', 'udp6'), 'udp6', 'le').map(s => s.inode)).toEqual([38021, 38022]);
  });
});

describe('parseProcNet on big-endian text', () => {
  // prettier-ignore
  test.each<[ProcNetTable, string[]]>([
    ['tcp',  ['0.0.0.0:8080 0.0.0.0:0 0A', '127.0.0.1:9229 0.0.0.0:0 0A', '10.1.2.3:80 0.0.0.0:0 0A', '127.0.0.1:36480 127.0.0.1:8080 01', '127.0.0.1:8080 127.0.0.1:36480 01']],
    ['tcp6', [':::8081 :::0 0A', '::1:5005 :::0 0A', '::ffff:127.0.0.1:6060 :::0 0A', '2001:db8::1:0:0:5:8080 :::0 0A', '::ffff:127.0.0.1:8081 ::ffff:127.0.0.1:58866 06']],
    ['udp',  ['127.0.0.11:53 0.0.0.0:0 07', '0.0.0.0:5353 0.0.0.0:0 07', '127.0.0.1:58125 127.0.0.1:5353 01']],
    ['udp6', [':::8125 :::0 07', '::1:41918 ::1:5355 01']]
  ])('be-s390x %s', (table, expected) => {
    expect(rows('be-s390x', table, 'be')).toEqual(expected);
  });
});

describe('parseProcNet: headers, blank lines and malformed rows', () => {
  const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  const ROW = '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0';

  test('skips the header, blank lines and CRLF endings; an empty file has no rows', () => {
    expect(parseProcNet(`${HEADER}\r\n\r\n${ROW}\r\n\n`, 'tcp', 'le')).toHaveLength(1);
    expect(parseProcNet('', 'tcp', 'le')).toEqual([]);
    expect(parseProcNet(`${HEADER}\n`, 'tcp', 'le')).toEqual([]);
  });

  // prettier-ignore
  test.each<[string, ProcNetTable, string, RegExp]>([
    ['too few fields',        'tcp',  '   0: 0100007F:1F90 00000000:0000 0A',                             /4 fields, expected at least 10/],
    ['no slot colon',         'tcp',  ROW.replace('0:', '0 '),                                           /slot "0"/],
    ['7-digit address',       'tcp',  ROW.replace('0100007F', '100007F'),                                /local address "100007F:1F90"/],
    ['non-hex address',       'tcp',  ROW.replace('0100007F', '0100007G'),                               /local address/],
    ['3-digit port',          'tcp',  ROW.replace(':1F90', ':F90'),                                      /local address "0100007F:F90"/],
    ['v4 address in tcp6',    'tcp6', ROW,                                                               /is not 32 hex digits/],
    ['bad remote',            'tcp',  ROW.replace('00000000:0000', '00000000'),                          /remote address "00000000"/],
    ['3-digit state',         'tcp',  ROW.replace(' 0A ', ' 0AA '),                                      /state "0AA"/],
    ['negative uid',          'tcp',  ROW.replace('     0        0 4242', '    -1        0 4242'),      /uid "-1"/],
    ['non-numeric inode',     'tcp',  ROW.replace('4242', '42x2'),                                       /inode "42x2"/],
    ['an error message',      'tcp6', "cat: can't open '/proc/net/tcp6': No such file or directory",    /\/proc\/net\/tcp6 line 2 /]
  ])('throws on %s, naming the table and line', (_name, table, line, detail) => {
    const text = `${HEADER}\n${line}\n`;
    expect(() => parseProcNet(text, table, 'le')).toThrow(new RegExp(`^cannot parse /proc/net/${table} line 2 `));
    expect(() => parseProcNet(text, table, 'le')).toThrow(detail);
  });

  test('counts the line number from the top of the file, header included', () => {
    expect(() => parseProcNet(`${HEADER}\n${ROW}\n\n${ROW.slice(0, 40)}\n`, 'udp', 'le')).toThrow(/^cannot parse \/proc\/net\/udp line 4 /);
  });

  test('quotes the offending row, clipped', () => {
    expect(() => parseProcNet(`garbage ${'x'.repeat(500)}`, 'tcp', 'le')).toThrow(/line 1 .*: "garbage x+…"$/);
  });
});

describe('parseSctpEps', () => {
  test('one socket per local address, decimal ports, %pI6 addresses canonicalised', () => {
    expect(parseSctpEps(fixture('sctp', 'eps')).map(s => `${s.localAddress} ${s.localPort} ${s.state} ${s.uid} ${s.inode}`)).toEqual([
      '0.0.0.0 3868 10 0 51234',
      '10.0.0.5 2905 10 1000 51240',
      '10.0.0.6 2905 10 1000 51240',
      ':: 9899 10 0 51250',
      '::1 36412 10 0 51260',
      '127.0.0.1 36412 10 0 51260',
      '10.0.0.5 2905 10 0 51270'
    ]);
    expect(parseSctpEps(fixture('sctp', 'eps'))[0]).toMatchObject({table: 'sctp', remoteAddress: '', remotePort: 0});
  });

  test('an empty file or a header alone has no endpoints', () => {
    expect(parseSctpEps('')).toEqual([]);
    expect(parseSctpEps(' ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS\n')).toEqual([]);
  });

  const HEADER = ' ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS';
  // prettier-ignore
  test.each([
    ['too few fields',  '0000000000000000 0000000000000000 2   10  29   3868      0',            /7 fields, expected at least 8/],
    ['port too large',  '0000000000000000 0000000000000000 2   10  29   70000     0 1 0.0.0.0 ', /port "70000"/],
    ['hex port',        '0000000000000000 0000000000000000 2   10  29   0F1C      0 1 0.0.0.0 ', /port "0F1C"/],
    ['bad address',     '0000000000000000 0000000000000000 2   10  29   3868      0 1 10.0.0.999 ', /"10.0.0.999" is not an IP address/],
    ['bad inode',       '0000000000000000 0000000000000000 2   10  29   3868      0 x 0.0.0.0 ', /inode "x"/]
  ])('throws on %s, naming the file and line', (_name, line, detail) => {
    expect(() => parseSctpEps(`${HEADER}\n${line}\n`)).toThrow(/^cannot parse \/proc\/net\/sctp\/eps line 2 /);
    expect(() => parseSctpEps(`${HEADER}\n${line}\n`)).toThrow(detail);
  });
});

describe('socketInode', () => {
  // prettier-ignore
  test.each<[string, number | undefined]>([
    ['socket:[12345]',         12345],
    ['socket:[0]',             0],
    [' socket:[7]\n',          7],
    ['socket:[]',              undefined],
    ['socket:[12a]',           undefined],
    ['socket:[-1]',            undefined],
    ['pipe:[12345]',           undefined],
    ['anon_inode:[eventpoll]', undefined],
    ['/dev/null',              undefined],
    ['',                       undefined]
  ])('%j → %s', (link, inode) => {
    expect(socketInode(link)).toBe(inode);
  });
});
