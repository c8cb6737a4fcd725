import type {FleetJsonReport} from '../fleet/result.js';
import type {GateResult} from '../model.js';
import {FORMATS} from '../report/index.js';
import {describeCounts, describeFindings} from '../report/common.js';
import {fleetMarkdown} from '../report/fleet.js';
import {code} from '../report/markdown.js';
import {truncateMarkdown} from './summary.js';

/**
 * One sticky PR comment per image repository (the reference without its tag
 * or digest, see stickyKey): found again by a hidden marker at the start of
 * its body, created on the first failing run, updated on every later run, and
 * turned into a short "resolved" note once the gate passes, so a stale failure
 * never lingers. Never fails the step: a read-only token (fork PRs) produces a
 * notice or warning; an event without a pull request (a push to main, a
 * schedule) only a log line.
 */

interface IssueComment {
  id: number;
  body?: string | null;
}
interface Repo {
  owner: string;
  repo: string;
}
/** Octokit's request parameters are open-ended; the index signature lets its methods match these. */
type Params<T> = Repo & T & {[key: string]: unknown};

/** The slice of octokit this uses: the real `getOctokit()` client and test fakes both fit it. */
export interface CommentsClient {
  rest: {
    issues: {
      listComments(p: Params<{issue_number: number; per_page: number; page: number}>): Promise<{data: IssueComment[]}>;
      createComment(p: Params<{issue_number: number; body: string}>): Promise<{data: IssueComment}>;
      updateComment(p: Params<{comment_id: number; body: string}>): Promise<{data: IssueComment}>;
    };
  };
}

/** What the event tells us; built from @actions/github's context by the shell. */
export interface PullRequestContext extends Repo {
  eventName: string;
  /** undefined when the event carries no pull request. */
  number?: number;
  /** Head repository differs from the base: GITHUB_TOKEN is read-only there. */
  fork: boolean;
  sha?: string;
  runUrl?: string;
}

export type CommentOutcome =
  | {action: 'created' | 'updated' | 'resolved'; id: number}
  | {action: 'none'; message: string}
  | {action: 'skipped'; level: 'notice' | 'warning'; message: string};

/** GitHub rejects issue comments over 65,536 characters. */
export const COMMENT_MAX = 65_536;
const PER_PAGE = 100;
const MAX_PAGES = 30;

// `--` ends an HTML comment early, and Docker repository names may contain it.
/** `registry:5000/team/app:sha-123@sha256:…` → `registry:5000/team/app`: per-commit tags must update one comment, not add one per push. */
export const stickyKey = (image: string): string => {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
};

export const markerFor = (image: string): string => `<!-- portgate:sticky:${stickyKey(image).replaceAll('--', '-%2D')} -->`;

/**
 * A fleet's comment is keyed by its fleet file (as the reports name it,
 * repository-relative): every matrix job of the fleet and every push update
 * one comment, whatever images and tags its services have. Characters that
 * could end the HTML comment or the line are percent-encoded.
 */
export const fleetMarker = (fleet: string): string =>
  `<!-- portgate:sticky:fleet:${fleet.replace(/[^\w./@:+-]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replaceAll('--', '-%2D')} -->`;

/** Only the marker at the very start counts: a human quoting the comment does not hijack it. */
export const isSticky = (c: IssueComment, marker: string): boolean => (c.body ?? '').startsWith(marker);

export type CommentPlan = 'create' | 'update' | 'resolve' | 'none';

/** Failing: create or update. Passing: resolve an earlier comment, or stay silent when there never was one. */
export const planComment = (existing: IssueComment | undefined, r: {verdict: 'pass' | 'fail'}): CommentPlan =>
  r.verdict === 'fail' ? (existing ? 'update' : 'create') : existing ? 'resolve' : 'none';

const footer = (ctx: PullRequestContext): string =>
  `<sub>portgate${ctx.sha ? ` · commit ${ctx.sha.slice(0, 7)}` : ''}${ctx.runUrl ? ` · [workflow run](${ctx.runUrl})` : ''}</sub>\n`;

export const failureBody = (r: GateResult, ctx: PullRequestContext, cwd?: string): string => {
  const head = `${markerFor(r.image)}\n`;
  const tail = `\n${footer(ctx)}`;
  const budget = COMMENT_MAX - head.length - tail.length;
  return head + truncateMarkdown(FORMATS.markdown(r, {cwd}), budget, '_Report truncated to fit a PR comment; the job summary has all of it._\n') + tail;
};

export const resolvedBody = (r: GateResult, ctx: PullRequestContext): string => {
  const left = r.findings.length ? ` Findings below the fail-on threshold remain (${describeFindings(r.findings)}); see the job summary.` : '';
  return `${markerFor(r.image)}\n## ✅ portgate passed: \`${r.image}\`\n\nThe port drift reported earlier in this pull request is resolved.${left}\n\n${footer(ctx)}`;
};

const findSticky = async (client: CommentsClient, ctx: PullRequestContext, number: number, marker: string): Promise<IssueComment | undefined> => {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const {data} = await client.rest.issues.listComments({owner: ctx.owner, repo: ctx.repo, issue_number: number, per_page: PER_PAGE, page});
    const hit = data.find(c => isSticky(c, marker));
    if (hit || data.length < PER_PAGE) return hit;
  }
  return undefined;
};

const statusOf = (e: unknown): number | undefined => (e as {status?: number}).status;

/** Why the comment could not be written, phrased for the step log; fork PRs are expected, so only a notice. */
export const denied = (e: unknown, ctx: PullRequestContext): CommentOutcome => {
  const status = statusOf(e);
  if (ctx.fork && (status === 403 || status === 404))
    return {action: 'skipped', level: 'notice', message: `portgate: no PR comment: the token is read-only on pull requests from forks (HTTP ${status}). The job summary has the report.`};
  if (status === 403 || status === 404)
    return {action: 'skipped', level: 'warning', message: `portgate: no PR comment: the token may not write comments (HTTP ${status}). Grant \`permissions: pull-requests: write\`, or set comment: false.`};
  return {action: 'skipped', level: 'warning', message: `portgate: no PR comment: ${(e as Error).message ?? String(e)}`};
};

/** What one sticky comment is about: its marker, whether it fails, and its two bodies. */
export interface StickySubject {
  marker: string;
  verdict: 'pass' | 'fail';
  failure: (ctx: PullRequestContext) => string;
  resolved: (ctx: PullRequestContext) => string;
}

export const imageSubject = (r: GateResult, cwd?: string): StickySubject => ({
  marker: markerFor(r.image),
  verdict: r.verdict,
  failure: ctx => failureBody(r, ctx, cwd),
  resolved: ctx => resolvedBody(r, ctx)
});

/** The fleet's comment: its Markdown report (summary table, a collapsed section per service), under one marker. */
export const fleetFailureBody = (r: FleetJsonReport, ctx: PullRequestContext): string => {
  const head = `${fleetMarker(r.fleet)}\n`;
  const tail = `\n${footer(ctx)}`;
  return head + truncateMarkdown(fleetMarkdown(r), COMMENT_MAX - head.length - tail.length, '_Report truncated to fit a PR comment; the job summary has all of it._\n') + tail;
};

export const fleetResolvedBody = (r: FleetJsonReport, ctx: PullRequestContext): string => {
  const n = r.summary.services;
  const f = r.summary.findings;
  const left = f.error + f.warning + f.note ? ` Findings below the fail-on threshold remain (${describeCounts(f)}); see the job summary.` : '';
  return `${fleetMarker(r.fleet)}\n## ✅ portgate fleet passed: ${code(r.fleet)}\n\nThe port drift reported earlier in this pull request is resolved: ${n === 1 ? 'the service passes' : `all ${n} services pass`}.${left}\n\n${footer(ctx)}`;
};

export const fleetSubject = (r: FleetJsonReport): StickySubject => ({
  marker: fleetMarker(r.fleet),
  verdict: r.verdict,
  failure: ctx => fleetFailureBody(r, ctx),
  resolved: ctx => fleetResolvedBody(r, ctx)
});

/** Creates, updates or resolves the subject's one comment on the pull request. */
export const postSticky = async (client: CommentsClient | undefined, ctx: PullRequestContext, subject: StickySubject): Promise<CommentOutcome> => {
  // A push to main or a schedule has no pull request to comment on: that is normal, so it only goes to the log.
  if (ctx.number === undefined) return {action: 'none', message: `portgate: no PR comment: the ${ctx.eventName} event has no pull request.`};
  if (!client) return {action: 'skipped', level: 'notice', message: 'portgate: no PR comment: input github-token is empty.'};
  const repo = {owner: ctx.owner, repo: ctx.repo};
  try {
    const existing = await findSticky(client, ctx, ctx.number, subject.marker);
    switch (planComment(existing, subject)) {
      case 'create': {
        const {data} = await client.rest.issues.createComment({...repo, issue_number: ctx.number, body: subject.failure(ctx)});
        return {action: 'created', id: data.id};
      }
      case 'update':
        await client.rest.issues.updateComment({...repo, comment_id: existing!.id, body: subject.failure(ctx)});
        return {action: 'updated', id: existing!.id};
      case 'resolve':
        await client.rest.issues.updateComment({...repo, comment_id: existing!.id, body: subject.resolved(ctx)});
        return {action: 'resolved', id: existing!.id};
      case 'none':
        return {action: 'none', message: 'portgate: the gate passed and there is no earlier portgate comment; none posted.'};
    }
  } catch (e) {
    return denied(e, ctx);
  }
};

export const stickyComment = (client: CommentsClient | undefined, ctx: PullRequestContext, r: GateResult, cwd?: string): Promise<CommentOutcome> => postSticky(client, ctx, imageSubject(r, cwd));
