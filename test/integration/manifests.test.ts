import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {docker, leftoverContainers} from '../helpers/engine.js';
import {buildListenerImage, removeImages} from '../helpers/images.js';

// End to end: the built CLI gates a real image together with its Kubernetes
// and Compose manifests. The image serves HTTP on 0.0.0.0:8080, an admin
// port on 0.0.0.0:9000 and metrics on 127.0.0.1:9100.
const CLI = resolve('dist/cli.js');
const P = 'portgate-manifest-';
const IMAGE = `${P}app:test`;
const CMD = '["tcp", "0.0.0.0", "8080", "0.0.0.0", "9000", "127.0.0.1", "9100"]';

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
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: app
          image: ${IMAGE}
          ports:
            - name: http
              containerPort: 8080
            - name: admin
              containerPort: 9000
          livenessProbe:
            httpGet: {path: /healthz, port: http}
          readinessProbe:
            tcpSocket:
              port: 8081
`;

const SERVICES = `apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: Service
metadata:
  name: shop-admin
spec:
  type: LoadBalancer
  selector: {app: shop}
  ports:
    - name: admin
      port: 9000
      targetPort: admin
---
apiVersion: v1
kind: Service
metadata:
  name: shop-direct
spec:
  selector: {app: shop}
  ports:
    - port: 8080
`;

const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: shop-web
                port: {number: 80}
`;

const COMPOSE = `services:
  app:
    image: ${IMAGE}
    ports:
      - "8080:8080"
      - "9000:9000"
    expose:
      - "8081"
`;

/** The FROM-scratch Dockerfile buildListenerImage builds IMAGE from. */
const DOCKERFILE = `FROM scratch\nCOPY listen /listen\nENTRYPOINT ["/listen"]\nEXPOSE 8080 9000\nCMD ${CMD}\n`;

/** 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string): number => {
  const i = text.split('\n').findIndex(l => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in the fixture`);
  return i + 1;
};

/** Every finding kind the manifests above produce, as `rule severity port file:line`. */
const expected = (k8s: {deploy: string; services: string; ingress?: string}, composeFile?: string): string[] =>
  [
    `k8s-probe-port-not-listening error 8081 ${k8s.deploy}:${lineOf(DEPLOY, 'port: 8081')}`,
    `k8s-external-sensitive-port error 9000 ${k8s.services}:${lineOf(SERVICES, 'port: 9000')}`,
    `k8s-target-port-omitted warning 8080 ${k8s.services}:${lineOf(SERVICES, 'port: 8080')}`,
    // No NetworkPolicy in these manifests selects the Deployment's pods.
    `k8s-netpol-missing warning - ${k8s.deploy}:${lineOf(DEPLOY, 'name: shop')}`,
    ...(k8s.ingress ? [`k8s-ingress-no-service warning - ${k8s.ingress}:${lineOf(INGRESS, 'name: shop-web')}`] : []),
    ...(composeFile
      ? [
          `compose-published-all-interfaces error 9000 ${composeFile}:${lineOf(COMPOSE, '"9000:9000"')}`,
          `compose-port-not-listening warning 8081 ${composeFile}:${lineOf(COMPOSE, '"8081"')}`
        ]
      : [])
  ].sort();

interface JsonFinding {
  rule: string;
  severity: string;
  port?: number;
  message: string;
  location?: {file?: string; line?: number; image?: string};
}

const rows = (json: {findings: JsonFinding[]}): string[] =>
  json.findings.map(f => `${f.rule} ${f.severity} ${f.port ?? '-'} ${f.location?.file ? `${f.location.file}:${f.location.line}` : '(image)'}`).sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], opts: {cwd: string; env?: NodeJS.ProcessEnv; stdin?: string}): Promise<Run> =>
  new Promise(done => {
    const child = spawn(process.execPath, [CLI, ...args], {cwd: opts.cwd, env: {...process.env, NO_COLOR: '1', ...opts.env}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    child.stdin.end(opts.stdin ?? '');
    child.on('close', code => done({code, stdout, stderr}));
  });

/** A working copy: spec, manifests in a folder tree (with a file that is not YAML), Compose file, and the Dockerfile under build/. */
const workspace = (): string => {
  const dir = mkdtempSync(join(tmpdir(), P));
  const files: Record<string, string> = {
    'portgate.yml': SPEC,
    'k8s/deploy.yaml': DEPLOY,
    'k8s/ingress.yml': INGRESS,
    'k8s/net/services.yaml': SERVICES,
    'k8s/README.md': '# not a manifest\n',
    'compose.yaml': COMPOSE,
    'build/Dockerfile': DOCKERFILE
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true});
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

/**
 * Containers of IMAGE the engine created between two instants (Docker's event
 * log). Filtered by image because the engine is shared with other suites.
 */
const containersCreated = async (sinceMs: number, untilMs: number): Promise<string[]> => {
  const ts = (ms: number) => `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
  const filters = {type: ['container'], event: ['create'], image: [IMAGE]};
  const stream = (await docker().getEvents({since: ts(sinceMs), until: ts(untilMs), filters} as never)) as unknown as NodeJS.ReadableStream;
  let text = '';
  for await (const c of stream) text += c.toString();
  return text
    .split('\n')
    .filter(Boolean)
    .map(l => (JSON.parse(l) as {Actor?: {Attributes?: {image?: string}}}).Actor?.Attributes?.image ?? '?');
};

const SETTLE = ['--settle', '500ms'];

beforeAll(async () => {
  await buildListenerImage(IMAGE, `EXPOSE 8080 9000\nCMD ${CMD}`);
}, 120_000);

// Only this suite's containers: other suites may be using the same engine at the same time.
afterEach(async () => {
  expect((await leftoverContainers()).filter(c => c.includes(P))).toEqual([]);
});

afterAll(async () => {
  await removeImages(P);
});

describe('check with deployment manifests, on the real engine', () => {
  test('a folder of Kubernetes manifests and a Compose file: every manifest finding, with file:line, and exit 1', async () => {
    const dir = workspace();
    const since = Date.now();
    const r = await cli(['check', '--image', IMAGE, ...SETTLE, '--manifests', 'k8s', '--compose', 'compose.yaml', '--format', 'json'], {cwd: dir});
    // The event check the static-only tests rely on does see the gate's container.
    expect(await containersCreated(since, Date.now())).toEqual([IMAGE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    // The image did run: the listeners are the real ones, and the gate itself has nothing to say.
    expect(json.container).toMatchObject({exited: false, trusted: true});
    expect(json.listening.map((l: {port: number; address: string}) => `${l.address}:${l.port}`)).toEqual(['0.0.0.0:8080', '0.0.0.0:9000', '127.0.0.1:9100']);
    expect(rows(json)).toEqual(expected({deploy: 'k8s/deploy.yaml', services: 'k8s/net/services.yaml', ingress: 'k8s/ingress.yml'}, 'compose.yaml'));
    expect(json.verdict).toBe('fail');
    const msg = (rule: string) => (json.findings as JsonFinding[]).find(f => f.rule === rule)!.message;
    expect(msg('k8s-probe-port-not-listening')).toMatch(/readinessProbe\.tcpSocket connects to 8081\/tcp on the pod IP, but nothing listens on 8081\/tcp \(the image listens on: 8080\/tcp, 9000\/tcp, 9100\/tcp\)/);
    expect(msg('k8s-external-sensitive-port')).toMatch(/Service shop-admin port "admin" 9000\/TCP is type LoadBalancer.*portgate\.yml declares 9000\/tcp internal \(portgate\.yml:5\)/);
    expect(msg('compose-published-all-interfaces')).toMatch(/bind it to loopback \(`"127\.0\.0\.1:9000:9000"`\)/);
    expect(msg('k8s-ingress-no-service')).toMatch(/Ingress shop routes to Service shop-web port 80, but no Service shop-web is in namespace default .*\(Services there: shop, shop-admin, shop-direct\)/);
  });

  test('--manifests - reads standard input; the spec\'s rules: overrides apply to manifest findings and decide the verdict', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'portgate.yml'), `${SPEC}rules:\n  k8s-probe-port-not-listening: warning\n  k8s-external-sensitive-port: off\n`);
    const stdin = `${DEPLOY}---\n${SERVICES}`;
    const r = await cli(['check', '--image', IMAGE, ...SETTLE, '--manifests', '-', '--format', 'json'], {cwd: dir, stdin});
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    const offset = DEPLOY.split('\n').length; // SERVICES starts after DEPLOY and the `---` line.
    expect(rows(json)).toEqual(
      [
        `k8s-probe-port-not-listening warning 8081 <stdin>:${lineOf(DEPLOY, 'port: 8081')}`,
        `k8s-target-port-omitted warning 8080 <stdin>:${lineOf(SERVICES, 'port: 8080') + offset}`,
        `k8s-netpol-missing warning - <stdin>:${lineOf(DEPLOY, 'name: shop')}`
      ].sort()
    );
    expect(json.verdict).toBe('pass');
    expect(r.code).toBe(0);
  });
});

describe('--static-only', () => {
  test('image in the engine: its EXPOSE and the spec stand in for listeners, the same findings appear, and no container is created', async () => {
    const dir = workspace();
    const since = Date.now();
    const r = await cli(['check', '--image', IMAGE, '--static-only', '--manifests', 'k8s', '--compose', 'compose.yaml', '--format', 'json'], {cwd: dir});
    const until = Date.now();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.container).toBeNull();
    expect(json.listening).toEqual([]);
    expect(json.exposed.map((e: {port: number}) => e.port)).toEqual([8080, 9000]);
    expect(rows(json)).toEqual(expected({deploy: 'k8s/deploy.yaml', services: 'k8s/net/services.yaml', ingress: 'k8s/ingress.yml'}, 'compose.yaml'));
    expect((json.findings as JsonFinding[]).find(f => f.rule === 'k8s-probe-port-not-listening')!.message).toMatch(
      /neither portgate\.yml nor EXPOSE lists 8081\/tcp .*\(static check: the image was not run/
    );
    expect(await containersCreated(since, until)).toEqual([]);
  });

  test('no reachable engine: the Dockerfile alone gives EXPOSE, and the manifest findings still appear', async () => {
    const dir = workspace();
    const since = Date.now();
    const r = await cli(['check', '--image', IMAGE, '--static-only', '--dockerfile', 'build/Dockerfile', '--manifests', 'k8s', '--compose', 'compose.yaml', '--format', 'json'], {
      cwd: dir,
      env: {DOCKER_HOST: 'unix:///nonexistent/docker.sock'}
    });
    const until = Date.now();
    expect(r.stderr).toMatch(/^portgate: --static-only: cannot reach the Docker engine \(unix:\/\/\/nonexistent\/docker\.sock\).* Continuing without the engine\.$/m);
    expect(r.stderr).toMatch(/^portgate: --static-only: no Docker engine is reachable, so EXPOSE comes from build\/Dockerfile alone\.$/m);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.container).toBeNull();
    expect(json.exposed).toEqual([
      {port: 8080, protocol: 'tcp', origin: 'dockerfile', location: {file: 'build/Dockerfile', line: 4, column: 8, endLine: 4, endColumn: 12}},
      {port: 9000, protocol: 'tcp', origin: 'dockerfile', location: {file: 'build/Dockerfile', line: 4, column: 13, endLine: 4, endColumn: 17}}
    ]);
    expect(rows(json)).toEqual(expected({deploy: 'k8s/deploy.yaml', services: 'k8s/net/services.yaml', ingress: 'k8s/ingress.yml'}, 'compose.yaml'));
    expect(await containersCreated(since, until)).toEqual([]);
  });

  test('static rules still run: an EXPOSEd port the spec does not declare fails, runtime rules are skipped', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'portgate.yml'), 'version: 1\nports:\n  - port: 8080\n  - port: 9100\n    exposure: loopback\n');
    const r = await cli(['check', '--image', IMAGE, '--static-only', '--format', 'json'], {cwd: dir});
    expect(r.code).toBe(1);
    expect(rows(JSON.parse(r.stdout))).toEqual(['exposed-not-declared error 9000 (image)']);
  });

  test('exit 3 when the engine lacks the image and no Dockerfile says what it EXPOSEs', async () => {
    const r = await cli(['check', '--image', `${P}missing:nope`, '--static-only'], {cwd: workspace()});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--static-only: portgate-manifest-missing:nope is not in the engine and no Dockerfile was given.*pass --dockerfile/);
  });
});

describe('manifest input errors exit 2 before any container runs', () => {
  test.each([
    ['a missing path', ['--manifests', 'nope'], /^portgate: cannot read the manifests nope: ENOENT\. Check the path\./],
    ['a folder without YAML', ['--manifests', 'build'], /the manifest folder build has no \*\.yaml or \*\.yml file/],
    ['a folder given as Compose file', ['--compose', 'k8s'], /--compose k8s is a folder: pass the Compose file itself/],
    ['stdin twice', ['--manifests', '-', '--manifests', '-'], /can be given only once/],
    ['--container without manifests', ['--container', 'app'], /--container names the container that runs the image in the manifests: pass --manifests or --compose too/],
    ['invalid YAML, with file:line:column', ['--manifests', 'bad.yaml'], /^portgate: bad\.yaml:6:7: invalid YAML: Map keys must be unique$/m],
    ['manifests that do not deploy the image', ['--manifests', 'other.yaml'], /no container in the manifests runs portgate-manifest-app:test \(images: nginx:1\.27\)/],
    ['an override naming no container', ['--manifests', 'k8s', '--container', 'web'], /no container named "web" in the manifests \(containers: app\)/]
  ])('%s', async (_name, args, message) => {
    const dir = workspace();
    writeFileSync(join(dir, 'bad.yaml'), 'kind: Service\nmetadata: {name: x}\nspec:\n  ports:\n    - port: 80\n      port: 81\n');
    writeFileSync(join(dir, 'other.yaml'), 'kind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: "nginx:1.27"}\n');
    const since = Date.now();
    const r = await cli(['check', '--image', IMAGE, ...args], {cwd: dir});
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
    expect(await containersCreated(since, Date.now())).toEqual([]);
  });
});
