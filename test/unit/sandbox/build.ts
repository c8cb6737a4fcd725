import {emptyRun, type DeployedRun} from '../../../src/manifests/deployed-run.js';
import {deployedLayer, planSandbox, specLayers} from '../../../src/sandbox/index.js';
import type {RunLocations} from '../../../src/spec/types.js';
import type {RunConfig} from '../../../src/spec/types.js';
import type {SandboxLayer, SandboxPlan} from '../../../src/sandbox/types.js';

/** Plain-object builders for sandbox layers: a test reads like the manifest and portgate.yml it stands for. */

export const K8S = 'deploy/k8s.yaml';
export const SPEC = 'portgate.yml';
export const WHAT = 'container api of Deployment shop-api';

/** `deploy/k8s.yaml:LINE`, column 11 like a value under a container. */
export const at = (line: number, file = K8S) => ({file, line, column: 11});

/** One container of a Deployment (declared at deploy/k8s.yaml:10), with the given manifest fields. */
export const manifest = (run: Partial<DeployedRun>, imageUser = ''): SandboxLayer =>
  deployedLayer({...emptyRun(), ...run}, WHAT, {file: K8S, line: 10}, imageUser);

/** portgate.yml's `run:`, each key located at the line given in `lines` (as loadSpec locates them). */
export const spec = (run: RunConfig, lines: Partial<Record<keyof RunLocations, number>> = {}): SandboxLayer[] =>
  specLayers(run, SPEC, Object.fromEntries(Object.entries(lines).map(([k, line]) => [k, {file: SPEC, line, column: 3}])) as RunLocations);

/** The engine's default capability set minus NET_RAW: what `default` grants. */
export const DEFAULT_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/** portgate.yml with `sandbox: strict` at line 9: the plan most exit diagnoses run under. */
export const strictPlan = (): SandboxPlan => planSandbox(spec({sandbox: 'strict'}, {sandbox: 9}));
