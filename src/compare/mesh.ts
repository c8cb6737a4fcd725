import type {Protocol} from '../model.js';

/**
 * Service-mesh ports: what Istio's sidecar (Envoy and its agent, pilot-agent)
 * and a Consul agent listen on, where each belongs, and why it is or is not a
 * finding. A mesh port is judged by this table only when the mesh itself
 * serves it (every owner is one of the mesh's executables, as /proc/PID/exe
 * names them); an application that listens on one of them is squatting, and
 * the risky-port catalog still flags it (compare/risky-ports.ts). Pure.
 *
 * Sources: Istio's "Ports used by Istio" (the sidecar's ports and which are
 * pod-internal), `istioctl kube-inject` output (port names, probes);
 * Consul's "Required ports" and agent configuration (client_addr, ACLs).
 */

export type Mesh = 'istio' | 'consul';

/** The programs that serve a mesh's ports, by executable file name. */
export const MESH_EXECUTABLES: Record<Mesh, readonly string[]> = {
  istio: ['envoy', 'pilot-agent'],
  consul: ['consul']
};

export const MESH_NAMES: Record<Mesh, string> = {istio: 'Istio', consul: 'Consul'};

export interface MeshPort {
  port: number;
  /** Absent: TCP and UDP. */
  protocol?: Protocol;
  mesh: Mesh;
  /** Reads after "15000/tcp is …". */
  name: string;
  /**
   * `pod`: the mesh serves it on the pod's address (other pods, Prometheus or
   * the kubelet connect to it); `loopback`: the mesh keeps it on 127.0.0.1.
   */
  reach: 'pod' | 'loopback';
  /** What it is for, and why it is expected where the mesh puts it. */
  why: string;
  /** Why listening beyond loopback is a finding (only `loopback` ports have one). */
  exposed?: string;
  /** The finding holds only while ACLs are off (Consul's HTTP API). */
  unlessAcl?: boolean;
  /** The name Istio's injector gives the sidecar's containerPort for it. */
  portName?: string;
}

const entry = (mesh: Mesh, port: number, protocol: Protocol | undefined, reach: MeshPort['reach'], name: string, why: string, more: Pick<MeshPort, 'exposed' | 'unlessAcl' | 'portName'> = {}): MeshPort => ({
  port,
  ...(protocol && {protocol}),
  mesh,
  name,
  reach,
  why,
  ...more
});

const CONSUL_API =
  "Without ACLs, whoever reaches Consul's HTTP API reads and writes its key/value store and service catalog, deregisters services, and, where script checks are enabled, runs commands on the agent; Consul binds it to 127.0.0.1 (client_addr) by default.";

// prettier-ignore
export const MESH_PORTS: readonly MeshPort[] = [
  // Istio's sidecar: Envoy and its agent, pilot-agent (istio.io "Ports used by Istio").
  entry('istio', 15000, 'tcp', 'loopback', 'the Envoy admin interface (Istio sidecar)', 'Envoy\'s administration API, for istioctl and debugging from inside the pod.',
    {exposed: 'Envoy\'s admin API dumps the proxy\'s whole configuration (config_dump, with its certificates), changes log levels and runtime values, and shuts the proxy down (/quitquitquit); Istio keeps it pod-internal on 127.0.0.1.'}),
  entry('istio', 15001, 'tcp', 'pod', 'Envoy\'s outbound capture listener (Istio)', 'iptables redirects the pod\'s outbound TCP here; it serves no one from outside.'),
  entry('istio', 15004, 'tcp', 'loopback', 'the Istio agent\'s debug port', 'pilot-agent\'s debug endpoint, for the pod itself.',
    {exposed: 'The agent\'s debug endpoint serves the proxy\'s configuration state to whoever connects; Istio keeps it pod-internal.'}),
  entry('istio', 15006, 'tcp', 'pod', 'Envoy\'s inbound capture listener (Istio)', 'iptables redirects the pod\'s inbound TCP here, so the sidecar applies mTLS and policy before the application sees it.'),
  entry('istio', 15008, 'tcp', 'pod', 'the Istio HBONE mTLS tunnel port', 'Other proxies tunnel mTLS traffic to the pod through it.'),
  entry('istio', 15009, 'tcp', 'pod', 'the Istio HBONE port for secure networks', 'Gateways accept HBONE on it where the network is trusted.'),
  entry('istio', 15020, 'tcp', 'pod', 'the Istio agent\'s merged metrics and health port', 'Prometheus scrapes the merged agent, Envoy and application metrics here, and the kubelet\'s rewritten probes reach the application through it (/app-health/…).'),
  entry('istio', 15021, 'tcp', 'pod', 'the Istio sidecar\'s health port', 'The kubelet checks the sidecar\'s readiness here (/healthz/ready); load balancers check gateways on it.'),
  entry('istio', 15053, undefined, 'loopback', 'the Istio agent\'s DNS proxy', 'pilot-agent answers the pod\'s own DNS queries here when DNS capture is on; iptables redirects them on 127.0.0.1.',
    {exposed: 'The DNS proxy answers for the mesh\'s services and ServiceEntries to whoever asks, which Istio means for the pod\'s own lookups only.'}),
  entry('istio', 15090, 'tcp', 'pod', 'Envoy\'s Prometheus stats port (Istio)', 'Prometheus scrapes Envoy\'s own metrics here.', {portName: 'http-envoy-prom'}),
  // A Consul agent (consul.io "Required ports").
  entry('consul', 8300, 'tcp', 'pod', 'Consul\'s server RPC port', 'Servers replicate and clients forward requests over it; it must be reachable by the other agents.'),
  entry('consul', 8301, undefined, 'pod', 'Consul\'s Serf LAN gossip port', 'Every agent of the datacenter gossips membership over it.'),
  entry('consul', 8302, undefined, 'pod', 'Consul\'s Serf WAN gossip port', 'Servers of federated datacenters gossip over it.'),
  entry('consul', 8500, 'tcp', 'loopback', 'Consul\'s HTTP API', 'The agent\'s API for local services and tools.', {exposed: CONSUL_API, unlessAcl: true}),
  entry('consul', 8501, 'tcp', 'loopback', 'Consul\'s HTTPS API', 'The agent\'s API over TLS.', {exposed: `${CONSUL_API} TLS encrypts it, but authenticates callers only with verify_incoming.`, unlessAcl: true}),
  entry('consul', 8502, 'tcp', 'pod', 'Consul\'s gRPC port (xDS for Envoy sidecars)', 'Envoy sidecars and dataplanes fetch their configuration over it.'),
  entry('consul', 8503, 'tcp', 'pod', 'Consul\'s gRPC TLS port', 'Envoy sidecars and dataplanes fetch their configuration over it, with TLS.'),
  entry('consul', 8600, undefined, 'pod', 'Consul\'s DNS interface', 'Service discovery by DNS for the datacenter.')
];

const fits = (m: MeshPort, port: number, protocol: Protocol): boolean => m.port === port && (m.protocol === undefined || m.protocol === protocol);

/** The table's entry for a port of `mesh`, whoever serves it. */
export const meshPort = (mesh: Mesh, port: number, protocol: Protocol): MeshPort | undefined => MESH_PORTS.find(m => m.mesh === mesh && fits(m, port, protocol));

/**
 * The mesh port these owners serve: every owner is an executable of the mesh
 * that reserves the port. No owners (an EXPOSE line, an unknown owner): none.
 */
export const meshPortOf = (port: number, protocol: Protocol, owners: readonly string[]): MeshPort | undefined =>
  owners.length ? MESH_PORTS.find(m => fits(m, port, protocol) && owners.every(o => MESH_EXECUTABLES[m.mesh].includes(o))) : undefined;

/** What portgate can read of the mesh's configuration. */
export interface MeshFacts {
  /** Consul's ACL system is on (CONSUL_LOCAL_CONFIG, -hcl, in the image's or the deployment's env and command). */
  consulAcl?: boolean;
}

/** When a mesh port served beyond loopback (or EXPOSEd) is a finding: its risk, in the risky-port catalog's terms; undefined when it is expected there. */
export const meshRisk = (m: MeshPort, facts: MeshFacts = {}): {name: string; why: string; category: 'service-mesh-admin'} | undefined =>
  m.exposed && !(m.unlessAcl && facts.consulAcl) ? {name: m.name, why: m.exposed, category: 'service-mesh-admin'} : undefined;

/**
 * Consul's ACL system switched on where portgate can read it: JSON or HCL in
 * an environment variable (CONSUL_LOCAL_CONFIG) or a command's `-hcl`
 * argument (`"acl": {"enabled": true}`, `acl { enabled = true }`), or the
 * legacy `acl_default_policy = "deny"`. Configuration files in the image are
 * not read: a port accepted for them takes a `reason:` in portgate.yml.
 */
export const consulAclEnabled = (texts: readonly string[]): boolean =>
  texts.some(t => /\bacl\b[\s\S]{0,200}?\benabled\b\W{0,4}true\b/i.test(t) || /\bacl_default_policy\b\W{0,4}deny\b/i.test(t));
