import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {beforeAll, expect, test} from 'vitest';
import {gateOptions, repoPath} from '../../../src/action/files.js';
import {readInputs} from '../../../src/action/inputs.js';
import {InputError} from '../../../src/errors.js';

// The workspace layout the runner checks out: paths in findings must be relative to it.
let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'portgate-files-'));
  mkdirSync(join(ws, 'svc'));
  writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\nEXPOSE 80\n');
  writeFileSync(join(ws, 'portgate.yaml'), 'version: 1\nports:\n  - port: 80\n    exposure: public\n');
  writeFileSync(join(ws, 'svc/Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(ws, 'svc/ports.yml'), 'version: 1\nports: []\n');
  mkdirSync(join(ws, 'k8s/base'), {recursive: true});
  writeFileSync(join(ws, 'k8s/base/svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec:\n  selector: {app: app}\n  ports: [{port: 80, targetPort: 8080}]\n');
  writeFileSync(join(ws, 'k8s/deploy.yml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    metadata: {labels: {app: app}}\n    spec:\n      containers: [{name: app, image: app:1}]\n');
  writeFileSync(join(ws, 'compose.yaml'), 'services:\n  app:\n    image: app:1\n');
});

const inputs = (values: Record<string, string>) => readInputs(n => ({image: 'app:ci', ...values})[n] ?? '');

test('repoPath: relative to the workspace with /, absolute outside it', () => {
  expect(repoPath('/w/svc/Dockerfile', '/w')).toBe('svc/Dockerfile');
  expect(repoPath('/elsewhere/Dockerfile', '/w')).toBe('/elsewhere/Dockerfile');
});

test('conventional files are found in the workspace root and named repository-relative', async () => {
  const {opts} = await gateOptions(inputs({}), ws);
  expect(opts.dockerfile).toEqual({file: 'Dockerfile', text: 'FROM scratch\nEXPOSE 80\n'});
  expect(opts.spec?.file).toBe('portgate.yaml');
  expect(opts.spec?.ports[0]).toMatchObject({port: 80, location: {file: 'portgate.yaml', line: 3}});
  expect(opts.settle).toBeUndefined();
  expect(opts).toMatchObject({timeoutMs: undefined, probe: 'auto', probeImage: 'busybox:1.37', failOn: 'error', builder: 'buildkit'});
});

test('explicit paths may be written with ./ and still come out repository-relative', async () => {
  const {opts} = await gateOptions(inputs({dockerfile: './svc/Dockerfile', spec: 'svc/../svc/ports.yml', timeout: '5s'}), ws);
  expect(opts.dockerfile?.file).toBe('svc/Dockerfile');
  expect(opts.spec?.file).toBe('svc/ports.yml');
  expect(opts.timeoutMs).toBe(5_000);
});

test('an explicit path that does not exist is an InputError naming it', async () => {
  await expect(gateOptions(inputs({spec: 'nope.yml'}), ws)).rejects.toThrow(InputError);
  await expect(gateOptions(inputs({spec: 'nope.yml'}), ws)).rejects.toThrow(`cannot read the spec ${join(ws, 'nope.yml')}: ENOENT`);
});

test('a folder given as dockerfile or spec is said in words, not as EISDIR', async () => {
  await expect(gateOptions(inputs({dockerfile: 'svc'}), ws)).rejects.toThrow(`the Dockerfile ${join(ws, 'svc')} is a folder, not a file: pass the file itself, e.g. ${join(ws, 'svc/Dockerfile')}.`);
  await expect(gateOptions(inputs({spec: 'k8s'}), ws)).rejects.toThrow(`the spec ${join(ws, 'k8s')} is a folder, not a file: pass the file itself, e.g. ${join(ws, 'k8s/portgate.yml')}.`);
});

test('manifests (folders expanded, sorted), compose files and the container name reach the gate options', async () => {
  const {opts} = await gateOptions(inputs({manifests: 'k8s\n', compose: './compose.yaml', container: 'app'}), ws);
  // Not started in the workspace here, so the paths are absolute; the runner's cwd makes them workspace-relative.
  expect(opts.manifests?.map(m => m.file)).toEqual([join(ws, 'k8s/base/svc.yaml'), join(ws, 'k8s/deploy.yml')]);
  expect(opts.compose?.map(m => m.file)).toEqual([join(ws, 'compose.yaml')]);
  expect(opts.containerName).toBe('app');
});

test.each([
  [{container: 'app'}, 'input container names the container or service that runs the image in the manifests: set manifests or compose too.'],
  [{manifests: '-'}, 'input manifests cannot read standard input (-) in the action: list files or folders.']
])('%j is an InputError in the action’s own words', async (values, message) => {
  await expect(gateOptions(inputs(values), ws)).rejects.toThrow(new InputError(message));
});
