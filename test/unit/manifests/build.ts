import {readFileSync} from 'node:fs';
import type {DeclaredPort, ExposedPort, Exposure, Finding, Listener, Protocol, SourceLocation} from '../../../src/model.js';
import type {ManifestContext, ManifestSource} from '../../../src/manifests/index.js';

/** Plain-object builders; a test row reads like the port table of the image. */
export const fixture = (name: string): ManifestSource => ({
  file: `test/fixtures/manifests/${name}`,
  text: readFileSync(new URL(`../../fixtures/manifests/${name}`, import.meta.url), 'utf8')
});

/** 1-based line of the `nth` fixture line that reads `line`, ignoring indentation, a leading `- ` and a trailing comment. */
export const lineOf = (name: string, line: string, nth = 1): number => {
  const lines = fixture(name).text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.replace(/\s+#.*$/, '').trim().replace(/^- /, '');
    if (t === line && ++seen === nth) return i + 1;
  }
  throw new Error(`"${line}" #${nth} not in ${name}`);
};

export const listen = (port: number, address = '0.0.0.0', protocol: Protocol = 'tcp'): Listener => ({
  port,
  protocol,
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  scope: /^(127\.|::1$)/.test(address) ? 'loopback' : address === '0.0.0.0' || address === '::' ? 'wildcard' : 'specific'
});

export const declare = (port: number, exposure: Exposure = 'public', protocol: Protocol = 'tcp', extra: Partial<DeclaredPort> = {}): DeclaredPort => ({
  port,
  protocol,
  exposure,
  location: {file: 'portgate.yml', line: 10 + (port % 50)},
  ...extra
});

export const expose = (port: number, protocol: Protocol = 'tcp'): ExposedPort => ({port, protocol, origin: 'dockerfile', location: {file: 'Dockerfile', line: 7}});

const RISKY: Record<number, string> = {22: 'SSH', 5005: 'JDWP (Java debugger)', 9229: 'Node.js inspector', 15000: 'Envoy admin'};

export const ctx = (o: Partial<ManifestContext>): ManifestContext => ({
  image: 'registry.example.com/team/api:1.2.0',
  listeners: [],
  declared: [],
  exposed: [],
  isRisky: (port, protocol) => (protocol === 'tcp' && RISKY[port] ? {name: RISKY[port]!} : undefined),
  ...o
});

/** What every finding row asserts: rule, severity, port, file and line. */
export const brief = (f: Finding): {rule: string; severity: string; port: number | undefined; at: string} => {
  const l = f.location as SourceLocation;
  return {rule: f.rule, severity: f.severity, port: f.port, at: `${l.file.replace('test/fixtures/manifests/', '')}:${l.line}`};
};

export const row = (rule: string, severity: string, port: number | undefined, file: string, line: number): ReturnType<typeof brief> => ({
  rule,
  severity,
  port,
  at: `${file}:${line}`
});
