import type {DeclaredPort, Finding, Location} from '../model.js';
import {finding} from '../findings/finding.js';

/**
 * Debug agents switched on by the image's configuration, the deployment or
 * the sandbox run, found without running anything: the JVM's JDWP agent,
 * the Node.js inspector, Delve, debugpy/ptvsd and Chromium's DevTools port.
 * Whether or not the agent listened while portgate watched, the setting
 * ships: an environment variable or a flag in production is all it takes.
 * Pure: settings in, findings out.
 */

export type AgentKind = 'jdwp' | 'node-inspector' | 'delve' | 'debugpy' | 'chrome-devtools';

export interface DetectedAgent {
  kind: AgentKind;
  /** The port it listens on (or connects to), when the setting says or the agent has a fixed default. */
  port?: number;
  /** The bind address as written (`*`, `0.0.0.0`, `localhost`, `` for all interfaces); absent when not given. */
  host?: string;
  /** The argument or variable value that turns it on. */
  evidence: string;
  /** JDWP `server=n`: it attaches to a debugger at that address instead of listening. */
  connectsOut?: boolean;
  /** Index of the evidence in the argv it came from. */
  index?: number;
}

const NAMES: Record<AgentKind, string> = {
  jdwp: 'the JDWP agent (Java remote debugging)',
  'node-inspector': 'the Node.js inspector',
  delve: 'the Delve debugger (Go)',
  debugpy: 'the debugpy/ptvsd debugger (Python)',
  'chrome-devtools': 'the Chrome DevTools remote debugging port'
};

const WHY: Record<AgentKind, string> = {
  jdwp: 'whoever reaches it can run arbitrary code in the JVM',
  'node-inspector': 'whoever reaches it can evaluate arbitrary JavaScript in the process',
  delve: 'whoever reaches it can stop the program, read its memory and call its functions',
  debugpy: 'whoever reaches it can execute arbitrary Python in the process',
  'chrome-devtools': 'whoever reaches it controls the browser, its pages, cookies and local files'
};

/** Defaults when the setting names no address. */
const DEFAULTS: Partial<Record<AgentKind, {port?: number; host: string}>> = {
  'node-inspector': {port: 9229, host: '127.0.0.1'},
  debugpy: {port: 5678, host: '127.0.0.1'},
  'chrome-devtools': {host: '127.0.0.1'},
  delve: {host: '127.0.0.1'}
};

/** `*:5005`, `0.0.0.0:9229`, `[::1]:9229`, `:40000`, `5005`, `localhost` → host and port. */
export const parseAddress = (text: string): {host?: string; port?: number} => {
  const t = text.trim();
  const m = /^(?:(\[[^\]]*\]|[^:]*):)?(\d{1,5})$/.exec(t);
  if (m) {
    const port = Number(m[2]);
    return {...(m[1] !== undefined && {host: m[1].replace(/^\[|\]$/g, '')}), ...(port >= 1 && port <= 65535 && {port})};
  }
  return t ? {host: t} : {};
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
export const isLoopbackHost = (host: string | undefined): boolean => host !== undefined && (LOOPBACK.has(host) || host.startsWith('127.'));

/** `-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005` and `-Xrunjdwp:…` → the agent. */
const jdwpOption = (word: string): DetectedAgent | undefined => {
  const m = /^-(?:agentlib:jdwp=|Xrunjdwp:)(.*)$/.exec(word);
  if (!m) return undefined;
  const opts = Object.fromEntries(
    m[1]!.split(',').map(kv => {
      const i = kv.indexOf('=');
      return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
    })
  );
  const address = opts.address === undefined ? {} : parseAddress(opts.address);
  return {kind: 'jdwp', evidence: word, ...address, ...(opts.server !== 'y' && {connectsOut: true})};
};

/** Words of an argv, with `sh -c "…"` strings (and other words holding spaces) split on white space, each mapped to its argv index. */
const wordsOf = (argv: readonly string[]): {word: string; index: number}[] =>
  argv.flatMap((a, index) => a.split(/\s+/).filter(Boolean).map(word => ({word: word.replace(/^['"]|['"]$/g, ''), index})));

const fileName = (w: string): string => w.split('/').pop() ?? w;

/** The value of `--flag=value` or `--flag value` at position i, if words[i] is that flag. */
const optionValue = (words: {word: string}[], i: number, ...flags: string[]): string | undefined => {
  const w = words[i]!.word;
  for (const f of flags) {
    if (w === f) return words[i + 1]?.word;
    if (w.startsWith(`${f}=`)) return w.slice(f.length + 1);
  }
  return undefined;
};

/** debugpy/ptvsd options that take a value; their own options end at the target (`-m module`, `-c code`, a script). */
const DEBUGPY_VALUES = new Set(['--listen', '--connect', '--host', '--port', '--log-to', '--log-dir', '--pid', '--configure-subProcess', '--adapter-access-token']);
const debuggerOptions = (rest: {word: string; index: number}[]): {word: string; index: number}[] => {
  let n = 0;
  while (n < rest.length) {
    const w = rest[n]!.word;
    if (w === '-m' || w === '-c' || !w.startsWith('-')) break;
    n += DEBUGPY_VALUES.has(w) ? 2 : 1;
  }
  return rest.slice(0, n);
};

/**
 * Debug agents an argv starts (ENTRYPOINT + CMD, a container's command and
 * args, `run.command`), including inside `sh -c` strings.
 */
export const agentsInCommand = (argv: readonly string[]): DetectedAgent[] => {
  const words = wordsOf(argv);
  const out: DetectedAgent[] = [];
  const add = (a: DetectedAgent, index: number) => out.push({...a, index});
  let jdwp = false;
  let inspectPort: number | undefined;
  words.forEach((_, i) => {
    const p = optionValue(words, i, '--inspect-port', '--debug-port');
    if (p !== undefined) inspectPort = parseAddress(p).port;
  });
  words.forEach(({word, index}, i) => {
    const j = jdwpOption(word);
    if (j) {
      jdwp = true;
      add(j, index);
      return;
    }
    const inspect = /^--inspect(?:-brk|-wait)?(?:=(.*))?$/.exec(word);
    // After the script (`node app.js --inspect`) it is the app's own argument, not node's.
    if (inspect && !words.slice(0, i).some(w => /\.[cm]?[jt]s$/.test(w.word))) {
      const a = inspect[1] === undefined ? {} : parseAddress(inspect[1]);
      add({kind: 'node-inspector', evidence: word, host: a.host ?? '127.0.0.1', port: a.port ?? inspectPort ?? 9229}, index);
      return;
    }
    if (word === '--remote-debugging-port' || word.startsWith('--remote-debugging-port=')) {
      const port = parseAddress(optionValue(words, i, '--remote-debugging-port') ?? '').port;
      const hostAt = words.findIndex((_, k) => optionValue(words, k, '--remote-debugging-address') !== undefined);
      const host = hostAt < 0 ? '127.0.0.1' : optionValue(words, hostAt, '--remote-debugging-address')!;
      add({kind: 'chrome-devtools', evidence: word === '--remote-debugging-port' ? `${word} ${words[i + 1]?.word ?? ''}`.trim() : word, host, ...(port !== undefined && {port})}, index);
      return;
    }
    if (fileName(word) === 'dlv') {
      // Delve listens only when told to (`--listen`, `-l`) or run headless (default 127.0.0.1 and a random port).
      const rest = words.slice(i + 1);
      const at = rest.findIndex((_, k) => optionValue(rest, k, '--listen', '-l') !== undefined);
      const headless = rest.some(r => r.word === '--headless' || r.word === '--headless=true') || rest[0]?.word === 'dap';
      if (at < 0 && !headless) return;
      const a = at < 0 ? {} : parseAddress(optionValue(rest, at, '--listen', '-l')!);
      add({kind: 'delve', evidence: at < 0 ? `${word} ${rest.find(r => r.word.startsWith('--headless'))?.word ?? 'dap'}` : `${word} … ${rest[at]!.word}${rest[at]!.word.includes('=') ? '' : ` ${rest[at + 1]?.word ?? ''}`}`, host: a.host ?? DEFAULTS.delve!.host, ...(a.port !== undefined && {port: a.port})}, index);
      return;
    }
    const module = (words[i - 1]?.word === '-m' && word) || (/^(debugpy|ptvsd)$/.test(fileName(word)) && fileName(word));
    if (module === 'debugpy' || module === 'ptvsd') {
      const rest = debuggerOptions(words.slice(i + 1));
      const listenAt = rest.findIndex((_, k) => optionValue(rest, k, '--listen') !== undefined);
      const listen = listenAt < 0 ? undefined : parseAddress(optionValue(rest, listenAt, '--listen')!);
      const hostAt = rest.findIndex((_, k) => optionValue(rest, k, '--host') !== undefined);
      const portAt = rest.findIndex((_, k) => optionValue(rest, k, '--port') !== undefined);
      const connectAt = rest.findIndex((_, k) => optionValue(rest, k, '--connect') !== undefined);
      const connect = connectAt >= 0;
      const target = listen ?? (connect ? parseAddress(optionValue(rest, connectAt, '--connect')!) : undefined);
      const host = target?.host ?? (hostAt < 0 ? undefined : optionValue(rest, hostAt, '--host'));
      const port = target?.port ?? (portAt < 0 ? undefined : parseAddress(optionValue(rest, portAt, '--port')!).port);
      add({kind: 'debugpy', evidence: words[i - 1]?.word === '-m' ? `-m ${module}` : word, host: host ?? '127.0.0.1', port: port ?? 5678, ...(connect && {connectsOut: true})}, index);
      return;
    }
    if (fileName(word) === 'catalina.sh' && words[i + 1]?.word === 'jpda') {
      // Tomcat's `catalina.sh jpda run`: JDWP on JPDA_ADDRESS, localhost:8000 by default.
      add({kind: 'jdwp', evidence: `${word} jpda`, host: 'localhost', port: 8000}, index);
      jdwp = true;
    }
  });
  const xdebug = words.find(w => w.word === '-Xdebug');
  if (xdebug && !jdwp) add({kind: 'jdwp', evidence: '-Xdebug'}, xdebug.index);
  return out;
};

/** Variables the JVM reads by itself; others (JAVA_OPTS, CATALINA_OPTS…) count only when start scripts pass them on, so only an explicit agent there. */
const JVM_VARIABLES = new Set(['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS']);

/** Debug agents an environment variable switches on. */
export const agentsInEnv = (name: string, value: string): DetectedAgent[] => {
  const words = value.split(/\s+/).filter(Boolean);
  const out: DetectedAgent[] = [];
  for (const w of words) {
    const j = jdwpOption(w.replace(/^['"]|['"]$/g, ''));
    if (j) out.push(j);
  }
  if (!out.length && JVM_VARIABLES.has(name) && words.includes('-Xdebug')) out.push({kind: 'jdwp', evidence: '-Xdebug'});
  if (name === 'NODE_OPTIONS') out.push(...agentsInCommand(words).filter(a => a.kind === 'node-inspector').map(({index: _i, ...a}) => a));
  out.push(...agentsInCommand(words).filter(a => a.kind === 'chrome-devtools').map(({index: _i, ...a}) => a));
  return out;
};

/** Where a setting lives: an image's ENV or command, a container of the manifests, portgate.yml's `run:`. */
export type AgentSetting =
  | {kind: 'env'; name: string; value: string; where: string; location: Location}
  /** An argv made of parts (ENTRYPOINT then CMD, command then args), each with its own location. */
  | {kind: 'argv'; parts: {words: readonly string[]; location: Location}[]; where: string};

/** One finding per agent and setting; the same agent found again through another source of the same setting is reported once. */
export const debugAgentFindings = (settings: readonly AgentSetting[], declared: readonly DeclaredPort[] = []): Finding[] => {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const s of settings) {
    const found =
      s.kind === 'env'
        ? agentsInEnv(s.name, s.value).map(a => ({a, location: s.location, setting: `${s.name}=${s.value}`}))
        : (() => {
            const argv = s.parts.flatMap(p => p.words);
            const owner = (index: number) => {
              let n = index;
              for (const p of s.parts) {
                if (n < p.words.length) return p;
                n -= p.words.length;
              }
              return s.parts.at(-1)!;
            };
            return agentsInCommand(argv).map(a => ({a, location: owner(a.index ?? 0).location, setting: argv.join(' ')}));
          })();
    for (const {a, location, setting} of found) {
      const key = `${a.kind}|${a.port ?? ''}|${s.kind === 'env' ? s.name : 'argv'}|${setting}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (a.port !== undefined && declared.some(d => d.port === a.port && d.protocol === 'tcp' && d.reason)) continue;
      out.push(agentFinding(a, s, location));
    }
  }
  return out;
};

const short = (s: string): string => (s.length > 120 ? `${s.slice(0, 117)}…` : s);

const describeBind = (a: DetectedAgent): string => {
  const at = a.port === undefined ? 'a port it picks at start-up' : `port ${a.port}`;
  if (a.host === undefined) return `on ${at}`;
  if (a.host === '' || a.host === '*' || a.host === '0.0.0.0' || a.host === '::') return `on ${at} of every interface`;
  return `on ${at} of ${a.host}`;
};

const agentFinding = (a: DetectedAgent, s: AgentSetting, location: Location): Finding => {
  const source = s.kind === 'env' ? `${s.name} in ${s.where}` : s.where;
  const mild = a.connectsOut || isLoopbackHost(a.host);
  const what = a.connectsOut
    ? `${NAMES[a.kind]}, attaching at start-up to a debugger at ${a.host ? `${a.host}:` : ''}${a.port ?? '?'}`
    : `${NAMES[a.kind]} ${describeBind(a)}`;
  const risk = a.connectsOut
    ? 'a debugger there controls the process'
    : isLoopbackHost(a.host)
      ? `bound to loopback, it is still open to every process in the pod and to kubectl port-forward, and ${WHY[a.kind]}`
      : WHY[a.kind];
  const accept = a.port !== undefined ? `to accept it, declare ${a.port}/tcp with a \`reason:\` in portgate.yml` : 'to accept it, add an `accept:` entry with a reason to portgate.yml';
  const message = `${source} turns on ${what} (\`${short(a.evidence)}\`): ${risk}, whether or not it listened while portgate watched. Remove it from the image and the deployment, and enable debugging only where it is needed; ${accept}.`;
  const f = finding('debug-agent-configured', message, {...(a.port !== undefined && {port: a.port, protocol: 'tcp' as const}), location, category: 'debug'});
  // Loopback-only or outbound agents are a warning: no other container reaches them.
  return mild && f.severity === 'error' ? {...f, severity: 'warning'} : f;
};
