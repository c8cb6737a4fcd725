import {describe, expect, test} from 'vitest';
import {diagnoseExit, flagLayers, planSandbox, type Diagnosis} from '../../../src/sandbox/index.js';
import type {SandboxPlan} from '../../../src/sandbox/types.js';
import {at, K8S, manifest, spec, strictPlan, WHAT} from './build.js';

/**
 * Exit causes, from log lines real services print when the sandbox (or the
 * deployment it copies) takes away what they need. Three plans: portgate's
 * default, portgate.yml's `sandbox: strict` (line 9), and a Deployment with
 * readOnlyRootFilesystem (line 30) and `drop: [ALL]` (line 33).
 */
const DEFAULT = (): SandboxPlan => planSandbox([]);
const STRICT = strictPlan;
const HARDENED = (): SandboxPlan => planSandbox([manifest({readOnly: {value: true, at: at(30)}, capDrop: {value: ['ALL'], at: at(33)}})]);

const FROM_STRICT = 'the strict profile (portgate.yml:9)';
const FROM_MANIFEST_RO = `${K8S}:30 (${WHAT})`;
const FROM_MANIFEST_CAPS = `${K8S}:33 (${WHAT})`;
const PRODUCTION = 'will fail the same way in production';

const diagnose = (logs: string, plan: SandboxPlan, extra: {exitCode?: number; oomKilled?: boolean} = {}): Diagnosis[] => diagnoseExit({logs, plan, exitCode: 1, ...extra});
const one = (logs: string, plan: SandboxPlan, extra: {exitCode?: number; oomKilled?: boolean} = {}): Diagnosis => {
  const ds = diagnose(logs, plan, extra);
  expect(ds).toHaveLength(1);
  return ds[0]!;
};

const NGINX_MKDIR = 'nginx: [emerg] mkdir() "/var/lib/nginx/body" failed (30: Read-only file system)';
const PG_LOCK = '2024-03-10 12:00:00.000 UTC [1] FATAL:  could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system';
const NGINX_CHOWN = '2024/03/10 12:00:00 [emerg] 1#1: chown("/var/lib/nginx/body", 33) failed (1: Operation not permitted)';
const RABBITMQ_SU = 'su: cannot set groups: Operation not permitted';
const MOSQUITTO = '1710072000: Error setting groups whilst dropping privileges: Operation not permitted.';
const POSTFIX_SETGID = 'postfix/master[1]: fatal: setgid(101): Operation not permitted';
const NSLCD_CHROOT = 'nslcd: cannot chroot(/var/run/nslcd): Operation not permitted';
const REDIS_CONFIG = "1:C 10 Mar 2024 12:00:00.000 # Fatal error, can't open config file '/etc/redis/redis.conf': Permission denied";
const NGINX_BIND = 'nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)';
const JAVA_DNS = 'Caused by: java.net.UnknownHostException: postgres: Name or service not known';
const PYTHON_DNS = 'socket.gaierror: [Errno -3] Temporary failure in name resolution';

describe('read-only root', () => {
  test('nginx under `sandbox: strict`: names the profile and the line that chose it; the fix is a run: tmpfs for the parent folder', () => {
    expect(one(NGINX_MKDIR, STRICT())).toEqual({
      cause: 'read-only-root',
      explanation: `the root filesystem is read-only (${FROM_STRICT}) and the service writes under /var/lib/nginx.`,
      evidence: NGINX_MKDIR,
      fix: 'add `tmpfs: [/var/lib/nginx]` under `run:` in portgate.yml (or `readOnly: false`)'
    });
  });

  test('PostgreSQL under a manifest’s readOnlyRootFilesystem: names the manifest line, says production fails too, fix in the manifest', () => {
    const d = one(PG_LOCK, HARDENED());
    expect(d.cause).toBe('read-only-root');
    expect(d.explanation).toContain(`read-only (${FROM_MANIFEST_RO})`);
    expect(d.explanation).toContain('writes under /var/run/postgresql.');
    expect(d.explanation).toContain(PRODUCTION);
    expect(d.explanation).toContain('mount an emptyDir at /var/run/postgresql in the pod');
    expect(d.fix).toBe('add the emptyDir to the manifest, or give portgate the folder with `run: {tmpfs: [/var/run/postgresql]}` in portgate.yml');
  });

  // Regression (fixed; the defect as found): folderOf takes the first `/…` run in the line, and nginx's error-log lines start with the date
  // `2024/03/10 12:00:00`, so the folder is `/03` and the fix says `tmpfs: [/03]`. nginx prints exactly this
  // line (the dated error-log form) before the `nginx: [emerg] …` one. src/sandbox/diagnose.ts:25 (PATH) and 30-35 (folderOf).
  test('nginx’s dated error-log line: the folder is the one in the quoted path, not the date', () => {
    const d = one('2024/03/10 12:00:00 [emerg] 1#1: mkdir() "/var/lib/nginx/body" failed (30: Read-only file system)', STRICT());
    expect(d.explanation).toContain('writes under /var/lib/nginx.');
    expect(d.fix).toContain('`tmpfs: [/var/lib/nginx]`');
  });

  test('a writable root is never blamed for EROFS (e.g. a write to /proc/sys)', () => {
    expect(one("sysctl: setting key \"net.core.somaxconn\": Read-only file system", DEFAULT()).cause).toBe('unknown');
  });

  test('the same line printed twice is one diagnosis', () => {
    expect(diagnose(`${NGINX_MKDIR}\n${NGINX_MKDIR}\n`, STRICT())).toHaveLength(1);
  });
});

describe('capabilities', () => {
  // prettier-ignore
  test.each([
    ['nginx chown',                   NGINX_CHOWN,    'CHOWN'],
    ['RabbitMQ `su`',                 RABBITMQ_SU,    'SETGID'],
    ['Mosquitto dropping privileges', MOSQUITTO,      'SETGID'],
    ['Postfix setgid',                POSTFIX_SETGID, 'SETGID'],
    ['nslcd chroot',                  NSLCD_CHROOT,   'SYS_CHROOT']
  ])('%s under `sandbox: strict`: CAP_%s, removed by the profile; the fix is one run: capAdd line', (_name, line, cap) => {
    expect(one(line, STRICT())).toEqual({
      cause: 'capability',
      explanation: `the service needs CAP_${cap}, which ${FROM_STRICT} removes.`,
      evidence: line,
      fix: `add \`capAdd: [${cap}]\` under \`run:\` in portgate.yml`
    });
  });

  test('dropped by the manifest: names its line, says production fails too, and the fix is the manifest field', () => {
    const d = one(NGINX_CHOWN, HARDENED());
    expect(d.explanation).toBe(`the service needs CAP_CHOWN, which ${FROM_MANIFEST_CAPS} removes. The deployment drops it, so the service ${PRODUCTION}.`);
    expect(d.fix).toMatch(/^add CHOWN to `securityContext\.capabilities\.add` \(or `cap_add`\) in the manifest/);
  });

  test('NET_BIND_SERVICE: nginx binding port 80 after the manifest dropped ALL', () => {
    const d = one(NGINX_BIND, HARDENED());
    expect(d).toMatchObject({cause: 'capability', evidence: NGINX_BIND});
    expect(d.explanation).toContain(`CAP_NET_BIND_SERVICE, which ${FROM_MANIFEST_CAPS} removes`);
  });

  test('Redis as root, DAC_OVERRIDE dropped: its 0640 config is unreadable', () => {
    expect(one(REDIS_CONFIG, STRICT())).toEqual({
      cause: 'file-permission',
      explanation: `the service needs CAP_DAC_OVERRIDE, which ${FROM_STRICT} removes.`,
      evidence: REDIS_CONFIG,
      fix: 'add `capAdd: [DAC_OVERRIDE]` under `run:` in portgate.yml'
    });
  });

  // prettier-ignore
  test.each([
    ['chown while CHOWN is granted (portgate’s default)',          NGINX_CHOWN,  DEFAULT],
    ['setgroups while SETGID is granted (portgate’s default)',     RABBITMQ_SU,  DEFAULT],
    ['only SETUID dropped, but the chown needs CHOWN',             NGINX_CHOWN,  () => planSandbox(spec({capDrop: ['SETUID']}))],
    ['Redis as a non-root user: DAC_OVERRIDE would not help',      REDIS_CONFIG, () => planSandbox(spec({sandbox: 'strict', user: '999'}, {sandbox: 9, user: 10}))]
  ])('not blamed on capabilities: %s', (_name, line, plan) => {
    const ds = diagnose(line, plan());
    expect(ds.map(d => d.cause)).toEqual(['unknown']);
  });

  // Regression (fixed; the defect as found): Mosquitto's initgroups() needs CAP_SETGID, but CAP_HINTS tries every hint in turn and the SETUID
  // pattern also matches "dropping privileges", so with SETGID granted and SETUID dropped the failure is
  // blamed on SETUID (and the fix adds SETUID, which does not help). src/sandbox/diagnose.ts:16-17, 91.
  test('Mosquitto with only SETUID dropped: the setgroups failure is not blamed on SETUID', () => {
    const plan = planSandbox([manifest({capDrop: {value: ['SETUID'], at: at(33)}})]);
    expect(diagnose(MOSQUITTO, plan).map(d => d.cause)).toEqual(['unknown']);
  });

  // Regression (fixed; the defect as found): dnsmasq reports a failed setgroups()/setgid() as "failed to change group-id to <group>", which no
  // CAP_HINTS pattern matches, so the exit is `unknown` although SETGID was dropped. src/sandbox/diagnose.ts:16.
  test('dnsmasq dropping to its group under `sandbox: strict`: CAP_SETGID', () => {
    expect(one('dnsmasq: failed to change group-id to dnsmasq: Operation not permitted', STRICT())).toMatchObject({cause: 'capability', explanation: expect.stringContaining('CAP_SETGID')});
  });

  // Regression (fixed; the defect as found): HAProxy prints "[haproxy.main()] Cannot chroot(/var/lib/haproxy)." without strerror, and diagnoseExit
  // looks for capability hints only in lines that say "Operation not permitted"/EPERM, so a HAProxy that
  // cannot chroot (SYS_CHROOT dropped) is `unknown`. src/sandbox/diagnose.ts:90-92.
  test('HAProxy that cannot chroot under `sandbox: strict`: CAP_SYS_CHROOT', () => {
    expect(one('[ALERT]    (1) : [haproxy.main()] Cannot chroot(/var/lib/haproxy).', STRICT())).toMatchObject({cause: 'capability', explanation: expect.stringContaining('CAP_SYS_CHROOT')});
  });
});

describe('following the fix makes the failure go away', () => {
  test('strict from portgate.yml: the suggested capAdd under run: grants the capability', () => {
    const d = one(NGINX_CHOWN, STRICT());
    expect(d.fix).toContain('`capAdd: [CHOWN]` under `run:`');
    expect(planSandbox(spec({sandbox: 'strict', capAdd: ['CHOWN']}, {sandbox: 9, capAdd: 10})).capabilities.value).toContain('CHOWN');
  });

  // Regression (fixed; the defect as found): the capability and network fixes always point at portgate.yml's run:, but a `--sandbox strict` or
  // `--network none` flag is a higher layer than run:, so following the fix changes nothing. The fix should
  // name the flag when the setting's source is a flag (or a profile named by a flag).
  // src/sandbox/diagnose.ts:64 (capability fix), 100 (network fix).
  test('strict from `--sandbox strict`: the fix names the flag, since a run: capAdd is overridden by it', () => {
    const plan = planSandbox(flagLayers({sandbox: 'strict'}));
    const d = one(NGINX_CHOWN, plan);
    // What the fix says today does not help:
    expect(planSandbox([...spec({capAdd: ['CHOWN']}), ...flagLayers({sandbox: 'strict'})]).capabilities.value).not.toContain('CHOWN');
    expect(d.fix).toContain('--sandbox strict');
  });
});

describe('names and connections', () => {
  // prettier-ignore
  test.each([
    ['Java UnknownHostException',        JAVA_DNS],
    ['Python gaierror',                  PYTHON_DNS],
    ['Node getaddrinfo ENOTFOUND',       'Error: getaddrinfo ENOTFOUND redis'],
    ['Node getaddrinfo EAI_AGAIN',       'Error: getaddrinfo EAI_AGAIN kafka:9092']
  ])('%s with network none (strict): name-resolution, naming the profile; the fix is `network: isolated`', (_name, line) => {
    expect(one(line, STRICT())).toEqual({
      cause: 'name-resolution',
      explanation: `the container has no network interface (network none, ${FROM_STRICT}), so even its own hostname does not resolve.`,
      evidence: line,
      fix: 'use `network: isolated` under `run:` in portgate.yml (or remove `network: none`)'
    });
  });

  test.each([[JAVA_DNS], [PYTHON_DNS]])('%s with the isolated network: a dependency the sandbox cannot reach', line => {
    const d = one(line, DEFAULT());
    expect(d.cause).toBe('dependency');
    expect(d.explanation).toContain('looks up a host at start-up');
    expect(d.fix).toContain('`run: {command: [...], env: {...}}`');
  });

  // prettier-ignore
  test.each([
    ['psql',       'psql: error: connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused'],
    ['Go',         'failed to connect to database: dial tcp 10.0.0.5:5432: connect: connection refused'],
    ['Node',       'Error: connect ECONNREFUSED 127.0.0.1:5432'],
    ['Java',       'java.net.NoRouteToHostException: No route to host']
  ])('%s: a database that is not there is a dependency', (_name, line) => {
    expect(one(line, DEFAULT())).toMatchObject({cause: 'dependency', evidence: line, explanation: expect.stringContaining('connects to another service at start-up')});
  });
});

describe('limits', () => {
  test('OOM-killed at the default 1 GiB: names the limit and its source, proposes 2g', () => {
    expect(one('', DEFAULT(), {exitCode: 137, oomKilled: true})).toEqual({
      cause: 'memory',
      explanation: "the kernel killed it at the 1024 MiB memory limit (portgate's default).",
      fix: 'raise it with `memory: 2g` under `run:` in portgate.yml'
    });
  });

  test('OOM-killed at a 2g limit from portgate.yml: proposes twice as much', () => {
    const d = one('', planSandbox(spec({memoryBytes: 2 * 1024 ** 3}, {memoryBytes: 6})), {exitCode: 137, oomKilled: true});
    expect(d.explanation).toBe('the kernel killed it at the 2048 MiB memory limit (portgate.yml:6).');
    expect(d.fix).toContain('`memory: 4g`');
  });

  // prettier-ignore
  test.each([
    ['Java threads',     'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached'],
    ['JVM pthread',      '[0.123s][warning][os,thread] Failed to start thread "Unknown thread" - pthread_create failed (EAGAIN) for attributes: stacksize: 1024k, guardsize: 0k, detached.'],
    ['bash fork',        'bash: fork: Resource temporarily unavailable']
  ])('%s: the pids limit, with its value and source', (_name, line) => {
    expect(one(line, DEFAULT())).toEqual({
      cause: 'pids',
      explanation: "it could not start more processes or threads: the sandbox allows 512 (portgate's default).",
      evidence: line,
      fix: 'raise `pids:` under `run:` in portgate.yml'
    });
  });
});

describe('command and the fallback', () => {
  test('exit 127: the command was not found', () => {
    expect(one('/docker-entrypoint.sh: exec: line 47: /app/server: not found', DEFAULT(), {exitCode: 127})).toEqual({
      cause: 'command',
      explanation: 'exit code 127: the shell could not find the command it was given.',
      fix: 'check ENTRYPOINT/CMD, or `run: {entrypoint: [...], command: [...]}` in portgate.yml'
    });
  });

  test('exit 126: the command could not be run', () => {
    expect(one('', DEFAULT(), {exitCode: 126}).explanation).toBe('exit code 126: the shell could not run the command it was given.');
  });

  test('a recognised cause wins over the bare exit code', () => {
    expect(diagnose(NGINX_MKDIR, STRICT(), {exitCode: 127}).map(d => d.cause)).toEqual(['read-only-root']);
  });

  test('a noexec /tmp under strict, as a non-root user: the strict profile’s /tmp', () => {
    const plan = planSandbox(spec({sandbox: 'strict', user: '1000'}, {sandbox: 9, user: 10}));
    expect(one('sh: /tmp/entrypoint.sh: Permission denied', plan)).toMatchObject({cause: 'file-permission', fix: 'remove `sandbox: strict` under `run:` in portgate.yml'});
  });

  // Regression (fixed; the defect as found): for a root process every "Permission denied" under strict is blamed on DAC_OVERRIDE before the noexec
  // /tmp check runs, but DAC_OVERRIDE does not let anyone exec from a noexec mount: the fix (capAdd
  // DAC_OVERRIDE) does not help. src/sandbox/diagnose.ts:95-96 (order of the two branches).
  test('a noexec /tmp under strict, as root: still the noexec /tmp, not DAC_OVERRIDE', () => {
    expect(one('sh: /tmp/entrypoint.sh: Permission denied', STRICT())).toMatchObject({cause: 'file-permission', fix: 'remove `sandbox: strict` under `run:` in portgate.yml'});
  });

  // prettier-ignore
  test.each([
    ['a Go panic',                       'panic: runtime error: invalid memory address or nil pointer dereference', 2],
    ['nothing printed',                  '',                                                                       1],
    ['only blank lines',                 '\n\n  \n',                                                               0],
    ['EPERM with no known syscall',      'prctl(PR_SET_NO_NEW_PRIVS): Operation not permitted',                    1]
  ])('%s: exactly one `unknown`, never an empty list', (_name, logs, exitCode) => {
    expect(diagnose(logs, DEFAULT(), {exitCode}).map(d => d.cause)).toEqual(['unknown']);
  });

  test('unknown says how the run differed from a plain docker run (NET_RAW is not worth mentioning)', () => {
    expect(one('exit', DEFAULT()).explanation).toBe('portgate does not recognise why it stopped. The sandbox ran it as a plain `docker run` would, with no route out.');
    expect(one('exit', STRICT()).explanation).toBe(
      `portgate does not recognise why it stopped. Besides no route out, this run differs from a plain \`docker run\` in: read-only root (${FROM_STRICT}); capabilities removed: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT; no network interface.`
    );
    expect(one('exit', DEFAULT()).fix).toContain('docker network create --internal try && docker run --rm --network try IMAGE');
  });

  test('several causes in one log each get a diagnosis, in log order', () => {
    expect(diagnose(`${NGINX_CHOWN}\n${NGINX_MKDIR}\n${JAVA_DNS}`, STRICT()).map(d => d.cause)).toEqual(['capability', 'read-only-root', 'name-resolution']);
  });
});
