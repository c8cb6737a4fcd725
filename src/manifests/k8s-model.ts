import type {Protocol, SourceLocation} from '../model.js';
import type {DeployedRun} from './deployed-run.js';
import type {At} from './yaml-read.js';

/**
 * The slice of Kubernetes that decides where traffic goes, with the line each
 * field came from. Protocols are lower-case like the rest of portgate.
 */
export interface K8sMeta {
  kind: string;
  name: string;
  /** `default` when the manifest leaves it out, as `kubectl apply` would. */
  namespace: string;
  at: SourceLocation;
}

export interface ContainerPort {
  containerPort: number;
  protocol: Protocol;
  name?: string;
  hostPort?: number;
  at: SourceLocation;
  hostPortAt?: SourceLocation;
}

export interface Probe {
  /** e.g. `livenessProbe.httpGet`. */
  label: string;
  port: number | string;
  at: SourceLocation;
}

/**
 * `main` = spec.containers; `sidecar` = an initContainer with
 * `restartPolicy: Always` (runs alongside, can serve ports); `init` = runs to
 * completion before the others.
 */
export type ContainerRole = 'main' | 'sidecar' | 'init';

export interface Container {
  name: string;
  image: string;
  role: ContainerRole;
  ports: ContainerPort[];
  probes: Probe[];
  /** How the pod starts it: what the sandbox copies to run the image as deployed. */
  run: DeployedRun;
  at: SourceLocation;
  /** The `ports:` key, where a missing entry belongs. */
  portsAt?: SourceLocation;
}

export interface Workload extends K8sMeta {
  /** Pod template labels (what Service selectors match). */
  labels: Record<string, string>;
  /** Where each pod template label is written. */
  labelsAt: Record<string, SourceLocation>;
  /** Pod template annotations (`sidecar.istio.io/inject`), with the line of each key. */
  annotations: Record<string, At<string>>;
  /** The workload's own `spec.selector` (its pods, whatever other labels the template adds), where it has one. */
  selector?: LabelSelector;
  hostNetwork?: SourceLocation;
  containers: Container[];
  /** Job or CronJob: runs to completion, so it is not expected to serve the image's listeners. */
  batch: boolean;
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol: Protocol;
  targetPort?: number | string;
  nodePort?: number;
  at: SourceLocation;
  targetPortAt?: SourceLocation;
}

export interface Service extends K8sMeta {
  type: string;
  /** undefined: a Service without selector (manual Endpoints), which portgate does not follow. */
  selector?: Record<string, string>;
  selectorAt?: SourceLocation;
  ports: ServicePort[];
}

export interface IngressBackend {
  service: string;
  /** A Service port number, or a Service port name. */
  port: number | string;
  /** The backend's port (`number:`/`name:`, or `servicePort:`). */
  at: SourceLocation;
  /** The Service name (`name:`, or `serviceName:`). */
  serviceAt: SourceLocation;
}

export interface Ingress extends K8sMeta {
  backends: IngressBackend[];
}

/**
 * A label selector (`matchLabels` and `matchExpressions`, ANDed). An empty
 * one matches everything: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: {key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[]}[];
  at?: SourceLocation;
}

/** One `ports:` entry of a NetworkPolicy rule; no `port` = every port of `protocol`. */
export interface NetworkPolicyPort {
  protocol: Protocol;
  /** A number, or a container port name resolved in the selected pod. */
  port?: number | string;
  /** Inclusive end of a numeric range. */
  endPort?: number;
  at: SourceLocation;
}

/** One `from:` entry: pods by selectors (both set = both must match), or addresses. */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: {cidr: string; except: string[]};
}

export interface NetworkPolicyIngressRule {
  /** undefined or empty: every port. */
  ports?: NetworkPolicyPort[];
  /** undefined or empty: every source. */
  from?: NetworkPolicyPeer[];
  /** The rule's list item. */
  at: SourceLocation;
}

/** networking.k8s.io/v1 NetworkPolicy, as written (defaults are applied by policy/semantics.ts, not here). */
export interface NetworkPolicy extends K8sMeta {
  podSelector: LabelSelector;
  /** As written; undefined = defaulted from the rules present. */
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress: NetworkPolicyIngressRule[];
  /** Whether `egress:` has rules (decides the Egress default of policyTypes). */
  hasEgress: boolean;
}

/** A Namespace object of the manifests: its labels decide, for instance, Istio's sidecar injection. */
export interface Namespace extends K8sMeta {
  labels: Record<string, At<string>>;
}

export interface K8sObjects {
  workloads: Workload[];
  services: Service[];
  ingresses: Ingress[];
  networkPolicies: NetworkPolicy[];
  /** Namespace objects, when the manifests define them. */
  namespaces: Namespace[];
}
