import {execFile} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {promisify} from 'node:util';
import {docker, TEST_LABEL} from './engine.js';

/**
 * What an image really listens on under a plain `docker run -d`, read from the
 * host with `nsenter -t <pid> -n ss -H -lntuwp` (netlink, not /proc/net): an
 * oracle that shares no code with portgate's readers. Needs root on the machine
 * that runs the Docker daemon, since State.Pid must be a host pid.
 */

export interface SsListener {
  protocol: 'tcp' | 'udp';
  /** Normalised: no brackets, no port, no `%iface`; `::` for both IPv6 wildcards; v4-mapped as IPv4. */
  address: string;
  port: number;
  /** Distinct command names (comm) of the sockets' owners, comma-separated, in ss order. */
  process?: string;
  /** `[::]`: an IPv6 wildcard that refuses IPv4 (IPV6_V6ONLY). Absent for `*`, the dual-stack wildcard. */
  v6only?: true;
  /** The interface the socket is bound to: ss's `%eth0` suffix (link-local IPv6, SO_BINDTODEVICE). */
  iface?: string;
}

/** `tcp 0.0.0.0:80`, `udp [fe80::1%eth0]:53`, `tcp [::]:80 v6only`. Stable key for sets and tables. */
export const describeListener = (l: SsListener): string => {
  const host = l.address.includes(':') ? `[${l.address}${l.iface ? `%${l.iface}` : ''}]` : `${l.address}${l.iface ? `%${l.iface}` : ''}`;
  return `${l.protocol} ${host}:${l.port}${l.v6only ? ' v6only' : ''}`;
};

const LINE = /^(\S+)\s+(\S+)\s+\d+\s+\d+\s+(\S+)\s+\S+\s*(.*)$/;
const OWNER = /\("((?:[^"\\]|\\.)*)",pid=\d+,fd=\d+\)/g;

const splitLocal = (local: string): Omit<SsListener, 'protocol' | 'process'> | undefined => {
  const colon = local.lastIndexOf(':');
  const port = Number(local.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) return undefined; // raw sockets print `*` or a protocol name as port
  let host = local.slice(0, colon);
  let iface: string | undefined;
  // ss writes the bound device after the brackets: `[fe80::1]%eth0`, `127.0.0.53%lo`.
  const pct = /^(.*)%([^%\]]+)$/.exec(host);
  if (pct) [, host, iface] = pct;
  // `*` is AF_INET6 `::` with IPV6_V6ONLY off (it also takes IPv4); `[::]` the same with it on.
  const v6only = host === '[::]';
  host = host === '*' ? '::' : host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  // An IPv6 socket bound to ::ffff:a.b.c.d serves exactly the IPv4 address a.b.c.d.
  host = host.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return {address: host, port, ...(v6only && {v6only: true as const}), ...(iface && {iface})};
};

/**
 * Parses `ss -H -lntuwp` output. Rows other than tcp/udp (the raw sockets -w
 * adds) are dropped: they have no port. Sockets sharing protocol, address,
 * port and interface (SO_REUSEPORT, one per thread as named does) become one
 * listener with their owners merged. Sorted by protocol, port, IPv4 first.
 */
export const parseSs = (text: string): SsListener[] => {
  const byKey = new Map<string, SsListener>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m || (m[1] !== 'tcp' && m[1] !== 'udp')) continue;
    const local = splitLocal(m[3]);
    if (!local) continue;
    const names = [...m[4].matchAll(OWNER)].map(o => o[1]);
    const l: SsListener = {protocol: m[1], ...local};
    const key = describeListener(l);
    const prev = byKey.get(key);
    const all = [...new Set([...(prev?.process?.split(',') ?? []), ...names])];
    byKey.set(key, all.length ? {...l, process: all.join(',')} : l);
  }
  const v6 = (l: SsListener) => (l.address.includes(':') ? 1 : 0);
  return [...byKey.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port || v6(a) - v6(b) || a.address.localeCompare(b.address));
};

export interface GroundTruthOptions {
  /**
   * The listener set must stay unchanged this long (after at least one listener
   * appeared). 8 s because RabbitMQ opens 5672 and 15672 4-6 s after its last
   * earlier change (OBSERVED.md); 2 s ends before them.
   */
  quietMs?: number;
  /** Give up waiting for a quiet set after this long. */
  timeoutMs?: number;
  pollMs?: number;
  /**
   * Ports (Docker notation, `5672/tcp`) that must all listen, on any address,
   * before the quiet window counts: under load RabbitMQ's AMQP port came more
   * than 8 s after its previous change. Missing ones end in a timeout.
   */
  waitFor?: readonly string[];
  /** false: the engine's own default (Debian's docker.io turns IPv6 off in containers), for comparison. */
  ipv6?: boolean;
}

export interface GroundTruth {
  image: string;
  listeners: SsListener[];
  /** From start() to the last change of the listener set: when the final set was complete. */
  settleMs: number;
  /** From start() to the decision: settleMs plus the quiet window, or the timeout. */
  elapsedMs: number;
  /** describeListener key → ms after start() when that listener was first seen. */
  firstSeenMs: Record<string, number>;
  /** Listeners seen during the wait that were gone at the end. */
  vanished: string[];
  /** Every change of the listener set, as describeListener keys. */
  timeline: {ms: number; added: string[]; removed: string[]}[];
  timedOut: boolean;
  /** waitFor ports still not listening when the wait timed out. */
  missing?: string[];
  /** Set when the container stopped while being watched; listeners are then the last set read. */
  exited?: {code: number; logs: string};
}

const run = promisify(execFile);

/** The engine's 8-byte stream framing (Tty false), flattened to text. */
const unframe = (buf: Buffer): string => {
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
};

export const groundTruth = async (image: string, opts: GroundTruthOptions = {}): Promise<GroundTruth> => {
  const {quietMs = 8000, timeoutMs = 60_000, pollMs = 250, ipv6 = true, waitFor = []} = opts;
  const container = await docker().createContainer({
    Image: image,
    Labels: {[TEST_LABEL]: 'true', [`${TEST_LABEL}.groundtruth`]: randomUUID()},
    // Debian's docker.io disables IPv6 in containers; a pod has ::1, so services bind as they would there.
    HostConfig: ipv6 ? {Sysctls: {'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.lo.disable_ipv6': '0'}} : {}
  });
  try {
    const t0 = Date.now();
    await container.start();
    const pid = (await container.inspect()).State.Pid;
    let current: SsListener[] = [];
    let lastChange = 0;
    const firstSeenMs: Record<string, number> = {};
    const timeline: GroundTruth['timeline'] = [];
    const result = (extra: Partial<GroundTruth>): GroundTruth => {
      const keys = new Set(current.map(describeListener));
      const vanished = Object.keys(firstSeenMs).filter(k => !keys.has(k));
      return {image, listeners: current, settleMs: lastChange, elapsedMs: Date.now() - t0, firstSeenMs, vanished, timeline, timedOut: false, ...extra};
    };
    for (;;) {
      const state = (await container.inspect()).State;
      if (!state.Running) {
        const logs = unframe((await container.logs({stdout: true, stderr: true, tail: 30})) as unknown as Buffer);
        return result({exited: {code: state.ExitCode, logs}});
      }
      let stdout: string;
      try {
        ({stdout} = await run('nsenter', ['-t', String(pid), '-n', 'ss', '-H', '-lntuwp'], {timeout: 10_000}));
      } catch (e) {
        // The container may have died since inspect; the next turn reports that. Anything else is ours.
        if ((await container.inspect()).State.Running) throw new Error(`nsenter/ss on pid ${pid} failed (root on the Docker host needed): ${(e as Error).message}`);
        continue;
      }
      const now = Date.now() - t0;
      const next = parseSs(stdout);
      const [before, after] = [current, next].map(ls => new Set(ls.map(describeListener)));
      const added = [...after].filter(k => !before.has(k));
      const removed = [...before].filter(k => !after.has(k));
      if (added.length || removed.length) {
        timeline.push({ms: now, added, removed});
        current = next;
        lastChange = now;
        for (const k of added) firstSeenMs[k] ??= now;
      }
      const missing = waitFor.filter(p => !current.some(l => `${l.port}/${l.protocol}` === p));
      if (current.length > 0 && !missing.length && now - lastChange >= quietMs) return result({});
      if (now >= timeoutMs) return result({timedOut: true, ...(missing.length && {missing})});
      await new Promise(r => setTimeout(r, pollMs));
    }
  } finally {
    await container.remove({force: true, v: true}).catch(() => undefined);
  }
};
