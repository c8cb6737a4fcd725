import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import type {Listener} from '../../../src/model.js';
import {isListening, parseProcNet, parseSctpEps, processesByInode, toListeners} from '../../../src/procnet/index.js';
import type {Endianness, RawSocket} from '../../../src/procnet/index.js';

const TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

const fixture = (dir: string, file: string): string => readFileSync(new URL(`../../fixtures/procnet/${dir}/${file}.txt`, import.meta.url), 'utf8');

/** What the gate does with one snapshot: all four tables of a fixture folder → listeners. */
const listenersOf = (dir: string, endianness: Endianness = 'le'): Listener[] => toListeners(TABLES.flatMap(t => parseProcNet(fixture(dir, t), t, endianness)));

/** `protocol address port family scope`, one per listener. */
const brief = (ls: Listener[]): string[] => ls.map(l => `${l.protocol} ${l.address} ${l.port} ${l.family} ${l.scope}`);

describe('toListeners on real captures', () => {
  // prettier-ignore
  test.each<[string, string[]]>([
    ['empty',            []],
    ['tcp-wildcard-v4',  ['tcp 0.0.0.0 8080 ipv4 wildcard']],
    ['tcp-dual-stack',   ['tcp :: 8080 ipv6 wildcard']],
    ['tcp-v6only-split', ['tcp 0.0.0.0 8443 ipv4 wildcard', 'tcp :: 8443 ipv6 wildcard']],
    ['loopback', [
      'tcp 127.0.0.11 53 ipv4 loopback',
      'udp 127.0.0.11 53 ipv4 loopback',
      'tcp ::1 5005 ipv6 loopback',
      'tcp ::ffff:127.0.0.1 6060 ipv6 loopback',
      'udp ::1 8125 ipv6 loopback',
      'tcp 127.0.0.1 9229 ipv4 loopback'
    ]],
    ['udp-bound-vs-connected', ['udp 0.0.0.0 5353 ipv4 wildcard', 'udp :: 5354 ipv6 wildcard', 'udp ::1 5355 ipv6 loopback']],
    ['reuseport',        ['tcp 0.0.0.0 8080 ipv4 wildcard', 'udp :: 8125 ipv6 wildcard']],
    ['specific', [
      'udp 10.1.2.3 5060 ipv4 specific',
      'udp 2001:db8::1:0:0:5 5060 ipv6 specific',
      'tcp 10.1.2.3 8080 ipv4 specific',
      'tcp 2001:db8::1:0:0:5 8080 ipv6 specific'
    ]],
    ['connections',      ['tcp :: 8080 ipv6 wildcard', 'tcp 0.0.0.0 9000 ipv4 wildcard', 'tcp :: 9001 ipv6 wildcard']]
  ])('%s', (dir, expected) => {
    expect(brief(listenersOf(dir))).toEqual(expected);
  });

  test('SO_REUSEPORT duplicates fold to one listener that keeps the first row\'s uid and inode', () => {
    expect(listenersOf('reuseport')).toEqual([
      {port: 8080, protocol: 'tcp', address: '0.0.0.0', family: 'ipv4', scope: 'wildcard', uid: 1000, inode: 37479},
      {port: 8125, protocol: 'udp', address: '::', family: 'ipv6', scope: 'wildcard', uid: 1000, inode: 38021}
    ]);
  });

  test('be-s390x decoded as big-endian', () => {
    expect(brief(listenersOf('be-s390x', 'be'))).toEqual([
      'udp 127.0.0.11 53 ipv4 loopback',
      'tcp 10.1.2.3 80 ipv4 specific',
      'tcp ::1 5005 ipv6 loopback',
      'udp 0.0.0.0 5353 ipv4 wildcard',
      'tcp ::ffff:127.0.0.1 6060 ipv6 loopback',
      'tcp 0.0.0.0 8080 ipv4 wildcard',
      'tcp 2001:db8::1:0:0:5 8080 ipv6 specific',
      'tcp :: 8081 ipv6 wildcard',
      'udp :: 8125 ipv6 wildcard',
      'tcp 127.0.0.1 9229 ipv4 loopback'
    ]);
  });

  test('sctp endpoints: one listener per address, two endpoints on one address fold', () => {
    expect(brief(toListeners(parseSctpEps(fixture('sctp', 'eps'))))).toEqual([
      'sctp 10.0.0.5 2905 ipv4 specific',
      'sctp 10.0.0.6 2905 ipv4 specific',
      'sctp 0.0.0.0 3868 ipv4 wildcard',
      'sctp :: 9899 ipv6 wildcard',
      'sctp 127.0.0.1 36412 ipv4 loopback',
      'sctp ::1 36412 ipv6 loopback'
    ]);
  });
});

describe('isListening', () => {
  const sock = (over: Partial<RawSocket>): RawSocket => ({
    table: 'tcp', localAddress: '0.0.0.0', localPort: 80, remoteAddress: '0.0.0.0', remotePort: 0, state: 0x0a, uid: 0, inode: 1, ...over
  });
  // prettier-ignore
  test.each<[string, Partial<RawSocket>, boolean]>([
    ['tcp LISTEN',                        {},                                                                   true],
    ['tcp6 LISTEN',                       {table: 'tcp6', localAddress: '::', remoteAddress: '::'},            true],
    ['tcp ESTABLISHED',                   {state: 0x01, remoteAddress: '10.0.0.1', remotePort: 5555},           false],
    ['tcp SYN_RECV',                      {state: 0x03},                                                        false],
    ['tcp TIME_WAIT',                     {state: 0x06, inode: 0},                                              false],
    ['tcp CLOSE (bound, not listening)',  {state: 0x07},                                                        false],
    ['udp bound',                         {table: 'udp', state: 0x07},                                          true],
    ['udp6 bound',                        {table: 'udp6', state: 0x07, localAddress: '::', remoteAddress: '::'}, true],
    ['udp connected',                     {table: 'udp', state: 0x01, remoteAddress: '127.0.0.1', remotePort: 53}, false],
    ['udp state 07 with a peer',          {table: 'udp', state: 0x07, remoteAddress: '127.0.0.1', remotePort: 53}, false],
    ['udp state 0A (never printed)',      {table: 'udp', state: 0x0a},                                          false],
    ['sctp endpoint',                     {table: 'sctp', state: 10, remoteAddress: ''},                        true]
  ])('%s → %s', (_name, over, expected) => {
    expect(isListening(sock(over))).toBe(expected);
  });
});

describe('processesByInode', () => {
  test('maps socket links to processes; other links are ignored; a shared socket goes to the lowest pid', () => {
    const map = processesByInode([
      {pid: 12, exe: '/usr/sbin/nginx', uid: 33, argv: ['nginx: worker process'], fdLinks: ['socket:[100]', 'socket:[200]', 'pipe:[5]']},
      {pid: 1, exe: '/usr/sbin/nginx', uid: 0, argv: ['nginx: master process', 'x'], fdLinks: ['/dev/null', 'socket:[100]', 'anon_inode:[eventpoll]']},
      {pid: 30, exe: '/bin/sleep', argv: ['sleep', '1000'], fdLinks: []}
    ]);
    expect([...map].sort(([a], [b]) => a - b)).toEqual([
      [100, {pid: 1, name: 'nginx', exe: '/usr/sbin/nginx', uid: 0, command: 'nginx: master process x'}],
      [200, {pid: 12, name: 'nginx', exe: '/usr/sbin/nginx', uid: 33, command: 'nginx: worker process'}]
    ]);
  });

  test('a process is named by its executable, never by the argv it can rewrite', () => {
    const map = processesByInode([{pid: 9, exe: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', argv: ['/usr/sbin/sshd', '-D'], comm: 'sshd', fdLinks: ['socket:[5]']}]);
    expect(map.get(5)).toMatchObject({name: 'java', exe: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', command: '/usr/sbin/sshd -D'});
  });

  test('without a readable executable the comm is shown in brackets, as ps does for kernel-named processes', () => {
    expect(processesByInode([{pid: 3, comm: 'worker', argv: [], fdLinks: ['socket:[6]']}]).get(6)).toMatchObject({name: '[worker]'});
    expect(processesByInode([{pid: 4, exe: '/app/server (deleted)', argv: [], fdLinks: ['socket:[7]']}]).get(7)).toMatchObject({name: 'server'});
  });
});
