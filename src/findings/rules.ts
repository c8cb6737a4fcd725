import type {Severity} from '../model.js';

/**
 * The rule catalogue. Ids are a public contract: they appear in JSON, SARIF,
 * Code Quality and JUnit output and in `rules:` overrides, so never rename one.
 */
export interface RuleMeta {
  id: string;
  title: string;
  /** Default severity; a spec's `rules:` section may override it. */
  severity: Severity;
  /** What the rule checks and what to do about it (SARIF help text, docs). */
  help: string;
  /** CVSS-like 0.1–10.0 for GitHub code scanning. */
  securitySeverity: number;
}

const rule = (id: string, severity: Severity, securitySeverity: number, title: string, help: string): RuleMeta => ({
  id,
  severity,
  securitySeverity,
  title,
  help
});

export const RULES = {
  'undeclared-listener': rule('undeclared-listener', 'error', 7.5, 'Listener not in the port spec',
    'A process in the image listens on a non-loopback address on a port that portgate.yml does not declare. Remove the listener, bind it to 127.0.0.1, or declare the port in portgate.yml.'),
  'undeclared-loopback-listener': rule('undeclared-loopback-listener', 'warning', 2.0, 'Loopback listener not in the port spec',
    'A process listens on 127.0.0.1 or ::1 only, on a port that portgate.yml does not declare. It is not reachable from outside the container; declare it with `exposure: loopback` to document it.'),
  'declared-not-listening': rule('declared-not-listening', 'error', 3.0, 'Declared port not listening',
    'portgate.yml declares a port that nothing listened on before the wait ended. Check that the service starts with the configured command and environment, raise run.timeout if it starts slowly, or remove the port from the spec.'),
  'bound-to-loopback': rule('bound-to-loopback', 'error', 3.0, 'Public or internal port bound only to loopback',
    'The port is declared public or internal but the process binds it to 127.0.0.1 or ::1, so no other container can reach it. Bind to 0.0.0.0 or ::, or declare the port with `exposure: loopback`.'),
  'loopback-port-reachable': rule('loopback-port-reachable', 'error', 7.0, 'Loopback port bound beyond loopback',
    'The port is declared `exposure: loopback` but the process binds it to a non-loopback address, so anything on the container network can reach it. Bind it to 127.0.0.1 (or ::1).'),
  'loopback-port-exposed': rule('loopback-port-exposed', 'error', 5.0, 'Loopback port is EXPOSEd',
    'The port is declared `exposure: loopback` but the image EXPOSEs it, so `docker run -P` and orchestrators will publish it. Remove it from EXPOSE.'),
  'exposed-not-declared': rule('exposed-not-declared', 'error', 5.0, 'EXPOSEd port not in the port spec',
    'The image EXPOSEs a port (in this Dockerfile or inherited from the base image) that portgate.yml does not declare. Declare it, or remove the EXPOSE line (an inherited port cannot be removed; declare it with a reason).'),
  'public-not-exposed': rule('public-not-exposed', 'error', 3.0, 'Public port not EXPOSEd',
    'The port is declared `exposure: public` but the image does not EXPOSE it, so `docker run -P`, health checks and tooling that read image metadata will miss it. Add an EXPOSE line, or declare the port `internal`.'),
  'listener-not-exposed': rule('listener-not-exposed', 'error', 6.0, 'Listener not EXPOSEd',
    'Without a port spec, portgate compares EXPOSE with the runtime: a process listens on a non-loopback address on a port the image does not EXPOSE. EXPOSE it, stop it, or bind it to 127.0.0.1; or run `portgate init` to write a spec.'),
  'exposed-loopback-only': rule('exposed-loopback-only', 'error', 4.0, 'EXPOSEd port listens on loopback only',
    'Without a port spec, portgate compares EXPOSE with the runtime: the image EXPOSEs a port but the process binds it to 127.0.0.1 or ::1 only, so nothing outside the container can reach what the image advertises. Bind it to 0.0.0.0 or ::, or remove the EXPOSE line (and declare the port `exposure: loopback` in portgate.yml).'),
  'exposed-not-listening': rule('exposed-not-listening', 'error', 3.0, 'EXPOSEd port not listening',
    'Without a port spec, portgate compares EXPOSE with the runtime: the image EXPOSEs a port that nothing listened on before the wait ended. Remove the stale EXPOSE line, or fix the service so it listens.'),
  'protocol-mismatch': rule('protocol-mismatch', 'error', 3.0, 'TCP/UDP confusion',
    'A port is expected with one protocol (EXPOSE or spec) but the process listens on it with another. EXPOSE defaults to tcp: write `53/udp` for a UDP service, and `protocol: udp` in portgate.yml.'),
  'container-exited': rule('container-exited', 'error', 3.0, 'Container exited before listeners settled',
    'The image exited while portgate waited for its listeners, so the runtime view is incomplete. Read the log tail in the finding; set `run.command`, `run.env` or `run.user` in portgate.yml if the service needs them to start.'),
  'risky-port': rule('risky-port', 'error', 8.0, 'Risky port',
    'The port is a known debug, remote-administration or control-plane port (for example JDWP 5005, Node inspector 9229, Delve 40000, Docker API 2375, SSH 22, Envoy admin 15000). Disable it in production images, or add a `reason:` to the port in portgate.yml to accept it.'),
  'untrusted-reader': rule('untrusted-reader', 'warning', 4.0, 'Listeners read by a binary from the image',
    'With `--probe exec` the sockets were read by running a program from the image under test, which a hostile image can fake. Use `--probe host` or `--probe sidecar` for a trustworthy result.'),
  'dockerfile-mismatch': rule('dockerfile-mismatch', 'warning', 1.0, 'Dockerfile does not match the image',
    'The Dockerfile, resolved with the given --build-arg and --target, EXPOSEs a port the image does not have, so the image was built from another Dockerfile or with other values. Pass the same --dockerfile, --build-arg and --target as the build.'),
  'expose-host-part-ignored': rule('expose-host-part-ignored', 'warning', 1.0, 'EXPOSE with an IP or host port',
    'EXPOSE takes only `port[/protocol]`; Docker silently drops an IP address or host port (e.g. `EXPOSE 80:8080` exposes only 8080) and BuildKit warns this will become an error. Write the container port alone.'),
  // Deployment manifests (Kubernetes, Compose).
  'k8s-target-port-omitted': rule('k8s-target-port-omitted', 'warning', 3.0, 'Service targetPort omitted',
    'A Kubernetes Service port without targetPort sends traffic to the same number as `port`. Write targetPort explicitly so the wiring is reviewed.'),
  'k8s-target-port-not-listening': rule('k8s-target-port-not-listening', 'error', 4.0, 'Service targetPort not listened on',
    'The Service forwards to a container port (number or name) that no matched container listens on, or listens on with another protocol. Point targetPort at a real listener.'),
  'k8s-external-sensitive-port': rule('k8s-external-sensitive-port', 'error', 8.0, 'Sensitive port exposed outside the cluster',
    'A LoadBalancer or NodePort Service, or an Ingress, reaches a port declared internal/loopback or a risky-catalog port. Use a ClusterIP Service for it, or remove the port.'),
  'k8s-container-port-not-listening': rule('k8s-container-port-not-listening', 'warning', 2.0, 'containerPort not listened on',
    'A container declares a containerPort that nothing in the image listens on. Remove it or fix the service.'),
  'k8s-listener-not-declared': rule('k8s-listener-not-declared', 'warning', 2.0, 'Listener missing from container ports',
    'The image listens on a non-loopback port that the container spec does not list under `ports`. List it so Services, probes and policies can name it.'),
  'k8s-probe-port-not-listening': rule('k8s-probe-port-not-listening', 'error', 3.0, 'Probe port not listened on',
    'A liveness, readiness or startup probe targets a port (number or name) that the container does not listen on, or a port name the container does not define: the kubelet will restart the pod or never route to it. Point the probe at a real listener.'),
  'k8s-ingress-no-service': rule('k8s-ingress-no-service', 'warning', 1.0, 'Ingress backend Service not found',
    'An Ingress backend names a Service that is not in the given manifests, so portgate cannot tell what it exposes. Pass the manifests that define it, or fix the name.'),
  'compose-port-not-listening': rule('compose-port-not-listening', 'warning', 2.0, 'Compose port not listened on',
    'A Compose `ports:` or `expose:` entry targets a container port that nothing in the image listens on (or listens on with another protocol): connections to it fail. Fix the target port, add `/udp`, or remove the entry.'),
  'k8s-host-network': rule('k8s-host-network', 'warning', 6.0, 'Host networking',
    'hostNetwork: true, hostPort or Compose `network_mode: host` bypasses the container network namespace, Services and NetworkPolicies: every listener is on the node. Remove it unless the workload is a node agent.'),
  'k8s-service-no-workload': rule('k8s-service-no-workload', 'warning', 2.0, 'Service selects no workload',
    'The Service selector matches no workload in the given manifests. Fix the selector or the workload labels.'),
  'compose-published-all-interfaces': rule('compose-published-all-interfaces', 'error', 7.0, 'Compose publishes a sensitive port on all interfaces',
    'A Compose `ports:` entry without a host IP publishes on every host interface; here it reaches a port declared internal/loopback or a risky-catalog port. Bind it to 127.0.0.1 (`127.0.0.1:8080:8080`) or drop it.'),
  // NetworkPolicies (policy/check.ts).
  'k8s-netpol-loopback-port': rule('k8s-netpol-loopback-port', 'error', 6.0, 'NetworkPolicy allows a loopback port',
    'A NetworkPolicy ingress rule that selects the pods running the image allows a port portgate.yml declares `exposure: loopback` (a rule without `ports` allows every port). Such a port serves the pod itself only; if the process ever binds it beyond loopback, this rule lets the traffic in. Remove it from the rule (`portgate policy` writes a policy from portgate.yml).'),
  'k8s-netpol-undeclared-port': rule('k8s-netpol-undeclared-port', 'warning', 4.0, 'NetworkPolicy allows an undeclared port',
    'A NetworkPolicy ingress rule that selects the pods running the image allows a port that portgate.yml does not declare and the image does not EXPOSE (a rule without `ports` allows every port), so a listener added later is reachable without review. List only the declared ports, or declare the port.'),
  'k8s-netpol-missing': rule('k8s-netpol-missing', 'warning', 5.0, 'No NetworkPolicy restricts ingress',
    'No NetworkPolicy with policy type Ingress in the given manifests selects the pods running the image, so they accept connections on every port from every pod in the cluster. Add one (`portgate policy` writes it from portgate.yml), or pass the manifests that hold it.')
} as const satisfies Record<string, RuleMeta>;

export type RuleId = keyof typeof RULES;

export const ruleMeta = (id: string): RuleMeta | undefined => (RULES as Record<string, RuleMeta>)[id];
