import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {micromark} from 'micromark';
import {gfm, gfmHtml} from 'micromark-extension-gfm';
import {chromium, type BrowserContext, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {failureBody, type PullRequestContext} from '../../src/action/comment.js';
import {summaryMarkdown} from '../../src/action/summary.js';
import {RULES} from '../../src/findings/rules.js';
import type {GateResult} from '../../src/model.js';
import {hostileResult, loadResult} from '../unit/report/fixtures.js';
import {compareFleet} from '../../src/baseline/fleet.js';
import {fleetReport, serviceReport} from '../../src/fleet/result.js';
import {fleetMarkdown} from '../../src/report/fleet.js';
import {baselineFixture, FLEET_CWD, fleetOutcomes} from '../unit/report/fleet-fixtures.js';

/**
 * What people read: the job summary and the PR comment, rendered by a
 * CommonMark + GFM implementation (micromark, GitHub's grammar: tables,
 * strikethrough, autolinks, tag filter) with raw HTML allowed — so escaping
 * is proven by portgate's writer, not by a sanitizer — styled with GitHub's
 * markdown-body rules that decide layout, at a 1012 px comment width, in
 * Debian's Chromium. Assertions are on the rendered DOM.
 *
 * PORTGATE_SCREENSHOTS=1 also writes docs/img/{job-summary,pr-comment}.png.
 */

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDTH = 1012;
const SHOTS = process.env.PORTGATE_SCREENSHOTS === '1' ? resolve('docs/img') : mkdtempSync(join(tmpdir(), 'portgate-shots-'));

// The layout-relevant part of GitHub's markdown-body stylesheet (primer/github-markdown-css, light theme);
// DejaVu stands in for the system fonts GitHub names, which a Debian machine lacks.
const CSS = `
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; width: ${WIDTH}px; padding: 16px; color: #1f2328; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; font-size: 14px; line-height: 1.5; word-wrap: break-word; }
.markdown-body > :first-child { margin-top: 0 !important; }
.markdown-body h2, .markdown-body h3 { margin-top: 24px; margin-bottom: 16px; font-weight: 600; line-height: 1.25; }
.markdown-body h2 { padding-bottom: .3em; font-size: 1.5em; border-bottom: 1px solid #d1d9e0b3; }
.markdown-body h3 { font-size: 1.25em; }
.markdown-body p, .markdown-body blockquote, .markdown-body ul, .markdown-body ol, .markdown-body table, .markdown-body pre, .markdown-body details { margin-top: 0; margin-bottom: 16px; }
.markdown-body blockquote { margin-left: 0; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
.markdown-body table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; font-variant: tabular-nums; }
.markdown-body table th { font-weight: 600; }
.markdown-body table th, .markdown-body table td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body table tr { background-color: #fff; border-top: 1px solid #d1d9e0b3; }
.markdown-body table tr:nth-child(2n) { background-color: #f6f8fa; }
.markdown-body code, .markdown-body tt { padding: .2em .4em; margin: 0; font-size: 85%; white-space: break-spaces; background-color: #818b981f; border-radius: 6px; }
.markdown-body code, .markdown-body pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
.markdown-body pre { padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; background-color: #f6f8fa; border-radius: 6px; }
.markdown-body pre code { display: inline; padding: 0; margin: 0; overflow: visible; line-height: inherit; word-wrap: normal; background-color: transparent; border: 0; white-space: pre; font-size: 100%; }
.markdown-body sub { font-size: 75%; }
.markdown-body details summary { cursor: pointer; }
`;

/** GitHub's renderer: CommonMark + GFM. Raw HTML passes (GitHub keeps <details>, <sub>, <br>), so only portgate's escaping stands between the image and the page. */
const render = (markdown: string): string =>
  micromark(markdown, {allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()]});

const html = (markdown: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body><article class="markdown-body">${render(markdown)}</article></body></html>`;

const PR: PullRequestContext = {eventName: 'pull_request', owner: 'acme', repo: 'shop', number: 7, fork: false, sha: 'c0ffee0123456789', runUrl: 'https://github.com/acme/shop/actions/runs/42'};

const failing = loadResult('failing-service');
const crashed = loadResult('crashed');

/** The fixture's own hostile result, plus what a GitHub page must keep inert: mentions, workflow commands, tags GitHub would render. */
const hostile = (): GateResult => {
  const r = hostileResult();
  const evil = '<img src=x onerror=alert(1)> <b>bold</b> <details open>x</details> @octocat ::error file=a::pwned ``two`` `one | cell';
  r.findings.unshift({rule: 'undeclared-listener', severity: 'error', port: 6000, protocol: 'tcp', message: `6000/tcp listens on 0.0.0.0 (${evil}, pid 9)`, location: {image: r.image}});
  r.container = {...r.container!, logs: `${r.container!.logs}::error::from the log\n@octocat </details> <img src=y onerror=alert(2)>\n`};
  return r;
};

let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium package`);
  userDataDir = mkdtempSync(join(tmpdir(), 'portgate-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: {width: WIDTH, height: 800}, offline: true});
  mkdirSync(SHOTS, {recursive: true});
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, {recursive: true, force: true});
  if (process.env.PORTGATE_SCREENSHOTS !== '1') rmSync(SHOTS, {recursive: true, force: true});
});

const open = async (markdown: string, shot?: string): Promise<Page> => {
  const p = await context.newPage();
  await p.setContent(html(markdown), {waitUntil: 'load'});
  if (shot) await p.locator('article').screenshot({path: join(SHOTS, shot)});
  return p;
};

/** Header cells of each table, and how many cells each body row has. */
const tables = (p: Page) =>
  p.$$eval('article table', ts =>
    ts.map(t => ({head: [...t.querySelectorAll('thead th')].map(th => th.textContent), widths: [...t.querySelectorAll('tbody tr')].map(tr => tr.children.length)}))
  );

/** Every rule id shown in a table cell, with the number of line boxes it takes. */
const ruleCells = (p: Page, ids: string[]) =>
  p.$$eval(
    'article td code',
    // The verdict column writes ids with non-breaking hyphens (U+2011): they are rule ids too.
    (codes, ids) =>
      codes
        .filter(c => ids.includes((c.textContent ?? '').replaceAll('\u2011', '-')))
        .map(c => ({rule: c.textContent, lines: c.getClientRects().length, height: c.getBoundingClientRect().height})),
    ids
  );

const RULE_IDS = Object.keys(RULES);

describe.each([
  ['job summary', () => summaryMarkdown(failing, {unannotated: 3}), 'job-summary.png'],
  ['PR comment', () => failureBody(failing, PR), 'pr-comment.png']
])(`the %s of a failing service, rendered by GFM in Chromium at ${WIDTH} px`, (_, markdown, shot) => {
  let p: Page;
  beforeAll(async () => {
    p = await open(markdown(), shot);
  });

  test('the port table and the findings table render as tables, every row complete', async () => {
    const t = await tables(p);
    expect(t.map(x => x.head)).toEqual([
      ['Port', 'EXPOSE', 'Listening', 'Spec', 'Verdict'],
      ['Severity', 'Finding', 'Port', 'Location']
    ]);
    for (const x of t) for (const w of x.widths) expect(w).toBe(x.head.length);
    expect(t[1]!.widths).toHaveLength(failing.findings.length);
    // No table syntax left over as text.
    expect(await p.locator('article').innerText()).not.toMatch(/\| ?---/);
  });

  test('every rule id renders on one line', async () => {
    const cells = await ruleCells(p, RULE_IDS);
    expect(cells.length).toBeGreaterThanOrEqual(failing.findings.length);
    expect(cells.filter(c => c.lines !== 1)).toEqual([]);
  });

  test('the risky finding comes first: what concerns the JDWP port leads the findings table', async () => {
    const first = await p.$eval('article table:nth-of-type(2) tbody tr', tr => ({rule: tr.querySelector('td:nth-child(2) code')?.textContent, port: tr.querySelector('td:nth-child(3) code')?.textContent}));
    expect(['risky-port', 'debug-agent-configured']).toContain(first.rule);
    expect(first.port).toBe('5005/tcp');
  });
});

describe('a crashed container: the log tail is a collapsed <details> block', () => {
  test.each([
    ['job summary', () => summaryMarkdown(crashed, {unannotated: 0})],
    ['PR comment', () => failureBody(crashed, PR)]
  ])('%s', async (_, markdown) => {
    const p = await open(markdown());
    const details = await p.$$eval('article details', ds => ds.map(d => ({open: d.open, summary: d.querySelector(':scope > summary')?.textContent, pre: d.querySelector('pre code')?.textContent ?? ''})));
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({open: false, summary: 'Container logs (exited with code 1)'});
    expect(details[0]!.pre).toContain("KeyError: 'DATABASE_URL'");
    // Collapsed: the log is not visible until the reader opens it.
    expect(await p.locator('article details pre').isVisible()).toBe(false);
    expect(await ruleCells(p, RULE_IDS).then(c => c.filter(x => x.lines !== 1))).toEqual([]);
  });
});

describe('hostile text from the image renders inert', () => {
  let p: Page;
  let text: string;
  beforeAll(async () => {
    p = await open(failureBody(hostile(), PR));
    text = await p.locator('article').innerText();
  });

  test('no element from the image: no img, script, b; one <details> (the log block)', async () => {
    expect(await p.locator('article img, article script, article b').count()).toBe(0);
    expect(await p.locator('article details').count()).toBe(1);
    // The tags are there as text.
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('<script>alert(1)</script>');
    expect(await p.locator('article details pre').textContent()).toContain('</details> <img src=y onerror=alert(2)>');
  });

  test('the tables keep their shape: pipes and backticks stay inside their cell', async () => {
    const t = await tables(p);
    for (const x of t) for (const w of x.widths) expect(w).toBe(x.head.length);
    const row = await p.$$eval('article table:nth-of-type(2) tbody tr', trs => trs.map(tr => tr.children[1]!.innerHTML).find(m => m.includes('6000/tcp')));
    // A pair of backticks from the image becomes a code span (inert); a lone one and the pipe stay text in the same cell.
    expect(row).toContain('<code>two</code> `one | cell, pid 9)');
  });

  test('no @mention outside code: GitHub would link and notify @octocat and @admin', async () => {
    const mentions = await p.$$eval('article', ([a]) => {
      const out: string[] = [];
      const walk = a!.ownerDocument.createTreeWalker(a!, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (n.parentElement?.closest('code, pre')) continue;
        // GitHub's mention filter: @ after a non-word character, then a login.
        for (const m of (n.textContent ?? '').matchAll(/(?:^|[^\w`])@([a-z0-9][a-z0-9-]*)/gi)) out.push(m[1]!);
      }
      return out;
    });
    expect(mentions).toEqual([]);
    expect(text).toContain('@\u200boctocat');
  });

  test('workflow commands are text, not at a line start a runner would read', async () => {
    expect(text).toContain('pwned');
    expect(text).not.toMatch(/^\s*::/m);
    const pre = await p.locator('article details pre').textContent();
    expect(pre).toContain(':\u200b:error::from the log');
  });
});

describe('a fleet (check --fleet, merge): summary, changes, then a collapsed section per service', () => {
  let p: Page;
  let text: string;
  // The fixture fleet with the page-hostile result as its edge service, compared with the main branch's report.
  const outcomes = fleetOutcomes().map(o => (o.name === 'edge' ? {...o, result: hostile()} : o));
  const fleet = compareFleet(fleetReport(outcomes.map(o => serviceReport(o, FLEET_CWD)), {failOn: 'error', fleet: 'portgate.fleet.yml', totalMs: 16_400}), baselineFixture(), 'main.json');
  beforeAll(async () => {
    p = await open(fleetMarkdown(fleet), 'fleet-comment.png');
    text = await p.locator('article').innerText();
  });

  test('one collapsed section per service, failing first, each with its own report; nothing from an image closes one early', async () => {
    const sections = await p.$$eval('article > details', ds => ds.map(d => ({open: d.open, summary: d.querySelector(':scope > summary')?.textContent ?? '', heading: d.querySelector(':scope > h2')?.textContent ?? ''})));
    expect(sections.map(s => s.summary.split(':')[0])).toEqual(['❌ edge', '❌ orders', '❌ worker', '💥 billing', '💥 search', '✅ gateway', '✅ proxy', '✅ web']);
    expect(sections.every(s => !s.open)).toBe(true);
    expect(sections.filter(s => s.heading).map(s => s.heading.replace(/:.*/, ''))).toEqual(['❌ portgate failed', '❌ portgate failed', '❌ portgate failed', '✅ portgate passed', '✅ portgate passed', '✅ portgate passed']);
    // Collapsed: a section's report is not visible until the reader opens it.
    expect(await p.locator('article > details table').first().isVisible()).toBe(false);
    // The error of a service that could not be gated, hostile text and all, is one code block in its section.
    expect(await p.$eval('article > details:nth-of-type(5) pre code', c => c.textContent)).toContain('</details> ```` @admin | <b>x</b>');
  });

  test('the only elements are portgate\'s: no img or script; <b> only for the service names', async () => {
    expect(await p.locator('article img, article script').count()).toBe(0);
    expect(await p.$$eval('article b', bs => bs.map(b => b.textContent))).toEqual(['edge', 'orders', 'worker', 'billing', 'search', 'gateway', 'proxy', 'web']);
  });

  test('the summary leads with the changes, as a list, before the table; the table keeps its shape', async () => {
    const items = await p.$$eval('article > ul > li', lis => lis.map(li => li.textContent ?? ''));
    // edge (failing with a risky port, first) gained the page-hostile finding on 6000/tcp; orders the JDWP listener.
    expect(items[0]).toBe('🆕 new finding undeclared-listener 6000/tcp in service edge: ❌ error at (image as a whole)');
    expect(items).toContain('🆕 new listener 5005/tcp in service orders: 0.0.0.0 (java, pid 1)');
    expect(items.at(-1)).toBe('✅ resolved finding risky-port 9229/tcp in service orders: ❌ error at services/orders/Dockerfile:30');
    const [summary] = await tables(p);
    expect(summary!.head).toEqual(['Service', 'Image', 'Verdict', 'Errors', 'Warnings', 'Time']);
    expect(summary!.widths).toEqual(Array(8).fill(6));
    expect(text.indexOf('Compared with main.json')).toBeLessThan(text.indexOf('Service\tImage'));
  });

  test('no @mention outside code, no workflow command at a line start', async () => {
    const mentions = await p.$$eval('article', ([a]) => {
      const out: string[] = [];
      const walk = a!.ownerDocument.createTreeWalker(a!, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (n.parentElement?.closest('code, pre')) continue;
        for (const m of (n.textContent ?? '').matchAll(/(?:^|[^\w`])@([a-z0-9][a-z0-9-]*)/gi)) out.push(m[1]!);
      }
      return out;
    });
    expect(mentions).toEqual([]);
    expect(text).not.toMatch(/^\s*::/m);
  });
});
