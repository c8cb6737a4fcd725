import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {createServer, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/**
 * Just enough of a GitHub runner and of the GitHub REST API to run a built
 * JavaScript action as the runner does and observe everything it emits.
 */

/** The issue-comment endpoints of one repository (acme/shop), PR #7. Records every request. */
export interface FakeGitHub {
  url: string;
  /** `deny` answers 403 to everything, as GitHub does for a read-only token. */
  mode: 'ok' | 'deny';
  requests: string[];
  comments: {id: number; body: string}[];
  close(): void;
}

const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body));

export const startFakeGitHub = async (): Promise<FakeGitHub> => {
  const api = {mode: 'ok', requests: [], comments: []} as unknown as FakeGitHub;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c)).on('end', () => {
      api.requests.push(`${req.method} ${req.url}`);
      if (api.mode === 'deny') return send(res, 403, {message: 'Resource not accessible by integration'});
      if (req.method === 'GET' && req.url?.startsWith('/repos/acme/shop/issues/7/comments?')) return send(res, 200, api.comments);
      if (req.method === 'POST' && req.url === '/repos/acme/shop/issues/7/comments') {
        api.comments.push({id: 100 + api.comments.length, body: JSON.parse(body).body});
        return send(res, 201, api.comments.at(-1));
      }
      const id = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(req.url ?? '')?.[1];
      const c = id && api.comments.find(x => x.id === Number(id));
      if (req.method === 'PATCH' && c) return send(res, 200, Object.assign(c, {body: JSON.parse(body).body}));
      send(res, 404, {message: 'Not Found'});
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => server.close();
  return api;
};

export interface WorkflowCommand {
  level: string;
  /** Properties with the runner's escaping undone. */
  props: Record<string, string>;
  message: string;
}

export interface Run {
  code: number | null;
  /** stdout and stderr, interleaved. */
  stdout: string;
  commands: WorkflowCommand[];
  outputs: Record<string, string>;
  summary: string;
}

export interface RunOptions {
  bundle: string;
  node: string;
  workspace: string;
  apiUrl: string;
  /** By action.yml name: the runner passes INPUT_<NAME uppercased>, hyphens kept. */
  inputs: Record<string, string>;
  event?: string;
  /** The PR comes from a fork (head repository differs from the base). */
  fork?: boolean;
  /** Extra environment variables, e.g. DOCKER_HOST. */
  env?: Record<string, string>;
  whileRunning?: (child: ReturnType<typeof spawn>) => Promise<void>;
}

// toolkit command.ts escaping, reversed; %25 last so that an escaped `%3A` stays literal.
const unescape = (s: string) => s.replaceAll('%2C', ',').replaceAll('%3A', ':').replaceAll('%0A', '\n').replaceAll('%0D', '\r').replaceAll('%25', '%');

const parseCommands = (stdout: string): WorkflowCommand[] =>
  [...stdout.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)].map(m => ({
    level: m[1],
    props: Object.fromEntries((m[2] ?? '').split(',').filter(Boolean).map(p => [p.slice(0, p.indexOf('=')), unescape(p.slice(p.indexOf('=') + 1))])),
    message: unescape(m[3])
  }));

/** `name<<ghadelimiter_…` blocks, as core.setOutput writes them to GITHUB_OUTPUT. */
const parseOutputs = (text: string): Record<string, string> =>
  Object.fromEntries([...text.matchAll(/^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)].map(m => [m[1], m[3]]));

/** Runs the bundle in a clean environment: nothing of the caller's GITHUB_* leaks in. */
export const runAction = async (o: RunOptions): Promise<Run> => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-runner-'));
  const [out, summary, event] = ['output', 'summary.md', 'event.json'].map(f => join(dir, f));
  writeFileSync(out, '');
  writeFileSync(summary, '');
  const repo = {full_name: 'acme/shop', name: 'shop', owner: {login: 'acme'}};
  const head = {sha: 'c0ffee0123456789', repo: o.fork ? {full_name: 'mallory/shop'} : repo};
  writeFileSync(event, JSON.stringify({action: 'synchronize', number: 7, pull_request: {number: 7, head, base: {repo}}, repository: repo}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    ...(process.env.DOCKER_HOST && {DOCKER_HOST: process.env.DOCKER_HOST}),
    // The suite's label on everything the action creates, so the leftover checks see it.
    ...(process.env.PORTGATE_JOB && {PORTGATE_JOB: process.env.PORTGATE_JOB}),
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_EVENT_NAME: o.event ?? 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_API_URL: o.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: dir,
    ...o.env,
    ...Object.fromEntries(Object.entries(o.inputs).map(([k, v]) => [`INPUT_${k.replaceAll(' ', '_').toUpperCase()}`, v]))
  };
  const child = spawn(o.node, [o.bundle], {cwd: o.workspace, env});
  let stdout = '';
  child.stdout.on('data', c => (stdout += c));
  child.stderr.on('data', c => (stdout += c));
  const closed = new Promise<number | null>(r => child.on('close', r));
  await o.whileRunning?.(child);
  const code = await closed;
  return {code, stdout, commands: parseCommands(stdout), outputs: parseOutputs(readFileSync(out, 'utf8')), summary: readFileSync(summary, 'utf8')};
};
