import {networkInterfaces} from 'node:os';

/**
 * The isolated network's containment probes (test/integration/isolation.test.ts
 * on Docker, podman.test.ts on Podman): a script run inside a container that
 * tries to reach the host (through the gateway and each of its addresses), an
 * address on the internet side, DNS and another container, and checks that its
 * own name resolves. Each probe prints one line, `PG <label> open|blocked`,
 * then the script idles so a reader can watch it.
 */
export const SCRIPT = `
t() { l=$1; shift; if "$@" </dev/null >/dev/null 2>&1; then echo "PG $l open"; else echo "PG $l blocked"; fi; }
gw=$(ip route | awk '/^default/ {print $3}')
t gateway nc -w 2 "\${gw:-0.0.0.0}" "$PORT" -e true
for a in $HOSTS; do t "host-$a" nc -w 2 "$a" "$PORT" -e true; done
t external nc -w 2 "$EXTERNAL" 80 -e true
t dns nslookup deb.debian.org
t peer nc -w 2 "$PEER" 8080 -e true
grep -q "$(hostname)" /etc/hosts && ip -4 addr show eth0 | grep -q inet && echo "PG own-name resolves" || echo "PG own-name missing"
echo PG done; sleep 60`;

/** Every non-internal IPv4 address of this host. */
export const hostAddresses = (): string[] =>
  Object.values(networkInterfaces())
    .flat()
    .filter(a => a && a.family === 'IPv4' && !a.internal)
    .map(a => a!.address);

/** `PG label result` lines → {label: result}. */
export const results = (logs: string): Record<string, string> => Object.fromEntries([...logs.matchAll(/^PG (\S+) (\S+)/gm)].map(m => [m[1], m[2]]));

/** Polls a container's logs until the script says it is done. */
export const waitForLogs = async (read: () => Promise<string>): Promise<string> => {
  for (let i = 0; i < 150; i++) {
    const logs = await read();
    if (logs.includes('PG done')) return logs;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`the probe script did not finish: ${await read()}`);
};
