import {describe, expect, test} from 'vitest';
import {canonicalAddress, decodeHexAddress, formatAddress, parseAddress, scopeOf} from '../../../src/procnet/index.js';
import type {Endianness} from '../../../src/procnet/index.js';

describe('decodeHexAddress', () => {
  // prettier-ignore
  test.each<[string, Endianness, string]>([
    ['0100007F',                         'le', '127.0.0.1'],
    ['7F000001',                         'be', '127.0.0.1'],
    ['00000000',                         'le', '0.0.0.0'],
    ['0302010A',                         'le', '10.1.2.3'],
    ['0B00007F',                         'le', '127.0.0.11'],
    ['00000000000000000000000001000000', 'le', '::1'],
    ['00000000000000000000000000000001', 'be', '::1'],
    ['00000000000000000000000000000000', 'le', '::'],
    ['0000000000000000FFFF00000100007F', 'le', '::ffff:127.0.0.1'],
    ['00000000000000000000FFFF7F000001', 'be', '::ffff:127.0.0.1'],
    ['B80D0120000000000000010005000000', 'le', '2001:db8::1:0:0:5'],
    ['20010DB8000000000001000000000005', 'be', '2001:db8::1:0:0:5'],
    ['b80d0120000000000000010005000000', 'le', '2001:db8::1:0:0:5']
  ])('%s (%s) → %s', (hex, endianness, expected) => {
    expect(formatAddress(decodeHexAddress(hex, endianness)!)).toBe(expected);
  });

  test('the wrong byte order decodes to another address, so it matters', () => {
    expect(formatAddress(decodeHexAddress('0100007F', 'be')!)).toBe('1.0.0.127');
    expect(formatAddress(decodeHexAddress('00000000000000000000000001000000', 'be')!)).toBe('::100:0');
  });

  test.each(['', '0100007', '0100007F0', 'ZZ00007F', '0000000000000000', '0000000000000000000000000000000000', '0x00007F'])('rejects %j', hex => {
    expect(decodeHexAddress(hex, 'le')).toBeUndefined();
  });
});

describe('canonicalAddress (RFC 5952)', () => {
  // prettier-ignore
  test.each([
    ['0.0.0.0',                                 '0.0.0.0'],
    ['127.0.0.1',                               '127.0.0.1'],
    ['0:0:0:0:0:0:0:0',                         '::'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1',                    '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:1',                    '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1',                      '2001:0:0:1::1'],
    ['2001:DB8::A',                             '2001:db8::a'],
    ['1:2:3:4:5:6:7::',                         '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8',                         '0:2:3:4:5:6:7:8'],
    ['1::',                                     '1::'],
    ['fe80::1%eth0',                            'fe80::1'],
    ['[::1]',                                   '::1'],
    ['::ffff:7f00:1',                           '::ffff:127.0.0.1'],
    ['::FFFF:127.0.0.1',                        '::ffff:127.0.0.1'],
    ['0:0:0:0:0:ffff:a01:203',                  '::ffff:10.1.2.3'],
    ['::127.0.0.1',                             '::7f00:1'],
    ['64:ff9b::192.0.2.33',                     '64:ff9b::c000:221']
  ])('%s → %s', (text, expected) => {
    expect(canonicalAddress(text)).toBe(expected);
  });

  // prettier-ignore
  test.each(['', 'localhost', '1.2.3', '1.2.3.4.5', '256.0.0.1', '::1::', ':::', ':1', '1:', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8', '12345::', 'g::1', '::1.2.3.256', '1.2.3.4::', '0x7f.0.0.1'])('rejects %j', text => {
    expect(parseAddress(text)).toBeUndefined();
    expect(canonicalAddress(text)).toBeUndefined();
  });

  test('formatAddress refuses a byte array of the wrong length', () => {
    expect(() => formatAddress(new Uint8Array(6))).toThrow(/4 or 16 bytes/);
  });
});

describe('scopeOf', () => {
  // prettier-ignore
  test.each([
    ['0.0.0.0',           'wildcard'],
    ['::',                'wildcard'],
    ['0:0:0:0:0:0:0:0',   'wildcard'],
    ['::ffff:0.0.0.0',    'wildcard'],
    ['127.0.0.1',         'loopback'],
    ['127.0.0.11',        'loopback'],
    ['127.255.255.254',   'loopback'],
    ['::1',               'loopback'],
    ['0:0:0:0:0:0:0:1',   'loopback'],
    ['::ffff:127.0.0.1',  'loopback'],
    ['::ffff:127.1.2.3',  'loopback'],
    ['10.1.2.3',          'specific'],
    ['172.17.0.2',        'specific'],
    ['128.0.0.1',         'specific'],
    ['126.255.255.255',   'specific'],
    ['::ffff:10.0.0.1',   'specific'],
    ['2001:db8::1:0:0:5', 'specific'],
    ['fe80::1',           'specific'],
    ['::2',               'specific'],
    ['::1:0',             'specific'],
    ['::127.0.0.1',       'specific'],
    ['not-an-address',    'specific']
  ])('%s → %s', (address, scope) => {
    expect(scopeOf(address)).toBe(scope);
  });
});
