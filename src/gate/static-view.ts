import type {ExposedPort, Finding, Protocol} from '../model.js';
import {portKey} from '../model.js';
import {resolveExpose, type BaseImageInfo, type DockerfileConfig, type ResolveOptions} from '../dockerfile/index.js';
import type {Engine, ImageFacts} from '../engine/types.js';
import {finding} from '../findings/finding.js';

export interface DockerfileInput {
  file: string;
  text: string;
}

const parseKey = (key: string): {port: number; protocol: Protocol} => {
  const [port, protocol] = key.split('/');
  return {port: Number(port), protocol: (protocol ?? 'tcp') as Protocol};
};

/**
 * View 1. The image's Config.ExposedPorts is the truth of what ships; the
 * Dockerfile, resolved statically, says which line each port came from, and
 * any image port it does not produce was inherited from the base image.
 */
export const staticView = async (
  engine: Engine,
  facts: ImageFacts,
  dockerfile: DockerfileInput | undefined,
  opts: Omit<ResolveOptions, 'file' | 'baseImages'>
): Promise<{exposed: ExposedPort[]; findings: Finding[]; config?: DockerfileConfig}> => {
  if (!dockerfile) return {exposed: facts.exposedPorts.map(k => ({...parseKey(k), origin: 'dockerfile'})), findings: []};
  const first = resolveExpose(dockerfile.text, {...opts, file: dockerfile.file});
  // Base images' ENV feeds expansion (e.g. `EXPOSE $PORT` with PORT set upstream); inspect the ones present.
  const baseImages: Record<string, BaseImageInfo> = {};
  for (const ref of first.externalImages.filter(r => r !== 'scratch')) {
    const base = await engine.inspectImage(ref);
    if (base) baseImages[ref] = {env: base.env, exposedPorts: base.exposedPorts};
  }
  const resolved = Object.keys(baseImages).length ? resolveExpose(dockerfile.text, {...opts, file: dockerfile.file, baseImages}) : first;
  const own = new Map(resolved.exposed.map(e => [portKey(e), e]));
  const inImage = new Set(facts.exposedPorts);
  const exposed = facts.exposedPorts.map((k): ExposedPort => own.get(k) ?? {...parseKey(k), origin: 'base-image'});
  const findings = [...resolved.warnings];
  for (const [key, e] of own) {
    if (inImage.has(key)) continue;
    findings.push(
      finding(
        'dockerfile-mismatch',
        `${dockerfile.file} EXPOSEs ${key} but ${facts.ref} has no such port: the image was not built from this Dockerfile with these --build-arg/--target values. Rebuild it, or pass the values used.`,
        {port: e.port, protocol: e.protocol, location: e.location}
      )
    );
  }
  return {exposed, findings, config: resolved.config};
};
