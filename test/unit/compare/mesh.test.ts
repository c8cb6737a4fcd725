import {describe, expect, test} from 'vitest';
import {evaluate} from '../../../src/compare/evaluate.js';
import {MESH_PORTS, consulAclEnabled, meshPortOf, type MeshFacts} from '../../../src/compare/mesh.js';
import {RISKY_PORTS, riskyPort} from '../../../src/compare/risky-ports.js';
import type {Listener, Protocol} from '../../../src/model.js';
import {declare, expose, input} from './build.js';

const owned = (port: number, name: string, address = '0.0.0.0', protocol: Protocol = 'tcp'): Listener => ({
  port,
  protocol,
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  scope: address.startsWith('127.') || address === '::1' ? 'loopback' : 'wildcard',
  process: {pid: 1, name, exe: `/usr/local/bin/${name}`, command: name}
});

describe('the mesh table', () => {
  test('a pod-internal port says why it is a finding beyond loopback; a pod port is expected there and says why', () => {
    for (const m of MESH_PORTS) {
      expect(m.why, `${m.mesh} ${m.port}`).toMatch(/\.$/);
      if (m.reach === 'loopback') expect(m.exposed, `${m.mesh} ${m.port}`).toMatch(/\.$/);
      else expect(m.exposed, `${m.mesh} ${m.port}`).toBeUndefined();
    }
  });

  test('every Istio port the risky catalog reserves has a mesh entry, so the mesh serving it is judged by the table', () => {
    const reserved = RISKY_PORTS.filter(r => /Istio/.test(r.name)).map(r => r.port);
    expect(reserved.sort()).toEqual([15000, 15004, 15020, 15021, 15090]);
    for (const port of reserved) expect(meshPortOf(port, 'tcp', ['envoy']), String(port)).toBeDefined();
  });
});

describe('riskyPort: the mesh serving its own port is judged by the mesh table; anyone else by the catalog', () => {
  const acl: MeshFacts = {consulAcl: true};
  // prettier-ignore
  test.each<[string, number, Protocol, string[], MeshFacts, string | undefined]>([
    ['Envoy admin, served by Envoy',                   15000, 'tcp', ['envoy'],                {}, 'the Envoy admin interface (Istio sidecar)'],
    ['the agent debug port, served by pilot-agent',    15004, 'tcp', ['pilot-agent'],          {}, "the Istio agent's debug port"],
    ['the DNS proxy on UDP',                           15053, 'udp', ['pilot-agent'],          {}, "the Istio agent's DNS proxy"],
    ['health 15021, served by Envoy: expected',        15021, 'tcp', ['envoy'],                {}, undefined],
    ['stats 15090, served by Envoy: expected',         15090, 'tcp', ['envoy'],                {}, undefined],
    ['merged metrics 15020, served by the agent',      15020, 'tcp', ['pilot-agent'],          {}, undefined],
    ['15020 served by Envoy: still the mesh',          15020, 'tcp', ['envoy'],                {}, undefined],
    ['an application squatting on 15021',              15021, 'tcp', ['app'],                  {}, 'the Istio sidecar health port'],
    ['15021 shared by Envoy and an application',       15021, 'tcp', ['envoy', 'app'],         {}, 'the Istio sidecar health port'],
    ['EXPOSE 15021 alone: no owner, the catalog',      15021, 'tcp', [],                       {}, 'the Istio sidecar health port'],
    ['an application on 15000',                        15000, 'tcp', ['java'],                 {}, 'the Envoy admin interface (Istio)'],
    ['plain Envoy admin on 9901 is not Istio’s table', 9901,  'tcp', ['envoy'],                {}, 'the Envoy admin interface'],
    ['Consul’s HTTP API without ACLs',                 8500,  'tcp', ['consul'],               {}, "Consul's HTTP API"],
    ['Consul’s HTTP API with ACLs on',                 8500,  'tcp', ['consul'],               acl, undefined],
    ['Consul’s HTTPS API without ACLs',                8501,  'tcp', ['consul'],               {}, "Consul's HTTPS API"],
    ['Consul’s Serf LAN on UDP: expected',             8301,  'udp', ['consul'],               {}, undefined],
    ['Consul’s DNS: expected',                         8600,  'udp', ['consul'],               {}, undefined],
    ['8500 owned by something else: not in any table', 8500,  'tcp', ['python3'],              {}, undefined],
    ['JDWP is JDWP whoever owns it',                   5005,  'tcp', ['envoy'],                {}, 'JDWP (Java remote debugging)']
  ])('%s', (_name, port, protocol, owners, facts, want) => {
    expect(riskyPort(port, protocol, owners, facts)?.name).toBe(want);
  });

  test('a mesh risk carries the table’s reason and the service-mesh-admin category', () => {
    expect(riskyPort(15000, 'tcp', ['envoy'])).toMatchObject({category: 'service-mesh-admin', why: expect.stringContaining('/quitquitquit')});
  });
});

describe('consulAclEnabled: ACLs on, where portgate can read the configuration', () => {
  // prettier-ignore
  test.each<[string, boolean]>([
    ['{"acl": {"enabled": true, "default_policy": "deny"}}',    true],
    ['acl { enabled = true default_policy = "deny" }',           true],
    ['acl = {\n  enabled = true\n}',                             true],
    ['{"acl_default_policy": "deny", "acl_datacenter": "dc1"}',  true],
    ['{"acl": {"enabled": false}}',                              false],
    ['{"datacenter": "dc1"}',                                    false],
    ['-client=0.0.0.0',                                          false]
  ])('%j → %s', (text, want) => {
    expect(consulAclEnabled(['agent', text])).toBe(want);
  });
});

describe('evaluate: an image that runs Envoy', () => {
  const envoy = (admin: string) => [owned(15000, 'envoy', admin), owned(15021, 'envoy'), owned(15090, 'envoy')];
  const run = (o: Parameters<typeof input>[0]) => evaluate(input({risky: riskyPort, ...o})).map(f => `${f.rule}:${f.port}`);

  test('zero config, admin on 127.0.0.1: the mesh’s health and stats ports need no EXPOSE, nothing is risky', () => {
    expect(run({listening: envoy('127.0.0.1')})).toEqual([]);
  });

  test('zero config, admin on 0.0.0.0: one finding, the admin port, with the mesh table’s reason', () => {
    const fs = evaluate(input({risky: riskyPort, listening: envoy('0.0.0.0')}));
    expect(fs.map(f => `${f.rule}:${f.port}`)).toEqual(['risky-port:15000']);
    expect(fs[0]!.message).toMatch(/^15000\/tcp is the Envoy admin interface \(Istio sidecar\): Envoy's admin API dumps/);
  });

  test('with a spec that declares only the application port: the mesh’s own ports are not undeclared', () => {
    expect(run({listening: [...envoy('127.0.0.1'), owned(8080, 'envoy')], declared: [declare(8080)], exposed: [expose(8080)]})).toEqual([]);
  });

  test('an application squatting on 15021 and 15090: risky and not EXPOSEd, as before', () => {
    expect(run({listening: [owned(15021, 'app'), owned(15090, 'app')]}).sort()).toEqual(['listener-not-exposed:15021', 'listener-not-exposed:15090', 'risky-port:15021', 'risky-port:15090']);
  });

  test('a Consul agent: its API on 0.0.0.0 without ACLs is risky; gossip, RPC and DNS are expected', () => {
    const consul = [owned(8300, 'consul'), owned(8301, 'consul'), owned(8301, 'consul', '0.0.0.0', 'udp'), owned(8500, 'consul'), owned(8600, 'consul', '0.0.0.0', 'udp')];
    expect(run({listening: consul})).toEqual(['risky-port:8500']);
    expect(evaluate(input({listening: consul, risky: (p, pr, o) => riskyPort(p, pr, o, {consulAcl: true})}))).toEqual([]);
  });
});
