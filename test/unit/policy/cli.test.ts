import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {main, type Io} from '../../../src/cli/main.js';

/** The `policy` subcommand through the CLI's own entry point: arguments in, exit code and streams out. */
const run = async (argv: string[]) => {
  const out = {stdout: '', stderr: ''};
  const io: Io = {stdout: s => (out.stdout += s), stderr: s => (out.stderr += s), isTty: false};
  return {code: await main(argv, io), ...out};
};

const dir = mkdtempSync(join(tmpdir(), 'portgate-policy-'));
const SPEC = join(dir, 'portgate.yml');
const K8S = join(dir, 'k8s.yaml');
writeFileSync(SPEC, 'version: 1\nports:\n  - port: 8080\n  - port: 9090\n    exposure: internal\n');
writeFileSync(K8S, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: "shop/api:1", ports: [{name: http, containerPort: 8080}]}]\n');

describe('portgate policy (CLI shell)', () => {
  it('prints the policy for the workload that runs --image, exit 0', async () => {
    const r = await run(['policy', '--spec', SPEC, '--manifests', K8S, '--image', 'shop/api:ci']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^kind: NetworkPolicy$/m);
    expect(r.stdout).toMatch(/name: api-ingress\n {2}namespace: shop/);
    expect(r.stdout).toMatch(/- port: http # .*portgate\.yml:3 8080\/tcp public/);
  });

  it('--output writes the file instead; flags alone suffice without manifests', async () => {
    const out = join(dir, 'np.yaml');
    const r = await run(['policy', '--spec', SPEC, '--pod-selector', 'app=api', '--namespace', 'shop', '--internal-from', '{namespaceSelector: {}}', '--output', out]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(readFileSync(out, 'utf8')).toMatch(/- from:\n {8}- namespaceSelector: \{\}\n/);
  });

  // prettier-ignore
  it.each([
    ['no pods named', ['--spec', SPEC], /^portgate: portgate policy needs to know which pods the policy is for: .*--pod-selector KEY=VALUE and --namespace NAME\.\n$/],
    ['no spec at all', ['--pod-selector', 'app=a', '--namespace', 'x'], /portgate policy writes the policy from portgate\.yml, and there is none here: pass --spec PATH/],
    ['--container without manifests', ['--spec', SPEC, '--container', 'api'], /--container names the container .* pass --manifests too/],
    ['a bad namespace', ['--spec', SPEC, '--pod-selector', 'app=a', '--namespace', 'Shop'], /--namespace: namespace "Shop" is not a valid name/],
    ['a bad --internal-from', ['--spec', SPEC, '--pod-selector', 'app=a', '--namespace', 'x', '--internal-from', 'ops'], /--internal-from "ops": the peer must be a mapping/],
    ['an unknown option', ['--spec', SPEC, '--selector', 'app=a'], /unknown option '--selector'.*\nRun `portgate policy --help` for usage\./s],
    ['an unwritable --output', ['--spec', SPEC, '--pod-selector', 'app=a', '--namespace', 'x', '--output', join(dir, 'nope', 'np.yaml')], /cannot write --output .*nope\/np\.yaml: ENOENT/]
  ])('exit 2 with what to do: %s', async (_, args, msg) => {
    const r = await run(['policy', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(msg);
  });

  it('--help lists the options', async () => {
    const r = await run(['policy', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--spec', '--manifests', '--image', '--container', '--pod-selector', '--namespace', '--internal-from', '--name', '--output']) expect(r.stdout).toContain(flag);
  });
});
