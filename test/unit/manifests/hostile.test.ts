import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {checkCompose, loadCompose, loadKubernetes, type ManifestSource} from '../../../src/manifests/index.js';
import {brief, ctx, listen} from './build.js';

// Hostile or mistaken manifests end as an InputError at file:line. Bombs must
// end within the harness's per-test timeout, not a measurement here.
const FAST = {timeout: 1000};

const failure = (load: () => unknown): InputError => {
  try {
    load();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError, but the manifests were accepted');
};
const k8s = (...texts: string[]) => () => loadKubernetes(texts.map((text, i) => ({file: `k${i + 1}.yaml`, text})));
const compose = (text: string) => () => loadCompose([{file: 'compose.yaml', text}]);

/** Nine lists of nine aliases to the list before: 9^9 "lol"s when expanded. */
const laughs = (): string => {
  let t = `l0: &l0 [${Array(9).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i < 9; i++) t += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
  return t;
};

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]\n';
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: registry.example.com/team/api:1.2.0}]\n';

describe('alias bombs and cycles', () => {
  it.each([
    ['a Kubernetes List', `apiVersion: v1\nkind: List\n${laughs()}items: *l8\n`, k8s],
    ['Service ports', `${SERVICE.replace('  ports: [{port: 80, targetPort: 8080}]\n', '  ports: *l8\n')}${laughs()}`, k8s],
    ['Compose ports', `${laughs()}services:\n  api:\n    image: api\n    ports: *l8\n`, (t: string) => compose(t)]
  ])('a "billion laughs" list bomb in %s stops, exit 2, citing the first alias', FAST, (_where, text, load) => {
    const e = failure(load(text));
    expect(e.line).toBe(text.split('\n').findIndex(l => l.includes('*')) + 1);
    expect(e.message).toMatch(/^this document's aliases \(\*name\) multiply beyond 10000 uses, as in a "billion laughs" attack: write the repeated parts out/);
  });

  it('a List whose items are Lists of the same Service, nine deep, stops at the second copy', FAST, () => {
    let t = 'apiVersion: v1\nkind: List\ns0: &s0 {apiVersion: v1, kind: Service, metadata: {name: s}, spec: {ports: [{port: 80}]}}\n';
    for (let i = 1; i < 9; i++) t += `s${i}: &s${i} {apiVersion: v1, kind: List, items: [${Array(9).fill(`*s${i - 1}`).join(', ')}]}\n`;
    expect(failure(k8s(`${t}items: [*s8]\n`)).message).toMatch(/^this document's aliases \(\*name\) multiply beyond 10000 uses/);
  });

  it('a few aliases to one object are within the alias limit, and caught as the same object twice', () => {
    const t = 'apiVersion: v1\nkind: List\ns: &s {apiVersion: v1, kind: Service, metadata: {name: s}, spec: {ports: [{port: 80}]}}\nitems: [*s, *s]\n';
    expect(failure(k8s(t)).display).toMatch(/^k1\.yaml:3:\d+: Service default\/s is defined twice, here and at k1\.yaml:3:/);
  });

  it.each([
    ['a List that contains itself', 'l: &l {apiVersion: v1, kind: List, items: [*l]}\napiVersion: v1\nkind: List\nitems: [*l]\n', 1],
    ['a merge key that merges its own mapping', 'apiVersion: v1\nkind: Service\nmetadata: &m {name: api, <<: *m}\n', 3]
  ])('%s is refused as go-yaml refuses it, not followed until the stack overflows', FAST, (_what, text, line) => {
    const e = failure(k8s(text));
    expect([e.file, e.line]).toEqual(['k1.yaml', line]);
    expect(e.message).toMatch(/^anchor '[lm]' value contains itself/);
  });
});

describe('unrendered Helm charts', () => {
  it.each([
    ['an image from values', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "api.fullname" . }}\n', 4, '{{ include "api.fullname" . }}'],
    ['a quoted value that parses as YAML', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: "{{ .Release.Name }}-api"\n', 4, '{{ .Release.Name }}'],
    ['a control line', 'apiVersion: v1\nkind: Service\n{{- if .Values.service.enabled }}\nspec: {}\n{{- end }}\n', 3, '{{- if .Values.service.enabled }}']
  ])('%s: says to render it with helm template, at the first action', (_what, text, line, action) => {
    const e = failure(k8s(text));
    expect([e.file, e.line]).toEqual(['k1.yaml', line]);
    expect(e.message).toBe(
      `this is an unrendered Helm template (\`${action}\`), not a manifest: render the chart first and pass its output, e.g. \`helm template RELEASE ./chart | portgate check … --manifests -\``
    );
  });

  it('Go templates of other tools inside a rendered ConfigMap are data, not Helm', () => {
    const alert = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  rule: "{{ $labels.instance }} is down"\n---\n';
    expect(loadKubernetes([{file: 'k.yaml', text: alert + SERVICE}]).services).toHaveLength(1);
  });
});

describe('duplicate objects', () => {
  it('across files: both places are named', () => {
    const e = failure(k8s(SERVICE, DEPLOYMENT, `# again\n${SERVICE}`));
    expect(e.display).toBe(
      'k3.yaml:4:12: Service default/api is defined twice, here and at k1.yaml:3: kubectl would apply only the last one, so portgate cannot tell which is deployed. Remove one of them (was a file passed twice?)'
    );
  });

  it('across documents of one file and inside a List', () => {
    expect(failure(k8s(`${DEPLOYMENT}---\n${DEPLOYMENT}`)).display).toMatch(/^k1\.yaml:12:12: Deployment default\/api is defined twice, here and at k1\.yaml:3:/);
    const list = `apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Service, metadata: {name: a}, spec: {}}\n  - {apiVersion: v1, kind: Service, metadata: {name: a}, spec: {}}\n`;
    expect(failure(k8s(list)).display).toMatch(/^k1\.yaml:5:\d+: Service default\/a is defined twice, here and at k1\.yaml:4:/);
  });

  it('the same name in another namespace or of another kind is another object', () => {
    const other = SERVICE.replace('metadata: {name: api}', 'metadata: {name: api, namespace: staging}');
    const objs = loadKubernetes([
      {file: 'a.yaml', text: SERVICE},
      {file: 'b.yaml', text: other},
      {file: 'c.yaml', text: DEPLOYMENT}
    ]);
    expect(objs.services.map(s => s.namespace)).toEqual(['default', 'staging']);
    expect(objs.workloads).toHaveLength(1);
  });
});

describe('Compose interpolation and merge keys', () => {
  it.each([
    ['an unterminated ${', '"${PORT:-8080:8080"', 6, '${PORT:-8080:8080'],
    ['${} without a name', '"${}:8080"', 6, '${}:8080'],
    ['a space in the name', '"${HOST PORT}:8080"', 6, '${HOST PORT}:8080']
  ])('%s is refused at its line, as Compose refuses the file', (_what, entry, line, shown) => {
    const e = failure(compose(`services:\n  api:\n    image: api\n    environment: {A: "1"}\n    ports:\n      - ${entry}\n`));
    expect([e.file, e.line]).toEqual(['compose.yaml', line]);
    expect(e.message).toBe(`invalid interpolation format at "${shown.slice(0, 20)}": a \`\${\` needs a variable name and a closing \`}\` (\${VAR}, \${VAR:-default}); write $$ for a literal $`);
  });

  it('a bad ${ in a field portgate does not read still stops the file, as in Compose', () => {
    expect(failure(compose('services:\n  api:\n    image: api\n    labels: {x: "${"}\n')).line).toBe(4);
  });

  it('valid forms, $$ and a lone $ stay accepted', () => {
    const text = 'services:\n  api:\n    image: api\n    command: ["sh", "-c", "echo $$HOME $ ${A} ${A:-x} ${A-x} ${A:?e} ${A+y} $B"]\n';
    expect(loadCompose([{file: 'c.yaml', text}]).services).toHaveLength(1);
  });

  it('a port published through a `<<: *defaults` merge key is checked (compose-published-all-interfaces)', () => {
    const text = [
      'x-defaults: &defaults',
      '  image: registry.example.com/team/api:1.2.0',
      '  ports:',
      '    - "5005:5005"',
      'services:',
      '  api:',
      '    <<: *defaults',
      '    environment: {A: "1"}',
      ''
    ].join('\n');
    const findings = checkCompose(loadCompose([{file: 'compose.yaml', text}]), ctx({listeners: [listen(5005)]}));
    expect(findings.map(brief)).toContainEqual({rule: 'compose-published-all-interfaces', severity: 'error', port: 5005, at: 'compose.yaml:4'});
  });

  it('own keys override merged ones, and earlier merged mappings override later ones', () => {
    const text = [
      'x-a: &a {image: a:1, container_name: from-a}',
      'x-b: &b {image: b:1, container_name: from-b, network_mode: host}',
      'services:',
      '  api:',
      '    <<: [*a, *b]',
      '    image: own:1',
      ''
    ].join('\n');
    const [svc] = loadCompose([{file: 'compose.yaml', text} satisfies ManifestSource]).services;
    expect({image: svc?.image, containerName: svc?.containerName, networkMode: svc?.networkMode?.value}).toEqual({image: 'own:1', containerName: 'from-a', networkMode: 'host'});
  });
});
