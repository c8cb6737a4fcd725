import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseAllDocuments} from 'yaml';

/**
 * Structure of the GitLab fleet component (templates/portgate-fleet.yml):
 * every input declared, described, used and documented; the plan job and
 * the trigger job. The component runs for real (plan, child pipeline,
 * merge) in test/integration/gitlab-fleet.test.ts.
 */

const text = readFileSync('templates/portgate-fleet.yml', 'utf8');
const docs = parseAllDocuments(text);
interface Input {
  description?: string;
  default?: unknown;
  type?: string;
  options?: unknown[];
}
const inputs = (docs[0]!.toJS() as {spec: {inputs: Record<string, Input>}}).spec.inputs;
const body = docs[1]!.toJS() as Record<string, Record<string, unknown>>;
const bodyText = text.slice(text.indexOf('\n---\n') + 5);
const used = new Set([...bodyText.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map(m => m[1]!));
const PLAN = '$[[ inputs.job-name ]]-plan';
const TRIGGER = '$[[ inputs.job-name ]]';

describe('GitLab fleet component', () => {
  it('is a spec document and the two jobs: plan and trigger', () => {
    expect(docs).toHaveLength(2);
    for (const d of docs) expect(d.errors).toEqual([]);
    expect(Object.keys(body)).toEqual([PLAN, TRIGGER]);
  });

  it('describes every input with a valid type, uses each, declares each it uses, requires only needs', () => {
    for (const [name, input] of Object.entries(inputs)) {
      expect(input.description?.trim().length ?? 0, name).toBeGreaterThan(15);
      const type = input.type ?? 'string';
      if (input.default !== undefined) expect(Array.isArray(input.default) ? 'array' : typeof input.default, name).toBe(type);
      if (input.options) expect(input.options, name).toContain(input.default);
    }
    expect([...used].filter(k => !(k in inputs))).toEqual([]);
    expect(Object.keys(inputs).filter(k => !used.has(k))).toEqual([]);
    expect(Object.keys(inputs).filter(k => inputs[k]!.default === undefined)).toEqual(['needs']);
  });

  it('shares the single-image component\'s runner inputs and version', () => {
    const single = (parseAllDocuments(readFileSync('templates/portgate.yml', 'utf8'))[0]!.toJS() as {spec: {inputs: Record<string, Input>}}).spec.inputs;
    for (const k of ['runner', 'job-image', 'portgate-version', 'portgate-command', 'docker-version', 'stage', 'rules', 'allow_failure']) expect(inputs[k]!.default, k).toEqual(single[k]!.default);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {version: string};
    expect(inputs['portgate-version']!.default).toBe(pkg.version);
  });

  it('the plan job writes the child pipeline with portgate matrix and keeps it as an artifact; inputs reach the script as variables only', () => {
    const plan = body[PLAN] as {script: string[]; variables: Record<string, string>; artifacts: {paths: string[]}; needs: string};
    const script = plan.script.join('\n');
    expect(script).toContain('$cli matrix --format gitlab --fleet "$PORTGATE_FLEET" --max-jobs "$PORTGATE_MAX_JOBS" --cli "$cli" --image "$PORTGATE_JOB_IMAGE" --dind "$PORTGATE_DOCKER_VERSION" --output portgate-fleet-child.yml');
    expect(script).not.toMatch(/\$\[\[/);
    expect(plan.artifacts.paths).toEqual(['portgate-fleet-child.yml']);
    expect(plan.needs).toBe('$[[ inputs.needs ]]');
  });

  it('the trigger job runs the child pipeline from that artifact and fails with it', () => {
    expect(body[TRIGGER]).toEqual({
      stage: '$[[ inputs.stage ]]',
      needs: [PLAN],
      rules: '$[[ inputs.rules ]]',
      allow_failure: '$[[ inputs.allow_failure ]]',
      trigger: {include: [{artifact: 'portgate-fleet-child.yml', job: PLAN}], strategy: 'depend'}
    });
  });

  it('is documented input by input in templates/USAGE.md', () => {
    const usage = readFileSync('templates/USAGE.md', 'utf8');
    const section = usage.slice(usage.indexOf('## The fleet component'));
    for (const k of Object.keys(inputs)) expect(section, k).toContain(`| \`${k}\` |`);
  });
});
