import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

/**
 * Real server software from Debian bookworm packages, one image per service,
 * built by test/real-services/build.sh. What each one really listens on under
 * a plain `docker run` is recorded in test/real-services/OBSERVED.md.
 */

/** Ways real services trip a port gate or its sandbox; OBSERVED.md has the evidence for each entry. */
export type FailureClass =
  /** Writes under /var or /run at start-up and exits when it cannot (a read-only root stops it). */
  | 'writes-under-var'
  /** Writes under /tmp at start-up and exits when it cannot (a tmpfs there is enough). */
  | 'writes-under-tmp'
  /** Starts as root and switches user or groups itself, which needs SETUID/SETGID (or CHOWN). */
  | 'drops-privileges'
  /** Runs as root and reads a config file only its service user may read: needs CAP_DAC_OVERRIDE. */
  | 'root-0640-config'
  /** Runs as root and writes into a /run folder owned by its service user: needs CAP_DAC_OVERRIDE. */
  | 'root-writes-service-dir'
  /** Binds a port below 1024. */
  | 'binds-below-1024'
  /** A port opens seconds after start or after the ports before it: a short settle window ends first. */
  | 'late-listeners'
  /** The same port on UDP and TCP. */
  | 'udp-and-tcp'
  /** Debian's default config binds loopback only, although the Dockerfile EXPOSEs the port. */
  | 'loopback-default'
  /** A debugger or remote-management agent listens beyond loopback. */
  | 'debug-agent'
  /** A port number chosen at random (RMI export, debug channel, resolver socket): differs on every run. */
  | 'dynamic-ports'
  /** Binds each interface address on its own (incl. link-local with %iface), no wildcard. */
  | 'per-interface-bind'
  /** One port as two sockets: 0.0.0.0 and an IPV6_V6ONLY `[::]`. */
  | 'v6only-split'
  /** One IPv6 wildcard socket (`*` in ss) that also serves IPv4: only tcp6/udp6 in /proc. */
  | 'dual-stack-wildcard'
  /** The listener set differs with and without IPv6 in the container (::1 added, `*` instead of 0.0.0.0). */
  | 'ipv6-dependent'
  /** Listens beyond loopback on ports its Dockerfile does not EXPOSE (besides debug agents). */
  | 'unexposed-listeners';

export interface RealService {
  /** Folder name under test/real-services/services/. */
  name: string;
  image: string;
  description: string;
  /** What its Dockerfile EXPOSEs (Docker notation); every one listens once the service is up. */
  exposes: readonly string[];
  covers: readonly FailureClass[];
}

const svc = (name: string, description: string, exposes: string[], covers: FailureClass[]): RealService => ({
  name,
  image: `portgate-real-${name}:test`,
  description,
  exposes,
  covers
});

export const REAL_SERVICES: readonly RealService[] = [
  svc('nginx', "nginx 1.22, Debian's default site on 80; workers run as www-data", ['80/tcp'], ['writes-under-var', 'drops-privileges', 'binds-below-1024', 'v6only-split']),
  svc('postgresql', 'PostgreSQL 15, the cluster Debian creates at install, run as postgres', ['5432/tcp'], ['loopback-default', 'writes-under-var', 'ipv6-dependent']),
  svc('redis', "Redis 7.0 as root with Debian's 0640 redis:redis /etc/redis/redis.conf", ['6379/tcp'], ['root-0640-config', 'loopback-default', 'writes-under-var', 'ipv6-dependent']),
  svc('haproxy', "HAProxy 2.6, Debian's config (chroot, user haproxy, admin socket) plus a frontend on :80", ['80/tcp'], ['writes-under-var', 'root-writes-service-dir', 'drops-privileges', 'binds-below-1024']),
  svc('mosquitto', 'Mosquitto 2.0 with no listener configured: local-only mode', ['1883/tcp'], ['loopback-default', 'writes-under-var', 'drops-privileges', 'ipv6-dependent']),
  svc('dnsmasq', "dnsmasq 2.90 with Debian's options: DNS on 53 over UDP and TCP, drops to dnsmasq", ['53/udp', '53/tcp'], ['udp-and-tcp', 'binds-below-1024', 'writes-under-var', 'root-writes-service-dir', 'drops-privileges', 'v6only-split']),
  svc('rabbitmq', 'RabbitMQ 3.10 with the management plugin, started by rabbitmq-server (su to rabbitmq)', ['5672/tcp', '15672/tcp'], ['late-listeners', 'unexposed-listeners', 'dynamic-ports', 'writes-under-var', 'drops-privileges', 'dual-stack-wildcard', 'v6only-split']),
  svc('memcached', "memcached 1.6 via Debian's wrapper and /etc/memcached.conf (-l 127.0.0.1, -u memcache)", ['11211/tcp'], ['loopback-default', 'drops-privileges']),
  svc('sshd', 'OpenSSH 9.2 sshd in the foreground, host keys generated at build', ['22/tcp'], ['binds-below-1024', 'v6only-split']),
  svc('prometheus', "Prometheus 2.42 as user prometheus with Debian's defaults", ['9090/tcp'], ['dual-stack-wildcard', 'writes-under-var']),
  svc('jdwp', 'OpenJDK 17 HTTP server on 8080 with the JDWP agent on *:5005', ['8080/tcp'], ['debug-agent', 'dual-stack-wildcard', 'ipv6-dependent']),
  svc('jmx', 'OpenJDK 17 HTTP server on 8080 with unauthenticated remote JMX on 9010', ['8080/tcp'], ['debug-agent', 'dynamic-ports', 'dual-stack-wildcard', 'ipv6-dependent']),
  svc('node-inspect', "Debian's Node 18 http server on 3000 with --inspect=0.0.0.0:9229", ['3000/tcp'], ['debug-agent', 'dual-stack-wildcard']),
  svc('delve', 'A Go http server on 8080 under Delve 1.20 (headless API on :40000)', ['8080/tcp'], ['debug-agent', 'dual-stack-wildcard']),
  svc('python-http', 'python3 -m http.server 8000: the plain control case', ['8000/tcp'], []),
  svc('tomcat', "Tomcat 10.1 via Debian's start script as user tomcat", ['8080/tcp'], ['late-listeners', 'dual-stack-wildcard', 'ipv6-dependent']),
  svc('varnish', "Varnish 7.1 with Debian's command line: :6081 and the admin CLI on localhost:6082", ['6081/tcp'], ['v6only-split', 'writes-under-var', 'drops-privileges', 'ipv6-dependent']),
  svc('bind9', 'BIND 9.18 named in the foreground, dropping to bind', ['53/udp', '53/tcp'], ['per-interface-bind', 'udp-and-tcp', 'binds-below-1024', 'drops-privileges', 'writes-under-var', 'ipv6-dependent']),
  svc('etcd', 'etcd 3.4 as user etcd with no flags (etcd defaults to localhost)', ['2379/tcp', '2380/tcp'], ['loopback-default', 'writes-under-var']),
  svc('zookeeper', "ZooKeeper 3.8 via zkServer.sh start-foreground with Debian's environment", ['2181/tcp'], ['dynamic-ports', 'unexposed-listeners', 'writes-under-tmp', 'dual-stack-wildcard', 'ipv6-dependent']),
  svc('php-fpm', 'PHP-FPM 8.2 with the www pool on listen = 9000; workers run as www-data', ['9000/tcp'], ['root-writes-service-dir', 'writes-under-var', 'drops-privileges', 'dual-stack-wildcard']),
  svc('influxdb', "InfluxDB 1.6 as user influxdb with Debian's config (HTTP 8086, RPC on 127.0.0.1:8088)", ['8086/tcp'], ['dual-stack-wildcard', 'writes-under-var']),
  svc('debugpy', 'python3 -m debugpy --listen 0.0.0.0:5678 -m http.server 8000', ['8000/tcp'], ['debug-agent', 'dynamic-ports'])
];

export const realService = (name: string): RealService => {
  const s = REAL_SERVICES.find(x => x.name === name);
  if (!s) throw new Error(`no real service named ${name}`);
  return s;
};

export const BUILD_SCRIPT = fileURLToPath(new URL('../real-services/build.sh', import.meta.url));

/**
 * Runs build.sh (root; a fresh machine needs several minutes, a warm one
 * seconds), streaming its output to stderr. `names` limits the service images
 * built; the base is always ensured. Rejects with the tail of the output.
 */
export const ensureRealServiceImages = (names: readonly string[] = []): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, ...names], {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      out = (out + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${BUILD_SCRIPT} failed (${signal ?? `exit ${code}`}); last output:\n${out.split('\n').slice(-60).join('\n')}`))
    );
  });
