import type {Finding, RiskCategory, Severity} from '../model.js';

/**
 * The rule catalogue. Ids are a public contract: they appear in JSON, SARIF,
 * Code Quality and JUnit output and in `rules:` / `accept:` entries, so never
 * rename one. Everything a report says about a rule (title, what it means,
 * how to fix it, tags, grades, where it is documented) comes from here.
 */

/** What kind of problem a rule finds; SARIF `tags`. Only `security` rules carry a security severity. */
export type RuleTag = 'security' | 'correctness' | 'configuration';

/** GitLab Code Quality's severities, least to most severe. */
export const GRADES = ['info', 'minor', 'major', 'critical', 'blocker'] as const;
export type Grade = (typeof GRADES)[number];

/** README sections that document the rules; the anchor of each rule's `helpUri`. */
export type DocsSection = 'rules' | 'findings';

export interface RuleMeta {
  id: string;
  title: string;
  /** Default severity; a spec's `rules:` section may override it. */
  severity: Severity;
  /** What the finding means (SARIF fullDescription). */
  description: string;
  /** What to change to fix it (SARIF help, with the description). */
  fix: string;
  /** CVSS-like 0.1–10.0: GitHub code scanning's security severity for `security` rules, and the rank of a rule among findings of one severity. */
  securitySeverity: number;
  tags: readonly RuleTag[];
  /** Code Quality severity at the default severity (risky-port is graded by its catalog category: RISK_GRADES). */
  grade: Grade;
  docs: DocsSection;
}

const rule = (
  id: string,
  severity: Severity,
  securitySeverity: number,
  tags: readonly RuleTag[],
  grade: Grade,
  title: string,
  description: string,
  fix: string,
  docs: DocsSection = 'rules'
): RuleMeta => ({id, severity, securitySeverity, tags, grade, title, description, fix, docs});

const SEC = ['security'] as const;
const COR = ['correctness'] as const;
const CONF = ['configuration'] as const;

// prettier-ignore
export const RULES = {
  'undeclared-listener': rule('undeclared-listener', 'error', 7.5, SEC, 'major', 'Listener not in the port spec',
    'A process in the image listens on a non-loopback address on a port that portgate.yml does not declare, so the image serves something nobody reviewed.',
    'Stop the listener or bind it to 127.0.0.1; if the service really serves it, declare the port in portgate.yml (a risky port also needs a `reason:`).'),
  'undeclared-loopback-listener': rule('undeclared-loopback-listener', 'warning', 2.0, CONF, 'info', 'Loopback listener not in the port spec',
    'A process listens on 127.0.0.1 or ::1 only, on a port that portgate.yml does not declare. Nothing outside the container reaches it.',
    'Declare it in portgate.yml with `exposure: loopback` to document it, or stop the listener.'),
  'declared-not-listening': rule('declared-not-listening', 'error', 3.0, COR, 'major', 'Declared port not listening',
    'portgate.yml declares a port that nothing listened on before the wait ended (the finding says whether the timeout was hit or the container exited).',
    'Check that the service starts with the configured command and environment and raise run.timeout if it starts slowly; if the image EXPOSEs the port but never serves it (a base image\'s EXPOSE), mark the entry `served: false`; otherwise remove it from the spec.'),
  'bound-to-loopback': rule('bound-to-loopback', 'error', 3.0, COR, 'major', 'Public or internal port bound only to loopback',
    'The port is declared public or internal but the process binds it to 127.0.0.1 or ::1, so no other container can reach it.',
    'Bind it to 0.0.0.0 or ::, or declare the port with `exposure: loopback`.'),
  'loopback-port-reachable': rule('loopback-port-reachable', 'error', 7.0, SEC, 'critical', 'Loopback port bound beyond loopback',
    'The port is declared `exposure: loopback` but the process binds it to a non-loopback address, so anything on the container network can reach it.',
    'Bind it to 127.0.0.1 (or ::1).'),
  'loopback-port-exposed': rule('loopback-port-exposed', 'error', 5.0, SEC, 'major', 'Loopback port is EXPOSEd',
    'The port is declared `exposure: loopback` but the image EXPOSEs it, so `docker run -P` and orchestrators will publish it.',
    'Remove it from EXPOSE.'),
  'exposed-not-declared': rule('exposed-not-declared', 'error', 5.0, [...SEC, ...CONF], 'minor', 'EXPOSEd port not in the port spec',
    'The image EXPOSEs a port (in this Dockerfile or inherited from the base image) that portgate.yml does not declare.',
    'Declare it in portgate.yml, or remove the EXPOSE line. An inherited port cannot be removed: declare it with `served: false` when the service does not serve it.'),
  'public-not-exposed': rule('public-not-exposed', 'error', 3.0, CONF, 'minor', 'Public port not EXPOSEd',
    'The port is declared `exposure: public` but the image does not EXPOSE it, so `docker run -P`, health checks and tooling that read image metadata miss it.',
    'Add an EXPOSE line, or declare the port `internal`.'),
  'listener-not-exposed': rule('listener-not-exposed', 'error', 6.0, SEC, 'major', 'Listener not EXPOSEd',
    'Without a port spec, portgate compares EXPOSE with the runtime: a process listens on a non-loopback address on a port the image does not EXPOSE.',
    'For a service port, EXPOSE it; for a debug, admin or other risky port, stop it or bind it to 127.0.0.1. Or run `portgate init` to write a spec.'),
  'exposed-loopback-only': rule('exposed-loopback-only', 'error', 4.0, COR, 'minor', 'EXPOSEd port listens on loopback only',
    'Without a port spec, portgate compares EXPOSE with the runtime: the image EXPOSEs a port but the process binds it to 127.0.0.1 or ::1 only, so nothing outside the container can reach what the image advertises.',
    'Bind it to 0.0.0.0 or ::, or remove the EXPOSE line (and declare the port `exposure: loopback` in portgate.yml).'),
  'exposed-not-listening': rule('exposed-not-listening', 'error', 3.0, COR, 'minor', 'EXPOSEd port not listening',
    'Without a port spec, portgate compares EXPOSE with the runtime: the image EXPOSEs a port that nothing listened on before the wait ended.',
    'Remove the stale EXPOSE line, or fix the service so it listens; for an inherited EXPOSE the service does not serve, write a portgate.yml that declares it `served: false`.'),
  'protocol-mismatch': rule('protocol-mismatch', 'error', 3.0, COR, 'major', 'TCP/UDP confusion',
    'A port is expected with one protocol (EXPOSE or spec) but the process listens on it with another.',
    'EXPOSE defaults to tcp: write `53/udp` for a UDP service, and `protocol: udp` in portgate.yml.'),
  'container-exited': rule('container-exited', 'error', 3.0, COR, 'major', 'Container exited before listeners settled',
    'The image exited while portgate waited for its listeners, so the runtime view is incomplete.',
    'Read the cause and the log tail in the finding; set `run.command`, `run.env` or `run.user` in portgate.yml if the service needs them to start.'),
  'risky-port': rule('risky-port', 'error', 8.0, SEC, 'critical', 'Risky port',
    'The port is a known debug, remote-administration or control-plane port (for example JDWP 5005, Node inspector 9229, Delve 40000, Docker API 2375, SSH 22, Envoy admin 15000), reachable or advertised by the image.',
    'Disable it in production images, or add a `reason:` to the port in portgate.yml to accept it.'),
  'debug-agent-configured': rule('debug-agent-configured', 'error', 8.0, SEC, 'critical', 'Debug agent configured',
    'The image config, the deployment manifests or the sandbox run enable a debugger (JDWP through JAVA_TOOL_OPTIONS or -agentlib:jdwp, node --inspect or NODE_OPTIONS, dlv --listen, debugpy or ptvsd, --remote-debugging-port), whether or not it listened while portgate watched: an environment variable or flag in production can switch it on.',
    'Remove the setting from the image and the manifests, and enable debugging per environment where it is needed; to accept it, declare the port it opens in portgate.yml with a `reason:`.'),
  'unserved-port-listening': rule('unserved-port-listening', 'error', 6.0, SEC, 'major', 'Port declared not served is listening',
    'portgate.yml declares the port `served: false` (EXPOSEd, knowingly not served), but a process listens on it.',
    'Stop the listener, or remove `served: false` and give the port the exposure it needs.'),
  'privileged-port': rule('privileged-port', 'note', 3.0, CONF, 'info', 'Listener on a privileged port',
    'A process listens on a port below 1024, which needs root or CAP_NET_BIND_SERVICE: it binds under `docker run` and as root in a default Kubernetes pod, but not where the pod drops that capability or runs as a non-root user without it. A warning when the process runs as a non-root user from the start: it binds only where the runtime lowers net.ipv4.ip_unprivileged_port_start (Docker, containerd 2.x), not on containerd 1.x or CRI-O nodes. A process that starts as root and binds after switching user (BIND\'s named) keeps the capability: a note.',
    'Listen on an unprivileged port (e.g. nginx `listen 8080`) and map the Service\'s `port: 80` to `targetPort: 8080`; or pass the deployment manifests so portgate can tell how they run it.'),
  'root-listener': rule('root-listener', 'warning', 5.0, SEC, 'major', 'Root owns a listener the image or the pod says is not root',
    'A listener is owned by uid 0 although the image\'s USER or the pod\'s runAsUser/runAsNonRoot says the service runs as another user: a runAsUser: 0, Compose `user: root` or `run.user` overrides it, or the image\'s USER name is uid 0 in its /etc/passwd.',
    'Remove the override so the service runs as the image\'s user; if it is root only to bind a port below 1024, listen on a port of 1024 or more, or set the pod sysctl net.ipv4.ip_unprivileged_port_start.'),
  'untrusted-reader': rule('untrusted-reader', 'warning', 4.0, SEC, 'minor', 'Listeners read by a binary from the image',
    'With `--probe exec` the sockets were read by running a program from the image under test, which a hostile image can fake.',
    'Use `--probe host` or `--probe sidecar` for a trustworthy result.'),
  'dockerfile-mismatch': rule('dockerfile-mismatch', 'warning', 1.0, CONF, 'minor', 'Dockerfile does not match the image',
    'The Dockerfile, resolved with the given --build-arg and --target, EXPOSEs a port the image does not have, so the image was built from another Dockerfile or with other values.',
    'Pass the same --dockerfile, --build-arg and --target as the build.'),
  'expose-host-part-ignored': rule('expose-host-part-ignored', 'warning', 1.0, CONF, 'info', 'EXPOSE with an IP or host port',
    'EXPOSE takes only `port[/protocol]`; Docker silently drops an IP address or host port (e.g. `EXPOSE 80:8080` exposes only 8080) and BuildKit warns this will become an error.',
    'Write the container port alone.'),
  'suppression-expired': rule('suppression-expired', 'warning', 1.0, CONF, 'minor', 'Suppression expired',
    'An `accept:` entry in portgate.yml is past its `until:` date, so the finding it accepted counts again.',
    'Fix the finding and remove the entry, or review it and move `until:` to a new date.'),
  'suppression-unused': rule('suppression-unused', 'note', 1.0, CONF, 'info', 'Suppression matches nothing',
    'An `accept:` entry in portgate.yml matches no finding of this run: the problem it accepted is gone, or the entry names the wrong rule, port or file.',
    'Remove the entry, or correct its `rule`, `port`, `protocol` or `file`.'),
  // Deployment manifests (Kubernetes, Compose).
  'k8s-target-port-omitted': rule('k8s-target-port-omitted', 'warning', 3.0, CONF, 'info', 'Service targetPort omitted',
    'A Kubernetes Service port without targetPort sends traffic to the same number as `port`.',
    'Write targetPort explicitly (preferably a port name) so the wiring is reviewed.', 'findings'),
  'k8s-target-port-not-listening': rule('k8s-target-port-not-listening', 'error', 4.0, COR, 'major', 'Service targetPort not listened on',
    'The Service forwards to a container port (number or name) that no matched container listens on, or listens on with another protocol.',
    'Point targetPort at a port the container serves, or fix the service.', 'findings'),
  'k8s-external-sensitive-port': rule('k8s-external-sensitive-port', 'error', 8.0, SEC, 'critical', 'Sensitive port exposed outside the cluster',
    'A LoadBalancer or NodePort Service, or an Ingress, reaches a port declared internal/loopback or a risky-catalog port.',
    'Serve the port from a separate ClusterIP Service, or remove it from the external one.', 'findings'),
  'k8s-container-port-not-listening': rule('k8s-container-port-not-listening', 'warning', 2.0, COR, 'minor', 'containerPort not listened on',
    'A container declares a containerPort that nothing in the image listens on.',
    'Remove the entry, or fix the service so it listens.', 'findings'),
  'k8s-listener-not-declared': rule('k8s-listener-not-declared', 'warning', 2.0, CONF, 'minor', 'Listener missing from container ports',
    'The image listens on a non-loopback port that the container spec does not list under `ports`.',
    'List it with a name so Services, probes and policies can name it, or stop the listener.', 'findings'),
  'k8s-probe-port-not-listening': rule('k8s-probe-port-not-listening', 'error', 3.0, COR, 'major', 'Probe port not listened on',
    'A liveness, readiness or startup probe targets a port (number or name) that the container does not listen on, or a port name the container does not define: the kubelet will restart the pod or never route to it.',
    'Point the probe at a port the container serves.', 'findings'),
  'k8s-ingress-no-service': rule('k8s-ingress-no-service', 'warning', 1.0, COR, 'minor', 'Ingress backend Service not found',
    'An Ingress backend names a Service that is not in the given manifests, so portgate cannot tell what it exposes.',
    'Pass the manifests that define it, or fix the name.', 'findings'),
  'compose-port-not-listening': rule('compose-port-not-listening', 'warning', 2.0, COR, 'minor', 'Compose port not listened on',
    'A Compose `ports:` or `expose:` entry targets a container port that nothing in the image listens on (or listens on with another protocol): connections to it fail.',
    'Fix the target port, add `/udp`, or remove the entry.', 'findings'),
  'k8s-host-network': rule('k8s-host-network', 'warning', 6.0, SEC, 'major', 'Host networking',
    'hostNetwork: true, hostPort or Compose `network_mode: host` bypasses the container network namespace, Services and NetworkPolicies: every listener is on the node.',
    'Remove it unless the workload is a node agent.', 'findings'),
  'k8s-service-no-workload': rule('k8s-service-no-workload', 'warning', 2.0, COR, 'minor', 'Service selects no workload',
    'The Service selector matches no workload in the given manifests.',
    'Fix the selector or the workload labels.', 'findings'),
  'compose-published-all-interfaces': rule('compose-published-all-interfaces', 'error', 7.0, SEC, 'critical', 'Compose publishes a sensitive port on all interfaces',
    'A Compose `ports:` entry without a host IP publishes on every host interface; here it reaches a port declared internal/loopback or a risky-catalog port.',
    'Bind it to 127.0.0.1 (`127.0.0.1:8080:8080`) or drop it.', 'findings'),
  'k8s-privileged-port-denied': rule('k8s-privileged-port-denied', 'error', 5.0, COR, 'major', 'Privileged port the pod cannot bind',
    'The image listens on a port below 1024, but the Kubernetes container that runs it drops NET_BIND_SERVICE (or ALL) from its capabilities, so neither root nor a file capability can bind it: the process gets EACCES and the container crashes on nodes that leave net.ipv4.ip_unprivileged_port_start at 1024 (containerd 1.x, CRI-O, and every runtime with hostNetwork).',
    'Listen on a port of 1024 or more and map the Service\'s `port` to it as `targetPort`; or set the pod sysctl `net.ipv4.ip_unprivileged_port_start: "0"` (the restricted profile allows it); a root process may instead add NET_BIND_SERVICE back.', 'findings'),
  'k8s-non-root-refused': rule('k8s-non-root-refused', 'error', 4.0, COR, 'major', 'runAsNonRoot that the kubelet refuses',
    'The container sets runAsNonRoot: true, but runs as root (runAsUser: 0, or no runAsUser and an image USER that is empty or 0) or as a user name the kubelet cannot verify (a non-numeric USER): the kubelet refuses to start it (CreateContainerConfigError).',
    'Set a non-zero `runAsUser` in the securityContext, or give the image a numeric non-root USER (`USER 10001`).', 'findings'),
  'k8s-netpol-loopback-port': rule('k8s-netpol-loopback-port', 'error', 6.0, SEC, 'critical', 'NetworkPolicy allows a loopback port',
    'A NetworkPolicy ingress rule that selects the pods running the image allows a port portgate.yml declares `exposure: loopback` (a rule without `ports` allows every port). Such a port serves the pod itself only; if the process ever binds it beyond loopback, this rule lets the traffic in.',
    'Remove it from the rule (`portgate policy` writes a policy from portgate.yml).', 'findings'),
  'k8s-netpol-undeclared-port': rule('k8s-netpol-undeclared-port', 'warning', 4.0, SEC, 'major', 'NetworkPolicy allows an undeclared port',
    'A NetworkPolicy ingress rule that selects the pods running the image allows a port that portgate.yml does not declare and the image does not EXPOSE (a rule without `ports` allows every port), so a listener added later is reachable without review.',
    'List only the declared ports, or declare the port.', 'findings'),
  'k8s-netpol-missing': rule('k8s-netpol-missing', 'warning', 5.0, SEC, 'major', 'No NetworkPolicy restricts ingress',
    'No NetworkPolicy with policy type Ingress in the given manifests selects the pods running the image, so they accept connections on every port from every pod in the cluster.',
    'Add one (`portgate policy` writes it from portgate.yml), or pass the manifests that hold it.', 'findings')
} as const satisfies Record<string, RuleMeta>;

export type RuleId = keyof typeof RULES;

export const ruleMeta = (id: string): RuleMeta | undefined => (RULES as Record<string, RuleMeta>)[id];

/** Rules that report a port open to a debugger or an administrator: reports put them, and other findings on their ports, first. */
export const RISK_RULES: ReadonlySet<string> = new Set<RuleId>(['risky-port', 'debug-agent-configured']);

/**
 * Within one severity, which rule matters more: the catalogue's
 * securitySeverity, with a crash boosted above plain drift (it makes every
 * runtime finding unreliable, and its message says why). Unknown rules: 0.
 */
export const BOOST: Partial<Record<RuleId, number>> = {'container-exited': 6.5};
export const importance = (rule: string): number => BOOST[rule as RuleId] ?? ruleMeta(rule)?.securitySeverity ?? 0;

/**
 * Where every rule is documented: the README on the npm package page (the
 * one public home the package name guarantees; SARIF's informationUri).
 */
export const DOCS_URL = 'https://www.npmjs.com/package/portgate';
export const helpUri = (m: Pick<RuleMeta, 'docs'>): string => `${DOCS_URL}#${m.docs}`;

/**
 * Code Quality grades of risky-port by catalog category: a debugger or a
 * container runtime API is code execution for whoever connects; an admin
 * interface is one step from it; cleartext logins and the rest are serious
 * but not that.
 */
export const RISK_GRADES: Record<RiskCategory, Grade> = {
  debug: 'blocker',
  'container-runtime': 'blocker',
  'remote-admin': 'critical',
  'service-mesh-admin': 'critical',
  'database-admin': 'critical',
  cleartext: 'major',
  other: 'major'
};

const lower = (a: Grade, b: Grade): Grade => (GRADES.indexOf(a) <= GRADES.indexOf(b) ? a : b);

/**
 * A finding's Code Quality grade, the one table every writer uses: the
 * rule's grade (risky-port's by its category), then the spec's severity
 * override: a note is `info`, a warning at most `major`. Unknown rules are
 * graded by severity alone.
 */
export const gradeOf = (f: Pick<Finding, 'rule' | 'severity' | 'category'>): Grade => {
  const m = ruleMeta(f.rule);
  const base: Grade = !m ? ({error: 'major', warning: 'minor', note: 'info'} as const)[f.severity] : f.rule === 'risky-port' && f.category ? RISK_GRADES[f.category] : m.grade;
  if (f.severity === 'note') return 'info';
  return f.severity === 'warning' ? lower(base, 'major') : base;
};
