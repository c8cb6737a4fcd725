import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import type {ManifestContext} from '../../../src/manifests/index.js';
import {checkCompose, loadCompose} from '../../../src/manifests/index.js';
import {parseShortPort, withDefaults} from '../../../src/manifests/compose-ports.js';
import {brief, ctx, declare, expose, fixture, lineOf, listen, row} from './build.js';

const C = 'compose/compose.yaml';
const O = 'compose/compose.override.yaml';
const check = (files: string[], c: Partial<ManifestContext>) => checkCompose(loadCompose(files.map(f => fixture(f))), ctx(c));

const apiListeners = [listen(8080), listen(8081), listen(5005), listen(9090, '::'), listen(9229), listen(7000), listen(8082)];
const apiSpec = [declare(8080), declare(8081, 'internal'), declare(9090, 'internal'), declare(7000), declare(7001)];

// prettier-ignore
const cases: {name: string; files: string[]; ctx: Partial<ManifestContext>; want: ReturnType<typeof row>[]}[] = [
  {name: 'short and long syntax: JDWP and an internal port on all interfaces, a range half not served, a stale expose',
    files: [C], ctx: {listeners: apiListeners, declared: apiSpec}, want: [
      row('compose-published-all-interfaces', 'error', 5005, C, lineOf(C, '"5005:5005"')),
      row('compose-published-all-interfaces', 'error', 9090, C, lineOf(C, 'target: 9090')),
      row('compose-port-not-listening', 'warning', 7001, C, lineOf(C, '"7000-7001:7000-7001"')),
      row('compose-port-not-listening', 'warning', 8083, C, lineOf(C, '"8083"'))]},
  {name: 'override file: merged ports (0.0.0.0 host_ip) and network_mode: host',
    files: [C, O], ctx: {listeners: apiListeners, declared: apiSpec}, want: [
      row('compose-published-all-interfaces', 'error', 8081, O, lineOf(O, 'target: 8081')),
      row('k8s-host-network', 'warning', undefined, O, lineOf(O, 'network_mode: host')),
      row('compose-published-all-interfaces', 'error', 5005, C, lineOf(C, '"5005:5005"')),
      row('compose-published-all-interfaces', 'error', 9090, C, lineOf(C, 'target: 9090')),
      row('compose-port-not-listening', 'warning', 7001, C, lineOf(C, '"7000-7001:7000-7001"')),
      row('compose-port-not-listening', 'warning', 8083, C, lineOf(C, '"8083"'))]},
  {name: 'override by container_name picks one service',
    files: [C, O], ctx: {containerName: 'api-agent', listeners: apiListeners, declared: apiSpec}, want: [
      row('k8s-host-network', 'warning', undefined, O, lineOf(O, 'network_mode: host'))]},
  {name: 'UDP service published without /udp',
    files: [C], ctx: {image: 'example/dns-cache:2.0', listeners: [listen(53, '0.0.0.0', 'udp')]}, want: [
      row('compose-port-not-listening', 'warning', 53, C, lineOf(C, '"1053:53"'))]},
  {name: 'static mode: spec and EXPOSE stand in for listeners',
    files: [C], ctx: {listeners: undefined, declared: [declare(8080), declare(8081, 'internal'), declare(9090, 'internal'), declare(7000)], exposed: [expose(8082)]}, want: [
      row('compose-port-not-listening', 'warning', 5005, C, lineOf(C, '"5005:5005"')),
      row('compose-published-all-interfaces', 'error', 5005, C, lineOf(C, '"5005:5005"')),
      row('compose-published-all-interfaces', 'error', 9090, C, lineOf(C, 'target: 9090')),
      row('compose-port-not-listening', 'warning', 9229, C, lineOf(C, '"[::1]:9229:9229"')),
      row('compose-port-not-listening', 'warning', 7001, C, lineOf(C, '"7000-7001:7000-7001"')),
      row('compose-port-not-listening', 'warning', 8083, C, lineOf(C, '"8083"'))]}
];

describe('checkCompose', () => {
  it.each(cases)('$name', ({files, ctx: c, want}) => {
    expect(check(files, c).map(brief)).toEqual(want);
  });

  it('messages say what to change', () => {
    const fs = check([C, O], {listeners: apiListeners, declared: apiSpec});
    const msgs = [5005, 9090, 7001, undefined].map(port => fs.find(f => f.port === port)?.message);
    expect(msgs[0]).toMatch(/publishes 5005\/tcp on every host interface \("5005:5005", host port 5005\), but 5005\/tcp is a risky port \(JDWP.*bind it to loopback \(`"127.0.0.1:5005:5005"`\)/);
    expect(msgs[1]).toMatch(/portgate\.yml declares 9090\/tcp internal.*add `host_ip: 127.0.0.1` to this entry/);
    expect(msgs[2]).toMatch(/forwards "7000-7001:7000-7001" to container port 7001\/tcp, but nothing listens on 7001\/tcp.*point it at a port the service serves/);
    expect(msgs[3]).toMatch(/network_mode: host.*\(5005\/tcp, 7000\/tcp.*Its `ports:` entries are ignored/);
    const [udp] = check([C], {image: 'example/dns-cache:2.0', listeners: [listen(53, '0.0.0.0', 'udp')]});
    expect(udp?.message).toMatch(/the image listens on 53\/udp \(0.0.0.0\), not 53\/tcp.*append `\/udp` to the entry/);
  });

  it('throws InputError when no service runs the image, naming the images it saw', () => {
    expect(() => check([C], {image: 'ghcr.io/acme/web:1'})).toThrow(InputError);
    expect(() => check([C], {image: 'ghcr.io/acme/web:1'})).toThrow(/images: registry.example.com\/team\/api:\$\{API_TAG:-1.2.0\}|images: registry.example.com\/team\/api:1.2.0/);
  });

  // prettier-ignore
  it.each([
    ['a bad short port', 'services:\n  a:\n    image: x\n    ports:\n      - "80:http"\n', 5, /invalid port mapping "80:http": container port "http" is not a port number/],
    ['a long port without target', 'services:\n  a:\n    ports:\n      - published: 80\n', 4, /needs `target`/],
    ['an unknown protocol', 'services:\n  a:\n    ports:\n      - "53:53/dns"\n', 4, /unknown protocol "dns"/],
    ['ports as a string', 'services:\n  a:\n    ports: "80:80"\n', 3, /`ports` must be a list/]
  ])('throws InputError with file:line for %s', (_, text, line, msg) => {
    expect(() => loadCompose([{file: 'compose.yaml', text}])).toThrow(msg);
    try {
      loadCompose([{file: 'compose.yaml', text}]);
    } catch (e) {
      expect([(e as InputError).file, (e as InputError).line]).toEqual(['compose.yaml', line]);
    }
  });
});

describe('Compose port syntax', () => {
  // prettier-ignore
  it.each([
    ['8080', [{target: 8080, protocol: 'tcp'}]],
    ['8080:80', [{published: '8080', target: 80, protocol: 'tcp'}]],
    ['127.0.0.1:8080:80', [{hostIp: '127.0.0.1', published: '8080', target: 80, protocol: 'tcp'}]],
    ['127.0.0.1::80', [{hostIp: '127.0.0.1', target: 80, protocol: 'tcp'}]],
    ['[::1]:8080:80', [{hostIp: '::1', published: '8080', target: 80, protocol: 'tcp'}]],
    ['::1:8080:80', [{hostIp: '::1', published: '8080', target: 80, protocol: 'tcp'}]],
    ['1054:53/udp', [{published: '1054', target: 53, protocol: 'udp'}]],
    ['9000-9001:9000-9001', [{published: '9000', target: 9000, protocol: 'tcp'}, {published: '9001', target: 9001, protocol: 'tcp'}]],
    ['8000-8010:80', [{published: '8000-8010', target: 80, protocol: 'tcp'}]],
    ['0.0.0.0:53:53/UDP', [{hostIp: '0.0.0.0', published: '53', target: 53, protocol: 'udp'}]]
  ])('%s', (text, want) => expect(parseShortPort(text)).toEqual(want));

  it.each(['9000-9002:9000-9001', '70000:80', '80:0', 'a:b:c:d', '[::1]8080:80'])('rejects %s', text => expect(typeof parseShortPort(text)).toBe('string'));

  it.each([
    ['${PORT:-8080}:80', '8080:80'],
    ['${BIND-127.0.0.1}:5005:5005', '127.0.0.1:5005:5005'],
    ['$$HOME', '$HOME'],
    ['${PORT}:80', undefined],
    ['${PORT:?set PORT}:80', undefined]
  ])('interpolates %s', (text, want) => expect(withDefaults(text)).toBe(want));
});
