import type {ContainerOutcome, DeclaredPort, ExposedPort, Exposure, Listener, Protocol} from '../../../src/model.js';
import type {EvaluateInput} from '../../../src/compare/evaluate.js';

/** Plain-object builders for the three views; tests read like the port table. */
export const listen = (port: number, address = '0.0.0.0', protocol: Protocol = 'tcp', pid?: number): Listener => ({
  port,
  protocol,
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  scope: /^(127\.|::1$|::ffff:127\.)/.test(address) ? 'loopback' : address === '0.0.0.0' || address === '::' ? 'wildcard' : 'specific',
  ...(pid && {process: {pid, name: 'app', exe: '/app', command: 'app'}})
});

export const expose = (port: number, protocol: Protocol = 'tcp', line = 5): ExposedPort => ({port, protocol, origin: 'dockerfile', location: {file: 'Dockerfile', line, column: 8}});
export const inherited = (port: number, protocol: Protocol = 'tcp'): ExposedPort => ({port, protocol, origin: 'base-image'});

export const declare = (port: number, exposure: Exposure = 'public', protocol: Protocol = 'tcp', extra: Partial<DeclaredPort> = {}): DeclaredPort => ({
  port,
  protocol,
  exposure,
  location: {file: 'portgate.yml', line: 3 + port % 100, column: 11},
  ...extra
});

export const ran: ContainerOutcome = {exited: false, timedOut: false, reader: 'host', trusted: true};

export const input = (o: Partial<EvaluateInput>): EvaluateInput => ({
  image: 'app:test',
  exposed: [],
  listening: [],
  declared: undefined,
  container: ran,
  waitedMs: 2_000,
  risky: (port: number) => (port === 5005 ? {name: 'JDWP (Java debugger)', why: 'It lets anyone who reaches it run code in the JVM.'} : undefined),
  ...o
});
