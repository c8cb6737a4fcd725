import {describe, expect, test} from 'vitest';
import {RISKY_PORTS, riskyPort, type RiskyPort} from '../../../src/compare/risky-ports.js';
import {PROTOCOLS, type Protocol} from '../../../src/model.js';

describe('riskyPort: flagged', () => {
  // prettier-ignore
  test.each<[number, Protocol, RiskyPort['category'], RegExp]>([
    [5005,  'tcp', 'debug',              /JDWP/],
    [9229,  'tcp', 'debug',              /Node\.js inspector/],
    [5858,  'tcp', 'debug',              /Node\.js debugger/],
    [40000, 'tcp', 'debug',              /Delve/],
    [2345,  'tcp', 'debug',              /Delve/],
    [5678,  'tcp', 'debug',              /debugpy/],
    [9003,  'tcp', 'debug',              /Xdebug/],
    [4020,  'tcp', 'debug',              /Visual Studio 2015/],
    [4022,  'tcp', 'debug',              /Visual Studio 2017/],
    [4024,  'tcp', 'debug',              /Visual Studio 2019/],
    [4026,  'tcp', 'debug',              /Visual Studio 2022/],
    [9222,  'tcp', 'debug',              /DevTools/],
    [1099,  'tcp', 'remote-admin',       /RMI/],
    [9010,  'tcp', 'remote-admin',       /JMX remote/],
    [6082,  'tcp', 'remote-admin',       /Varnish's management CLI/],
    [953,   'tcp', 'remote-admin',       /BIND's rndc/],
    [4369,  'tcp', 'remote-admin',       /EPMD/],
    [22,    'tcp', 'remote-admin',       /SSH/],
    [3389,  'tcp', 'remote-admin',       /RDP/],
    [3389,  'udp', 'remote-admin',       /RDP/],
    [5900,  'tcp', 'remote-admin',       /VNC/],
    [6000,  'tcp', 'remote-admin',       /X11/],
    [5985,  'tcp', 'remote-admin',       /WinRM/],
    [21,    'tcp', 'cleartext',          /FTP/],
    [23,    'tcp', 'cleartext',          /Telnet/],
    [512,   'tcp', 'cleartext',          /rexec/],
    [513,   'tcp', 'cleartext',          /rlogin/],
    [514,   'tcp', 'cleartext',          /rsh/],
    [2375,  'tcp', 'container-runtime',  /Docker Engine API/],
    [2376,  'tcp', 'container-runtime',  /Docker Engine API/],
    [10250, 'tcp', 'container-runtime',  /kubelet/],
    [10255, 'tcp', 'container-runtime',  /kubelet/],
    [2379,  'tcp', 'container-runtime',  /etcd/],
    [2380,  'tcp', 'container-runtime',  /etcd/],
    [15000, 'tcp', 'service-mesh-admin', /Envoy admin/],
    [9901,  'tcp', 'service-mesh-admin', /Envoy admin/],
    [15004, 'tcp', 'service-mesh-admin', /Istio/],
    [15020, 'tcp', 'service-mesh-admin', /Istio/],
    [15021, 'tcp', 'service-mesh-admin', /Istio/],
    [15090, 'tcp', 'service-mesh-admin', /Envoy Prometheus/],
    [28017, 'tcp', 'database-admin',     /MongoDB/],
    [11211, 'udp', 'other',              /memcached/],
    [445,   'tcp', 'other',              /SMB/],
    [8009,  'tcp', 'other',              /AJP/]
  ])('%i/%s is %s (%s)', (port, protocol, category, name) => {
    const r = riskyPort(port, protocol);
    expect(r).toMatchObject({port, category});
    expect(r!.name).toMatch(name);
  });
});

describe('riskyPort: not flagged (ordinary service ports, other protocols)', () => {
  // prettier-ignore
  test.each<[number, Protocol, string]>([
    [8000,  'tcp',  'JDWP on 8000 is common, but so is every dev web server'],
    [9000,  'tcp',  'php-fpm'],
    [1234,  'tcp',  'rdebug-ide default, and too many other uses'],
    [6379,  'tcp',  'Redis: a database image serves it'],
    [5432,  'tcp',  'PostgreSQL'],
    [3306,  'tcp',  'MySQL'],
    [27017, 'tcp',  'MongoDB'],
    [11211, 'tcp',  'memcached over TCP'],
    [80,    'tcp',  'HTTP'],
    [443,   'tcp',  'HTTPS'],
    [8080,  'tcp',  'HTTP alt'],
    [6443,  'tcp',  'kube-apiserver image'],
    [53,    'udp',  'DNS'],
    [514,   'udp',  'syslog'],
    [512,   'udp',  'biff'],
    [513,   'udp',  'rwho'],
    [22,    'udp',  'not SSH'],
    [5005,  'udp',  'JDWP is TCP'],
    [9229,  'udp',  'the inspector is TCP'],
    [2375,  'sctp', 'the Docker API is TCP'],
    [0,     'tcp',  'not a port'],
    [65535, 'tcp',  'not in the catalog']
  ])('%i/%s (%s)', (port, protocol) => {
    expect(riskyPort(port, protocol)).toBeUndefined();
  });
});

describe('RISKY_PORTS', () => {
  test('has no two entries that match the same port and protocol', () => {
    const keys = RISKY_PORTS.filter(r => r.to === undefined).flatMap(r => (r.protocol ? [r.protocol] : PROTOCOLS).map(p => `${r.port}/${p}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each(RISKY_PORTS.map(r => [`${r.port}/${r.protocol ?? 'any'}`, r] as const))('%s is well formed', (_key, r) => {
    expect(Number.isInteger(r.port) && r.port >= 1 && r.port <= 65535).toBe(true);
    expect(r.name).toMatch(/^\S.*[^.\s]$/);
    // One sentence: starts with a capital or a command/identifier, ends with a full stop, no other sentence break.
    expect(r.why).toMatch(/^[A-Za-z].*\.$/);
    expect(r.why.match(/[.!?](?=\s|$)/g)).toHaveLength(1);
    expect(r.why).not.toMatch(/\n/);
    expect(riskyPort(r.port, r.protocol ?? 'tcp', r.owners ?? [])).toBe(r);
    if (r.to !== undefined) expect(riskyPort(r.to, r.protocol ?? 'tcp', r.owners ?? [])).toBe(r);
  });

  test('entries bound to a program match only a listener it owns, never an EXPOSE line alone', () => {
    expect(riskyPort(8088, 'tcp', ['influxd'])?.name).toMatch(/InfluxDB/);
    expect(riskyPort(8088, 'tcp', ['node'])).toBeUndefined();
    expect(riskyPort(8088, 'tcp')).toBeUndefined();
    expect(riskyPort(8005, 'tcp', ['java'])?.name).toMatch(/Tomcat/);
    expect(riskyPort(8005, 'tcp', ['python3'])).toBeUndefined();
  });

  test("an Erlang node's distribution port picked at start-up is flagged for beam.smp only", () => {
    expect(riskyPort(41234, 'tcp', ['beam.smp'])?.name).toMatch(/Erlang distribution/);
    expect(riskyPort(41234, 'tcp', ['java'])).toBeUndefined();
    expect(riskyPort(25672, 'tcp')?.name).toMatch(/Erlang distribution port \(RabbitMQ/);
    // A fixed entry wins over a range that also covers the port.
    expect(riskyPort(40000, 'tcp', ['beam.smp'])?.name).toMatch(/Delve/);
  });

  test('catalog size', () => {
    expect(RISKY_PORTS.length).toBeGreaterThanOrEqual(40);
  });
});
