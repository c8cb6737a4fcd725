import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {planFleetAnnotations, PER_LEVEL} from '../../../src/action/annotations.js';
import {COMMENT_MAX, fleetFailureBody, fleetMarker, fleetResolvedBody, fleetSubject, markerFor, postSticky, type CommentsClient, type PullRequestContext} from '../../../src/action/comment.js';
import {expandPatterns, globRegExp} from '../../../src/action/glob.js';
import {parseNames, readInputs} from '../../../src/action/inputs.js';
import {fleetFailure, fleetFlags} from '../../../src/action/main.js';
import {fleetSummaryMarkdown} from '../../../src/action/summary.js';
import {InputError} from '../../../src/errors.js';
import {fleetReport, type FleetJsonReport} from '../../../src/fleet/result.js';
import {fleetFixture} from '../report/fleet-fixtures.js';

/**
 * The Action's fleet and merge modes, their pure halves: which inputs go
 * with which mode, what a fleet run takes from the workflow (and leaves to
 * the fleet file), and the one comment, summary and set of annotations a
 * fleet gets. The bundled Action runs for real in
 * test/integration/action-fleet.test.ts.
 */

const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('fleet and merge inputs', () => {
  test('fleet: the file, a slice of services (spaces or newlines) and the pace', () => {
    const i = readInputs(from({fleet: ' portgate.fleet.yml ', services: 'api web\nworker  api', jobs: '3'}));
    expect(i).toMatchObject({mode: 'fleet', image: '', fleet: 'portgate.fleet.yml', services: ['api', 'web', 'worker'], jobs: 3, merge: []});
  });

  test('the fleet file is named as the reports name it, whatever way the workflow writes it', () => {
    expect(readInputs(from({fleet: './deploy//portgate.fleet.yml'})).fleet).toBe('deploy/portgate.fleet.yml');
  });

  test('merge: one path or glob per line, comments skipped', () => {
    const i = readInputs(from({merge: 'reports/**/*.json\n# the main branch\nextra/one.json\n'}));
    expect(i).toMatchObject({mode: 'merge', merge: ['reports/**/*.json', 'extra/one.json'], services: []});
  });

  test('only the inputs the workflow set win over the fleet file: defaults are not the workflow speaking', () => {
    expect(fleetFlags(readInputs(from({fleet: 'f.yml'})))).toEqual({});
    expect(fleetFlags(readInputs(from({fleet: 'f.yml', 'fail-on': 'never', probe: 'sidecar', 'probe-image': 'mirror/busybox:1', pull: 'never', builder: 'classic', timeout: '45s', settle: '2s', sandbox: 'strict', network: 'none', 'static-only': 'true'})))).toEqual({
      failOn: 'never',
      probe: 'sidecar',
      probeImage: 'mirror/busybox:1',
      pull: 'never',
      builder: 'classic',
      timeoutMs: 45_000,
      settle: 2_000,
      sandbox: 'strict',
      network: 'none',
      staticOnly: true
    });
  });

  test('service names', () => {
    expect(parseNames(' api,web \n\n db ')).toEqual(['api', 'web', 'db']);
    expect(parseNames('')).toEqual([]);
  });

  test.each([
    [{image: 'app:ci', fleet: 'f.yml'}, 'inputs image and fleet exclude each other'],
    [{fleet: 'f.yml', merge: 'r/*.json'}, 'inputs fleet and merge exclude each other'],
    [{}, 'input image is required: the reference of an image already in the engine, e.g. app:ci; or set fleet'],
    [{fleet: 'f.yml', dockerfile: 'Dockerfile', spec: 'portgate.yml'}, "inputs dockerfile, spec belong to one image: with fleet, each service's Dockerfile"],
    [{merge: 'r/*.json', manifests: 'k8s'}, 'input manifests belongs to one image: with merge'],
    [{image: 'app:ci', services: 'api'}, 'input services goes with fleet'],
    [{image: 'app:ci', services: 'api', jobs: '2'}, 'inputs services, jobs go with fleet'],
    [{merge: 'r/*.json', 'fail-on': 'never'}, 'input fail-on change how the gate runs, and merge runs none'],
    [{merge: 'r/*.json', 'static-only': 'true'}, 'input static-only change how the gate runs'],
    [{fleet: 'f.yml', jobs: '0'}, 'input jobs is "0"; expected a whole number from 1 to 64.'],
    [{fleet: 'f.yml', jobs: 'many'}, 'input jobs is "many"']
  ])('%j is refused', (values, message) => {
    expect(() => readInputs(from(values))).toThrow(InputError);
    expect(() => readInputs(from(values))).toThrow(message);
  });

  test('comment false and static-only false are fine with merge (the runner passes them as defaults)', () => {
    expect(readInputs(from({merge: 'r.json', comment: 'false', 'static-only': 'false', 'engine-wait': '0s', sarif: 'fleet.sarif'}))).toMatchObject({mode: 'merge', comment: false, sarif: 'fleet.sarif'});
  });
});

const PR: PullRequestContext = {eventName: 'pull_request', owner: 'acme', repo: 'shop', number: 7, fork: false, sha: '0123456789abcdef', runUrl: 'https://github.com/acme/shop/actions/runs/42'};

const fake = (comments: {id: number; body: string}[] = []) => {
  const calls: string[] = [];
  const client: CommentsClient = {
    rest: {
      issues: {
        listComments: async p => (calls.push('list'), {data: comments.slice((p.page - 1) * p.per_page, p.page * p.per_page)}),
        createComment: async p => {
          calls.push('create');
          const c = {id: 1000 + comments.length, body: p.body};
          comments.push(c);
          return {data: c};
        },
        updateComment: async p => {
          calls.push(`update ${p.comment_id}`);
          const c = comments.find(x => x.id === p.comment_id)!;
          c.body = p.body;
          return {data: c};
        }
      }
    }
  };
  return {client, calls, comments};
};

const passingFleet = (): FleetJsonReport => {
  const r = fleetFixture();
  const ok = r.services.filter(s => s.status === 'pass');
  return fleetReport(ok, {failOn: r.failOn, fleet: r.fleet, totalMs: 1000});
};

describe('the fleet\'s one sticky comment', () => {
  test('keyed by the fleet file, apart from any image\'s, and safe in an HTML comment', () => {
    expect(fleetMarker('portgate.fleet.yml')).toBe('<!-- portgate:sticky:fleet:portgate.fleet.yml -->');
    expect(fleetMarker('deploy/fleet.yml')).not.toBe(markerFor('deploy/fleet.yml'));
    const hostile = fleetMarker('a --> <b>\n--x.yml');
    expect(hostile).toBe('<!-- portgate:sticky:fleet:a%20-%2D%3E%20%3Cb%3E%0A-%2Dx.yml -->');
    expect(hostile.slice(4, -4)).not.toContain('--');
  });

  test('created once for a failing fleet, updated by the next run, resolved when it passes', async () => {
    const gh = fake([{id: 1, body: `${markerFor('registry.example.com/shop/orders:1')}\nan image's own comment`}]);
    expect(await postSticky(gh.client, PR, fleetSubject(fleetFixture()))).toEqual({action: 'created', id: 1001});
    expect(await postSticky(gh.client, PR, fleetSubject(fleetFixture()))).toEqual({action: 'updated', id: 1001});
    expect(gh.comments).toHaveLength(2);
    expect(gh.comments[1]!.body).toMatch(/^<!-- portgate:sticky:fleet:portgate\.fleet\.yml -->\n## ❌ portgate fleet failed: `portgate\.fleet\.yml`/);
    expect(await postSticky(gh.client, PR, fleetSubject(passingFleet()))).toEqual({action: 'resolved', id: 1001});
    expect(gh.comments[1]!.body).toMatch(/^<!-- portgate:sticky:fleet:portgate\.fleet\.yml -->\n## ✅ portgate fleet passed: `portgate\.fleet\.yml`\n\nThe port drift reported earlier in this pull request is resolved: all 3 services pass\. Findings below the fail-on threshold remain/);
    expect(gh.calls).toEqual(['list', 'create', 'list', 'update 1001', 'list', 'update 1001']);
    // The image's own comment is left alone.
    expect(gh.comments[0]!.body).toContain("an image's own comment");
  });

  test('a passing fleet with no earlier comment posts none', async () => {
    const gh = fake();
    expect(await postSticky(gh.client, PR, fleetSubject(passingFleet()))).toMatchObject({action: 'none'});
    expect(gh.calls).toEqual(['list']);
  });

  test('the body is the fleet report (table, one collapsed section per service) and fits a comment', () => {
    const body = fleetFailureBody(fleetFixture(), PR);
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX);
    expect(body).toContain('| Service | Image | Verdict | Errors | Warnings | Time |');
    for (const name of ['orders', 'worker', 'billing', 'search', 'web']) expect(body).toContain(`<b>${name}</b>`);
    expect(body).toMatch(/commit 0123456 · \[workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/42\)<\/sub>\n$/);
    expect(fleetResolvedBody(passingFleet(), {...PR, runUrl: undefined})).toMatch(/<sub>portgate · commit 0123456<\/sub>\n$/);
  });
});

describe('the fleet\'s job summary, annotations and failure message', () => {
  test('the summary is the fleet report, then what the annotations left out', () => {
    const md = fleetSummaryMarkdown(fleetFixture(), {unannotated: 3});
    expect(md).toMatch(/^## ❌ portgate fleet failed: `portgate\.fleet\.yml`\n\n8 services: 3 passed, 3 failed, 2 could not be gated/);
    expect(md).toMatch(/> 3 findings are not annotated on the files: GitHub shows at most 10 annotations of each level per step\./);
    expect(fleetSummaryMarkdown(passingFleet(), {unannotated: 0})).not.toContain('[!NOTE]');
  });

  test('annotations: services that could not be gated first, then every service\'s findings, each naming its service, capped per level', () => {
    const r = fleetFixture();
    const plan = planFleetAnnotations(r, {cwd: '/src/shop'});
    const errors = plan.annotations.filter(a => a.level === 'error');
    expect(errors.slice(0, 2).map(a => a.properties.title)).toEqual(['portgate billing: could not be gated', 'portgate search: could not be gated']);
    // No terminal escapes or workflow commands from the engine's message reach the runner's parser as such.
    expect(errors[1]!.message).not.toContain('\u001b');
    // Failing services with a risky port come first (edge, orders), then by name.
    expect(errors[2]!.properties.title).toMatch(/^portgate edge: exposed-not-declared 80\/tcp: /);
    const orders = errors.find(a => String(a.properties.title).startsWith('portgate orders:'))!;
    expect(orders.properties).toMatchObject({title: 'portgate orders: debug-agent-configured 5005/tcp: Debug agent configured', file: 'services/orders/Dockerfile'});
    expect(orders.message).toMatch(/^Service orders: /);
    for (const level of ['error', 'warning', 'notice'] as const) expect(plan.annotations.filter(a => a.level === level).length).toBeLessThanOrEqual(PER_LEVEL);
    const active = r.services.flatMap(s => (s.report?.findings ?? []).filter(f => !('suppressed' in f)));
    expect(plan.annotations.length + plan.unannotated).toBe(active.length + 2);
  });

  test('the step\'s failure names the failing and the ungated services', () => {
    expect(fleetFailure(fleetFixture())).toBe('portgate: fleet portgate.fleet.yml: 3 of 8 services fail at fail-on error (edge, orders, worker); 2 could not be gated (billing, search): see the annotations and the job summary.');
  });
});

describe('merge input globs', () => {
  const root = mkdtempSync(join(tmpdir(), 'portgate-glob-'));
  for (const f of ['reports/portgate-shard-01/portgate-fleet-portgate.fleet.yml.json', 'reports/portgate-shard-02/portgate-fleet-portgate.fleet.yml.json', 'reports/notes.txt', 'other/x.json', '.git/y.json']) {
    mkdirSync(join(root, f, '..'), {recursive: true});
    writeFileSync(join(root, f), '{}');
  }

  test('* and ? stay in one segment, ** crosses them', () => {
    expect(globRegExp('*.json').test('a.json')).toBe(true);
    expect(globRegExp('*.json').test('d/a.json')).toBe(false);
    expect(globRegExp('**/*.json').test('a.json')).toBe(true);
    expect(globRegExp('**/*.json').test('d/e/a.json')).toBe(true);
    expect(globRegExp('shard-0?/r.json').test('shard-01/r.json')).toBe(true);
    expect(globRegExp('a.b+c').test('axb+c')).toBe(false);
  });

  test('sorted, deduplicated, relative to the workspace; a plain path is taken as given', async () => {
    const files = await expandPatterns(['reports/**/*.json', 'reports/portgate-shard-0?/*.json', 'plain/missing.json'], root);
    expect(files.map(f => f.slice(root.length + 1))).toEqual(['plain/missing.json', 'reports/portgate-shard-01/portgate-fleet-portgate.fleet.yml.json', 'reports/portgate-shard-02/portgate-fleet-portgate.fleet.yml.json']);
    expect((await expandPatterns(['**/*.json'], root)).map(f => f.slice(root.length + 1))).not.toContain('.git/y.json');
  });

  test('a glob that matches nothing is an input error: a merge of fewer reports than the matrix made would pass ungated services', async () => {
    await expect(expandPatterns(['reports/**/*.sarif'], root)).rejects.toThrow('input merge: reports/**/*.sarif matches no file below reports. Did every matrix job upload its JSON report');
  });
});
