import {existsSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import type {Command} from 'commander';
import {EXIT, InputError} from '../errors.js';
import {readInput, readManifestSources, readStdin} from '../gate/read-inputs.js';
import {loadKubernetes} from '../manifests/index.js';
import {generatePolicy, namespaceIssue, objectNameIssue, parseLabelList, policyTargets, renderPolicies, validatePolicy, type InternalPeers} from '../policy/index.js';
import {loadSpec, parsePeerFlag, type Spec} from '../spec/index.js';
import type {Io} from './main.js';

/** `portgate policy`: the NetworkPolicy portgate.yml implies, for the pods the manifests or flags name. */
export interface PolicyArgs {
  command: 'policy';
  spec?: string;
  manifests: string[];
  image?: string;
  container?: string;
  podSelector?: string;
  namespace?: string;
  internalFrom: string[];
  name?: string;
  output?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers the subcommand; `done` receives its arguments when it is the one invoked. */
export const policyCommand = (program: Command, done: (a: PolicyArgs) => void): void => {
  program
    .command('policy')
    .description('print the Kubernetes NetworkPolicy portgate.yml implies: declared public and internal ports open, everything else closed')
    .option('--spec <path>', 'port spec (default: ./portgate.yml)')
    .option('--manifests <path>', 'Kubernetes manifests with the workload that runs the image: file, folder or - for stdin (repeatable)', collect, [])
    .option('--image <ref>', 'the image whose workload the policy is for (matched as check matches it)')
    .option('--container <name>', 'container that runs the image in the manifests, when its image name does not say')
    .option('--pod-selector <labels>', 'pods the policy is for, as KEY=VALUE[,KEY=VALUE] (overrides the workload\'s selector)')
    .option('--namespace <name>', 'namespace of the policy (overrides the workload\'s)')
    .option('--internal-from <peer>', 'who may reach internal ports, as a YAML flow mapping like a policy.internalFrom entry (repeatable; replaces the spec\'s)', collect, [])
    .option('--name <name>', 'metadata.name of the policy (default: WORKLOAD-ingress)')
    .option('--output <file>', 'write the policy to a file instead of stdout')
    .action((o: Omit<PolicyArgs, 'command'>) => done({command: 'policy', ...o}));
};

const check = <T>(value: T | undefined, issue: (v: T) => string | undefined, flag: string): T | undefined => {
  const problem = value === undefined ? undefined : issue(value);
  if (problem) throw new InputError(`${flag}: ${problem}.`);
  return value;
};

/** Flags first, then the spec's policy.internalFrom; undefined = the generator's default (the same namespace). */
const internalPeers = (a: PolicyArgs, spec: Spec): InternalPeers | undefined => {
  if (a.internalFrom.length) return {peers: a.internalFrom.map(parsePeerFlag), from: `the peers of --internal-from`};
  const p = spec.policy;
  if (p?.internalFrom && p.internalFromAt) return {peers: p.internalFrom, from: `the peers of policy.internalFrom (${p.internalFromAt.file}:${p.internalFromAt.line})`};
  return undefined;
};

export const runPolicy = async (a: PolicyArgs, io: Io): Promise<number> => {
  if (a.container !== undefined && !a.manifests.length) throw new InputError('--container names the container that runs the image in the manifests: pass --manifests too.');
  const specPath = a.spec ?? ['portgate.yml', 'portgate.yaml'].find(f => existsSync(f));
  if (!specPath) throw new InputError('portgate policy writes the policy from portgate.yml, and there is none here: pass --spec PATH (`portgate init` writes one).');
  const spec = loadSpec(await readInput(specPath, 'the spec'), specPath);
  const sources = await readManifestSources(a.manifests, readStdin);
  const targets = policyTargets(sources.length ? loadKubernetes(sources) : undefined, {
    ...(a.image !== undefined && {image: a.image}),
    ...(a.container !== undefined && {containerName: a.container}),
    ...(a.podSelector !== undefined && {podSelector: parseLabelList(a.podSelector, '--pod-selector')}),
    ...(a.namespace !== undefined && {namespace: check(a.namespace, namespaceIssue, '--namespace')}),
    ...(a.name !== undefined && {name: check(a.name, objectNameIssue, '--name')})
  });
  const internal = internalPeers(a, spec);
  const policies = targets.map(t => generatePolicy(spec, t, internal));
  // A policy the API server would refuse must not be printed: that is portgate's bug (exit 4), not the user's.
  for (const p of policies) validatePolicy(p.object);
  const text = renderPolicies(policies);
  if (!a.output) {
    io.stdout(text);
    return EXIT.pass;
  }
  try {
    await writeFile(a.output, text);
  } catch (e) {
    throw new InputError(`cannot write --output ${a.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Check that its folder exists and is writable.`);
  }
  return EXIT.pass;
};
