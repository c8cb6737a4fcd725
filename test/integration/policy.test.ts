import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import {parseAllDocuments} from 'yaml';
import {describe, expect, test} from 'vitest';

// End to end, without an engine: the built CLI writes a NetworkPolicy from
// portgate.yml and the Deployment, and `check --static-only` reads policies
// back with the manifests. DOCKER_HOST points nowhere, so nothing can run.
const CLI = resolve('dist/cli.js');
const IMAGE = 'registry.example.com/shop/api:ci';
const NO_ENGINE = {DOCKER_HOST: 'unix:///nonexistent/docker.sock'};

const SPEC = `version: 1
ports:
  - port: 8080
    name: http
  - port: 9000
    name: admin
    exposure: internal
  - port: 9100
    name: metrics
    exposure: loopback
`;

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop, version: "1.4.0"}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/api:1.4.0
          ports:
            - {name: http, containerPort: 8080}
            - {name: admin, containerPort: 9000}
`;

/** Written by hand, and wrong twice: 9100 is loopback, 5005 (JDWP) is not declared. */
const HAND_WRITTEN = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: shop-debug, namespace: shop}
spec:
  podSelector: {matchLabels: {app: shop}}
  ingress:
    - ports:
        - port: http
        - port: 9100
        - port: 5005
`;

const workspace = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'portgate-policy-'));
  const files: Record<string, string> = {'portgate.yml': SPEC, 'k8s/deploy.yaml': DEPLOY, Dockerfile: 'FROM scratch\nEXPOSE 8080\n'};
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true});
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

const cli = (args: string[], cwd: string, node = process.execPath): Promise<{code: number | null; stdout: string; stderr: string}> =>
  new Promise(done => {
    const child = spawn(node, [CLI, ...args], {cwd, env: {...process.env, NO_COLOR: '1', ...NO_ENGINE}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    child.stdin.end();
    child.on('close', code => done({code, stdout, stderr}));
  });

const check = (cwd: string) => cli(['check', '--image', IMAGE, '--static-only', '--dockerfile', 'Dockerfile', '--manifests', 'k8s', '--format', 'json'], cwd);
const netpol = (json: {findings: {rule: string; severity: string; port?: number; location?: {file?: string; line?: number}}[]}) =>
  json.findings.filter(f => f.rule.startsWith('k8s-netpol-')).map(f => `${f.rule} ${f.severity} ${f.port ?? '-'} ${f.location?.file}:${f.location?.line}`);

describe('portgate policy and check --manifests --static-only, built CLI, no engine', () => {
  test('the generated policy is valid Kubernetes and, applied next to the Deployment, check finds nothing to say about policies', async () => {
    const dir = workspace();
    const before = await check(dir);
    expect(before.code).toBe(0);
    expect(netpol(JSON.parse(before.stdout))).toEqual(['k8s-netpol-missing warning - k8s/deploy.yaml:4']);

    const r = await cli(['policy', '--manifests', 'k8s', '--image', IMAGE], dir);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const docs = parseAllDocuments(r.stdout) as ReturnType<typeof parseAllDocuments> & unknown[];
    expect(docs).toHaveLength(1);
    const object = docs[0]!.toJS();
    expect(() => new NetworkPolicy(object).validate()).not.toThrow();
    expect(object.metadata).toEqual({name: 'shop-ingress', namespace: 'shop'});
    expect(object.spec.ingress).toEqual([
      {ports: [{port: 'http', protocol: 'TCP'}]},
      {from: [{podSelector: {}}], ports: [{port: 'admin', protocol: 'TCP'}]}
    ]);
    expect(r.stdout).toMatch(/^# Loopback ports get no rule, so they are closed: 9100\/tcp \(portgate\.yml:8\)\.$/m);
    expect(r.stdout).toMatch(/- port: admin # portgate\.yml:5 9000\/tcp internal \(admin\); containerPort 9000 is named admin \(k8s\/deploy\.yaml:18\)$/m);

    writeFileSync(join(dir, 'k8s/policy.yaml'), r.stdout);
    const after = await check(dir);
    expect(after.code).toBe(0);
    expect(netpol(JSON.parse(after.stdout))).toEqual([]);
  });

  test('a hand-written policy that lets in a loopback and an undeclared port fails the static check, at its lines', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'k8s/debug-policy.yaml'), HAND_WRITTEN);
    const r = await check(dir);
    expect(r.stderr).toMatch(/no Docker engine is reachable, so EXPOSE comes from Dockerfile alone/);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.container).toBeNull();
    expect(netpol(json)).toEqual(['k8s-netpol-loopback-port error 9100 k8s/debug-policy.yaml:9', 'k8s-netpol-undeclared-port warning 5005 k8s/debug-policy.yaml:10']);
    const text = await cli(['check', '--image', IMAGE, '--static-only', '--dockerfile', 'Dockerfile', '--manifests', 'k8s'], dir);
    expect(text.stdout).toContain('k8s/debug-policy.yaml:9  k8s-netpol-loopback-port  9100/tcp');
  });

  test('under Node 24 too, with nothing on stderr (the bundled validator must not load the deprecated core punycode)', async () => {
    const node24 = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], {encoding: 'utf8'}).trim().split('\n').pop()!;
    const r = await cli(['policy', '--manifests', 'k8s', '--image', IMAGE], workspace(), node24);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^kind: NetworkPolicy$/m);
  });

  test('exit 2, saying what is missing, when neither manifests nor --pod-selector/--namespace say which pods', async () => {
    const r = await cli(['policy', '--namespace', 'shop'], workspace());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('portgate: portgate policy needs to know which pods the policy is for: pass --manifests with the workload that runs the image (and --image REF), or --pod-selector KEY=VALUE.\n');
  });
});
