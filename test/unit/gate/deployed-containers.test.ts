import {describe, expect, test} from 'vitest';
import {deployedContainers, loadDeployment} from '../../../src/gate/manifests.js';

const IMAGE = 'registry.example.com/shop/api:1.4.0';
const y = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** A workload of `kind` whose pod runs IMAGE in a container named `name` with `args`. */
const workload = (kind: string, name: string, container: string, args: string[], image = IMAGE): string[] => {
  const pod = [
    '    spec:',
    '      containers:',
    `        - name: ${container}`,
    `          image: ${image}`,
    `          args: ${JSON.stringify(args)}`
  ];
  return kind === 'CronJob'
    ? [`kind: ${kind}`, `metadata: {name: ${name}}`, 'spec:', '  schedule: "0 3 * * *"', '  jobTemplate:', '    spec:', '      template:', ...pod.map(l => `    ${l}`)]
    : [`kind: ${kind}`, `metadata: {name: ${name}}`, 'spec:', '  template:', ...pod];
};

const k8s = (...docs: string[][]): {file: string; text: string} => ({file: 'k8s.yaml', text: y(...docs.flatMap((d, i) => [...(i ? ['---'] : []), 'apiVersion: v1', ...d]))});
const compose = {file: 'compose.yaml', text: y('services:', '  api:', `    image: ${IMAGE}`, '    command: serve --compose')};

const picked = (inputs: Parameters<typeof loadDeployment>[1]) =>
  deployedContainers(loadDeployment(IMAGE, inputs)).map(c => `${c.what} @${c.at.file}:${c.at.line} ${JSON.stringify(c.run.command?.value ?? null)}`);

describe('deployedContainers: which deployment the sandbox copies', () => {
  test('no manifests: nothing to copy', () => {
    expect(deployedContainers(undefined)).toEqual([]);
    expect(deployedContainers(loadDeployment(IMAGE, {}))).toEqual([]);
  });

  test('a long-running workload before a Job, whatever the order in the file', () => {
    expect(picked({manifests: [k8s(workload('Job', 'migrate', 'migrate', ['migrate']), workload('Deployment', 'shop-api', 'api', ['serve']))]})).toEqual([
      'container api of Deployment shop-api @k8s.yaml:19 ["serve"]',
      'container migrate of Job migrate @k8s.yaml:8 ["migrate"]'
    ]);
  });

  test('a CronJob also comes after a StatefulSet', () => {
    expect(picked({manifests: [k8s(workload('CronJob', 'report', 'report', ['report']), workload('StatefulSet', 'shop-api', 'api', ['serve']))]}).map(s => s.split(' @')[0])).toEqual([
      'container api of StatefulSet shop-api',
      'container report of CronJob report'
    ]);
  });

  test('Kubernetes (what production runs) before Compose', () => {
    expect(picked({compose: [compose], manifests: [k8s(workload('Deployment', 'shop-api', 'api', ['serve']))]})).toEqual([
      'container api of Deployment shop-api @k8s.yaml:8 ["serve"]',
      'Compose service api @compose.yaml:2 ["serve","--compose"]'
    ]);
  });

  test('Compose alone', () => {
    expect(picked({compose: [compose]})).toEqual(['Compose service api @compose.yaml:2 ["serve","--compose"]']);
  });

  test('containers running another image are not candidates', () => {
    const other = workload('Deployment', 'web', 'web', ['nginx'], 'docker.io/library/nginx:1.27');
    expect(picked({manifests: [k8s(other, workload('Deployment', 'shop-api', 'api', ['serve']))]})).toEqual(['container api of Deployment shop-api @k8s.yaml:19 ["serve"]']);
  });

  test('--container picks one container by name', () => {
    const two = k8s(workload('Deployment', 'shop-api', 'api', ['serve']), workload('Deployment', 'shop-worker', 'worker', ['work']));
    expect(picked({manifests: [two], containerName: 'worker'})).toEqual(['container worker of Deployment shop-worker @k8s.yaml:19 ["work"]']);
  });

  test('what the privilege rules read of each: the platform, the node’s network, a batch workload', () => {
    const host = workload('DaemonSet', 'agent', 'api', ['serve']);
    host.splice(host.indexOf('    spec:') + 1, 0, '      hostNetwork: true');
    const composeHost = {file: 'compose.yaml', text: y('services:', '  api:', `    image: ${IMAGE}`, '    network_mode: host')};
    const facts = (inputs: Parameters<typeof loadDeployment>[1]) =>
      deployedContainers(loadDeployment(IMAGE, inputs)).map(c => `${c.platform} ${c.what}${c.hostNetwork ? ' hostNetwork' : ''}${c.batch ? ' batch' : ''}`);
    expect(facts({manifests: [k8s(host, workload('Deployment', 'shop-api', 'api', ['serve']), workload('CronJob', 'report', 'report', ['report']))]})).toEqual([
      'kubernetes container api of DaemonSet agent hostNetwork',
      'kubernetes container api of Deployment shop-api',
      'kubernetes container report of CronJob report batch'
    ]);
    expect(facts({compose: [composeHost]})).toEqual(['compose Compose service api hostNetwork']);
    expect(facts({compose: [compose]})).toEqual(['compose Compose service api']);
  });
});
