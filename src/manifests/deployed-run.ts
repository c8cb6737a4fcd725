import type {SourceLocation} from '../model.js';
import type {At} from './yaml-read.js';

/**
 * How a deployment starts a container, as written in its manifest: what
 * portgate's sandbox copies so that it observes the image as it will run
 * (sandbox/deployed.ts). Source-neutral: Kubernetes and Compose both fill it.
 */
export interface DeployedRun {
  /** Kubernetes `command`, Compose `entrypoint`: replaces ENTRYPOINT. */
  entrypoint?: At<string[]>;
  /** Kubernetes `args`, Compose `command`: replaces CMD. */
  command?: At<string[]>;
  /** Literal values only, in the order written. */
  env: {name: string; value: string; at: SourceLocation}[];
  /** Variables whose value only exists in the cluster or the host (valueFrom, envFrom, `${VAR}` unset). */
  envSkipped: {name: string; why: string; at: SourceLocation}[];
  /** Compose `user` as written. */
  user?: At<string>;
  /** Kubernetes runAsUser / runAsGroup (container level over pod level). */
  runAsUser?: At<number>;
  runAsGroup?: At<number>;
  runAsNonRoot?: At<boolean>;
  /**
   * Kubernetes pod `securityContext.sysctls` `net.ipv4.ip_unprivileged_port_start`:
   * ports from this one up bind without CAP_NET_BIND_SERVICE, whatever the runtime's default.
   */
  unprivilegedPortStart?: At<number>;
  readOnly?: At<boolean>;
  capAdd?: At<string[]>;
  capDrop?: At<string[]>;
  /** false = Kubernetes `allowPrivilegeEscalation: false` / no-new-privileges (portgate always sets it). */
  allowPrivilegeEscalation?: At<boolean>;
  privileged?: At<boolean>;
  /** emptyDir volumes and Compose tmpfs: empty writable folders. */
  tmpfs: {path: string; at: SourceLocation; sizeBytes?: number; mode?: string; gid?: number}[];
  /** Mounts the sandbox cannot reproduce (configMap, secret, PVC, hostPath, bind mounts). */
  otherMounts: {path: string; kind: string; at: SourceLocation}[];
}

export const emptyRun = (): DeployedRun => ({env: [], envSkipped: [], tmpfs: [], otherMounts: []});

/**
 * Kubernetes expands `$(VAR)` in command, args and env values from the
 * container's variables; `$$(VAR)` is a literal `$(VAR)` and unknown names
 * stay as written (kubernetes/third_party/forked/golang/expansion).
 */
export const expandK8s = (text: string, vars: ReadonlyMap<string, string>): string =>
  text.replace(/\$\$|\$\(([A-Za-z_][\w.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : m;
  });
