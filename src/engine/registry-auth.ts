import type {AuthConfig} from 'dockerode';

const DOCKER_HUB = 'https://index.docker.io/v1/';

/** The registry host of an image reference, as the docker CLI decides it. */
export const registryOf = (ref: string): string => {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : DOCKER_HUB;
};

interface DockerConfig {
  auths?: Record<string, {auth?: string; username?: string; password?: string; identitytoken?: string}>;
}

/**
 * Credentials for pulling `ref` from a docker config.json text (the content of
 * GitLab's DOCKER_AUTH_CONFIG, or ~/.docker/config.json). dockerode does not
 * read that file itself. Credential helpers are not supported: they run binaries.
 */
export const authFor = (ref: string, configJson: string | undefined): AuthConfig | undefined => {
  if (!configJson) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(configJson) as DockerConfig;
  } catch {
    return undefined;
  }
  const host = registryOf(ref);
  const hosts = host === DOCKER_HUB ? [DOCKER_HUB, 'index.docker.io', 'docker.io', 'registry-1.docker.io'] : [host, `https://${host}`];
  const entry = Object.entries(config.auths ?? {}).find(([k]) => hosts.includes(k.replace(/\/+$/, '')) || hosts.includes(k))?.[1];
  if (!entry) return undefined;
  const [username, ...rest] = entry.auth ? Buffer.from(entry.auth, 'base64').toString('utf8').split(':') : [entry.username ?? ''];
  const password = entry.auth ? rest.join(':') : (entry.password ?? '');
  return {username: username!, password, serveraddress: host};
};
