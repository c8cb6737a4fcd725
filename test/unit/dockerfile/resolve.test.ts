import {describe, expect, test} from 'vitest';
import {resolveExpose} from '../../../src/dockerfile/index.js';
import {InputError} from '../../../src/errors.js';

const FILE = 'svc/Dockerfile';

describe('resolveExpose result', () => {
  const text = ['FROM scratch', 'ARG PORTS="53 53/udp"', 'EXPOSE 80 $PORTS \\', '  8000-8001/TCP 80', 'EXPOSE 53'].join('\n');
  const r = resolveExpose(text, {file: FILE});

  test('one entry per port/protocol, in file order, the first EXPOSE word winning', () => {
    expect(r.exposed.map(p => `${p.port}/${p.protocol}@${p.location?.line}:${p.location?.column}`)).toEqual([
      '80/tcp@3:8',
      '53/tcp@3:11',
      '53/udp@3:11',
      '8000/tcp@4:3',
      '8001/tcp@4:3'
    ]);
    expect(r.exposed.every(p => p.origin === 'dockerfile')).toBe(true);
  });

  test('locations span the EXPOSE word, end column exclusive', () => {
    expect(r.exposed[3]!.location).toEqual({file: FILE, line: 4, column: 3, endLine: 4, endColumn: 16});
  });

  test('target, base image, external images', () => {
    expect(r).toMatchObject({target: '0', baseImage: 'scratch', externalImages: [], warnings: []});
  });
});

describe('expose-host-part-ignored', () => {
  test.each(['buildkit', 'classic'] as const)('one warning per word that names an IP or host port (%s)', builder => {
    const r = resolveExpose('FROM scratch\nEXPOSE 80:8080 1.2.3.4:9000-9001:9000-9001/udp :90 91\n', {file: FILE, builder});
    expect(r.exposed.map(p => `${p.port}/${p.protocol}`)).toEqual(['8080/tcp', '9000/udp', '9001/udp', '90/tcp', '91/tcp']);
    expect(r.warnings).toEqual([
      {
        rule: 'expose-host-part-ignored',
        severity: 'warning',
        port: 8080,
        protocol: 'tcp',
        message: 'EXPOSE 80:8080 names an IP address or host port, which Docker ignores: it exposes only 8080/tcp. Write the container port alone.',
        location: {file: FILE, line: 2, column: 8, endLine: 2, endColumn: 15}
      },
      {
        rule: 'expose-host-part-ignored',
        severity: 'warning',
        message: expect.stringContaining('it exposes only 9000/udp, 9001/udp.'),
        location: {file: FILE, line: 2, column: 16, endLine: 2, endColumn: 47}
      }
    ]);
  });

  test('warnings come from the target chain only', () => {
    const r = resolveExpose('FROM scratch AS a\nEXPOSE 1:1\nFROM a AS b\nEXPOSE 2:2\nFROM scratch\nEXPOSE 3:3\n', {file: FILE, target: 'b'});
    expect(r.warnings.map(w => w.location && 'line' in w.location && w.location.line)).toEqual([2, 4]);
  });
});

describe('bad input never escapes as anything but InputError', () => {
  // A deterministic soup of Dockerfile fragments, quotes, escapes and operators.
  const PIECES = ['FROM scratch', 'FROM a AS b', 'ARG', 'ENV', 'EXPOSE', ' ', '\n', '\\\n', '$', '${', '}', ':', '-', '+', '?', '#', '%', '/',
    '"', "'", '`', 'P', '=', '80', '70000', 'udp', 'AS', '--x', '# escape=`\n', '[', ']', '\t', '\r\n', '0'];
  let seed = 42;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);

  test('2000 random Dockerfiles', () => {
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({length: 1 + rand(40)}, () => PIECES[rand(PIECES.length)]).join('');
      for (const builder of ['buildkit', 'classic'] as const) {
        try {
          resolveExpose(`FROM scratch\n${text}`, {file: FILE, builder, buildArgs: {P: '1'}});
        } catch (e) {
          if (!(e instanceof InputError)) throw new Error(`${JSON.stringify(text)} (${builder}): ${String(e)}`);
        }
      }
    }
  });
});

describe('config: the lines findings about the image point at', () => {
  const text = [
    'ARG BASE=eclipse-temurin:21',
    'FROM ${BASE} AS runtime-base',
    'ENV JAVA_TOOL_OPTIONS="-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005"',
    'CMD ["java", "-jar", "/app.jar"]',
    '',
    'FROM runtime-base',
    'ENV PORT=8080 LOG=info',
    'ENTRYPOINT ["/usr/bin/tini", "--", \\',
    '  "java", "-jar", "/app.jar"]',
    'EXPOSE $PORT'
  ].join('\n');
  const {config} = resolveExpose(text, {file: FILE});

  test('FROM of the target stage, and the FROM that names the base image', () => {
    expect(config.from).toEqual({file: FILE, line: 6, column: 1});
    expect(config.baseFrom).toEqual({file: FILE, line: 2, column: 1});
  });

  test('ENTRYPOINT spans its continuation lines; an inherited CMD is reset by a later ENTRYPOINT, as Docker does', () => {
    expect(config.entrypoint).toEqual({value: ['/usr/bin/tini', '--', 'java', '-jar', '/app.jar'], location: {file: FILE, line: 8, column: 1, endLine: 9, endColumn: 30}});
    expect(config.cmd).toBeUndefined();
  });

  test('ENV per name, expanded, at its word, inherited from the stage it is built FROM', () => {
    expect(config.env.JAVA_TOOL_OPTIONS).toEqual({value: '-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005', location: {file: FILE, line: 3, column: 5}});
    expect(config.env.LOG).toEqual({value: 'info', location: {file: FILE, line: 7, column: 15}});
  });

  // prettier-ignore
  test.each([
    ['CMD node server.js',                 ['/bin/sh', '-c', 'node server.js']],
    ['CMD ["node", "--inspect", "s.js"]',  ['node', '--inspect', 's.js']],
    ['CMD [node, s.js]',                   ['/bin/sh', '-c', '[node, s.js]']]
  ])('%s runs %j', (line, words) => {
    expect(resolveExpose(`FROM scratch\n${line}\n`, {file: FILE}).config.cmd?.value).toEqual(words);
  });

  test('USER: the last one in effect, expanded, at its line, inherited from the stage it is built FROM', () => {
    const c = resolveExpose('FROM scratch AS base\nARG UID=10001\nUSER ${UID}:${UID}\nFROM base\nUSER app\n', {file: FILE, target: 'base'}).config;
    expect(c.user).toEqual({value: '10001:10001', location: {file: FILE, line: 3, column: 1}});
    const top = resolveExpose('FROM scratch AS base\nUSER 10001\nFROM base\nEXPOSE 80\n', {file: FILE}).config;
    expect(top.user?.value).toBe('10001');
    expect(resolveExpose('FROM scratch\nEXPOSE 80\n', {file: FILE}).config.user).toBeUndefined();
  });

  test('a CMD of the same stage survives its ENTRYPOINT', () => {
    const c = resolveExpose('FROM scratch\nCMD ["--port", "80"]\nENTRYPOINT ["/srv"]\n', {file: FILE}).config;
    expect([c.entrypoint?.value, c.cmd?.value]).toEqual([['/srv'], ['--port', '80']]);
  });
});
