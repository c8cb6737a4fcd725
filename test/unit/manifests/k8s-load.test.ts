import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {checkKubernetes, loadKubernetes} from '../../../src/manifests/index.js';
import {ctx, fixture, lineOf, listen} from './build.js';

const API = 'k8s/helm-api.yaml';

/** What `helm template shop ./chart | portgate …` feeds in: stdout with separators, comments, empty documents. */
const helmStdout = [
  '---',
  '# Source: api/templates/NOTES.txt is not rendered',
  '---',
  fixture(API).text,
  '---',
  '# Source: api/templates/tests/test-connection.yaml',
  '# (disabled by values)',
  '---',
  ''
].join('\n');

describe('loadKubernetes', () => {
  it('reads a helm template stream: separators, comments, empty documents, skipped kinds', () => {
    const objs = loadKubernetes([{file: '-', text: helmStdout}]);
    expect(objs.workloads.map(w => `${w.kind}/${w.name}`)).toEqual(['Deployment/shop-api']);
    expect(objs.services.map(s => s.name)).toEqual(['shop-api']);
    expect(objs.ingresses[0]?.backends).toEqual([
      {service: 'shop-api', port: 80, at: {file: '-', line: lineOf(API, 'number: 80') + 3, column: 19}, serviceAt: {file: '-', line: lineOf(API, 'name: shop-api', 5) + 3, column: 17}}
    ]);
    const [migrate, api, envoy] = objs.workloads[0]!.containers;
    expect([migrate?.role, api?.role, envoy?.role]).toEqual(['init', 'main', 'main']);
    expect(api?.ports.map(p => [p.name, p.containerPort, p.protocol])).toEqual([['http', 8080, 'tcp'], ['metrics', 9090, 'tcp']]);
    expect(api?.probes.map(p => [p.label, p.port])).toEqual([['livenessProbe.httpGet', 'http'], ['readinessProbe.httpGet', 8080]]);
    // Lines count from the top of the stream, not of the document.
    const offset = 3;
    expect(objs.services[0]!.ports[0]!.targetPortAt?.line).toBe(lineOf(API, 'targetPort: http') + offset);
    // Wired right; the chart ships no NetworkPolicy, which is the one thing to say.
    expect(checkKubernetes(objs, ctx({listeners: [listen(8080), listen(9090)]})).map(f => f.rule)).toEqual(['k8s-netpol-missing']);
  });

  it('reads List items, defaults (TCP, namespace default, ClusterIP) and v1beta1 Ingress backends', () => {
    const objs = loadKubernetes([fixture('k8s/list.yaml')]);
    expect(objs.workloads[0]).toMatchObject({kind: 'Deployment', name: 'web', namespace: 'shop', labels: {app: 'web'}});
    expect(objs.services[0]).toMatchObject({type: 'ClusterIP', selector: {app: 'web'}, ports: [{port: 8080, protocol: 'tcp'}, {port: 80}]});
    const legacy = loadKubernetes([
      {file: 'ing.yaml', text: 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec:\n  backend:\n    serviceName: web\n    servicePort: http\n'}
    ]);
    expect(legacy.ingresses[0]).toMatchObject({namespace: 'default', backends: [{service: 'web', port: 'http', at: {line: 7}, serviceAt: {line: 6}}]});
  });

  it('reads every pod template path: CronJob, native sidecars, probes by name', () => {
    const cron = loadKubernetes([fixture('k8s/cronjob.yaml')]).workloads[0]!;
    expect(cron).toMatchObject({kind: 'CronJob', batch: true, labels: {app: 'orders-reindex'}, hostNetwork: {line: 14}});
    const pod = loadKubernetes([fixture('k8s/sidecar.yaml')]).workloads[0]!;
    expect(pod.containers.map(c => `${c.name}:${c.role}`)).toEqual(['log-shipper:sidecar', 'orders:main']);
    const kinds = ['Pod', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'].map(kind => {
      const spec = 'spec:\n    containers:\n      - {name: a, image: x}';
      const text = kind === 'Pod' ? `kind: Pod\nmetadata: {name: p}\n${spec.replace(/\n {2}/g, '\n')}` : `kind: ${kind}\nmetadata: {name: p}\nspec:\n  template:\n    ${spec.replace(/\n/g, '\n  ')}`;
      return loadKubernetes([{file: 'k.yaml', text}]).workloads[0]?.containers[0]?.name;
    });
    expect(kinds).toEqual(['a', 'a', 'a', 'a', 'a']);
  });

  it('reads YAML 1.1 booleans as kubectl does', () => {
    const text = 'kind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: yes\n  containers: [{name: a, image: x}]\n';
    expect(loadKubernetes([{file: 'p.yaml', text}]).workloads[0]?.hostNetwork).toEqual({file: 'p.yaml', line: 4, column: 3});
  });

  // prettier-ignore
  it.each([
    ['broken indentation', 'kind: Service\nmetadata:\n  name: a\n   labels: {}\n', 3, /^invalid YAML: Nested mappings are not allowed in compact mappings$/],
    ['a duplicate key', 'kind: Service\nkind: Pod\n', 2, /invalid YAML: Map keys must be unique/],
    ['a values file instead of manifests', 'image:\n  repository: api\n', 1, /no `kind`.*values file/],
    ['quoted number as targetPort', 'kind: Service\nmetadata: {name: a}\nspec:\n  ports:\n    - port: 80\n      targetPort: "8080"\n', 6, /`targetPort: "8080"` is a string.*write `targetPort: 8080` without quotes/],
    ['lower-case protocol', 'kind: Service\nmetadata: {name: a}\nspec:\n  ports:\n    - port: 53\n      protocol: udp\n', 6, /`protocol` must be TCP, UDP or SCTP, not "udp"/],
    ['containerPort out of range', 'kind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - name: a\n      ports:\n        - containerPort: 80800\n', 7, /`containerPort` must be a port number from 1 to 65535, not 80800/],
    ['ports as a mapping', 'kind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - name: a\n      ports:\n        http: 8080\n', 7, /`ports` must be a list, not a mapping/],
    ['a Deployment without template', 'kind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: 1\n', 4, /Deployment a has no `spec.template`/],
    ['a scalar document', '---\nhello\n', 2, /expected a mapping/]
  ])('throws InputError with file:line for %s', (_, text, line, msg) => {
    let err: unknown;
    try {
      loadKubernetes([{file: 'bad.yaml', text}]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(msg);
    expect([(err as InputError).file, (err as InputError).line]).toEqual(['bad.yaml', line]);
  });
});
