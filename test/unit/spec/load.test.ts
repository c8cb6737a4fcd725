import {describe, expect, test} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {loadSpec} from '../../../src/spec/index.js';

const FILE = 'portgate.yml';
/** Spec text from lines, so line numbers in expectations are easy to count. */
const y = (...lines: string[]): string => `${lines.join('\n')}\n`;
const ports = (...lines: string[]): string => y('version: 1', 'ports:', ...lines);
const acc = (...lines: string[]): string => y('version: 1', 'ports: []', 'accept:', ...lines);

const errorOf = (text: string): InputError => {
  try {
    loadSpec(text, FILE);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('loadSpec accepted the spec');
};

describe('loadSpec: valid forms', () => {
  // prettier-ignore
  test.each([
    ['a number',                  ports('  - port: 8080'),                               [{port: 8080, protocol: 'tcp', exposure: 'public'}]],
    ['a numeric string',          ports('  - port: "8080"'),                             [{port: 8080, protocol: 'tcp'}]],
    ['port 1 and 65535',          ports('  - port: 1', '  - port: 65535'),               [{port: 1}, {port: 65535}]],
    ['a /udp suffix',             ports('  - port: 53/udp'),                             [{port: 53, protocol: 'udp'}]],
    ['a /sctp suffix',            ports('  - port: "3868/sctp"'),                        [{port: 3868, protocol: 'sctp'}]],
    ['a /tcp suffix',             ports('  - port: 80/tcp'),                             [{port: 80, protocol: 'tcp'}]],
    ['protocol: udp',             ports('  - port: 53', '    protocol: udp'),            [{port: 53, protocol: 'udp'}]],
    ['suffix and same protocol',  ports('  - port: 53/udp', '    protocol: udp'),        [{port: 53, protocol: 'udp'}]],
    ['a range',                   ports('  - port: 7000-7002'),                          [{port: 7000}, {port: 7001}, {port: 7002}]],
    ['a udp range',               ports('  - port: "7000-7001/udp"'),                    [{port: 7000, protocol: 'udp'}, {port: 7001, protocol: 'udp'}]],
    ['a one-port range',          ports('  - port: 9000-9000'),                          [{port: 9000}]],
    ['same port, two protocols',  ports('  - port: 53', '  - port: 53/udp'),             [{port: 53, protocol: 'tcp'}, {port: 53, protocol: 'udp'}]],
    ['exposure internal',         ports('  - port: 9090', '    exposure: internal'),     [{exposure: 'internal'}]],
    ['exposure loopback',         ports('  - port: 9229', '    exposure: loopback'),     [{exposure: 'loopback'}]],
    ['name and reason',           ports('  - port: 5005', '    name: jdwp', '    reason: debug build only'), [{name: 'jdwp', reason: 'debug build only'}]],
    ['flow style',                ports('  - {port: 8080, exposure: internal}'),         [{port: 8080, exposure: 'internal'}]],
    ['no ports',                  y('version: 1', 'ports: []'),                          []]
  ])('%s', (_name, text, expected) => {
    const spec = loadSpec(text, FILE);
    expect(spec.ports).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(spec.ports[i]).toMatchObject(e));
  });

  test('served: false: no exposure needed, stored only when false', () => {
    const spec = loadSpec(ports('  - port: 9000', '    served: false', '  - port: 8080', '    served: true'), FILE);
    expect(spec.ports[0]).toMatchObject({port: 9000, served: false});
    expect(spec.ports[1]).not.toHaveProperty('served');
  });

  test('accept: every key, ports as written, until kept as the date string YAML 1.2 reads, each entry located', () => {
    const spec = loadSpec(
      acc(
        '  - rule: exposed-not-declared',
        '    port: 9000',
        '    reason: "EXPOSEd by the nginx base image"',
        '    until: 2027-03-31',
        '  - rule: k8s-target-port-omitted',
        '    port: "7000-7010/udp"',
        '    file: deploy/k8s.yaml',
        '    reason: chart template',
        '  - {rule: k8s-host-network, reason: node agent}'
      ),
      FILE
    );
    expect(spec.accept).toEqual([
      {rule: 'exposed-not-declared', ports: [9000, 9000], protocol: 'tcp', reason: 'EXPOSEd by the nginx base image', until: '2027-03-31', untilLocation: {file: FILE, line: 7, column: 12, endLine: 7, endColumn: 22}, location: expect.objectContaining({line: 4, column: 5})},
      {rule: 'k8s-target-port-omitted', ports: [7000, 7010], protocol: 'udp', file: 'deploy/k8s.yaml', reason: 'chart template', location: expect.objectContaining({line: 8, column: 5})},
      {rule: 'k8s-host-network', reason: 'node agent', location: expect.objectContaining({line: 12, column: 5})}
    ]);
  });

  test('a range of 1024 ports is the largest allowed', () => {
    expect(loadSpec(ports('  - port: 1-1024'), FILE).ports).toHaveLength(1024);
  });

  test('each port points at its `port:` value, ranges included', () => {
    const spec = loadSpec(ports('  - port: 8080', '  - name: admin', '    port: 9000-9001'), FILE);
    expect(spec.ports.map(p => p.location)).toEqual([
      {file: FILE, line: 3, column: 11, endLine: 3, endColumn: 15},
      {file: FILE, line: 5, column: 11, endLine: 5, endColumn: 20},
      {file: FILE, line: 5, column: 11, endLine: 5, endColumn: 20}
    ]);
  });

  test('run: all keys, env values stringified as written', () => {
    const spec = loadSpec(
      y('version: 1', 'ports: []', 'run:', '  command: [node, server.js]', '  entrypoint: ["/bin/sh", "-c"]',
        '  env: {PORT: 8080, DEBUG: true, NAME: api, VERSION: 1.10, MASK: 0x1F}', '  user: 1000:1000', '  timeout: 1.5m', '  settle: 500ms'),
      FILE
    );
    expect(spec.run).toEqual({
      command: ['node', 'server.js'],
      entrypoint: ['/bin/sh', '-c'],
      env: {PORT: '8080', DEBUG: 'true', NAME: 'api', VERSION: '1.10', MASK: '0x1F'},
      user: '1000:1000',
      timeoutMs: 90_000,
      settleMs: 500
    });
    expect(spec.locations.run).toMatchObject({line: 3, column: 1});
  });

  test('a numeric user and a zero settle', () => {
    expect(loadSpec(y('version: 1', 'ports: []', 'run:', '  user: 1000', '  settle: 0'), FILE).run).toEqual({user: '1000', settleMs: 0});
  });

  test('rules: every severity, with the section located', () => {
    const spec = loadSpec(y('version: 1', 'ports: []', 'rules:', '  risky-port: off', '  untrusted-reader: error', '  public-not-exposed: warning', '  k8s-host-network: note'), FILE);
    expect(spec.rules).toEqual({'risky-port': 'off', 'untrusted-reader': 'error', 'public-not-exposed': 'warning', 'k8s-host-network': 'note'});
    expect(spec.locations).toEqual({ports: {file: FILE, line: 2, column: 1, endLine: 2, endColumn: 6}, rules: {file: FILE, line: 3, column: 1, endLine: 3, endColumn: 6}});
  });

  test('a byte-order mark and CRLF line ends do not shift positions', () => {
    const spec = loadSpec('\uFEFFversion: 1\r\nports:\r\n  - port: 80\r\n', FILE);
    expect(spec.ports[0]!.location).toMatchObject({line: 3, column: 11});
    expect(errorOf('version: 1\r\nports:\r\n  - port: 0\r\n')).toMatchObject({line: 3, column: 11});
  });

  test('defaults: empty run and rules; only ports: located', () => {
    const spec = loadSpec(y('version: 1', 'ports: []'), FILE);
    expect(spec).toEqual({file: FILE, version: 1, ports: [], dynamic: [], run: {}, rules: {}, accept: [], locations: {ports: {file: FILE, line: 2, column: 1, endLine: 2, endColumn: 6}}});
  });
});

describe('loadSpec: errors cite file:line:column and say what to do', () => {
  // prettier-ignore
  test.each([
    // [name, text, line, column, message fragments]
    ['YAML syntax',               y('version: 1', 'ports: [8080', 'run: {}'),                   3, 1,  ['invalid YAML:', 'Fix the syntax']],
    ['duplicate YAML key',        y('version: 1', 'ports: []', 'ports: []'),                    3, 1,  ['invalid YAML: Map keys must be unique']],
    ['tab indentation',           y('version: 1', 'ports:', '\t- port: 80'),                    3, 1,  ['invalid YAML:']],
    ['two documents',             y('version: 1', 'ports: []', '---', 'version: 1'),            3, 1,  ['single YAML document']],
    ['empty file',                '',                                                           1, 1,  ['the spec is empty', 'portgate init']],
    ['only comments',             y('# nothing here'),                                          1, 1,  ['the spec is empty']],
    ['a list',                    y('- port: 80'),                                              1, 1,  ['must be a mapping', 'but it is a list']],
    ['a scalar',                  y('hello'),                                                   1, 1,  ['must be a mapping', 'string "hello"']],
    ['missing version',           y('ports: []'),                                               1, 1,  ['missing `version`: add `version: 1`']],
    ['empty version',             y('version:', 'ports: []'),                                   1, 1,  ['version is empty']],
    ['version 2',                 y('version: 2', 'ports: {}', 'bogus: 1'),                     1, 10, ['unsupported version 2', 'reads version 1']],
    ['version as a string',       y('version: "1"', 'ports: []'),                               1, 10, ['the number 1, not a string']],
    ['missing ports',             y('version: 1'),                                              1, 1,  ['missing `ports`', 'ports: []']],
    ['ports not a list',          y('version: 1', 'ports: 8080'),                               2, 8,  ['ports must be a list, but it is the number 8080']],
    ['empty ports',               y('version: 1', 'ports:'),                                    2, 1,  ['ports is empty']],
    ['item not a mapping',        ports('  - 8080'),                                            3, 5,  ['ports[0] must be a mapping like `- port: 8080`']],
    ['item without port',         ports('  - name: http'),                                      3, 5,  ['ports[0] has no `port`: add e.g. `port: 8080`']],
    ['unknown top-level key',     y('version: 1', 'ports: []', 'rulez: {}'),                    3, 1,  ['unknown key `rulez` at the top level. Did you mean `rules`? Allowed keys: version, ports, dynamic, run, policy, rules, accept.']],
    ['typo of a required key',    y('version: 1', 'prots: []'),                                 2, 1,  ['unknown key `prots` at the top level. Did you mean `ports`?']],
    ['typo in a port key',        ports('  - port: 80', '    expsoure: public'),                4, 5,  ['unknown key `expsoure` in ports[0]. Did you mean `exposure`? Allowed keys: port, protocol, name, exposure, reason, served.']],
    ['unknown key, no guess',     ports('  - port: 80', '    color: red'),                      4, 5,  ['unknown key `color` in ports[0]. Allowed keys:']],
    ['unknown run key',           y('version: 1', 'ports: []', 'run:', '  cmd: [a]'),           4, 3,  ['unknown key `cmd` in run.', 'Allowed keys: command, entrypoint, env, user, sandbox, network, readOnly, tmpfs, capAdd, capDrop, memory, pids, timeout, settle.']],
    ['port 0',                    ports('  - port: 0'),                                         3, 11, ['port 0 is out of range: ports go from 1 to 65535.']],
    ['port 65536',                ports('  - port: 65536'),                                     3, 11, ['port 65536 is out of range']],
    ['negative port',             ports('  - port: -1'),                                        3, 11, ['port -1 is out of range']],
    ['fractional port',           ports('  - port: 80.5'),                                      3, 11, ['port 80.5 is not a whole number']],
    ['non-numeric port',          ports('  - port: http'),                                      3, 11, ['port "http" is not a port number', 'write a number like 8080']],
    ['boolean port',              ports('  - port: true'),                                      3, 11, ['port must be a number or a string, but it is the boolean true']],
    ['empty port',                ports('  - port:'),                                           3, 5,  ['port has no value']],
    ['out-of-range string',       ports('  - port: "70000/udp"'),                               3, 11, ['port 70000 is out of range']],
    ['out-of-range range end',    ports('  - port: 65000-65536'),                               3, 11, ['port 65536 is out of range']],
    ['leading zero',              ports('  - port: "080"'),                                     3, 11, ['leading zero: write 80']],
    ['reversed range',            ports('  - port: 7010-7000'),                                 3, 11, ['port range "7010-7000" runs backwards: write "7000-7010"']],
    ['huge range',                ports('  - port: 1-65535'),                                   3, 11, ['has 65535 ports; at most 1024 are allowed per entry']],
    ['unknown suffix',            ports('  - port: 53/tpc'),                                    3, 11, ['unknown protocol "tpc" in port "53/tpc": use tcp, udp or sctp. Did you mean `tcp`?']],
    ['upper-case suffix',         ports('  - port: 53/UDP'),                                    3, 11, ['Did you mean `udp`?']],
    ['bad protocol',              ports('  - port: 53', '    protocol: dup'),                   4, 15, ['ports[0].protocol must be tcp, udp or sctp, but it is the string "dup". Did you mean `udp`?']],
    ['protocol vs suffix',        ports('  - port: 53/udp', '    protocol: tcp'),               4, 15, ['protocol tcp conflicts with the /udp suffix of port "53/udp": keep only one of them.']],
    ['bad exposure',              ports('  - port: 80', '    exposure: private'),               4, 15, ['ports[0].exposure must be public, internal or loopback']],
    ['empty reason',              ports('  - port: 80', '    reason: ""'),                      4, 13, ['ports[0].reason is empty: say why']],
    ['name not a string',         ports('  - port: 80', '    name: [a]'),                       4, 11, ['ports[0].name must be a string, but it is a list']],
    ['duplicate port',            ports('  - port: 8080', '  - port: "8080/tcp"'),              4, 11, ['port 8080/tcp is already declared by ports[0] at portgate.yml:3:11: declare each port once.']],
    ['duplicate via protocol',    ports('  - port: 53/udp', '  - port: 53', '    protocol: udp'), 4, 11, ['port 53/udp is already declared by ports[0] at portgate.yml:3:11']],
    ['overlapping ranges',        ports('  - port: 8000-8010', '  - port: 8005-8020'),          4, 11, ['port 8005/tcp (from range "8005-8020") is already declared by ports[0] (range "8000-8010") at portgate.yml:3:11', 'keep ranges from overlapping']],
    ['command as one string',     y('version: 1', 'ports: []', 'run:', '  command: node server.js --port 80'), 4, 12, ['run.command must be a list of strings, not one string', 'Write `command: ["node", "server.js", "--port", "80"]`']],
    ['entrypoint as one string',  y('version: 1', 'ports: []', 'run:', '  entrypoint: /app/start'), 4, 15, ['Write `entrypoint: ["/app/start"]`']],
    ['command with a number',     y('version: 1', 'ports: []', 'run:', '  command: [sleep, 10]'), 4, 20, ['run.command[1] must be a string, but it is the number 10']],
    ['env as a list',             y('version: 1', 'ports: []', 'run:', '  env: [A=1]'),         4, 8,  ['run.env must be a mapping, but it is a list']],
    ['env value a list',          y('version: 1', 'ports: []', 'run:', '  env: {A: [1]}'),      4, 12, ['run.env.A must be a string, a number or true or false, but it is a list']],
    ['env value empty',           y('version: 1', 'ports: []', 'run:', '  env:', '    A:'),   5, 5,  ['run.env.A is empty']],
    ['env name with =',           y('version: 1', 'ports: []', 'run:', '  env: {"A=B": x}'),    4, 9,  ['run.env key `A=B` must not contain `=`']],
    ['bad user',                  y('version: 1', 'ports: []', 'run:', '  user: "a b"'),        4, 9,  ['run.user "a b" is not a user']],
    ['duration without unit',     y('version: 1', 'ports: []', 'run:', '  timeout: 30'),        4, 12, ['run.timeout 30 has no unit: write 30s for seconds or 30ms']],
    ['duration not a duration',   y('version: 1', 'ports: []', 'run:', '  settle: soon'),       4, 11, ['run.settle "soon" is not a duration: write e.g. 30s']],
    ['duration unknown unit',     y('version: 1', 'ports: []', 'run:', '  timeout: 2d'),        4, 12, ['run.timeout "2d" is not a duration']],
    ['negative duration',         y('version: 1', 'ports: []', 'run:', '  timeout: -5s'),       4, 12, ['run.timeout "-5s" is negative']],
    ['duration over a day',       y('version: 1', 'ports: []', 'run:', '  timeout: 25h'),       4, 12, ['run.timeout "25h" is longer than 24h']],
    ['zero timeout',              y('version: 1', 'ports: []', 'run:', '  timeout: 0s'),        4, 12, ['run.timeout must be longer than 0']],
    ['duration a list',           y('version: 1', 'ports: []', 'run:', '  timeout: [1s]'),      4, 12, ['run.timeout must be a duration like 30s, but it is a list']],
    ['empty run',                 y('version: 1', 'ports: []', 'run:'),                         3, 1,  ['run is empty: give it a value or remove it.']],
    ['unknown rule id',           y('version: 1', 'ports: []', 'rules:', '  risky-ports: off'), 4, 3,  ['unknown rule `risky-ports` in rules. Did you mean `risky-port`? Valid rule ids: undeclared-listener,', 'k8s-netpol-missing.']],
    ['bad severity',              y('version: 1', 'ports: []', 'rules:', '  risky-port: warn'), 4, 15, ['rules.risky-port must be off, note, warning or error, but it is the string "warn". Did you mean `warning`?']],
    ['severity false',            y('version: 1', 'ports: []', 'rules:', '  risky-port: false'), 4, 15, ['but it is the boolean false. Did you mean `off`?']],
    ['rules a list',              y('version: 1', 'ports: []', 'rules: [risky-port]'),         3, 8,  ['rules must be a mapping, but it is a list']],
    ['served: false with exposure', ports('  - port: 9000', '    served: false', '    exposure: internal'), 5, 5, ['ports[0] is `served: false`, so `exposure` has no meaning: remove it']],
    ['served not a boolean',      ports('  - port: 9000', '    served: no way'),               4, 13, ['ports[0].served must be true or false, but it is the string "no way"']],
    ['accept: unknown rule',      acc('  - rule: exposed-not-declard', '    port: 80', '    reason: r'), 4, 11, ['accept[0].rule must be undeclared-listener,', 'but it is the string "exposed-not-declard". Did you mean `exposed-not-declared`?']],
    ['accept: a suppression rule', acc('  - rule: suppression-unused', '    reason: r'),           4, 11, ['accept[0].rule must be', 'but it is the string "suppression-unused"']],
    ['accept: no reason',         acc('  - rule: risky-port', '    port: 5005'),                 4, 5,  ['accept[0] has no `reason`: say why the finding is acceptable (every suppression needs one).']],
    ['accept: empty reason',      acc('  - rule: risky-port', '    port: 5005', '    reason: ""'), 6, 13, ['accept[0].reason is empty: say why the finding is acceptable.']],
    ['accept: no rule',           acc('  - port: 5005', '    reason: r'),                        4, 5,  ['accept[0] has no `rule`: name the rule id']],
    ['accept: bad port',          acc('  - rule: risky-port', '    port: 70000', '    reason: r'), 5, 11, ['accept[0].port: port 70000 is out of range']],
    ['accept: protocol, no port', acc('  - rule: container-exited', '    protocol: udp', '    reason: r'), 5, 5, ['accept[0] has `protocol` but no `port`: add the port the findings name, or remove `protocol`.']],
    ['accept: suffix conflict',   acc('  - rule: risky-port', '    port: 53/udp', '    protocol: tcp', '    reason: r'), 6, 15, ['protocol tcp conflicts with the /udp suffix of port "53/udp"']],
    ['accept: impossible date',   acc('  - rule: risky-port', '    port: 5005', '    reason: r', '    until: 2027-02-30'), 7, 12, ['accept[0].until "2027-02-30" is not a date: write the last day the entry applies as YYYY-MM-DD, e.g. 2027-03-31.']],
    ['accept: not a date',        acc('  - rule: risky-port', '    port: 5005', '    reason: r', '    until: 31.03.2027'), 7, 12, ['accept[0].until must be a date written YYYY-MM-DD, e.g. 2027-03-31, but it is the string "31.03.2027".']],
    ['accept: a number date',     acc('  - rule: risky-port', '    port: 5005', '    reason: r', '    until: 20270331'), 7, 12, ['accept[0].until must be a date written YYYY-MM-DD, e.g. 2027-03-31, but it is the number 20270331.']],
    ['accept: unknown key',       acc('  - rule: risky-port', '    reson: r'),                   5, 5,  ['unknown key `reson` in accept[0]. Did you mean `reason`? Allowed keys: rule, port, protocol, file, reason, until.']],
    ['accept not a list',         y('version: 1', 'ports: []', 'accept: {rule: risky-port}'),  3, 9,  ['accept must be a list, but it is a mapping']]
  ])('%s', (_name, text, line, column, fragments) => {
    const e = errorOf(text);
    expect({file: e.file, line: e.line, column: e.column}).toEqual({file: FILE, line, column});
    for (const f of fragments) expect(e.message).toContain(f);
    expect(e.display.startsWith(`${FILE}:${line}:${column}: `)).toBe(true);
  });

  test('reports every problem at once, in file order, each on its own file:line:column line', () => {
    const e = errorOf(y('version: 1', 'ports:', '  - port: 70000', '  - port: 80', '    expsoure: public', 'rules:', '  risky-ports: off'));
    expect(e.display.split('\n').map(l => l.replace(/:\s.*$/, ''))).toEqual(['portgate.yml:3:11', 'portgate.yml:5:5', 'portgate.yml:7:3']);
  });

  test('many problems: the first ten are listed, the rest counted', () => {
    const e = errorOf(ports(...Array.from({length: 15}, () => '  - port: 0')));
    const lines = e.display.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('…and 5 more problems.');
  });

  test('an unsupported version hides the other problems, which may be fine in that version', () => {
    expect(errorOf(y('version: 3', 'ports: {}', 'extra: 1')).display).toBe('portgate.yml:1:10: unsupported version 3: this portgate reads version 1 files; write `version: 1` or upgrade portgate.');
  });

  test('a duplicate in an overlapping range is reported once, not per port', () => {
    expect(errorOf(ports('  - port: 1-1000', '  - port: 1-1000')).display.split('\n')).toHaveLength(1);
  });

  // The time budget is the harness's per-test timeout.
  test('alias bombs stop at the alias limit instead of expanding, citing the first alias', {timeout: 1000}, () => {
    const bomb = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    const e = errorOf(y(...bomb, 'ports: *i'));
    expect(e.display).toBe('portgate.yml:3:8: the spec\'s aliases (*name) multiply beyond 100 uses, as in a "billion laughs" attack: write the repeated parts out instead of nesting aliases.');
  });

  test('a %YAML 1.1 directive is refused: it would read `off` as false and 1000:1000 as a number', () => {
    expect(errorOf(y('%YAML 1.1', '---', 'version: 1', 'ports: []')).display).toBe('portgate.yml:1:1: the spec is read as YAML 1.2: remove the `%YAML 1.1` directive.');
    expect(loadSpec(y('%YAML 1.2', '---', 'version: 1', 'ports: []'), FILE).ports).toEqual([]);
  });

  test('never a stack trace: the CLI prints display as is', () => {
    expect(errorOf(ports('  - port: 0')).display).not.toMatch(/\n\s+at /);
  });
});
