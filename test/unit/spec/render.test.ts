import {parse} from 'yaml';
import {describe, expect, test} from 'vitest';
import {VERSION} from '../../../src/version.js';
import {loadSpec, renderSpec, type BaselinePort, type RunConfig} from '../../../src/spec/index.js';

const BASELINE: BaselinePort[] = [
  {port: 53, protocol: 'udp', exposure: 'internal', comment: 'seen on 0.0.0.0 by /usr/sbin/dnsmasq'},
  {port: 5005, protocol: 'tcp', exposure: 'loopback', comment: 'seen on 127.0.0.1 by java; WARNING: JDWP debugger, remove it or add a reason'},
  {port: 8080, protocol: 'tcp', exposure: 'public', name: 'http', comment: 'seen on 0.0.0.0, :: by /app/server; EXPOSEd at Dockerfile:12'},
  {port: 9000, protocol: 'sctp', exposure: 'internal'},
  {port: 9090, protocol: 'tcp', exposure: 'public', comment: 'EXPOSEd but nothing listened: remove this entry and the EXPOSE, or fix the service'}
];

const RUN: RunConfig = {
  entrypoint: ['/bin/sh', '-c'],
  command: ['exec server --listen ":8080" # not a comment'],
  env: {PORT: '8080', ENABLED: 'yes', VERSION: '1.10', EMPTY: '', QUOTE: 'say "hi"', 'odd key': 'x: y'},
  user: '1000:1000',
  timeoutMs: 45_000,
  settleMs: 750
};

describe('renderSpec', () => {
  test('starts with the yaml-language-server schema line, then the header', () => {
    const lines = renderSpec(BASELINE, {header: ['Baseline for app:1.0, observed by portgate init.', 'Review it.']}).split('\n');
    expect(lines.slice(0, 3)).toEqual([`# yaml-language-server: $schema=https://unpkg.com/portgate@${VERSION}/schema/portgate.schema.json`, '# Baseline for app:1.0, observed by portgate init.', '# Review it.']);
  });

  test('the schema line points where it is told (the project\'s installed copy)', () => {
    expect(renderSpec(BASELINE, {schema: './node_modules/portgate/schema/portgate.schema.json'}).split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/portgate/schema/portgate.schema.json');
  });

  test('writes each port with its comment above it', () => {
    expect(renderSpec(BASELINE.slice(2, 3))).toContain(
      ['ports:', '  # seen on 0.0.0.0, :: by /app/server; EXPOSEd at Dockerfile:12', '  - port: 8080', '    name: http', '    exposure: public', ''].join('\n')
    );
  });

  test('round-trips: loadSpec reads back the same ports and run settings', () => {
    const text = renderSpec(BASELINE, {run: RUN, header: ['a header with: colons # and hashes', 'and a second\nline']});
    const spec = loadSpec(text, 'portgate.yml');
    expect(spec.ports.map(({port, protocol, exposure, name}) => ({port, protocol, exposure, ...(name && {name})}))).toEqual(
      BASELINE.map(({port, protocol, exposure, name}) => ({port, protocol, exposure, ...(name && {name})}))
    );
    expect(spec.run).toEqual(RUN);
    expect(spec.rules).toEqual({});
  });

  test('round-trips the port locations to the lines it wrote', () => {
    const text = renderSpec(BASELINE);
    const lines = text.split('\n');
    for (const p of loadSpec(text, 'portgate.yml').ports) expect(lines[p.location.line - 1]).toBe(`  - port: ${p.port}`);
  });

  test('an empty baseline is `ports: []`', () => {
    const text = renderSpec([]);
    expect(text).toContain('\nports: []\n');
    expect(loadSpec(text, 'portgate.yml').ports).toEqual([]);
  });

  test('comments cannot break out of the comment: newlines become further comment lines', () => {
    const text = renderSpec([{port: 80, protocol: 'tcp', exposure: 'public', comment: 'first\nports: evil\r\nthird'}], {header: ['x\ny']});
    expect(parse(text)).toEqual({version: 1, ports: [{port: 80, exposure: 'public'}]});
  });

  // prettier-ignore
  test.each([
    ['yes'], ['no'], ['on'], ['null'], ['true'], ['1000'], ['1.10'], ['0x1F'], ['a: b'], ['#x'], ['- x'], ['@x'], ['*x'], ['&x'], ['!x'], ['%x'],
    ['x #y'], ["it's"], ['"q"'], ['[a]'], ['{a}'], [' lead'], ['trail '], ['tab\there'], ['ünïcode'], ['~'], ['']
  ])('run.env value %j survives the round trip', value => {
    const spec = loadSpec(renderSpec([], {run: {env: {K: value}}}), 'portgate.yml');
    expect(spec.run.env).toEqual({K: value});
  });

  test.each([['1000:1000'], ['1000'], ['nobody'], ['app:app'], ['yes']])('run.user %j survives the round trip', user => {
    expect(loadSpec(renderSpec([], {run: {user}}), 'portgate.yml').run).toEqual({user});
  });

  test('durations are written in the friendliest unit', () => {
    const text = renderSpec([], {run: {timeoutMs: 120_000, settleMs: 1_500}});
    expect(text).toContain('  timeout: 120s\n  settle: 1500ms\n');
  });
});
