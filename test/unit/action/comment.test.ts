import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {COMMENT_MAX, failureBody, markerFor, planComment, stickyComment, type CommentsClient, type PullRequestContext} from '../../../src/action/comment.js';
import type {GateResult} from '../../../src/model.js';

const fixture = (name: string): GateResult => JSON.parse(readFileSync(`test/fixtures/results/${name}.json`, 'utf8')) as GateResult;
const failing = fixture('failing-service');
const passing: GateResult = {...failing, verdict: 'pass', findings: []};
const MARKER = markerFor(failing.image);

const PR: PullRequestContext = {eventName: 'pull_request', owner: 'acme', repo: 'shop', number: 7, fork: false, sha: '0123456789abcdef', runUrl: 'https://github.com/acme/shop/actions/runs/42'};

interface Stored {
  id: number;
  body: string;
}

/** An octokit-shaped fake: records every call, pages like the REST API, can answer with an HTTP error. */
const fake = (comments: Stored[] = [], failWith?: {status: number; on?: 'list' | 'write'}) => {
  const calls: string[] = [];
  const refuse = (on: 'list' | 'write') => {
    if (failWith && (failWith.on ?? 'list') === on) throw Object.assign(new Error('Resource not accessible by integration'), {status: failWith.status});
  };
  const client: CommentsClient = {
    rest: {
      issues: {
        listComments: async p => {
          calls.push(`list #${p.issue_number} page ${p.page}`);
          refuse('list');
          return {data: comments.slice((p.page - 1) * p.per_page, p.page * p.per_page)};
        },
        createComment: async p => {
          calls.push(`create #${p.issue_number}`);
          refuse('write');
          const c = {id: 1000 + comments.length, body: p.body};
          comments.push(c);
          return {data: c};
        },
        updateComment: async p => {
          calls.push(`update ${p.comment_id}`);
          refuse('write');
          comments.find(c => c.id === p.comment_id)!.body = p.body;
          return {data: {id: p.comment_id, body: p.body}};
        }
      }
    }
  };
  return {client, calls, comments};
};

test.each([
  [undefined, 'fail', 'create'],
  [{id: 1}, 'fail', 'update'],
  [{id: 1}, 'pass', 'resolve'],
  [undefined, 'pass', 'none']
] as const)('planComment: existing %j, verdict %s → %s', (existing, verdict, plan) => {
  expect(planComment(existing, {...failing, verdict})).toBe(plan);
});

describe('stickyComment', () => {
  test('creates the comment once, with the marker first and the report', async () => {
    const f = fake([{id: 1, body: 'LGTM'}]);
    expect(await stickyComment(f.client, PR, failing)).toEqual({action: 'created', id: 1001});
    expect(f.calls).toEqual(['list #7 page 1', 'create #7']);
    const body = f.comments[1].body;
    expect(body.startsWith(`${MARKER}\n## ❌ portgate failed`)).toBe(true);
    expect(body).toContain('`risky-port`');
    expect(body).toContain('commit 0123456 · [workflow run](https://github.com/acme/shop/actions/runs/42)');
  });

  test('updates the existing comment instead of adding a second', async () => {
    const f = fake([{id: 1, body: 'LGTM'}]);
    await stickyComment(f.client, PR, failing);
    expect(await stickyComment(f.client, {...PR, sha: 'fedcba9876543210'}, failing)).toEqual({action: 'updated', id: 1001});
    expect(f.calls.slice(2)).toEqual(['list #7 page 1', 'update 1001']);
    expect(f.comments).toHaveLength(2);
    expect(f.comments[1].body).toContain('commit fedcba9');
  });

  test('turns the comment into a short resolved note when the gate passes', async () => {
    const f = fake([{id: 5, body: `${MARKER}\nold failure`}]);
    expect(await stickyComment(f.client, PR, passing)).toEqual({action: 'resolved', id: 5});
    expect(f.comments[0].body).toMatch(new RegExp(`^${MARKER}\\n## ✅ portgate passed: \`${failing.image.replaceAll('.', '\\.')}\``));
    expect(f.comments[0].body).toContain('is resolved.');
    expect(f.comments[0].body).not.toContain('| Port |');
  });

  test('a resolved note mentions findings left below the threshold', async () => {
    const f = fake([{id: 5, body: `${MARKER}\nold failure`}]);
    await stickyComment(f.client, PR, {...failing, verdict: 'pass', failOn: 'never'});
    expect(f.comments[0].body).toContain('Findings below the fail-on threshold remain (8 errors, 1 warning, 1 note)');
  });

  test('a passing gate with no earlier comment posts nothing', async () => {
    const f = fake();
    expect(await stickyComment(f.client, PR, passing)).toMatchObject({action: 'none'});
    expect(f.calls).toEqual(['list #7 page 1']);
  });

  test('pages through every comment to find the marker', async () => {
    const many = Array.from({length: 250}, (_, i) => ({id: i + 1, body: `comment ${i}`}));
    many[230].body = `${MARKER}\nold`;
    const f = fake(many);
    expect(await stickyComment(f.client, PR, failing)).toEqual({action: 'updated', id: 231});
    expect(f.calls).toEqual(['list #7 page 1', 'list #7 page 2', 'list #7 page 3', 'update 231']);
  });

  test('ignores a quoted marker and the marker of another image', async () => {
    const f = fake([
      {id: 1, body: `> ${MARKER}\n> quoted by a reviewer`},
      {id: 2, body: `${markerFor('other:ci')}\nanother image`}
    ]);
    expect(await stickyComment(f.client, PR, failing)).toEqual({action: 'created', id: 1002});
  });

  test.each([
    [{status: 403}, true, 'notice', 'read-only on pull requests from forks (HTTP 403)'],
    [{status: 403}, false, 'warning', 'may not write comments (HTTP 403). Grant `permissions: pull-requests: write`'],
    [{status: 404, on: 'write'}, false, 'warning', 'may not write comments (HTTP 404)'],
    [{status: 500}, false, 'warning', 'no PR comment: Resource not accessible by integration']
  ] as const)('an HTTP error %j (fork %s) skips with a %s, never a failure', async (failWith, fork, level, text) => {
    const outcome = await stickyComment(fake([], failWith).client, {...PR, fork}, failing);
    expect(outcome).toMatchObject({action: 'skipped', level});
    expect(outcome.action === 'skipped' && outcome.message).toContain(text);
  });

  test('skips silently (a log line, no annotation) outside pull requests, and with a notice without a token', async () => {
    const f = fake();
    // `comment: true` is the default, so a push to main must not leave a notice on every run.
    expect(await stickyComment(f.client, {eventName: 'push', owner: '', repo: '', fork: false}, failing)).toEqual({
      action: 'none',
      message: 'portgate: no PR comment: the push event has no pull request.'
    });
    expect(await stickyComment(undefined, PR, failing)).toMatchObject({action: 'skipped', level: 'notice', message: 'portgate: no PR comment: input github-token is empty.'});
    expect(f.calls).toEqual([]);
  });
});

test('a huge report still fits a PR comment, keeping the marker and the footer', () => {
  const findings = Array.from({length: 400}, (_, i) => ({...failing.findings[0], port: 10_000 + i, message: '✗'.repeat(400)}));
  const body = failureBody({...failing, findings}, PR);
  expect(body.length).toBeLessThanOrEqual(COMMENT_MAX);
  expect(body.startsWith(MARKER)).toBe(true);
  expect(body.trimEnd().endsWith('</sub>')).toBe(true);
});

test('the marker never contains `--`, which would end the HTML comment early', () => {
  expect(markerFor('registry:5000/a--b---c:1')).toBe('<!-- portgate:sticky:registry:5000/a-%2Db-%2D-c -->');
});

test('the marker ignores tag and digest, so a new per-commit tag updates the same comment', () => {
  // prettier-ignore
  const refs = ['ghcr.io/acme/api:sha-1111111', 'ghcr.io/acme/api:sha-2222222', 'ghcr.io/acme/api@sha256:abcd', 'ghcr.io/acme/api:1.2@sha256:abcd', 'ghcr.io/acme/api'];
  expect(new Set(refs.map(markerFor))).toEqual(new Set(['<!-- portgate:sticky:ghcr.io/acme/api -->']));
  expect(markerFor('localhost:5000/api:1')).toBe('<!-- portgate:sticky:localhost:5000/api -->');
  expect(markerFor('ghcr.io/acme/web:1')).not.toBe(markerFor('ghcr.io/acme/api:1'));
});

test('a resolved note counts suppressed findings apart from the others', async () => {
  const {stickyComment: sticky} = await import('../../../src/action/comment.js');
  const accepted = JSON.parse((await import('node:fs')).readFileSync('test/fixtures/results/accepted.json', 'utf8'));
  const comments: {body: string}[] = [];
  const client = {
    rest: {
      issues: {
        listComments: async () => ({data: [{id: 5, body: '<!-- portgate:sticky:registry.example.com/edge/gateway -->\nold'}]}),
        createComment: async (p: {body: string}) => (comments.push(p), {data: {id: 6}}),
        updateComment: async (p: {body: string}) => (comments.push(p), {data: {id: 5}})
      }
    }
  };
  await sticky(client, {eventName: 'pull_request', owner: 'o', repo: 'r', number: 1, fork: false}, accepted);
  expect(comments[0]!.body).toContain('(0 errors, 2 warnings, 1 note, 2 suppressed)');
});

test('compared with the main branch\'s report, the comment leads with what the change introduced, then what it resolved', async () => {
  const {compareWithBaseline} = await import('../../../src/baseline/compare.js');
  // The main branch had no JDWP port 5005 but a Node inspector on 9229.
  const inspector = {port: 9229, protocol: 'tcp' as const, address: '0.0.0.0', family: 'ipv4' as const, scope: 'wildcard' as const};
  const main: GateResult = {
    ...failing,
    image: failing.image.replace(/:[^:/]+$/, ':main'),
    listening: [...failing.listening.filter(l => l.port !== 5005), inspector],
    findings: [...failing.findings.filter(f => f.port !== 5005), {rule: 'risky-port', severity: 'error', port: 9229, protocol: 'tcp', message: 'Node inspector', location: {file: 'Dockerfile', line: 30}}]
  };
  const lines = failureBody(compareWithBaseline(failing, main, {report: 'main.json'}), PR).split('\n');
  expect(lines.slice(0, 4)).toEqual([MARKER, `## ❌ portgate failed: \`${failing.image}\``, '', '**Compared with `main.json`** (`registry.example.com:5000/shop/orders:main`): 4 new, 2 resolved.']);
  expect(lines[5]).toBe('- 🆕 **new listener** `5005/tcp`: `0.0.0.0 (java, pid 1)`');
  expect(lines.slice(6, 9).every(l => l.startsWith('- 🆕 **new finding**'))).toBe(true);
  expect(lines.slice(9, 11)).toEqual(['- ✅ **resolved listener** `9229/tcp`: `0.0.0.0`', '- ✅ **resolved finding** `risky-port` `9229/tcp`: ❌ error at `Dockerfile:30`']);
});
