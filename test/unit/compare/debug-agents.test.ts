import {describe, expect, test} from 'vitest';
import {agentsInCommand, agentsInEnv, debugAgentFindings, parseAddress, type AgentSetting, type DetectedAgent} from '../../../src/compare/debug-agents.js';
import {declare} from './build.js';

/** `kind port host` (and `out` for an agent that connects out), the way the table reads. */
const brief = (as: DetectedAgent[]): string[] => as.map(a => [a.kind, a.port ?? '-', a.host ?? '-', a.connectsOut ? 'out' : ''].join(' ').trim());

describe('agentsInEnv: realistic variables', () => {
  // prettier-ignore
  test.each<[string, string, string[]]>([
    ['JAVA_TOOL_OPTIONS', '-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005',                        ['jdwp 5005 *']],
    ['JAVA_TOOL_OPTIONS', '-Xms256m -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=5005 -XX:+UseG1GC',    ['jdwp 5005 -']],
    ['JDK_JAVA_OPTIONS',  '-Xdebug -Xrunjdwp:transport=dt_socket,server=y,suspend=n,address=8000',                       ['jdwp 8000 -']],
    ['_JAVA_OPTIONS',     '-Xdebug',                                                                                     ['jdwp - -']],
    ['JAVA_TOOL_OPTIONS', '-agentlib:jdwp=transport=dt_socket,server=n,address=debugger.dev.internal:5005',              ['jdwp 5005 debugger.dev.internal out']],
    ['JAVA_OPTS',         '-server -agentlib:jdwp=transport=dt_socket,server=y,address=0.0.0.0:5005',                     ['jdwp 5005 0.0.0.0']],
    ['CATALINA_OPTS',     '"-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:8000"',                       ['jdwp 8000 *']],
    ['JAVA_OPTS',         '-Xdebug',                                                                                     []],
    ['JAVA_TOOL_OPTIONS', '-XX:MaxRAMPercentage=75 -Djava.security.egd=file:/dev/./urandom',                             []],
    ['JAVA_TOOL_OPTIONS', '-javaagent:/opt/otel/opentelemetry-javaagent.jar -Dotel.service.name=orders',                  []],
    ['NODE_OPTIONS',      '--inspect=0.0.0.0:9229',                                                                      ['node-inspector 9229 0.0.0.0']],
    ['NODE_OPTIONS',      '--max-old-space-size=4096 --inspect',                                                         ['node-inspector 9229 127.0.0.1']],
    ['NODE_OPTIONS',      '--inspect-brk=9230',                                                                          ['node-inspector 9230 127.0.0.1']],
    ['NODE_OPTIONS',      '--inspect-port=9230 --inspect',                                                               ['node-inspector 9230 127.0.0.1']],
    ['NODE_OPTIONS',      '--inspect-port=9229',                                                                         []],
    ['NODE_OPTIONS',      '--max-old-space-size=4096 --enable-source-maps',                                              []],
    ['NODE_ENV',          '--inspect',                                                                                   []],
    ['CHROME_FLAGS',      '--headless --remote-debugging-port=9222 --remote-debugging-address=0.0.0.0',                  ['chrome-devtools 9222 0.0.0.0']],
    ['DEBUG',             'true',                                                                                        []]
  ])('%s=%s', (name, value, expected) => {
    expect(brief(agentsInEnv(name, value))).toEqual(expected);
  });
});

describe('agentsInCommand: realistic ENTRYPOINT/CMD and container args', () => {
  // prettier-ignore
  test.each<[string[], string[]]>([
    [['java', '-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005', '-jar', '/app/app.jar'],      ['jdwp 5005 *']],
    [['/bin/sh', '-c', 'exec java $JAVA_OPTS -Xdebug -Xrunjdwp:transport=dt_socket,address=8787,server=y,suspend=n -jar app.jar'], ['jdwp 8787 -']],
    [['java', '-jar', '/app/app.jar'],                                                                               []],
    [['/usr/local/tomcat/bin/catalina.sh', 'jpda', 'run'],                                                           ['jdwp 8000 localhost']],
    [['catalina.sh', 'run'],                                                                                         []],
    [['node', '--inspect=0.0.0.0:9229', 'dist/server.js'],                                                           ['node-inspector 9229 0.0.0.0']],
    [['npx', 'nodemon', '--inspect', 'src/index.ts'],                                                                ['node-inspector 9229 127.0.0.1']],
    [['node', 'server.js', '--inspect'],                                                                             []],
    [['npm', 'run', 'start'],                                                                                        []],
    [['skopeo', 'inspect', 'docker://registry/app'],                                                                 []],
    [['dlv', 'exec', '/app/server', '--headless', '--listen=:40000', '--api-version=2', '--accept-multiclient'],     ['delve 40000']],
    [['/dlv', '--listen=:2345', '--headless=true', '--api-version=2', 'exec', '/server'],                            ['delve 2345']],
    [['/go/bin/dlv', 'dap', '--listen', '127.0.0.1:38697'],                                                          ['delve 38697 127.0.0.1']],
    [['dlv', 'debug', '--headless'],                                                                                 ['delve - 127.0.0.1']],
    [['dlv', 'version'],                                                                                             []],
    [['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '--wait-for-client', 'app.py'],                         ['debugpy 5678 0.0.0.0']],
    [['sh', '-c', 'python -m debugpy --listen 5678 -m flask run --host 0.0.0.0'],                                    ['debugpy 5678 127.0.0.1']],
    [['python', '-m', 'ptvsd', '--host', '0.0.0.0', '--port', '3000', '--wait', 'manage.py', 'runserver'],           ['debugpy 3000 0.0.0.0']],
    [['python', '-m', 'debugpy', '--connect', 'ide.dev:5679', 'worker.py'],                                          ['debugpy 5679 ide.dev out']],
    [['python', '-m', 'gunicorn', 'app:app', '--bind', '0.0.0.0:8000'],                                              []],
    [['chromium', '--headless', '--no-sandbox', '--remote-debugging-address=0.0.0.0', '--remote-debugging-port=9222'], ['chrome-devtools 9222 0.0.0.0']],
    [['google-chrome', '--remote-debugging-port', '9223'],                                                           ['chrome-devtools 9223 127.0.0.1']]
  ])('%j', (argv, expected) => {
    expect(brief(agentsInCommand(argv))).toEqual(expected);
  });

  test('the evidence knows which argv word it came from', () => {
    expect(agentsInCommand(['/bin/sh', '-c', 'node --inspect=0.0.0.0 app.js'])[0]).toMatchObject({index: 2, evidence: '--inspect=0.0.0.0'});
  });
});

test.each([
  ['*:5005', {host: '*', port: 5005}],
  ['5005', {port: 5005}],
  [':40000', {host: '', port: 40000}],
  ['[::1]:9229', {host: '::1', port: 9229}],
  ['localhost', {host: 'localhost'}],
  ['0.0.0.0:99999', {host: '0.0.0.0'}]
])('parseAddress(%s)', (text, expected) => {
  expect(parseAddress(text)).toEqual(expected);
});

describe('debugAgentFindings', () => {
  const DF = (line: number) => ({file: 'Dockerfile', line, column: 5});
  const env = (name: string, value: string, line = 7, where = "the image's ENV"): AgentSetting => ({kind: 'env', name, value, where, location: DF(line)});

  test('one finding per agent, at the setting that turns it on, with what to change', () => {
    const [f] = debugAgentFindings([env('JAVA_TOOL_OPTIONS', '-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005')]);
    expect(f).toEqual({
      rule: 'debug-agent-configured',
      severity: 'error',
      port: 5005,
      protocol: 'tcp',
      category: 'debug',
      location: DF(7),
      message:
        "JAVA_TOOL_OPTIONS in the image's ENV turns on the JDWP agent (Java remote debugging) on port 5005 of every interface (`-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005`): whoever reaches it can run arbitrary code in the JVM, whether or not it listened while portgate watched. Remove it from the image and the deployment, and enable debugging only where it is needed; to accept it, declare 5005/tcp with a `reason:` in portgate.yml."
    });
  });

  test('ENTRYPOINT and CMD: the finding points at the part that holds the flag', () => {
    const setting: AgentSetting = {kind: 'argv', where: "the image's ENTRYPOINT/CMD", parts: [{words: ['node'], location: DF(10)}, {words: ['--inspect=0.0.0.0:9229', 'server.js'], location: DF(11)}]};
    expect(debugAgentFindings([setting]).map(f => f.location)).toEqual([DF(11)]);
  });

  test('a reason: on the port it opens accepts it; a declaration without one does not', () => {
    const jdwp = env('JAVA_TOOL_OPTIONS', '-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005');
    expect(debugAgentFindings([jdwp], [declare(5005, 'internal', 'tcp', {reason: 'staging image'})])).toEqual([]);
    expect(debugAgentFindings([jdwp], [declare(5005, 'internal')])).toHaveLength(1);
  });

  test('an agent without a known port can only be accepted with accept:', () => {
    expect(debugAgentFindings([env('_JAVA_OPTIONS', '-Xdebug')])[0]!.message).toMatch(/on a port it picks at start-up .* to accept it, add an `accept:` entry with a reason to portgate\.yml\.$/);
  });

  // prettier-ignore
  test.each([
    ['every interface', '--inspect=0.0.0.0:9229', 'error'],
    ['loopback (node’s default)', '--inspect', 'warning'],
    ['localhost', '--inspect=localhost:9229', 'warning']
  ])('bound to %s: %s', (_name, value, severity) => {
    expect(debugAgentFindings([env('NODE_OPTIONS', value)])[0]!.severity).toBe(severity);
  });

  test('a JDWP agent that connects out is a warning that says where it attaches', () => {
    const [f] = debugAgentFindings([env('JAVA_TOOL_OPTIONS', '-agentlib:jdwp=transport=dt_socket,server=n,address=ide.dev:5005')]);
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('attaching at start-up to a debugger at ide.dev:5005');
  });

  test('the same setting met again (the image, then the run: that repeats it) is reported once, at the first place', () => {
    const value = '--inspect=0.0.0.0:9229';
    const fs = debugAgentFindings([env('NODE_OPTIONS', value, 7), env('NODE_OPTIONS', value, 3, "portgate.yml's run:"), env('NODE_OPTIONS', '--inspect=0.0.0.0:9339', 12, 'container api of Deployment api')]);
    expect(fs.map(f => `${f.port}@${(f.location as {line: number}).line}`)).toEqual(['9229@7', '9339@12']);
  });

  test('a long setting is cut in the message; nothing found, nothing said', () => {
    const long = `-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005,${'x'.repeat(200)}=1`;
    expect(debugAgentFindings([env('JAVA_TOOL_OPTIONS', long)])[0]!.message).toMatch(/…`\)/);
    expect(debugAgentFindings([env('JAVA_TOOL_OPTIONS', '-Xmx1g')])).toEqual([]);
  });
});
