import type {Finding, Listener, Location, Protocol, Severity, SourceLocation} from '../model.js';
import {portKey} from '../model.js';
import {finding} from '../findings/finding.js';
import type {Subject} from '../findings/where.js';
import type {DeployedRun} from '../manifests/deployed-run.js';
import {ENGINE_DEFAULT_CAPS} from '../sandbox/profiles.js';
import {describeSource} from '../sandbox/plan.js';
import type {Sourced} from '../sandbox/types.js';
import {describeListeners} from './views.js';

/**
 * Least privilege from the run: which listeners need root or
 * CAP_NET_BIND_SERVICE, whether the deployment gives it, and whether a pod
 * will start at all. Pure: listeners, the image's USER, the sandbox's user
 * and the deployment's security settings in, findings out.
 *
 * The facts it rests on (a port is privileged when it is below the network
 * namespace's net.ipv4.ip_unprivileged_port_start, 1024 unless changed):
 *
 * | where it runs                    | ip_unprivileged_port_start | so a port below 1024 binds for             |
 * |----------------------------------|----------------------------|--------------------------------------------|
 * | Docker ≥ 20.10, own network      | 0 (moby#41030)             | everyone (portgate's sandbox sets it too)  |
 * | Kubernetes on containerd ≥ 2.0   | 0 (enable_unprivileged_ports, containerd#9348) | everyone               |
 * | Kubernetes on containerd 1.x     | 1024 (the option is off)   | a process with CAP_NET_BIND_SERVICE        |
 * | Kubernetes on CRI-O              | 1024                       | a process with CAP_NET_BIND_SERVICE        |
 * | hostNetwork / network_mode: host | the node's (1024)          | a process with CAP_NET_BIND_SERVICE        |
 * | pod sysctl net.ipv4.ip_unprivileged_port_start: N (not hostNetwork) | N | everyone, from N up          |
 *
 * Who has CAP_NET_BIND_SERVICE in a pod: root, when the capability is in the
 * container's set (the default set has it; `drop: [ALL]` or `drop:
 * [NET_BIND_SERVICE]` removes it, a later `add` puts it back). A non-root
 * process has no effective capabilities whatever `add` says (Kubernetes sets
 * no ambient capabilities, kubernetes#56374); only a file capability on its
 * executable (`setcap cap_net_bind_service=+ep`) can raise it, and only
 * while the capability is in the container's bounding set.
 */

/** Linux's default net.ipv4.ip_unprivileged_port_start: binding below it needs CAP_NET_BIND_SERVICE. */
export const UNPRIVILEGED_PORT_START = 1024;

export const isPrivilegedPort = (port: number): boolean => port >= 1 && port < UNPRIVILEGED_PORT_START;

/** How Docker and the kubelet read Config.User: `uid`, `name`, `uid:gid`, `name:group`; empty is root (uid 0). */
export type ImageUser = {kind: 'root'; numeric: boolean; text: string} | {kind: 'uid'; uid: number; text: string} | {kind: 'name'; name: string; text: string};

export const parseUser = (user: string): ImageUser => {
  const text = user.trim();
  const u = text.split(':')[0]!.trim();
  if (u === '') return {kind: 'root', numeric: true, text};
  if (/^\d+$/.test(u)) return Number(u) === 0 ? {kind: 'root', numeric: true, text} : {kind: 'uid', uid: Number(u), text};
  return u === 'root' ? {kind: 'root', numeric: false, text} : {kind: 'name', name: u, text};
};

/** One container of the deployment that runs the image, as these rules read it. */
export interface DeployedPrivilege {
  platform: 'kubernetes' | 'compose';
  /** `container web of Deployment web`, `Compose service web`. */
  what: string;
  /** The container's name line. */
  at: SourceLocation;
  run: DeployedRun;
  /** hostNetwork: true, or Compose network_mode: host: the node's own network namespace. */
  hostNetwork: boolean;
  /** A Job or CronJob: it runs the image for a task, usually with another command, so the run's listeners are not its own. */
  batch: boolean;
}

export interface PrivilegeInput {
  image: string;
  /** The run's listeners; undefined in static-only mode, where `served` stands in. */
  listening: Listener[] | undefined;
  /** Static-only: the ports portgate.yml and EXPOSE say the image serves. */
  served?: {port: number; protocol: Protocol}[];
  /** The image's Config.User (`''` = root); undefined when unknown (static-only without the image). */
  imageUser: string | undefined;
  /** The user the sandbox started the image as, when a layer (manifest, portgate.yml) set one; absent = the image's USER. */
  ranAs?: Sourced<string>;
  deployments: DeployedPrivilege[];
  /** Where a finding without a line of its own points (findings/where.ts). */
  where: (subject: Subject) => Location;
  /** Appended to messages of static-only findings. */
  note?: string;
}

const line = (l: SourceLocation): string => `${l.file}:${l.line}`;

/** 80 → 8080, 443 → 8443, 22 → 2222, otherwise the port + 8000 (53 → 8053). */
export const unprivilegedAlternative = (port: number): number => ({80: 8080, 443: 8443, 22: 2222})[port] ?? port + 8000;

/** How the program that owns the port is told to listen elsewhere, by executable name. */
const HOW: Record<string, (to: number) => string> = {
  nginx: to => `nginx \`listen ${to};\``,
  apache2: to => `Apache \`Listen ${to}\``,
  httpd: to => `Apache \`Listen ${to}\``,
  haproxy: to => `HAProxy \`bind :${to}\``,
  caddy: to => `Caddy \`:${to}\``,
  lighttpd: to => `lighttpd \`server.port = ${to}\``,
  sshd: to => `sshd \`Port ${to}\``,
  named: to => `BIND \`listen-on port ${to} { any; };\``,
  dnsmasq: to => `dnsmasq \`--port=${to}\``,
  unbound: to => `Unbound \`port: ${to}\``
};

/** "listen on 8080 (nginx `listen 8080;`) and map the Service's `port: 80` to `targetPort: 8080`". */
const alternative = (port: number, owners: readonly string[]): string => {
  const to = unprivilegedAlternative(port);
  const how = owners.map(o => HOW[o]).find(Boolean);
  return `listen on ${to}${how ? ` (${how(to)})` : ''} and map the Service's \`port: ${port}\` to \`targetPort: ${to}\`, so clients keep port ${port}`;
};

const ownerNames = (ls: readonly Listener[]): string[] => [...new Set(ls.flatMap(l => (l.process ? [l.process.name] : [])))];

/** The uid that created the socket (what bind() was checked against): /proc/net's uid column, else the owning process's. */
const socketUid = (ls: readonly Listener[]): number | undefined => ls.find(l => l.uid !== undefined)?.uid ?? ls.find(l => l.process?.uid !== undefined)?.process?.uid;
const ownerUid = (ls: readonly Listener[]): number | undefined => ls.find(l => l.process?.uid !== undefined)?.process?.uid ?? ls.find(l => l.uid !== undefined)?.uid;

interface PortGroup {
  port: number;
  protocol: Protocol;
  /** Empty in static-only mode. */
  listeners: Listener[];
}

const groups = (i: PrivilegeInput): PortGroup[] => {
  if (!i.listening) return [...new Map((i.served ?? []).map(s => [portKey(s), {port: s.port, protocol: s.protocol, listeners: []}])).values()].sort((a, b) => a.port - b.port);
  const by = new Map<string, PortGroup>();
  for (const l of i.listening) {
    const g = by.get(portKey(l)) ?? {port: l.port, protocol: l.protocol, listeners: []};
    g.listeners.push(l);
    by.set(portKey(l), g);
  }
  return [...by.values()].sort((a, b) => a.port - b.port);
};

const seen = (g: PortGroup, note = ''): string => (g.listeners.length ? `listens on ${portKey(g)} at ${describeListeners(g.listeners)}` : `serves ${portKey(g)}${note}`);

/** The capability set a Kubernetes container gets, as containerd's CRI builds it: ALL-add, ALL-drop, then each add, then each drop. */
export const podCapabilities = (run: DeployedRun): Set<string> => {
  const norm = (c: string) => c.trim().toUpperCase().replace(/^CAP_/, '');
  const add = (run.capAdd?.value ?? []).map(norm);
  const drop = (run.capDrop?.value ?? []).map(norm);
  let caps = new Set<string>(ENGINE_DEFAULT_CAPS);
  if (add.includes('ALL')) caps = new Set([...ENGINE_DEFAULT_CAPS, 'NET_BIND_SERVICE']);
  if (drop.includes('ALL')) caps = new Set();
  for (const c of add) if (c !== 'ALL') caps.add(c);
  for (const c of drop) if (c !== 'ALL') caps.delete(c);
  return caps;
};

const dropText = (run: DeployedRun): string => `\`drop: [${run.capDrop!.value.join(', ')}]\` at ${line(run.capDrop!.at)}`;

/** What the kubelet does with runAsNonRoot (pkg/kubelet/kuberuntime verifyRunAsNonRoot); undefined when it starts the container. */
export const kubeletRefusal = (run: DeployedRun, imageUser: string | undefined): {reason: string; at: SourceLocation; fix: string} | undefined => {
  const nonRoot = run.runAsNonRoot;
  if (!nonRoot?.value) return undefined;
  if (run.runAsUser) {
    if (run.runAsUser.value !== 0) return undefined;
    return {
      reason: `it sets runAsNonRoot: true (${line(nonRoot.at)}) and runAsUser: 0 (${line(run.runAsUser.at)}), so the kubelet refuses to start it (CreateContainerConfigError: "container's runAsUser breaks non-root policy")`,
      at: run.runAsUser.at,
      fix: 'set runAsUser to the non-zero uid the image is built for (e.g. `runAsUser: 10001`), or remove it'
    };
  }
  if (imageUser === undefined) return undefined;
  const u = parseUser(imageUser);
  if (u.kind === 'uid') return undefined;
  const given = u.text === '' ? 'no USER (so root)' : `USER ${u.text}`;
  if (u.kind === 'root' && u.numeric)
    return {
      reason: `it sets runAsNonRoot: true (${line(nonRoot.at)}) without runAsUser, and the image has ${given}, so the kubelet refuses to start it (CreateContainerConfigError: "container has runAsNonRoot and image will run as root")`,
      at: nonRoot.at,
      fix: 'add `runAsUser: 10001` (a uid the image\'s files allow) to the securityContext, or give the image a numeric non-root USER (`USER 10001`)'
    };
  const name = u.kind === 'name' ? u.name : 'root';
  return {
    reason: `it sets runAsNonRoot: true (${line(nonRoot.at)}) without runAsUser, and the image has ${given}, a name the kubelet cannot check, so it refuses to start it (CreateContainerConfigError: "container has runAsNonRoot and image has non-numeric user (${name}), cannot verify user is non-root")`,
    at: nonRoot.at,
    fix: u.kind === 'name' ? `add \`runAsUser:\` with ${name}'s uid to the securityContext, or write the image's USER as that number (\`USER <uid>\`)` : 'add `runAsUser: 10001` (a uid the image\'s files allow), or give the image a numeric non-root USER (`USER 10001`)'
  };
};

/** The `uid` part of a user setting (`10001:10001` → `10001`; empty = root by the image's empty USER). */
const uidPart = (user: string | undefined): string => (user ?? '').split(':')[0]!.trim();

interface Binder {
  root: boolean;
  /**
   * It starts as root and binds after switching to another uid (BIND's
   * named, dropping to bind): it had CAP_NET_BIND_SERVICE when it started,
   * and a program written to bind after the switch keeps it (PR_SET_KEEPCAPS,
   * libcap), as it had to before runtimes lowered the port floor.
   */
  startsRoot?: boolean;
  /** Completes "its process …": why it is (not) root, with the line that says so. */
  why: string;
}

/**
 * Who binds `g` in this pod. runAsUser ≠ 0 and runAsNonRoot make it non-root.
 * Otherwise the run answers when the sandbox started the image as the pod
 * does: the uid that created the socket (an entrypoint that starts as root
 * and binds after `gosu app` binds as app). Without that, the user the pod
 * starts it as; a user name says nothing without the run.
 */
const binderOf = (g: PortGroup, d: DeployedPrivilege, i: PrivilegeInput): Binder | undefined => {
  const run = d.run;
  if (run.runAsUser && run.runAsUser.value !== 0) return {root: false, why: `runs as uid ${run.runAsUser.value} (runAsUser, ${line(run.runAsUser.at)})`};
  if (!run.runAsUser && run.runAsNonRoot?.value) return {root: false, why: `must run as a non-root user (runAsNonRoot: true, ${line(run.runAsNonRoot.at)})`};
  const podUser = run.runAsUser ? String(run.runAsUser.value) : i.imageUser;
  if (podUser === undefined) return undefined;
  const uid = socketUid(g.listeners);
  if (uid !== undefined && uidPart(podUser) === uidPart(i.ranAs?.value ?? i.imageUser)) {
    const starts = run.runAsUser ? `runAsUser: 0 (${line(run.runAsUser.at)})` : podUser ? `the image's USER ${podUser}` : 'the image has no USER';
    if (uid === 0) return {root: true, why: `runs as root (${starts})`};
    return parseUser(podUser).kind === 'root'
      ? {root: false, startsRoot: true, why: `starts as root (${starts}) but binds as uid ${uid} (it drops privileges before it listens)`}
      : {root: false, why: `runs as uid ${uid} (${starts})`};
  }
  const u = parseUser(podUser);
  if (u.kind === 'name') return undefined;
  return u.kind === 'root' ? {root: true, why: 'runs as root'} : {root: false, why: `runs as the image's USER ${podUser}`};
};

/** Where a pod without the capability fails, in words: "… will crash in production <floor>". */
const floor = (d: DeployedPrivilege): string =>
  d.hostNetwork
    ? "on every node: with hostNetwork: true the node's own net.ipv4.ip_unprivileged_port_start applies (1024 unless the node lowered it), and a pod cannot change it"
    : "on nodes that leave net.ipv4.ip_unprivileged_port_start at 1024 (containerd 1.x, CRI-O); it binds only where the runtime lowers it to 0 (containerd ≥ 2.0, and Docker ≥ 20.10 and portgate's sandbox, which is why the run saw it listen)";

const sysctlFix = (d: DeployedPrivilege, port: number): string =>
  d.hostNetwork ? '' : `, or set the pod sysctl \`net.ipv4.ip_unprivileged_port_start: "${port}"\` or lower in \`securityContext.sysctls\` (the restricted Pod Security Standard allows it)`;

type Verdict = {ok: true} | {ok: false; finding: Finding};

/**
 * One privileged port in one Kubernetes container: fine (root with the
 * capability, or the pod's sysctl), a crash (the capability is not in the
 * container's set), or unknown (a non-root process with the capability in
 * its bounding set binds only through a file capability portgate cannot see).
 */
const judgePod = (g: PortGroup, d: DeployedPrivilege, i: PrivilegeInput): Verdict | undefined => {
  const run = d.run;
  if (!d.hostNetwork && run.unprivilegedPortStart && run.unprivilegedPortStart.value <= g.port) return {ok: true};
  const binder = binderOf(g, d, i);
  if (!binder) return undefined;
  const root = binder.root;
  const has = podCapabilities(run).has('NET_BIND_SERVICE');
  // Root keeps the capability; a process that starts as root with it and binds after switching user keeps it too (see Binder).
  if ((root || binder.startsRoot) && has) return {ok: true};
  const owners = ownerNames(g.listeners);
  const note = i.listening ? '' : (i.note ?? '');
  if (!has) {
    const who = root ? `its process, which ${binder.why},` : `its process ${binder.why} and`;
    const addBack = root ? ', or add NET_BIND_SERVICE back (`add: [NET_BIND_SERVICE]`)' : '';
    const msg = `${d.what} drops ${run.capDrop?.value.some(c => /^(CAP_)?ALL$/i.test(c)) ? 'every capability' : 'NET_BIND_SERVICE'} (${dropText(run)}), so ${who} cannot get CAP_NET_BIND_SERVICE, but the image ${seen(g)}: binding a port below 1024 then fails with EACCES (Permission denied), so the container will crash in production ${floor(d)}. Before it ships, ${alternative(g.port, owners)}${sysctlFix(d, g.port)}${addBack}.${note}`;
    return {ok: false, finding: finding('k8s-privileged-port-denied', msg, {port: g.port, protocol: g.protocol, location: run.capDrop!.at})};
  }
  const msg = `${d.what}: its process ${binder.why}, and the image ${seen(g)}: a non-root process binds a port below 1024 only where the runtime lowers net.ipv4.ip_unprivileged_port_start (containerd ≥ 2.0, Docker, portgate's sandbox) or through a file capability on its executable (\`setcap cap_net_bind_service=+ep\`, which portgate cannot see; \`capabilities.add\` alone does not help a non-root process). On containerd 1.x and CRI-O nodes without either, it fails with EACCES. To be sure, ${alternative(g.port, owners)}${sysctlFix(d, g.port)}.${note}`;
  const at = run.runAsUser?.at ?? (run.runAsNonRoot?.value ? run.runAsNonRoot.at : d.at);
  return {ok: false, finding: {...finding('privileged-port', msg, {port: g.port, protocol: g.protocol, location: at}), severity: 'warning'}};
};

/**
 * Without a deployment: the listener's owner decides. Root binds anywhere
 * the capability is kept (a note: a design choice, not drift), and so does a
 * process that starts as root and binds after switching user (a note too); a
 * process that is non-root from the start binds here only because the
 * sandbox lowered the port floor, as Docker does and containerd 1.x and
 * CRI-O do not (a warning).
 */
const undeployed = (g: PortGroup, i: PrivilegeInput): Finding | undefined => {
  if (!g.listeners.length) return undefined;
  const owners = ownerNames(g.listeners);
  const uid = socketUid(g.listeners);
  const at = {port: g.port, protocol: g.protocol, location: i.where('process')};
  if (uid === undefined || uid === 0) {
    const msg = `${portKey(g)} listens on ${describeListeners(g.listeners)}${uid === 0 ? ' as root' : ''}: a port below 1024 needs root or CAP_NET_BIND_SERVICE. That holds under \`docker run\` and in a default Kubernetes pod, but not in a pod that drops the capability (\`capabilities: {drop: [ALL]}\`, as the restricted Pod Security Standard requires along with a non-root user) on containerd 1.x or CRI-O nodes. To run with least privilege, ${alternative(g.port, owners)}. Pass the deployment manifests (--manifests) and portgate checks how they run it.`;
    return finding('privileged-port', msg, at);
  }
  const start = parseUser(i.ranAs?.value ?? i.imageUser ?? '');
  if (i.imageUser !== undefined && start.kind === 'root') {
    // Started as root, bound after switching user (BIND's named as bind): it held the capability, as it would under a default pod. A note, as for root.
    const msg = `${portKey(g)} listens on ${describeListeners(g.listeners)} as uid ${uid}, which the process switched to after starting as root: a port below 1024 needs CAP_NET_BIND_SERVICE, which it has from root and keeps across the switch (or gets from a runtime that lowers net.ipv4.ip_unprivileged_port_start, as portgate's sandbox and Docker do). That holds under \`docker run\` and in a default Kubernetes pod, but not in a pod that drops the capability (\`capabilities: {drop: [ALL]}\`, as the restricted Pod Security Standard requires) on containerd 1.x or CRI-O nodes. To run with least privilege, ${alternative(g.port, owners)}. Pass the deployment manifests (--manifests) and portgate checks how they run it.`;
    return finding('privileged-port', msg, at);
  }
  const msg = `${portKey(g)} listens on ${describeListeners(g.listeners)} as uid ${uid}, not root: it binds here because portgate's sandbox, like Docker ≥ 20.10 and containerd ≥ 2.0, sets net.ipv4.ip_unprivileged_port_start=0 in the container's network namespace. On Kubernetes nodes with containerd 1.x or CRI-O a non-root process gets EACCES on a port below 1024 (\`capabilities.add\` does not help it: Kubernetes grants no ambient capabilities) unless the pod sets the sysctl \`net.ipv4.ip_unprivileged_port_start: "0"\` or the executable carries the file capability cap_net_bind_service. To run anywhere, ${alternative(g.port, owners)}.`;
  return {...finding('privileged-port', msg, at), severity: 'warning' as Severity};
};

const isSet = (s: Sourced<string> | undefined): s is Sourced<string> => !!s && s.from.kind !== 'default';

const locationOf = (s: Sourced<string>, fallback: Location): Location =>
  s.from.kind === 'manifest' ? s.from.location : s.from.kind === 'spec' && s.from.location ? s.from.location : fallback;

/** The part of a root-listener message for root-owned ports below 1024: when the image's own user would bind them too. */
const ifForPort = (ports: PortGroup[], user: string): string => {
  const low = ports.filter(g => isPrivilegedPort(g.port));
  if (!low.length) return '';
  const list = low.map(g => portKey(g)).join(', ');
  return ` If it runs as root to bind ${list}: as ${user} it binds ${low.length > 1 ? 'them' : 'it'} under Docker ≥ 20.10 and on containerd ≥ 2.0 nodes, which set net.ipv4.ip_unprivileged_port_start=0 in the pod's network namespace; on containerd 1.x and CRI-O nodes it fails with EACCES unless the pod sets that sysctl (\`securityContext.sysctls\`, allowed by the restricted profile) — or ${alternative(low[0]!.port, ownerNames(low[0]!.listeners))}.`;
};

/**
 * Root owns a listener although the image or the pod says the service is
 * not root: a layer ran it as root over a non-root USER, portgate.yml's
 * `run.user` ran as root what the pod runs as another user, or the image's
 * USER name is uid 0 in its own /etc/passwd.
 */
const rootListener = (i: PrivilegeInput, gs: PortGroup[]): Finding | undefined => {
  const rootPorts = gs.filter(g => g.listeners.length && ownerUid(g.listeners) === 0);
  if (!rootPorts.length || i.imageUser === undefined) return undefined;
  const list = rootPorts.map(g => `${portKey(g)} (${describeListeners(g.listeners)})`).join(', ');
  const image = parseUser(i.imageUser);
  const ran = isSet(i.ranAs) ? parseUser(i.ranAs.value) : undefined;
  const at = {port: rootPorts[0]!.port, protocol: rootPorts[0]!.protocol, related: rootPorts.slice(1).map(g => ({port: g.port, protocol: g.protocol}))};
  if (ran?.kind === 'root' && image.kind !== 'root') {
    const src = describeSource(i.ranAs!.from);
    const msg = `The image's USER is ${image.text}, but ${src} runs it as ${i.ranAs!.value === '0' ? 'uid 0' : i.ranAs!.value} (root), and root owns ${list}: remove that setting so the service runs as the image's user.${ifForPort(rootPorts, `USER ${image.text}`)}`;
    return finding('root-listener', msg, {...at, location: locationOf(i.ranAs!, i.where('image'))});
  }
  const podNonRoot = i.deployments.find(d => d.platform === 'kubernetes' && ((d.run.runAsUser && d.run.runAsUser.value !== 0) || d.run.runAsNonRoot?.value));
  if (ran?.kind === 'root' && podNonRoot && i.ranAs!.from.kind !== 'manifest') {
    const says = podNonRoot.run.runAsUser ? `runAsUser: ${podNonRoot.run.runAsUser.value} (${line(podNonRoot.run.runAsUser.at)})` : `runAsNonRoot: true (${line(podNonRoot.run.runAsNonRoot!.at)})`;
    const msg = `${describeSource(i.ranAs!.from)} runs the image as root, so root owns ${list}, but ${podNonRoot.what} runs it as a non-root user (${says}): this run is not what production runs. Remove the user setting so portgate runs it as deployed.`;
    return finding('root-listener', msg, {...at, location: locationOf(i.ranAs!, i.where('image'))});
  }
  const effective = ran ?? image;
  if (effective.kind === 'name') {
    const from = isSet(i.ranAs) ? describeSource(i.ranAs.from) : "the image's USER";
    const msg = `${from} names the user ${effective.name}, which looks unprivileged, but root owns ${list}: ${effective.name} is uid 0 in the image's /etc/passwd. Give it a non-zero uid, or write USER as a non-zero number (\`USER 10001\`), which the kubelet can also check against runAsNonRoot.`;
    return finding('root-listener', msg, {...at, location: isSet(i.ranAs) ? locationOf(i.ranAs, i.where('image')) : i.where('image')});
  }
  return undefined;
};

const refusals = (i: PrivilegeInput, gs: PortGroup[]): Finding[] =>
  i.deployments.flatMap(d => {
    if (d.platform !== 'kubernetes') return [];
    const r = kubeletRefusal(d.run, i.imageUser);
    if (!r) return [];
    const rootPorts = gs.filter(g => g.listeners.length && ownerUid(g.listeners) === 0).map(g => portKey(g));
    const ran = rootPorts.length && !d.run.runAsUser ? ` (portgate ran it as the image's user, root, and root owns ${rootPorts.join(', ')}.)` : '';
    const msg = `${d.what}: ${r.reason}, and the pod never runs: ${r.fix}.${ran}`;
    return [finding('k8s-non-root-refused', msg, {location: r.at})];
  });

/**
 * The least-privilege findings: privileged ports (a note, or a warning for
 * a non-root owner), root-owned listeners that contradict the image or the
 * pod, privileged ports a Kubernetes container cannot bind, and runAsNonRoot
 * settings the kubelet refuses.
 */
export const privilegeFindings = (i: PrivilegeInput): Finding[] => {
  const gs = groups(i);
  const out: Finding[] = [...refusals(i, gs)];
  const pods = i.deployments.filter(d => d.platform === 'kubernetes' && !d.batch);
  const privileged = gs.filter(g => isPrivilegedPort(g.port));
  if (pods.length) {
    for (const d of pods) for (const g of privileged) {
      const v = judgePod(g, d, i);
      if (v && !v.ok) out.push(v.finding);
    }
  } else if (!i.deployments.length) {
    // Compose runs it under Docker, whose port floor is 0 in the container's own network: it binds.
    for (const g of privileged) {
      const f = undeployed(g, i);
      if (f) out.push(f);
    }
  }
  if (i.listening) {
    const f = rootListener(i, gs);
    if (f) out.push(f);
  }
  return out;
};
