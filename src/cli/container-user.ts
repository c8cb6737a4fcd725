import {statSync} from 'node:fs';
import {InputError} from '../errors.js';

/**
 * portgate's container image starts as root with PORTGATE_USER=1000:1000 and
 * lets portgate itself drop to a non-root user, because only the process can
 * see, at run time, what the user it becomes will need: the Docker socket it
 * was given (its group, added as a supplementary group) and the working
 * directory reports are written to (a mounted checkout: its owner). When the
 * non-root user could not use one of them, it stays root rather than fail.
 * Outside the image (no PORTGATE_USER) and under `docker run --user` nothing
 * changes.
 */

export interface Owner {
  uid: number;
  gid: number;
  /** Permission bits, e.g. 0o660. */
  mode: number;
}

export interface UserFacts {
  /** The process's uid. */
  uid: number;
  /** PORTGATE_USER: `UID:GID` to become, or empty/undefined for "stay as started". */
  portgateUser?: string;
  /** The engine's unix socket (DOCKER_HOST unix://… or the default), undefined for tcp:// or when missing. */
  socket?: Owner;
  /** The working directory. */
  cwd: Owner;
}

export type UserPlan = {become: false; why: string} | {become: true; uid: number; gid: number; groups: number[]; why: string};

const parseUser = (v: string): {uid: number; gid: number} => {
  const m = /^(\d+):(\d+)$/.exec(v.trim());
  if (!m) throw new InputError(`PORTGATE_USER is "${v}"; expected UID:GID in numbers, e.g. 1000:1000, or empty to stay the user the container started as.`);
  return {uid: Number(m[1]), gid: Number(m[2])};
};

/** Whether a user with uid/gid plus supplementary `groups` has all of the `bits` (0o6 = read+write, 0o2 = write) on the file. */
const allows = (f: Owner, uid: number, gids: number[], bits: number): boolean =>
  f.uid === uid ? ((f.mode >> 6) & bits) === bits : gids.includes(f.gid) ? ((f.mode >> 3) & bits) === bits : (f.mode & bits) === bits;

/** Pure: who the process should become, from what it can see. */
export const planUser = (f: UserFacts): UserPlan => {
  if (f.uid !== 0) return {become: false, why: `already uid ${f.uid}`};
  if (!f.portgateUser?.trim()) return {become: false, why: 'PORTGATE_USER is not set'};
  const configured = parseUser(f.portgateUser);
  // A mounted checkout belongs to someone: reports written into it should too.
  const target = f.cwd.uid !== 0 ? {uid: f.cwd.uid, gid: f.cwd.gid} : configured;
  if (target.uid === 0) return {become: false, why: 'PORTGATE_USER is root'};
  const groups: number[] = [];
  if (f.socket) {
    // The socket's group is how docker grants access (`docker` on most hosts, root on some).
    if (!allows(f.socket, target.uid, [target.gid], 0o6) && allows(f.socket, target.uid, [target.gid, f.socket.gid], 0o6)) groups.push(f.socket.gid);
    if (!allows(f.socket, target.uid, [target.gid, ...groups], 0o6))
      return {become: false, why: `uid ${target.uid} could not use the Docker socket (owner ${f.socket.uid}:${f.socket.gid}, mode ${f.socket.mode.toString(8)})`};
  }
  if (!allows(f.cwd, target.uid, [target.gid, ...groups], 0o2))
    return {become: false, why: `uid ${target.uid} could not write the working directory (owner ${f.cwd.uid}:${f.cwd.gid}, mode ${f.cwd.mode.toString(8)})`};
  return {become: true, ...target, groups, why: f.cwd.uid !== 0 ? 'the owner of the working directory' : 'PORTGATE_USER'};
};

/** The unix socket DOCKER_HOST names (docker-modem's default when unset); undefined for tcp:// and ssh://. */
export const socketPath = (dockerHost: string | undefined): string | undefined => {
  if (!dockerHost) return '/var/run/docker.sock';
  return dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined;
};

const ownerOf = (path: string): Owner | undefined => {
  try {
    const s = statSync(path);
    return {uid: s.uid, gid: s.gid, mode: s.mode & 0o7777};
  } catch {
    return undefined;
  }
};

/** Applies planUser to this process; a failure to switch (no CAP_SETUID) leaves it as it started, with one line on stderr. */
export const becomeContainerUser = (env: NodeJS.ProcessEnv = process.env): UserPlan => {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0 || !env.PORTGATE_USER?.trim()) return {become: false, why: 'not the container image started as root'};
  const sock = socketPath(env.DOCKER_HOST);
  const plan = planUser({uid, portgateUser: env.PORTGATE_USER, socket: sock ? ownerOf(sock) : undefined, cwd: ownerOf(process.cwd()) ?? {uid: 0, gid: 0, mode: 0o755}});
  if (!plan.become) return plan;
  try {
    process.setgroups!(plan.groups);
    process.setgid!(plan.gid);
    process.setuid!(plan.uid);
  } catch (e) {
    process.stderr.write(`portgate: staying root: could not switch to ${plan.uid}:${plan.gid} (${(e as Error).message}).\n`);
    return {become: false, why: (e as Error).message};
  }
  return plan;
};
