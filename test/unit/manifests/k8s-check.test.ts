import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import type {Finding} from '../../../src/model.js';
import type {ManifestContext} from '../../../src/manifests/index.js';
import {checkKubernetes, loadKubernetes} from '../../../src/manifests/index.js';
import {brief, ctx, declare, expose, fixture, lineOf, listen, row} from './build.js';

// None of these fixtures has a NetworkPolicy, so each serving workload also gets k8s-netpol-missing: that rule and
// the other NetworkPolicy findings are tested in test/unit/policy/check.test.ts, and left out here.
const wiring = (fs: Finding[]) => fs.filter(f => !f.rule.startsWith('k8s-netpol-'));
const check = (files: string[], c: Partial<ManifestContext>) => wiring(checkKubernetes(loadKubernetes(files.map(f => fixture(f))), ctx(c)));

const API = 'k8s/helm-api.yaml';
const ADMIN = 'k8s/admin-exposed.yaml';
const DNS = 'k8s/dns-udp.yaml';
const SIDECAR = 'k8s/sidecar.yaml';
const CRON = 'k8s/cronjob.yaml';
const LIST = 'k8s/list.yaml';
const AGENT = 'k8s/node-agent.yaml';

// The api image: HTTP on 8080, metrics on 9090 (internal), pprof on loopback 6060.
const apiSpec = [declare(8080), declare(9090, 'internal'), declare(6060, 'loopback')];
const apiListeners = [listen(8080), listen(9090, '::'), listen(6060, '127.0.0.1')];
const adminCtx: Partial<ManifestContext> = {listeners: [listen(8080), listen(8081), listen(5005)], declared: [declare(8080), declare(8081, 'internal')]};

// prettier-ignore
const cases: {name: string; files: string[]; ctx: Partial<ManifestContext>; want: ReturnType<typeof row>[]}[] = [
  {name: 'Helm chart wired right (named targetPorts, Ingress, sidecar, init container): no findings',
    files: [API], ctx: {listeners: apiListeners, declared: apiSpec}, want: []},
  {name: 'CI gates a fresh tag the chart does not pin yet: same repository still matches',
    files: [API], ctx: {image: 'registry.example.com/team/api:sha-4f2a9c1', listeners: apiListeners, declared: apiSpec}, want: []},
  {name: 'process bound to 127.0.0.1 behind a Service: targetPort and probe errors, containerPort warning',
    files: [API], ctx: {listeners: [listen(8080, '127.0.0.1'), listen(9090)]}, want: [
      row('k8s-target-port-not-listening', 'error', 8080, API, lineOf(API, 'targetPort: http')),
      row('k8s-container-port-not-listening', 'warning', 8080, API, lineOf(API, 'containerPort: 8080')),
      row('k8s-probe-port-not-listening', 'error', 8080, API, lineOf(API, 'port: http')),
      row('k8s-probe-port-not-listening', 'error', 8080, API, lineOf(API, 'httpGet: {path: /ready, port: 8080}'))]},
  {name: 'LoadBalancer flipped in front of an internal admin port, NodePort to JDWP, Ingress to the admin port',
    files: [ADMIN], ctx: adminCtx, want: [
      row('k8s-external-sensitive-port', 'error', 8081, ADMIN, lineOf(ADMIN, 'port: 8081')),
      row('k8s-external-sensitive-port', 'error', 5005, ADMIN, lineOf(ADMIN, 'port: 5005')),
      row('k8s-external-sensitive-port', 'error', 8081, ADMIN, lineOf(ADMIN, 'name: admin', 2))]},
  {name: 'a risky port with a reason in portgate.yml may be exposed',
    files: [ADMIN], ctx: {...adminCtx, declared: [declare(8080), declare(8081, 'internal'), declare(5005, 'public', 'tcp', {reason: 'staging debugger'})]}, want: [
      row('k8s-external-sensitive-port', 'error', 8081, ADMIN, lineOf(ADMIN, 'port: 8081')),
      row('k8s-external-sensitive-port', 'error', 8081, ADMIN, lineOf(ADMIN, 'name: admin', 2))]},
  {name: 'static mode (image not run): spec and EXPOSE stand in for listeners',
    files: [ADMIN], ctx: {listeners: undefined, declared: [declare(8080), declare(8081, 'internal')], exposed: [expose(8080)]}, want: [
      row('k8s-external-sensitive-port', 'error', 8081, ADMIN, lineOf(ADMIN, 'port: 8081')),
      row('k8s-external-sensitive-port', 'error', 5005, ADMIN, lineOf(ADMIN, 'port: 5005')),
      row('k8s-target-port-not-listening', 'error', 5005, ADMIN, lineOf(ADMIN, 'targetPort: 5005')),
      row('k8s-external-sensitive-port', 'error', 8081, ADMIN, lineOf(ADMIN, 'name: admin', 2)),
      row('k8s-container-port-not-listening', 'warning', 5005, ADMIN, lineOf(ADMIN, '{name: jdwp, containerPort: 5005}'))]},
  {name: 'UDP DNS: named targetPort with TCP default, numeric TCP targetPort to a UDP listener',
    files: [DNS], ctx: {image: 'example/dns-cache:2.0', listeners: [listen(53, '0.0.0.0', 'udp'), listen(9153, '::')]}, want: [
      row('k8s-target-port-not-listening', 'error', 53, DNS, lineOf(DNS, 'targetPort: dns', 2)),
      row('k8s-target-port-not-listening', 'error', 53, DNS, lineOf(DNS, 'targetPort: 53'))]},
  {name: 'multi-container pod: sidecar ports skipped, probe names a missing port, listener missing from ports',
    files: [SIDECAR], ctx: {image: 'ghcr.io/acme/orders:4.1.0', listeners: [listen(3000, '::'), listen(9464)]}, want: [
      row('k8s-listener-not-declared', 'warning', 9464, SIDECAR, lineOf(SIDECAR, 'ports:', 2)),
      row('k8s-probe-port-not-listening', 'error', undefined, SIDECAR, lineOf(SIDECAR, 'port: health'))]},
  {name: 'CronJob: pod template under jobTemplate, hostNetwork, stale containerPort; no listener-not-declared for a batch job',
    files: [CRON], ctx: {image: 'ghcr.io/acme/orders:4.1.0', listeners: [listen(3000), listen(9464)]}, want: [
      row('k8s-host-network', 'warning', undefined, CRON, lineOf(CRON, 'hostNetwork: true')),
      row('k8s-container-port-not-listening', 'warning', 9091, CRON, lineOf(CRON, 'containerPort: 9091'))]},
  {name: 'List kind: omitted targetPort where port matches (warning) and where it does not (warning + error)',
    files: [LIST], ctx: {image: 'docker.io/library/nginx:1.27', listeners: [listen(8080)]}, want: [
      row('k8s-target-port-omitted', 'warning', 8080, LIST, lineOf(LIST, 'port: 8080')),
      row('k8s-target-port-not-listening', 'error', 80, LIST, lineOf(LIST, 'port: 80')),
      row('k8s-target-port-omitted', 'warning', 80, LIST, lineOf(LIST, 'port: 80'))]},
  {name: 'node agent: hostNetwork, hostPort, Service selector that matches nothing',
    files: [AGENT], ctx: {image: 'quay.io/prometheus/node-exporter:v1.8.1', listeners: [listen(9100, '::')]}, want: [
      row('k8s-host-network', 'warning', undefined, AGENT, lineOf(AGENT, 'hostNetwork: true')),
      row('k8s-host-network', 'warning', 9100, AGENT, lineOf(AGENT, 'hostPort: 9100')),
      row('k8s-service-no-workload', 'warning', undefined, AGENT, lineOf(AGENT, 'selector:', 2))]},
  {name: 'explicit containerName wins over the image: the envoy sidecar is checked',
    files: [API], ctx: {containerName: 'envoy', listeners: [listen(10000), listen(9901)]}, want: [
      row('k8s-listener-not-declared', 'warning', 9901, API, lineOf(API, 'ports:', 3))]}
];

describe('checkKubernetes', () => {
  it.each(cases)('$name', ({files, ctx: c, want}) => {
    expect(check(files, c).map(brief)).toEqual(want);
  });

  it('has the literal 1-based line of the offending field (not a helper artefact)', () => {
    const [f] = check([CRON], {image: 'ghcr.io/acme/orders:4.1.0', listeners: [listen(9091)]});
    expect(f?.location).toEqual({file: 'test/fixtures/manifests/k8s/cronjob.yaml', line: 14, column: 11});
  });

  it('messages say what to change', () => {
    const byRule = (files: string[], c: Partial<ManifestContext>, rule: string) => check(files, c).filter(f => f.rule === rule).map(f => f.message);
    const dns = byRule([DNS], {image: 'example/dns-cache:2.0', listeners: [listen(53, '0.0.0.0', 'udp'), listen(9153)]}, 'k8s-target-port-not-listening');
    expect(dns[0]).toMatch(/matches a named targetPort by name and protocol.*set `protocol: UDP` on the Service port/);
    expect(dns[1]).toMatch(/listens on 53\/udp.*not 53\/tcp: set `protocol: UDP`/);
    const [omitted] = byRule([LIST], {image: 'nginx', listeners: [listen(8080)]}, 'k8s-target-port-not-listening');
    expect(omitted).toMatch(/has no targetPort, so Kubernetes sends its traffic to port 80 of the pod.*nothing listens on 80\/tcp.*`targetPort: 8080`/);
    const [lb] = byRule([ADMIN], adminCtx, 'k8s-external-sensitive-port');
    expect(lb).toMatch(/type LoadBalancer.*portgate\.yml declares 8081\/tcp internal \(portgate\.yml:41\).*separate ClusterIP Service/);
    const [jdwp] = byRule([ADMIN], adminCtx, 'k8s-external-sensitive-port').filter(m => m.includes('5005'));
    expect(jdwp).toMatch(/risky port \(JDWP \(Java debugger\)\)/);
    const [orphan] = byRule([AGENT], {image: 'quay.io/prometheus/node-exporter', listeners: []}, 'k8s-service-no-workload');
    expect(orphan).toMatch(/closest: DaemonSet node-exporter lacks app.kubernetes.io\/component=exporter/);
    const [host] = byRule([AGENT], {image: 'quay.io/prometheus/node-exporter', listeners: [listen(9100), listen(22)]}, 'k8s-host-network');
    expect(host).toMatch(/\(22\/tcp \(SSH\), 9100\/tcp\)/);
    const [stat] = byRule([ADMIN], {listeners: undefined, declared: [declare(8080)]}, 'k8s-container-port-not-listening');
    expect(stat).toMatch(/neither portgate\.yml nor EXPOSE lists 8081\/tcp \(they list: 8080\/tcp\).*static check: the image was not run/);
  });

  describe('Ingress backends naming a Service the manifests do not define', () => {
    const api = fixture(API);
    const ing = (ns: string, backend: string) => ({
      file: 'ingress.yaml',
      text: `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop-web\n  namespace: ${ns}\nspec:\n${backend}`
    });
    const v1 = '  defaultBackend:\n    service:\n      name: shop-web\n      port: {name: http}\n';
    const run = (...extra: {file: string; text: string}[]) => wiring(checkKubernetes(loadKubernetes([api, ...extra]), ctx({listeners: apiListeners, declared: apiSpec})));

    it.each([
      ['networking.k8s.io/v1 `service.name`', v1, 9],
      ['extensions/v1beta1 `serviceName`', '  backend:\n    serviceName: shop-web\n    servicePort: 80\n', 8]
    ])('%s: k8s-ingress-no-service at the name', (_, backend, line) => {
      expect(run(ing('default', backend)).map(brief)).toEqual([row('k8s-ingress-no-service', 'warning', undefined, 'ingress.yaml', line)]);
    });

    it('names the Services of the namespace, or the same-named Service in another namespace', () => {
      const [none] = run(ing('default', v1));
      expect(none?.message).toBe(
        'Ingress shop-web routes to Service shop-web port "http", but no Service shop-web is in namespace default of the given manifests (Services there: shop-api), so portgate cannot tell what it exposes: pass the manifests that define it, or fix the name.'
      );
      const web = {file: 'web.yaml', text: 'kind: Service\nmetadata: {name: shop-web, namespace: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n'};
      const other = run(ing('default', v1), web).filter(f => f.rule === 'k8s-ingress-no-service');
      expect(other.map(f => f.message)).toEqual([expect.stringMatching(/a Service shop-web exists in namespace web, but an Ingress routes only to Services in its own namespace/)]);
      // In the Service's namespace the backend resolves, so nothing is reported about it.
      expect(run(ing('web', v1), web).filter(f => f.rule === 'k8s-ingress-no-service')).toEqual([]);
    });
  });

  it('probe messages say the kubelet will restart or keep the pod unready', () => {
    const [probe] = check([API], {listeners: [listen(8080, '127.0.0.1'), listen(9090)]}).filter(f => f.rule === 'k8s-probe-port-not-listening');
    expect(probe?.message).toMatch(/container api of Deployment shop-api: livenessProbe.httpGet connects to 8080\/tcp on the pod IP, but 8080\/tcp is bound only to loopback .* the kubelet will restart the container or keep it unready/);
    const [named] = check([SIDECAR], {image: 'ghcr.io/acme/orders:4.1.0', listeners: [listen(3000)]}).filter(f => f.rule === 'k8s-probe-port-not-listening');
    expect(named?.message).toMatch(/startupProbe.httpGet.port "health" names no port of this container/);
  });

  it('Services in another namespace do not select the workload', () => {
    const text = fixture(LIST).text.replace('namespace: shop\n  spec:\n    selector', 'namespace: web\n  spec:\n    selector');
    const fs = wiring(checkKubernetes(loadKubernetes([{file: 'list.yaml', text}]), ctx({image: 'nginx:1.27', listeners: [listen(8080)]})));
    expect(fs.map(f => f.rule)).toEqual(['k8s-service-no-workload']);
  });

  it('Service selecting both a Deployment and a CronJob (shared Helm labels) checks the Deployment only', () => {
    const cron = fixture(CRON).text.replace('labels: {app: orders-reindex}', 'labels: {app: orders}').replace(/\n {10}hostNetwork: true/, '').replace(/ports:\n.*\n.*push-metrics\n/, '');
    const fs = wiring(checkKubernetes(loadKubernetes([fixture(SIDECAR), {file: 'cron.yaml', text: cron}]), ctx({image: 'ghcr.io/acme/orders:4.1.0', listeners: [listen(3000), listen(9464)]})));
    expect(fs.map(f => f.rule)).toEqual(['k8s-listener-not-declared', 'k8s-probe-port-not-listening']);
  });

  it.each([
    ['no container runs the image', {image: 'registry.example.com/other/web:1'}, /no container in the manifests runs registry.example.com\/other\/web:1 \(images: .*registry.example.com\/team\/api:1.2.0, envoyproxy\/envoy:v1.30.1\)/],
    ['the override names no container', {containerName: 'web'}, /no container named "web" in the manifests \(containers: api, envoy\)/]
  ])('throws InputError when %s', (_, c, msg) => {
    expect(() => check([API], c)).toThrow(InputError);
    expect(() => check([API], c)).toThrow(msg);
  });
});
