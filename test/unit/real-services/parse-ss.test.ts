import {describe, expect, it} from 'vitest';
import {describeListener, parseSs} from '../../helpers/ground-truth.js';

// Every line below was captured on this project's machine (iproute2 6.1, kernel
// 6.18) with `nsenter -t <pid> -n ss -H -lntuwp` against a real-service image,
// or, for the last block, in an `unshare -n` namespace with sockets made to order.

describe('parseSs on real ss output', () => {
  it('keeps 0.0.0.0 and a v6only [::] wildcard apart (nginx, Debian default site)', () => {
    const out = [
      'tcp LISTEN 0      511    0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=515,fd=5),("nginx",pid=514,fd=5),("nginx",pid=479,fd=5))',
      'tcp LISTEN 0      511       [::]:80    [::]:* users:(("nginx",pid=515,fd=6),("nginx",pid=514,fd=6),("nginx",pid=479,fd=6))'
    ].join('\n');
    expect(parseSs(out)).toEqual([
      {protocol: 'tcp', address: '0.0.0.0', port: 80, process: 'nginx'},
      {protocol: 'tcp', address: '::', port: 80, v6only: true, process: 'nginx'}
    ]);
  });

  it('reads `*` as the dual-stack IPv6 wildcard and keeps trailing padding out (rabbitmq)', () => {
    const out = [
      'tcp LISTEN 0      4096   0.0.0.0:4369  0.0.0.0:* users:(("epmd",pid=2831,fd=3))     ',
      'tcp LISTEN 0      128    0.0.0.0:25672 0.0.0.0:* users:(("beam.smp",pid=2775,fd=17))',
      'tcp LISTEN 0      1024   0.0.0.0:15672 0.0.0.0:* users:(("beam.smp",pid=2775,fd=34))',
      'tcp LISTEN 0      128          *:5672        *:* users:(("beam.smp",pid=2775,fd=35))',
      'tcp LISTEN 0      4096      [::]:4369     [::]:* users:(("epmd",pid=2831,fd=4))     '
    ].join('\n');
    expect(parseSs(out).map(describeListener)).toEqual([
      'tcp 0.0.0.0:4369',
      'tcp [::]:4369 v6only',
      'tcp [::]:5672',
      'tcp 0.0.0.0:15672',
      'tcp 0.0.0.0:25672'
    ]);
    expect(parseSs(out).find(l => l.port === 5672)).toEqual({protocol: 'tcp', address: '::', port: 5672, process: 'beam.smp'});
  });

  it('merges per-thread duplicates and keeps the link-local interface (bind9 named)', () => {
    const out = [
      'udp UNCONN 0      0                       172.17.0.2:53  0.0.0.0:* users:(("named",pid=14703,fd=30))',
      'udp UNCONN 0      0                       172.17.0.2:53  0.0.0.0:* users:(("named",pid=14703,fd=29))',
      'udp UNCONN 0      0                            [::1]:53     [::]:* users:(("named",pid=14703,fd=33))',
      'udp UNCONN 0      0      [fe80::42:acff:fe11:2]%eth0:53     [::]:* users:(("named",pid=14703,fd=37))',
      'udp UNCONN 0      0      [fe80::42:acff:fe11:2]%eth0:53     [::]:* users:(("named",pid=14703,fd=38))',
      'tcp LISTEN 0      5                        127.0.0.1:953 0.0.0.0:* users:(("named",pid=14703,fd=42))',
      'tcp LISTEN 0      5                        127.0.0.1:953 0.0.0.0:* users:(("named",pid=14703,fd=41))',
      'tcp LISTEN 0      10     [fe80::42:acff:fe11:2]%eth0:53     [::]:* users:(("named",pid=14703,fd=39))'
    ].join('\n');
    expect(parseSs(out)).toEqual([
      {protocol: 'tcp', address: 'fe80::42:acff:fe11:2', port: 53, iface: 'eth0', process: 'named'},
      {protocol: 'tcp', address: '127.0.0.1', port: 953, process: 'named'},
      {protocol: 'udp', address: '172.17.0.2', port: 53, process: 'named'},
      {protocol: 'udp', address: '::1', port: 53, process: 'named'},
      {protocol: 'udp', address: 'fe80::42:acff:fe11:2', port: 53, iface: 'eth0', process: 'named'}
    ]);
    expect(describeListener(parseSs(out)[0])).toBe('tcp [fe80::42:acff:fe11:2%eth0]:53');
  });

  it('lists distinct owners once, in ss order (varnish: manager and child share the socket)', () => {
    const out = [
      'tcp LISTEN 0      1024     0.0.0.0:6081 0.0.0.0:* users:(("cache-main",pid=13472,fd=3),("varnishd",pid=13402,fd=3))',
      'tcp LISTEN 0      10     127.0.0.1:6082 0.0.0.0:* users:(("varnishd",pid=13402,fd=8))                              ',
      'tcp LISTEN 0      10         [::1]:6082    [::]:* users:(("varnishd",pid=13402,fd=7))                              '
    ].join('\n');
    expect(parseSs(out).map(l => `${describeListener(l)} ${l.process}`)).toEqual([
      'tcp 0.0.0.0:6081 cache-main,varnishd',
      'tcp 127.0.0.1:6082 varnishd',
      'tcp [::1]:6082 varnishd'
    ]);
  });

  it('reads UDP and TCP on one port as two listeners (dnsmasq)', () => {
    const out = [
      'udp UNCONN 0      0      0.0.0.0:53 0.0.0.0:* users:(("dnsmasq",pid=2523,fd=4))',
      'udp UNCONN 0      0         [::]:53    [::]:* users:(("dnsmasq",pid=2523,fd=6))',
      'tcp LISTEN 0      32     0.0.0.0:53 0.0.0.0:* users:(("dnsmasq",pid=2523,fd=5))',
      'tcp LISTEN 0      32        [::]:53    [::]:* users:(("dnsmasq",pid=2523,fd=7))'
    ].join('\n');
    expect(parseSs(out).map(describeListener)).toEqual(['tcp 0.0.0.0:53', 'tcp [::]:53 v6only', 'udp 0.0.0.0:53', 'udp [::]:53 v6only']);
  });

  it('maps ::ffff:IPv4, strips an IPv4 %device, drops raw sockets, reads a UDP `*`', () => {
    const out = [
      'raw UNCONN 0      0                 0.0.0.0:1     0.0.0.0:* users:(("python3",pid=23235,fd=5))',
      'udp UNCONN 0      0                       *:18997       *:* users:(("python3",pid=23235,fd=6))',
      'tcp LISTEN 0      128          127.0.0.1%lo:18998 0.0.0.0:* users:(("python3",pid=23235,fd=4))',
      'tcp LISTEN 0      128    [::ffff:127.0.0.1]:18999       *:* users:(("python3",pid=23235,fd=3))'
    ].join('\n');
    expect(parseSs(out)).toEqual([
      {protocol: 'tcp', address: '127.0.0.1', port: 18998, iface: 'lo', process: 'python3'},
      {protocol: 'tcp', address: '127.0.0.1', port: 18999, process: 'python3'},
      {protocol: 'udp', address: '::', port: 18997, process: 'python3'}
    ]);
  });

  it('tolerates empty output and a row without owners (the influxdb line as ss prints it without -p or root)', () => {
    expect(parseSs('')).toEqual([]);
    expect(parseSs('tcp LISTEN 0      4096   127.0.0.1:8088 0.0.0.0:*\n')).toEqual([{protocol: 'tcp', address: '127.0.0.1', port: 8088}]);
  });
});
