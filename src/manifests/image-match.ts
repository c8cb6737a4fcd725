import {InputError} from '../errors.js';

/** An image reference reduced to what identifies it: `docker.io/library/nginx`, tag, digest. */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/**
 * Normalises like the Docker CLI: no registry means docker.io, a one-part
 * Docker Hub name gets `library/`. The first part is a registry only if it
 * has a dot or a port, or is `localhost`.
 */
export const parseImageRef = (ref: string): ImageRef => {
  let rest = ref.trim();
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) [rest, tag] = [rest.slice(0, colon), rest.slice(colon + 1)];
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) registry = parts.shift()!;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return {name: `${registry}/${parts.join('/')}`.toLowerCase(), ...(tag && {tag}), ...(digest && {digest})};
};

/**
 * 2 = same image; 1 = same repository, another tag or digest; 0 = other image.
 * A reference without tag or digest matches any version, and a tag cannot be
 * compared with a digest, so those count as the same image.
 */
export const matchImage = (gated: ImageRef, candidate: ImageRef): 0 | 1 | 2 => {
  if (gated.name !== candidate.name) return 0;
  if (gated.digest && candidate.digest) return gated.digest === candidate.digest ? 2 : 1;
  if (gated.tag && candidate.tag) return gated.tag === candidate.tag ? 2 : 1;
  return 2;
};

export interface Candidate<T> {
  /** Container or Compose service name, for the override and for messages. */
  name: string;
  image: string;
  item: T;
}

/**
 * Which containers run the gated image: those named by the override, else the
 * best image matches. A manifest pinned to another tag of the same repository
 * still counts (CI usually gates a fresh tag the chart does not name yet).
 * Throws when nothing matches: checking nothing would be a silent pass.
 */
export const pickGated = <T>(candidates: Candidate<T>[], image: string, containerName: string | undefined, what: string): T[] => {
  const list = (xs: string[]): string => [...new Set(xs)].join(', ') || 'none';
  if (containerName !== undefined) {
    const named = candidates.filter(c => c.name === containerName);
    if (!named.length) throw new InputError(`no ${what} named "${containerName}" in the manifests (${what}s: ${list(candidates.map(c => c.name))})`);
    return named.map(c => c.item);
  }
  const gated = parseImageRef(image);
  const scored = candidates.map(c => ({c, score: matchImage(gated, parseImageRef(c.image))}));
  const best = Math.max(0, ...scored.map(s => s.score));
  if (best === 0) {
    throw new InputError(
      `no ${what} in the manifests runs ${image} (images: ${list(candidates.map(c => c.image))}): name the ${what} to check explicitly, or pass the manifests that deploy this image`
    );
  }
  return scored.filter(s => s.score === best).map(s => s.c.item);
};
