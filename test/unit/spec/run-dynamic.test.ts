import {describe, expect, test} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {planSandbox, specLayers} from '../../../src/sandbox/index.js';
import {loadSpec} from '../../../src/spec/index.js';

const FILE = 'portgate.yml';
/** Spec text from lines, so line numbers in expectations are easy to count. */
const y = (...lines: string[]): string => `${lines.join('\n')}\n`;
/** `run:` starts at line 3, so its first key is on line 4. */
const run = (...lines: string[]): string => y('version: 1', 'ports: []', 'run:', ...lines.map(l => `  ${l}`));
/** `dynamic:` starts at line 3, so its first entry is on line 4. */
const dynamic = (...lines: string[]): string => y('version: 1', 'ports: []', 'dynamic:', ...lines);

const errorOf = (text: string): InputError => {
  try {
    loadSpec(text, FILE);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('loadSpec accepted the spec');
};

describe('run: sandbox keys', () => {
  test('sandbox, network, readOnly, tmpfs, capabilities, memory and pids, each located at its key', () => {
    const spec = loadSpec(
      run('sandbox: strict', 'network: isolated', 'readOnly: false', 'tmpfs: [/var/lib/nginx, /run]', 'capAdd: [cap_net_bind_service, CHOWN]', 'capDrop: [ALL]', 'memory: 512m', 'pids: 256', 'settle: auto'),
      FILE
    );
    expect(spec.run).toEqual({
      sandbox: 'strict',
      network: 'isolated',
      readOnly: false,
      tmpfs: [{path: '/var/lib/nginx'}, {path: '/run'}],
      capAdd: ['cap_net_bind_service', 'CHOWN'],
      capDrop: ['ALL'],
      memoryBytes: 512 * 1024 ** 2,
      pids: 256,
      settleMs: 'auto'
    });
    const lines = Object.fromEntries(Object.entries(spec.locations.runKeys ?? {}).map(([k, l]) => [k, `${l.line}:${l.column}`]));
    expect(lines).toEqual({sandbox: '4:3', network: '5:3', readOnly: '6:3', tmpfs: '7:3', capAdd: '8:3', capDrop: '9:3', memoryBytes: '10:3', pids: '11:3'});
  });

  test('capability names are kept as written; the plan normalises them', () => {
    const spec = loadSpec(run('capDrop: [ALL]', 'capAdd: [cap_net_bind_service]'), FILE);
    expect(planSandbox(specLayers(spec.run, FILE, spec.locations.runKeys)).capabilities.value).toEqual(['NET_BIND_SERVICE']);
  });

  // prettier-ignore
  test.each([
    ['512m',       512 * 1024 ** 2],
    ['512M',       512 * 1024 ** 2],
    ['512 m',      512 * 1024 ** 2],
    ['2g',         2 * 1024 ** 3],
    ['1.5g',       1.5 * 1024 ** 3],
    ['65536k',     64 * 1024 ** 2],
    ['6m',         6 * 1024 ** 2],
    ['1073741824', 1024 ** 3]
  ])('memory: %s is %d bytes', (text, bytes) => {
    expect(loadSpec(run(`memory: ${text}`), FILE).run).toEqual({memoryBytes: bytes});
  });

  // prettier-ignore
  test.each([
    // [name, text, line, column, message fragments]
    ['capDrop typo',              run('capDrop: [NET_RAW, NET_BIND_SERVCE]'),   4, 22, ['"NET_BIND_SERVCE" is not a Linux capability. Did you mean `NET_BIND_SERVICE`?', 'with or without CAP_']],
    ['capAdd typo, CAP_ prefix',  run('capAdd:', '  - CAP_SYS_ADMN'),           5, 7,  ['"CAP_SYS_ADMN" is not a Linux capability. Did you mean `SYS_ADMIN`?']],
    ['ALL in capAdd',             run('capAdd:', '  - ALL'),                    5, 7,  ['`ALL` can only be dropped: list the capabilities to add.']],
    ['all in capAdd, lower case', run('capAdd: [all]'),                         4, 12, ['`ALL` can only be dropped']],
    ['capAdd not a list',         run('capAdd: NET_ADMIN'),                     4, 11, ['run.capAdd must be a list, but it is the string "NET_ADMIN"']],
    ['memory below the engine floor', run('memory: 1k'),                        4, 11, ['run.memory "1k" is below the engine\'s 6m minimum: write e.g. 512m.']],
    ['memory in bytes, too small', run('memory: 4096'),                         4, 11, ['below the engine\'s 6m minimum']],
    ['memory 0',                  run('memory: 0'),                             4, 11, ['run.memory "0" is below the engine\'s 6m minimum: write e.g. 512m.']],
    ['memory a list',             run('memory: [1g]'),                          4, 11, ['run.memory must be a string or a whole number, but it is a list']],
    ['pids too low',              run('pids: 8'),                               4, 9,  ['run.pids must be >= 16']],
    ['pids too high',             run('pids: 100000'),                          4, 9,  ['run.pids must be <= 65536']],
    ['pids as a string',          run('pids: "100"'),                           4, 9,  ['run.pids must be a whole number, but it is the string "100"']],
    ['sandbox typo',              run('sandbox: strikt'),                       4, 12, ['run.sandbox must be default or strict, but it is the string "strikt". Did you mean `strict`?']],
    ['network host',              run('network: host'),                         4, 12, ['run.network must be isolated or none, but it is the string "host"']],
    ['readOnly yes (YAML 1.2: a string)', run('readOnly: yes'),                 4, 13, ['run.readOnly must be true or false, but it is the string "yes"']],
    ['tmpfs not a list',          run('tmpfs: /run'),                           4, 10, ['run.tmpfs must be a list']],
    ['unknown run key, a typo',   run('capsDrop: [ALL]'),                       4, 3,  ['unknown key `capsDrop` in run. Did you mean `capDrop`?']]
  ])('%s', (_name, text, line, column, fragments) => {
    const e = errorOf(text);
    expect({file: e.file, line: e.line, column: e.column}).toEqual({file: FILE, line, column});
    for (const f of fragments) expect(e.message).toContain(f);
    expect(e.display.startsWith(`${FILE}:${line}:${column}: `)).toBe(true);
  });

  // Regression (fixed; the defect as found): values the schema's `pattern` rejects get ajv's default message, which prints the regular expression
  // instead of saying what to write: `run.memory must match pattern "^[0-9]+(?:\.[0-9]+)? ?[bkmgBKMG]?$".`
  // parseMemory's own message (`"lots" is not a size: write e.g. 512m or 2g.`) is never reached for them, and
  // run.tmpfs, run.capAdd/capDrop and dynamic[].ports have the same gap. src/spec/validate.ts:35-50 (fieldMessage
  // has no case for these paths) and 112-114 (the default branch).
  test.each([
    ['memory lots',           run('memory: lots'),                 4, 11, 'run.memory "lots" is not a size: write e.g. 512m or 2g.'],
    ['memory 512mb',          run('memory: 512mb'),                4, 11, 'run.memory "512mb" is not a size: write e.g. 512m or 2g.'],
    ['tmpfs relative path',   run('tmpfs: [var/run]'),             4, 11, 'absolute'],
    ['capAdd with a hyphen',  run('capAdd: [NET-ADMIN]'),          4, 12, 'is not a Linux capability'],
    ['dynamic ports typo',    dynamic('  - ports: ephemral', '    reason: x'), 4, 12, 'ephemeral']
  ])('%s: the message says what to write, not the schema’s regular expression', (_name, text, line, column, fragment) => {
    const e = errorOf(text);
    expect({line: e.line, column: e.column}).toEqual({line, column});
    expect(e.message).not.toContain('must match pattern');
    expect(e.message).toContain(fragment);
  });
});

describe('dynamic: entries', () => {
  test('defaults: ephemeral range, tcp, internal, at most one port; located at the entry', () => {
    const spec = loadSpec(dynamic('  - process: java', '    reason: JMX/RMI data port'), FILE);
    expect(spec.dynamic).toEqual([
      {process: 'java', range: 'ephemeral', protocol: 'tcp', exposure: 'internal', max: 1, reason: 'JMX/RMI data port', location: {file: FILE, line: 4, column: 5, endLine: 6, endColumn: 1}}
    ]);
  });

  // prettier-ignore
  test.each([
    ['a full path',               ['  - process: /usr/lib/jvm/java-17-openjdk-amd64/bin/java', '    reason: x'], {process: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', range: 'ephemeral'}],
    ['ports: ephemeral, written', ['  - process: java', '    ports: ephemeral', '    reason: x'],           {process: 'java', range: 'ephemeral'}],
    ['a range, no process',       ['  - ports: 40000-40100', '    reason: media relay'],                    {range: [40000, 40100]}],
    ['a quoted range',            ['  - ports: "40000-40100"', '    reason: x'],                            {range: [40000, 40100]}],
    ['one port as a number',      ['  - ports: 40000', '    reason: x'],                                    {range: [40000, 40000]}],
    ['process and range',         ['  - process: dlv', '    ports: 40000-40010', '    reason: x'],          {process: 'dlv', range: [40000, 40010]}],
    ['udp, loopback, max 4',      ['  - process: rtpengine', '    protocol: udp', '    exposure: loopback', '    max: 4', '    reason: x'], {protocol: 'udp', exposure: 'loopback', max: 4}],
    ['flow style',                ['  - {process: java, max: 2, reason: "JMX"}'],                           {process: 'java', max: 2, reason: 'JMX'}]
  ])('%s', (_name, lines, expected) => {
    const [d] = loadSpec(dynamic(...lines), FILE).dynamic;
    expect(d).toMatchObject(expected);
    expect(d!.location).toMatchObject({file: FILE, line: 4, column: 5});
  });

  test('several entries keep their order, each at its own line', () => {
    const spec = loadSpec(dynamic('  - process: java', '    max: 2', '    reason: JMX', '  - ports: 40000-40100', '    reason: media'), FILE);
    expect(spec.dynamic.map(d => d.location.line)).toEqual([4, 7]);
  });

  // prettier-ignore
  test.each([
    // [name, text, line, column, message fragments]
    ['neither process nor ports',   dynamic('  - max: 2', '    reason: JMX'),                                4, 5,  ['dynamic[0] matches any listener: give `process:` (the owning executable, e.g. java), `ports:` (a range), or both.']],
    ['the second entry is located', dynamic('  - process: java', '    reason: x', '  - reason: y'),         6, 5,  ['dynamic[1] matches any listener']],
    ['exposure public',             dynamic('  - process: java', '    exposure: public', '    reason: JMX'), 5, 15, ['dynamic[0].exposure must be internal or loopback, but it is the string "public".']],
    ['missing reason',              dynamic('  - process: java'),                                         4, 5,  ['dynamic[0] is missing `reason`.']],
    ['empty reason',                dynamic('  - process: java', '    reason: ""'),                        5, 13, ['dynamic[0].reason is empty: say why']],
    ['empty process',               dynamic('  - process: ""', '    reason: x'),                           4, 14, ['dynamic[0].process must not be empty.']],
    ['a range running backwards',   dynamic('  - ports: 50000-40000', '    reason: x'),                    4, 12, ['port range "50000-40000" runs backwards: write "40000-50000"']],
    ['a range over 1024 ports',     dynamic('  - ports: 1-65535', '    reason: x'),                        4, 12, ['has 65535 ports; at most 1024 are allowed per entry']],
    ['port 0',                      dynamic('  - ports: 0', '    reason: x'),                              4, 12, ['dynamic[0].ports: port 0 is out of range: ports go from 1 to 65535.']],
    ['max 0',                       dynamic('  - process: java', '    max: 0', '    reason: x'),           5, 10, ['dynamic[0].max must be >= 1']],
    ['protocol typo',               dynamic('  - process: java', '    protocol: tpc', '    reason: x'),    5, 15, ['dynamic[0].protocol must be tcp, udp or sctp, but it is the string "tpc". Did you mean `tcp`?']],
    ['unknown key',                 dynamic('  - proces: java', '    reason: x'),                          4, 5,  ['unknown key `proces` in dynamic[0]. Did you mean `process`?', 'Allowed keys: process, ports, protocol, exposure, max, reason.']],
    ['dynamic not a list',          y('version: 1', 'ports: []', 'dynamic: {process: java}'),              3, 10, ['dynamic must be a list, but it is a mapping']]
  ])('%s', (_name, text, line, column, fragments) => {
    const e = errorOf(text);
    expect({file: e.file, line: e.line, column: e.column}).toEqual({file: FILE, line, column});
    for (const f of fragments) expect(e.message).toContain(f);
    expect(e.display.startsWith(`${FILE}:${line}:${column}: `)).toBe(true);
  });

  test('problems in run: and dynamic: are reported together, in file order, each at its file:line:column', () => {
    const e = errorOf(y('version: 1', 'ports: []', 'dynamic:', '  - ports: "1000-3000"', '    reason: x', 'run:', '  capDrop: [NET_BIND_SERVCE]', '  capAdd: [ALL]'));
    expect(e.display.split('\n').map(l => l.replace(/: .*$/, ''))).toEqual(['portgate.yml:4:12', 'portgate.yml:7:13', 'portgate.yml:8:12']);
  });
});
