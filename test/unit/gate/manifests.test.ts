import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Readable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {deploymentFindings, loadDeployment} from '../../../src/gate/manifests.js';
import {deploymentInputs, readManifestSources, readStdin, STDIN_LABEL} from '../../../src/gate/read-inputs.js';
import {declare, expose, fixture, listen} from '../manifests/build.js';

const IMAGE = 'registry.example.com/team/api:1.2.0';
const rules = (fs: {rule: string; port?: number}[]) => fs.map(f => `${f.rule}:${f.port ?? ''}`);

describe('loadDeployment (before the image runs)', () => {
  it('is undefined without manifests, and then adds no findings', () => {
    expect(loadDeployment(IMAGE, {})).toBeUndefined();
    expect(loadDeployment(IMAGE, {manifests: [], compose: []})).toBeUndefined();
    expect(deploymentFindings(undefined, {listening: [], declared: [], exposed: []})).toEqual([]);
  });

  it('fails fast when the manifests do not deploy the image, or the override names nothing', () => {
    expect(() => loadDeployment('ghcr.io/acme/web:1', {manifests: [fixture('k8s/helm-api.yaml')]})).toThrow(InputError);
    expect(() => loadDeployment(IMAGE, {compose: [fixture('compose/compose.yaml')], containerName: 'nope'})).toThrow(/no service named "nope"/);
  });

  it('fails fast on a YAML error, citing file and line', () => {
    const bad = {file: 'k.yaml', text: 'kind: Service\nspec:\n  ports:\n    - port: 80\n      port: 81\n'};
    expect(() => loadDeployment(IMAGE, {manifests: [bad]})).toThrow(expect.objectContaining({file: 'k.yaml', line: 5}));
  });
});

describe('deploymentFindings', () => {
  const d = loadDeployment(IMAGE, {manifests: [fixture('k8s/admin-exposed.yaml')], compose: [fixture('compose/compose.yaml')]});

  it('runs the Kubernetes and the Compose checks against the same view', () => {
    const fs = deploymentFindings(d, {listening: [listen(8080), listen(8081), listen(5005)], declared: [declare(8080), declare(8081, 'internal')], exposed: []});
    expect(rules(fs)).toEqual([
      'k8s-external-sensitive-port:8081',
      'k8s-external-sensitive-port:5005',
      'k8s-external-sensitive-port:8081',
      'k8s-netpol-missing:',
      'compose-published-all-interfaces:5005',
      'compose-port-not-listening:9090',
      'compose-port-not-listening:9229',
      'compose-port-not-listening:7000',
      'compose-port-not-listening:7001',
      'compose-port-not-listening:8082',
      'compose-port-not-listening:8083'
    ]);
    // The risky-port catalog is portgate's own: 5005 is JDWP.
    expect(fs.find(f => f.rule === 'compose-published-all-interfaces')?.message).toMatch(/5005\/tcp is a risky port \(JDWP/);
  });

  it('listening: undefined is the static mode: spec and EXPOSE stand in, and messages say so', () => {
    const fs = deploymentFindings(d, {listening: undefined, declared: [declare(8080), declare(8081, 'internal')], exposed: [expose(8080)]});
    const notListening = fs.filter(f => f.rule.endsWith('-not-listening'));
    expect(notListening.length).toBeGreaterThan(0);
    for (const f of notListening) expect(f.message).toContain('static check: the image was not run');
  });
});

describe('manifest files from the command line', () => {
  const tree = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'portgate-mf-'));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(dir, p, '..'), {recursive: true});
      writeFileSync(join(dir, p), text);
    }
    return dir;
  };
  const noStdin = () => Promise.reject(new Error('stdin not expected'));

  it('a folder gives every *.yaml / *.yml below it, sorted by path; other files are skipped; a file reached twice is read once', async () => {
    const dir = tree({'b.yaml': 'b', 'a/z.yml': 'z', 'a/y.YAML': 'y', 'c.json': '{}', 'README.md': '#', 'B.yaml': 'B'});
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    const got = await readManifestSources([join(dir, 'b.yaml'), dir], noStdin);
    expect(got.map(s => s.file.slice(dir.length + 1))).toEqual(['b.yaml', 'B.yaml', 'a/y.YAML', 'a/z.yml']);
    expect(got.map(s => s.text)).toEqual(['b', 'B', 'y', 'z']);
  });

  it.each([
    ['the chart itself', ''],
    ['a folder that holds a chart', 'deploy/charts/']
  ])('a Helm chart folder (%s) is refused with "render it with helm template", not YAML errors', async (_what, prefix) => {
    const dir = tree({
      [`${prefix}api/Chart.yaml`]: 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
      [`${prefix}api/values.yaml`]: 'image: {repository: api}\n',
      [`${prefix}api/templates/deployment.yaml`]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "api.fullname" . }}\n'
    });
    const arg = prefix ? dir : join(dir, 'api');
    const chart = join(dir, `${prefix}api`);
    await expect(readManifestSources([arg], noStdin)).rejects.toThrow(
      new InputError(
        `--manifests ${arg} holds a Helm chart (${join(chart, 'Chart.yaml')}), whose templates are not manifests yet: render it with \`helm template\` and pass the output, e.g. \`helm template RELEASE ${chart} | portgate check … --manifests -\`.`
      )
    );
  });

  it('- reads standard input once, labelled <stdin>', async () => {
    const got = await readManifestSources(['-'], async () => 'kind: Pod\n');
    expect(got).toEqual([{file: STDIN_LABEL, text: 'kind: Pod\n'}]);
    await expect(readManifestSources(['-', '-'], async () => '')).rejects.toThrow(/only once/);
    expect(await readStdin(Readable.from([Buffer.from('a: '), Buffer.from('1\n')]))).toBe('a: 1\n');
  });

  it.each([
    [['nope.yaml'], {}, /cannot read the manifests nope\.yaml: ENOENT/],
    [[], {compose: ['nope.yaml']}, /cannot read the Compose file nope\.yaml: ENOENT/],
    [[], {container: 'api'}, /--container .* pass --manifests or --compose too/]
  ])('%j %j → InputError', async (manifests, extra, msg) => {
    await expect(deploymentInputs({manifests, compose: [], ...extra}, noStdin)).rejects.toThrow(msg);
  });

  it('passes only what was given', async () => {
    expect(await deploymentInputs({manifests: [], compose: []}, noStdin)).toEqual({});
    const dir = tree({'compose.yaml': 'services: {}\n'});
    expect(await deploymentInputs({manifests: [], compose: [join(dir, 'compose.yaml')], container: 'api'}, noStdin)).toEqual({
      compose: [{file: join(dir, 'compose.yaml'), text: 'services: {}\n'}],
      containerName: 'api'
    });
  });
});
