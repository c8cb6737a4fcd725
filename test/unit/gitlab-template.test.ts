import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parse, parseAllDocuments} from 'yaml';

/**
 * Structure of the GitLab CI/CD component (templates/portgate.yml): the spec
 * header, its inputs, and the job that interpolates them. The component is run
 * for real in test/integration/gitlab-component.test.ts; this checks what a run
 * with one set of inputs cannot (every input declared, described and used).
 */

const TEMPLATE = 'templates/portgate.yml';
const text = readFileSync(TEMPLATE, 'utf8');
const docs = parseAllDocuments(text);

interface Input {
  description?: string;
  default?: unknown;
  type?: string;
  options?: unknown[];
  regex?: string;
}
const header = docs[0]!.toJS() as {spec: {description?: string; inputs: Record<string, Input>}};
const body = docs[1]!.toJS() as Record<string, Record<string, unknown>>;
const inputs = header.spec.inputs;
const bodyText = text.slice(text.indexOf('\n---\n') + 5);
const used = new Set([...bodyText.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*(?:\|[^\]]*)?\]\]/g)].map(m => m[1]!));
const JOB = '$[[ inputs.job-name ]]';
const job = body[JOB] as {
  services: {name: string; alias: string; variables?: Record<string, string>}[];
  variables: Record<string, string>;
  script: string[];
  artifacts: {when: string; paths: string[]; reports: Record<string, string>};
};

describe('GitLab component spec header', () => {
  it('is a spec document followed by exactly one job document', () => {
    expect(docs).toHaveLength(2);
    for (const d of docs) expect(d.errors).toEqual([]);
    expect(Object.keys(header)).toEqual(['spec']);
    expect(header.spec.description).toMatch(/\w{10,}/);
  });

  it('describes every input, with a valid type and a default in its options', () => {
    for (const [name, input] of Object.entries(inputs)) {
      expect(name, name).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(input.description?.trim().length ?? 0, `${name} has a description`).toBeGreaterThan(15);
      const type = input.type ?? 'string';
      expect(['string', 'number', 'boolean', 'array'], name).toContain(type);
      if (input.default !== undefined) {
        const actual = Array.isArray(input.default) ? 'array' : typeof input.default;
        expect(actual, `${name} default is a ${type}`).toBe(type);
      }
      if (input.options) expect(input.options, `${name} default is one of its options`).toContain(input.default);
      // GitLab rejects an empty default that does not match `regex` (gitlab#477707).
      expect(input.regex, `${name} uses no regex`).toBeUndefined();
    }
  });

  it('requires only the image and the needs', () => {
    expect(Object.keys(inputs).filter(k => inputs[k]!.default === undefined)).toEqual(['image', 'needs']);
  });

  it('declares every input the job uses and uses every input it declares', () => {
    expect([...used].filter(k => !(k in inputs))).toEqual([]);
    expect(Object.keys(inputs).filter(k => !used.has(k))).toEqual([]);
    // $[[ component.version ]] needs a recent GitLab and is not expanded by gitlab-ci-local.
    expect(bodyText).not.toMatch(/\$\[\[\s*component\./);
  });

  it('mirrors the CLI: probe and fail-on choices and multi-valued inputs', () => {
    expect(inputs.probe).toMatchObject({default: 'sidecar', options: ['auto', 'host', 'sidecar', 'exec']});
    expect(inputs['fail-on']).toMatchObject({default: 'error', options: ['error', 'warning', 'never']});
    for (const k of ['build-args', 'manifests', 'compose']) expect(inputs[k]!.description, k).toMatch(/per line/);
    expect(inputs.needs!.type).toBe('array');
    expect(inputs.rules).toMatchObject({type: 'array', default: [{when: 'on_success'}]});
    expect(inputs.allow_failure).toMatchObject({type: 'boolean', default: false});
    expect(inputs['docker-tls']).toMatchObject({type: 'boolean', default: true});
  });

  it('defaults to the portgate version of this package (component and npm releases share versions)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {version: string};
    expect(inputs['portgate-version']!.default).toBe(pkg.version);
  });
});

describe('GitLab component job', () => {
  it('is one job named by the job-name input, with no global keywords', () => {
    expect(Object.keys(body)).toEqual([JOB]);
  });

  it('runs the dind service with the TLS variables GitLab documents', () => {
    expect(job.services).toEqual([{name: 'docker:$[[ inputs.docker-version ]]-dind', alias: 'docker', variables: {HEALTHCHECK_TCP_PORT: '2376'}}]);
    expect(job.variables).toMatchObject({
      DOCKER_HOST: '$[[ inputs.docker-host ]]',
      DOCKER_TLS_CERTDIR: '/certs',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '$DOCKER_TLS_CERTDIR/client'
    });
    expect(inputs['docker-host']!.default).toBe('tcp://docker:2376');
  });

  it('keeps the whole-value inputs typed (needs, rules, allow_failure, before_script)', () => {
    for (const [key, input] of [['needs', 'needs'], ['rules', 'rules'], ['allow_failure', 'allow_failure'], ['before_script', 'before-script']]) {
      expect(body[JOB]![key!], key).toBe(`$[[ inputs.${input} ]]`);
    }
  });

  it('passes string inputs through variables, never spliced into shell code', () => {
    const script = job.script.join('\n');
    // Only the boolean is interpolated into the script; the command arrives in PORTGATE_COMMAND.
    expect([...script.matchAll(/\$\[\[\s*inputs\.([\w-]+)/g)].map(m => m[1]).sort()).toEqual(['docker-tls']);
    for (const v of Object.values(job.variables)) expect(typeof v).toBe('string');
  });

  it('writes the three reports and keeps them as artifacts, also on failure', () => {
    const script = job.script.join('\n');
    expect(script).toContain('--format text');
    expect(script).toContain('--report "gitlab-codequality=$PORTGATE_REPORTS/gl-code-quality-report.json"');
    expect(script).toContain('--report "junit=$PORTGATE_REPORTS/portgate-junit.xml"');
    expect(script).toContain('--report "json=$PORTGATE_REPORTS/portgate-report.json"');
    expect(job.artifacts).toEqual({
      when: 'always',
      paths: ['$[[ inputs.artifacts-dir ]]/'],
      reports: {
        codequality: '$[[ inputs.artifacts-dir ]]/gl-code-quality-report.json',
        junit: '$[[ inputs.artifacts-dir ]]/portgate-junit.xml'
      }
    });
    // The CLI's exit code is the job's: no `|| true`, no exit-code mapping.
    expect(script).toMatch(/\n\s*\$cli check "\$@"\s*$/);
  });
});

describe('GitLab component documentation and self-test', () => {
  it('documents every input in templates/USAGE.md', () => {
    const usage = readFileSync('templates/USAGE.md', 'utf8');
    for (const k of Object.keys(inputs)) expect(usage, k).toContain(`| \`${k}\` |`);
  });

  it('the self-test pipeline includes this component with declared inputs only', () => {
    const ci = parse(readFileSync('.gitlab-ci.yml', 'utf8'), {merge: true}) as {include: {component: string; inputs: Record<string, unknown>}[]};
    expect(ci.include.length).toBeGreaterThanOrEqual(2);
    for (const inc of ci.include) {
      expect(inc.component).toBe('$CI_SERVER_FQDN/$CI_PROJECT_PATH/portgate@$CI_COMMIT_SHA');
      expect(Object.keys(inc.inputs).filter(k => !(k in inputs))).toEqual([]);
      expect(inc.inputs).toHaveProperty('image');
      expect(inc.inputs).toHaveProperty('needs');
    }
  });
});
