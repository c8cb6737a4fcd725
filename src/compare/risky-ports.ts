import type {Protocol, RiskCategory} from '../model.js';
import {meshPortOf, meshRisk, type MeshFacts} from './mesh.js';

/** A port whose presence in a production image is almost always a mistake. */
export interface RiskyPort {
  port: number;
  /** Inclusive end of a range of ports (a service that picks one at start-up). */
  to?: number;
  /**
   * Only when owned by one of these executables (file names, as /proc/PID/exe
   * gives them): for ports that are risky for one program and ordinary for
   * others (8088 is InfluxDB's backup RPC and many apps' HTTP). Such entries
   * never match an EXPOSE line alone: nothing says who will own the port.
   */
  owners?: readonly string[];
  /** Absent: any protocol. */
  protocol?: Protocol;
  /** Reads after "8080/tcp is …" and on its own, e.g. `JDWP (Java remote debugging)`. */
  name: string;
  category: RiskCategory;
  /** One sentence: what it is and why it must not ship. */
  why: string;
}

const risky = (port: number, protocol: Protocol | undefined, category: RiskyPort['category'], name: string, why: string, more: Pick<RiskyPort, 'to' | 'owners'> = {}): RiskyPort => ({
  port,
  ...(protocol && {protocol}),
  name,
  category,
  why,
  ...more
});

const ISTIO_RESERVED =
  "Istio reserves it for the sidecar it injects, so an application that listens here collides with the sidecar in a meshed pod (one of the two fails to bind); Istio's own proxy serving it is judged by the mesh table (compare/mesh.ts) instead.";
const VS_REMOTE = (version: string) =>
  `Visual Studio ${version}'s remote debugger (msvsmon) listens here and lets whoever connects attach to and run code in any process it can see.`;

/**
 * The catalog. Conservative by design: a port is here only when listening on
 * it beyond loopback, or EXPOSEing it, is almost always a mistake. Ports that
 * are ordinary service ports for some image (8000, 9000 php-fpm, 6379 Redis,
 * 5432 PostgreSQL, 1234, 6443) are deliberately absent. A spec entry with a
 * `reason:` accepts any of these on purpose (a git server's SSH, a RabbitMQ
 * node's EPMD).
 */
// prettier-ignore
export const RISKY_PORTS: readonly RiskyPort[] = [
  // Debuggers: whoever reaches the port can run arbitrary code in the process.
  risky(5005, 'tcp', 'debug', 'JDWP (Java remote debugging)', 'The JVM debug agent (-agentlib:jdwp) has no authentication and lets whoever connects run arbitrary code in the JVM.'),
  risky(5858, 'tcp', 'debug', 'the legacy Node.js debugger', 'node --debug (Node.js before 8) accepts unauthenticated debugger connections that can evaluate arbitrary code.'),
  risky(9229, 'tcp', 'debug', 'the Node.js inspector', 'node --inspect has no authentication and lets whoever connects evaluate arbitrary JavaScript in the process.'),
  risky(9222, 'tcp', 'debug', 'the Chrome DevTools remote debugging port', 'Chromium\'s --remote-debugging-port gives whoever connects full control of the browser, its pages, cookies and local files.'),
  risky(2345, 'tcp', 'debug', 'Delve (Go debugger)', 'A headless dlv server lets whoever connects stop the program, read its memory and call its functions.'),
  risky(40000, 'tcp', 'debug', 'Delve (Go debugger)', 'A headless dlv server (40000 is the port most container guides use) lets whoever connects stop the program, read its memory and call its functions.'),
  risky(5678, 'tcp', 'debug', 'debugpy (Python debugger)', 'debugpy.listen() accepts unauthenticated debug sessions that can execute arbitrary Python in the process.'),
  risky(9003, 'tcp', 'debug', 'Xdebug (PHP debugger)', 'Xdebug 3 talks DBGp on this port, so a listener or EXPOSE here means a step debugger or debug proxy is part of the image.'),
  risky(4020, 'tcp', 'debug', 'the Visual Studio 2015 remote debugger', VS_REMOTE('2015')),
  risky(4022, 'tcp', 'debug', 'the Visual Studio 2017 remote debugger', VS_REMOTE('2017')),
  risky(4024, 'tcp', 'debug', 'the Visual Studio 2019 remote debugger', VS_REMOTE('2019')),
  risky(4026, 'tcp', 'debug', 'the Visual Studio 2022 remote debugger', VS_REMOTE('2022')),
  // Remote administration and remote desktops.
  risky(1099, 'tcp', 'remote-admin', 'the Java RMI registry (JMX remote)', 'Remote JMX over RMI lets whoever connects invoke MBeans, which without authentication means running arbitrary code in the JVM.'),
  risky(4369, 'tcp', 'remote-admin', 'Erlang EPMD', 'The Erlang port mapper advertises the node\'s distribution port, and anyone who also has the cookie gets a remote shell on the node; only clustered nodes need it.'),
  risky(25672, 'tcp', 'remote-admin', 'the Erlang distribution port (RabbitMQ inter-node)', 'Whoever reaches it with the Erlang cookie gets a remote shell on the node (rpc:call runs any code); only the other cluster nodes and the CLI tools need it.'),
  risky(32768, 'tcp', 'remote-admin', 'an Erlang distribution port (picked at start-up)', 'Without inet_dist_listen_min/max an Erlang node opens its distribution port at random; whoever reaches it with the cookie gets a remote shell on the node.', {to: 60999, owners: ['beam.smp', 'beam']}),
  risky(9010, 'tcp', 'remote-admin', 'JMX remote (the usual com.sun.management.jmxremote.port)', 'Remote JMX lets whoever connects invoke MBeans; without authentication and TLS (authenticate=false is common in images) that means running arbitrary code in the JVM.'),
  risky(8005, 'tcp', 'remote-admin', "Tomcat's shutdown port", 'Anyone who reaches it and sends the shutdown word (by default SHUTDOWN) stops the server; Tomcat binds it to localhost for that reason.', {owners: ['java']}),
  risky(6082, 'tcp', 'remote-admin', "Varnish's management CLI", 'varnishadm\'s CLI port reloads configuration and runs inline VCL with only a shared secret file as protection, so it belongs on localhost.'),
  risky(953, 'tcp', 'remote-admin', "BIND's rndc control channel", 'rndc reloads zones, flushes caches and stops the server; named binds it to localhost by default and it must stay there.'),
  risky(8088, 'tcp', 'database-admin', "InfluxDB 1.x's backup and restore RPC", 'influxd\'s RPC service streams out every database (backup) and overwrites them (restore) without authentication; InfluxDB binds it to 127.0.0.1 by default.', {owners: ['influxd']}),
  risky(22, 'tcp', 'remote-admin', 'SSH', 'An SSH daemon in a container adds a login surface and keys to manage; use docker exec or kubectl exec instead.'),
  risky(3389, undefined, 'remote-admin', 'RDP (Remote Desktop)', 'A remote desktop server is an interactive login to the container and a frequent brute-force target.'),
  risky(5900, 'tcp', 'remote-admin', 'VNC', 'A VNC server gives interactive control of a desktop, often with a weak password or none.'),
  risky(6000, 'tcp', 'remote-admin', 'X11', 'An X server on TCP lets whoever connects capture the screen and inject keystrokes.'),
  risky(5985, 'tcp', 'remote-admin', 'WinRM over HTTP', 'Windows Remote Management runs commands remotely, here over cleartext HTTP.'),
  risky(5986, 'tcp', 'remote-admin', 'WinRM over HTTPS', 'Windows Remote Management runs commands remotely and does not belong in an application image.'),
  // Cleartext logins.
  risky(21, 'tcp', 'cleartext', 'FTP', 'FTP sends credentials and data in cleartext; use SFTP or HTTPS.'),
  risky(23, 'tcp', 'cleartext', 'Telnet', 'Telnet is a remote login that sends passwords and sessions in cleartext.'),
  risky(512, 'tcp', 'cleartext', 'rexec', 'rexec runs remote commands with a cleartext password.'),
  risky(513, 'tcp', 'cleartext', 'rlogin', 'rlogin is a cleartext remote login that can trust hosts without a password.'),
  risky(514, 'tcp', 'cleartext', 'rsh', 'rsh runs remote commands in cleartext, authenticated only by host trust (514/udp is syslog and is not flagged).'),
  // Container runtimes and cluster control planes: reaching them is root on the node or cluster.
  risky(2375, 'tcp', 'container-runtime', 'the Docker Engine API (plain HTTP)', 'An unauthenticated Docker API gives whoever connects root on the host through a privileged container.'),
  risky(2376, 'tcp', 'container-runtime', 'the Docker Engine API (TLS)', 'The Docker API controls the host as root, and an image that serves it is running or proxying a daemon it should not.'),
  risky(10250, 'tcp', 'container-runtime', 'the kubelet API', 'The kubelet API can exec into every pod on the node, and belongs to the node agent, never to an image.'),
  risky(10255, 'tcp', 'container-runtime', 'the kubelet read-only API', 'The unauthenticated read-only kubelet port discloses every pod spec on the node, including environment variables.'),
  risky(2379, 'tcp', 'container-runtime', 'the etcd client API', 'etcd holds a cluster\'s entire state and secrets, and anyone who reaches it without client-certificate authentication can read and rewrite them.'),
  risky(2380, 'tcp', 'container-runtime', 'the etcd peer API', 'The etcd peer port joins and replicates cluster members, and must only be reachable by the other members.'),
  // Service-mesh proxy administration.
  risky(15000, 'tcp', 'service-mesh-admin', 'the Envoy admin interface (Istio)', 'Envoy\'s admin API dumps configuration and secrets and can shut the proxy down; Istio binds it to localhost for that reason.'),
  risky(15004, 'tcp', 'service-mesh-admin', 'the Istio agent debug port', ISTIO_RESERVED),
  risky(15020, 'tcp', 'service-mesh-admin', 'the Istio agent metrics and debug port', ISTIO_RESERVED),
  risky(15021, 'tcp', 'service-mesh-admin', 'the Istio sidecar health port', ISTIO_RESERVED),
  risky(15090, 'tcp', 'service-mesh-admin', 'the Envoy Prometheus stats port (Istio)', ISTIO_RESERVED),
  risky(9901, 'tcp', 'service-mesh-admin', 'the Envoy admin interface', 'Envoy\'s admin API (on 9901 in Envoy\'s own examples) dumps configuration and secrets and can shut the proxy down; bind it to 127.0.0.1.'),
  // Database administration side doors (not the databases' service ports).
  risky(28017, 'tcp', 'database-admin', 'the MongoDB HTTP status interface', 'MongoDB\'s legacy HTTP and REST interface (removed in 3.6) serves server status and data without authentication.'),
  // Other.
  risky(11211, 'udp', 'other', 'memcached over UDP', 'memcached\'s UDP protocol has no authentication and is a well-known DDoS amplifier; memcached has disabled it by default since 1.5.6.'),
  risky(445, 'tcp', 'other', 'SMB', 'An SMB file server is a frequent target of wormable exploits and brute force, and application images should not serve Windows shares.'),
  risky(8009, 'tcp', 'other', 'Apache JServ Protocol (AJP)', 'AJP trusts whoever connects as a front-end proxy (CVE-2020-1938 "Ghostcat" read files through it); older Tomcat images enable it by default.')
];

const byPort = new Map<number, RiskyPort[]>();
const ranges: RiskyPort[] = [];
for (const r of RISKY_PORTS) {
  if (r.to !== undefined) ranges.push(r);
  else byPort.set(r.port, [...(byPort.get(r.port) ?? []), r]);
}

/**
 * The catalog entry for a port, or undefined when the port is not risky with
 * that protocol. `owners` are the file names of the executables that listen
 * on it (none for an EXPOSE line): entries bound to a program match only then.
 * A service mesh serving its own port (Envoy's 15021, a Consul agent's 8500)
 * is judged by the mesh table: risky only where the mesh keeps the port on
 * loopback (Envoy's admin 15000; Consul's API without ACLs, `facts`).
 */
export function riskyPort(port: number, protocol: Protocol, owners: readonly string[] = [], facts: MeshFacts = {}): RiskyPort | undefined {
  const mesh = meshPortOf(port, protocol, owners);
  if (mesh) {
    const risk = meshRisk(mesh, facts);
    return risk && {port, protocol, ...risk};
  }
  const fits = (r: RiskyPort) => (r.protocol === undefined || r.protocol === protocol) && (!r.owners || owners.some(o => r.owners!.includes(o)));
  return byPort.get(port)?.find(fits) ?? ranges.find(r => port >= r.port && port <= r.to! && fits(r));
}
