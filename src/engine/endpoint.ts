import {existsSync} from 'node:fs';
import {EnvironmentError} from '../errors.js';
import type {EngineInfo} from '../model.js';

export type {EngineInfo};

/** `--engine`: which engine to use when DOCKER_HOST does not say. */
export type EngineChoice = 'auto' | 'docker' | 'podman';

export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'docker', 'podman'];

/** Docker's socket, docker-modem's default. */
export const DOCKER_SOCKET = '/var/run/docker.sock';
/** Rootful `podman system service` (and podman.socket). */
export const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

/** Where the engine is, and how portgate came to use it (for the report and for messages). */
export interface Endpoint {
  /** In DOCKER_HOST's form: `unix:///run/podman/podman.sock`, `tcp://docker:2376`. */
  address: string;
  /** The local socket, when the address is one; undefined for tcp:// and ssh://. */
  socketPath?: string;
  /** DOCKER_HOST set: docker-modem reads it (and the TLS variables) itself. */
  fromEnv: boolean;
  /** Why this one, e.g. `DOCKER_HOST`, `/var/run/docker.sock`, `/var/run/docker.sock is missing`. */
  chosenBy: string;
}

const unix = (path: string): string => `unix://${path}`;

/** The rootless Podman socket of this user, when XDG_RUNTIME_DIR says where it would be. */
const rootlessSocket = (env: NodeJS.ProcessEnv): string | undefined => (env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR.replace(/\/+$/, '')}/podman/podman.sock` : undefined);

/**
 * Which engine to talk to. An explicit DOCKER_HOST always wins, whatever
 * `choice` says (the gate then checks what answers: see checkEngineKind).
 * Otherwise `auto` takes Docker's socket when it exists, else rootful
 * Podman's, else this user's rootless Podman socket
 * ($XDG_RUNTIME_DIR/podman/podman.sock); `docker` and `podman` look only at
 * their own. When none exists the first candidate is used, so the error names
 * the usual place.
 */
export const findEndpoint = (choice: EngineChoice = 'auto', env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): Endpoint => {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
    return {address: host, ...(socketPath && {socketPath}), fromEnv: true, chosenBy: 'DOCKER_HOST'};
  }
  const podman = [PODMAN_ROOTFUL_SOCKET, rootlessSocket(env)].filter((p): p is string => !!p);
  const candidates = choice === 'docker' ? [DOCKER_SOCKET] : choice === 'podman' ? podman : [DOCKER_SOCKET, ...podman];
  const found = candidates.find(p => exists(p));
  const path = found ?? candidates[0]!;
  const missing = candidates.slice(0, found ? candidates.indexOf(found) : candidates.length);
  const chosenBy = found
    ? missing.length
      ? `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing`
      : choice === 'auto'
        ? 'the default socket'
        : `--engine ${choice}`
    : `none of ${candidates.join(', ')} exists`;
  return {address: unix(path), socketPath: path, fromEnv: false, chosenBy};
};

export const kindOf = (info: Pick<EngineInfo, 'name'>): EngineChoice | undefined => (info.name === 'Docker' ? 'docker' : info.name === 'Podman' ? 'podman' : undefined);

/** `--engine docker|podman` names what the user expects: something else answering is an environment error, not a silent switch. */
export const checkEngineKind = (choice: EngineChoice, info: EngineInfo): void => {
  if (choice === 'auto' || kindOf(info) === choice) return;
  const where = info.chosenBy === 'DOCKER_HOST' ? `DOCKER_HOST (${info.address}), which always wins over --engine,` : info.address;
  throw new EnvironmentError(
    `--engine ${choice}: the engine at ${where} is ${info.name} ${info.version}, not ${choice === 'docker' ? 'Docker' : 'Podman'}. ` +
      `Unset DOCKER_HOST or point it at the ${choice === 'docker' ? 'Docker' : 'Podman'} socket, or pass --engine auto.`
  );
};
