import type {ExitCause} from '../model.js';
import {describeSource} from './plan.js';
import type {SandboxPlan, SettingSource} from './types.js';

export type Diagnosis = ExitCause;

export interface ExitFacts {
  logs: string;
  exitCode?: number;
  oomKilled?: boolean;
  plan: SandboxPlan;
}

/**
 * What a failing call is called in real services' messages, and the
 * capability it needs; the first that matches is the call that failed.
 * Mosquitto says "Error setting groups whilst dropping privileges",
 * dnsmasq "failed to change group-id", HAProxy "Cannot chroot(...)".
 */
const CAP_HINTS: [RegExp, string][] = [
  [/setgroups|initgroups|set(?:ting)? groups|setgid|setregid|setresgid|group-?id/i, 'SETGID'],
  [/setuid|setreuid|setresuid|user-?id/i, 'SETUID'],
  [/chown/i, 'CHOWN'],
  [/chroot/i, 'SYS_CHROOT'],
  [/mknod/i, 'MKNOD'],
  [/\bkill\b/i, 'KILL'],
  [/bind|port \d{1,3}\b/i, 'NET_BIND_SERVICE']
];

/** The call failed for lack of privilege (EPERM), or the service says it could not do it. */
const DENIED = /operation not permitted|EPERM|cannot set groups|error setting groups/i;
const FAILED = /\b(?:cannot|can't|could not|failed to|unable to)\b/i;

/** An absolute path after a quote, space, bracket or `=`: not the `/03/10` of a `2024/03/10` date. */
const PATH = /(?:^|[\s"'(=:[])(\/(?:[\w.@+-]+\/?)+)/;

const lines = (logs: string): string[] => logs.split(/\r?\n/).map(l => l.trim()).filter(Boolean);

/** The folder to make writable: the parent of the path the service failed to create or write. */
const folderOf = (line: string): string | undefined => {
  const p = (/"(\/[^"]+)"/.exec(line) ?? PATH.exec(line))?.[1]?.replace(/\/$/, '');
  if (!p) return undefined;
  const parent = p.slice(0, p.lastIndexOf('/')) || '/';
  return parent === '/' ? p : parent;
};

const fromManifest = (s: SettingSource): boolean => s.kind === 'manifest';

/** The flag that set it, when a command-line flag did: no portgate.yml line can override a flag. */
const flagOf = (s: SettingSource): string | undefined => (s.kind === 'flag' ? s.flag : s.kind === 'profile' ? flagOf(s.from) : undefined);

const yamlList = (xs: string[]): string => `[${xs.join(', ')}]`;

const readOnlyRoot = (line: string, plan: SandboxPlan): Diagnosis => {
  const dir = folderOf(line) ?? '/path/it/writes';
  const src = plan.readOnly.from;
  const prod = fromManifest(src)
    ? ` The deployment sets it, so the service will fail the same way in production: mount an emptyDir at ${dir} in the pod (a \`volumes:\` entry and a \`volumeMounts:\` entry).`
    : '';
  return {
    cause: 'read-only-root',
    explanation: `the root filesystem is read-only (${describeSource(src)}) and the service writes under ${dir}.${prod}`,
    evidence: line,
    fix: flagOf(src)
      ? `run without \`${flagOf(src)}\` (flags outrank portgate.yml), or add \`tmpfs: [${dir}]\` under \`run:\` and drop the flag`
      : fromManifest(src)
        ? `add the emptyDir to the manifest, or give portgate the folder with \`run: {tmpfs: [${dir}]}\` in portgate.yml`
        : `add \`tmpfs: [${dir}]\` under \`run:\` in portgate.yml (or \`readOnly: false\`)`
  };
};

const capability = (line: string, cap: string, plan: SandboxPlan): Diagnosis => {
  const src = plan.dropped[cap]!;
  const prod = fromManifest(src) ? ' The deployment drops it, so the service will fail the same way in production.' : '';
  return {
    cause: 'capability',
    explanation: `the service needs CAP_${cap}, which ${describeSource(src)} removes.${prod}`,
    evidence: line,
    fix: flagOf(src)
      ? `run without \`${flagOf(src)}\`: flags outrank portgate.yml's \`capAdd\``
      : fromManifest(src)
        ? `add ${cap} to \`securityContext.capabilities.add\` (or \`cap_add\`) in the manifest, or make the image start without it (e.g. USER the service's own user)`
        : `add \`capAdd: ${yamlList([cap])}\` under \`run:\` in portgate.yml`
  };
};

/**
 * Recognises the usual reasons a service stops under the sandbox, from its
 * last log lines and the settings it ran with. Never empty: when nothing is
 * recognised, it says what differs from a plain `docker run` and how to
 * compare. Pure.
 */
export const diagnoseExit = (f: ExitFacts): Diagnosis[] => {
  const out: Diagnosis[] = [];
  const seen = new Set<string>();
  const add = (d: Diagnosis) => {
    const key = `${d.cause}:${d.fix}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  if (f.oomKilled) {
    const mib = Math.round(f.plan.memoryBytes.value / 1024 ** 2);
    add({cause: 'memory', explanation: `the kernel killed it at the ${mib} MiB memory limit (${describeSource(f.plan.memoryBytes.from)}).`, fix: `raise it with \`memory: ${Math.max(2, Math.ceil((mib * 2) / 1024))}g\` under \`run:\` in portgate.yml`});
  }
  const root = !f.plan.user || /^(0|root)(:|$)/.test(f.plan.user.value);
  for (const line of lines(f.logs)) {
    if (/read-only file system|EROFS/i.test(line) && f.plan.readOnly.value) add(readOnlyRoot(line, f.plan));
    else if (/permission denied|EACCES/i.test(line) && /\/tmp\//.test(line) && f.plan.tmpfs.some(t => t.value.noexec && t.value.path === '/tmp')) {
      const strict = f.plan.tmpfs.find(t => t.value.noexec)!.from;
      add({cause: 'file-permission', explanation: `the service runs a program from /tmp, which ${describeSource(strict)} mounts noexec.`, evidence: line, fix: flagOf(strict) ? `run without \`${flagOf(strict)}\`` : 'remove `sandbox: strict` under `run:` in portgate.yml'});
    } else if (DENIED.test(line) || (FAILED.test(line) && CAP_HINTS.some(([re]) => re.test(line)))) {
      // The first call the line names is the one that failed; blame it only when its capability was really removed.
      const cap = CAP_HINTS.find(([re]) => re.test(line))?.[1];
      if (cap && f.plan.dropped[cap]) add(capability(line, cap, f.plan));
    } else if (/permission denied|EACCES/i.test(line)) {
      if (/bind|listen/i.test(line) && f.plan.dropped.NET_BIND_SERVICE) add(capability(line, 'NET_BIND_SERVICE', f.plan));
      else if (root && f.plan.dropped.DAC_OVERRIDE) add({...capability(line, 'DAC_OVERRIDE', f.plan), cause: 'file-permission'});
    } else if (/name or service not known|temporary failure in name resolution|UnknownHostException|getaddrinfo|could not resolve|ENOTFOUND|EAI_AGAIN|nodename nor servname/i.test(line)) {
      add(
        f.plan.network.value === 'none'
          ? {
              cause: 'name-resolution',
              explanation: `the container has no network interface (network none, ${describeSource(f.plan.network.from)}), so even its own hostname does not resolve.`,
              evidence: line,
              fix: flagOf(f.plan.network.from) ? `run without \`${flagOf(f.plan.network.from)}\`` : 'use `network: isolated` under `run:` in portgate.yml (or remove `network: none`)'
            }
          : {cause: 'dependency', explanation: 'it looks up a host at start-up; the sandbox resolves only the container\'s own name and reaches nothing outside.', evidence: line, fix: 'start it in a mode that needs no other service (`run: {command: [...], env: {...}}` in portgate.yml), as its tests would'}
      );
    } else if (/connection refused|ECONNREFUSED|network is unreachable|ENETUNREACH|no route to host/i.test(line)) {
      add({cause: 'dependency', explanation: 'it connects to another service at start-up; the sandbox reaches nothing outside the container.', evidence: line, fix: 'start it in a mode that needs no other service (`run: {command: [...], env: {...}}` in portgate.yml)'});
    } else if (/resource temporarily unavailable|cannot fork|unable to create (?:new )?native thread|pthread_create|EAGAIN/i.test(line)) {
      add({cause: 'pids', explanation: `it could not start more processes or threads: the sandbox allows ${f.plan.pids.value} (${describeSource(f.plan.pids.from)}).`, evidence: line, fix: 'raise `pids:` under `run:` in portgate.yml'});
    }
  }
  if (!out.length && (f.exitCode === 126 || f.exitCode === 127)) {
    add({cause: 'command', explanation: `exit code ${f.exitCode}: the shell could not ${f.exitCode === 127 ? 'find' : 'run'} the command it was given.`, fix: 'check ENTRYPOINT/CMD, or `run: {entrypoint: [...], command: [...]}` in portgate.yml'});
  }
  if (!out.length) add(unknown(f));
  return out;
};

const unknown = (f: ExitFacts): Diagnosis => {
  const diffs = [
    f.plan.readOnly.value && `read-only root (${describeSource(f.plan.readOnly.from)})`,
    Object.keys(f.plan.dropped).filter(c => c !== 'NET_RAW').length && `capabilities removed: ${Object.keys(f.plan.dropped).filter(c => c !== 'NET_RAW').sort().join(', ')}`,
    f.plan.network.value === 'none' && 'no network interface'
  ].filter(Boolean);
  const sandbox = diffs.length ? `Besides no route out, this run differs from a plain \`docker run\` in: ${diffs.join('; ')}.` : 'The sandbox ran it as a plain `docker run` would, with no route out.';
  return {
    cause: 'unknown',
    explanation: `portgate does not recognise why it stopped. ${sandbox}`,
    fix: 'compare with a plain run that has no route out either (`docker network create --internal try && docker run --rm --network try IMAGE`); if it needs a database or another service to start, give it a self-contained mode with `run: {command: [...], env: {...}}` in portgate.yml'
  };
};
