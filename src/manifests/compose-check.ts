import type {Finding, Protocol} from '../model.js';
import type {ComposeModel, ComposePort, ComposeService} from './compose-load.js';
import {allInterfaces, withDefaults} from './compose-ports.js';
import {pickGated} from './image-match.js';
import {finding, imageView, sensitivity, tidy, unreachable, type ImageView, type ManifestContext} from './image-view.js';

/** `image: registry/api:${TAG}` still names the repository: an unknown tag matches any. */
const imageOf = (s: ComposeService): string => (s.image === undefined ? '' : (withDefaults(s.image) ?? withDefaults(s.image.replace(/:\$\{[^}]*\}$/, '')) ?? ''));

/** The services that run the gated image; the override matches a service key or its `container_name`. */
export const gatedServices = (model: ComposeModel, ctx: ManifestContext): ComposeService[] => {
  const byContainerName = model.services.find(s => ctx.containerName !== undefined && s.containerName === ctx.containerName);
  const override = byContainerName ? byContainerName.name : ctx.containerName;
  return pickGated(
    model.services.map(s => ({name: s.name, image: imageOf(s), item: s})),
    ctx.image,
    override,
    'service'
  );
};

const isLong = (p: ComposePort): boolean => p.raw.startsWith('{');

const fixFor = (p: ComposePort, other: Protocol | undefined, problem: string, view: ImageView): string => {
  if (other) return isLong(p) ? `set \`protocol: ${other}\` in this entry` : `append \`/${other}\` to the entry`;
  if (problem.includes('loopback')) return 'make the process bind 0.0.0.0 (or ::)';
  const serves = view.facts.filter(f => f.reachable && f.protocol === p.protocol).map(f => f.port);
  return `point it at a port the service serves${serves.length ? ` (${serves.join(', ')})` : ''}, or remove the entry`;
};

const portFindings = (s: ComposeService, p: ComposePort, view: ImageView, ctx: ManifestContext): Finding[] => {
  const out: Finding[] = [];
  const key = `${p.target}/${p.protocol}`;
  const sens = allInterfaces(p.hostIp) && sensitivity(ctx, p.target, p.protocol);
  if (sens) {
    const host = p.published ? `host port ${p.published}` : 'an ephemeral host port';
    const fix = isLong(p) ? 'add `host_ip: 127.0.0.1` to this entry' : `bind it to loopback (\`"127.0.0.1:${p.published ?? p.target}:${p.target}"\`)`;
    const msg = `service ${s.name} publishes ${key} on every host interface (${p.raw}, ${host}), but ${sens}: ${fix}, or remove the entry.`;
    out.push(finding('compose-published-all-interfaces', msg, p.target, p.protocol, p.at));
  }
  const bad = unreachable(view, p.target, p.protocol);
  if (bad) {
    const msg = `service ${s.name} forwards ${p.raw} to container port ${key}, but ${bad.problem}, so connections to it fail: ${fixFor(p, bad.otherProtocol, bad.problem, view)}.${view.note}`;
    out.push(finding('compose-port-not-listening', msg, p.target, p.protocol, p.at));
  }
  return out;
};

/**
 * Compares Compose port wiring with what the gated image serves: published
 * ports (all interfaces vs sensitive ports, targets nothing serves), `expose`,
 * and host networking. Throws InputError when no service runs the image.
 * A `ports:`/`expose:` target that nothing serves is compose-port-not-listening.
 */
export function checkCompose(model: ComposeModel, ctx: ManifestContext): Finding[] {
  const view = imageView(ctx);
  const out: Finding[] = [];
  for (const s of gatedServices(model, ctx)) {
    if (s.networkMode?.value === 'host') {
      const open = view.facts.map(f => `${f.port}/${f.protocol}`).join(', ') || 'none';
      const ignored = s.ports.length ? ' Its `ports:` entries are ignored in this mode.' : '';
      const msg = `service ${s.name} sets network_mode: host, so it bypasses the container network and every port the image serves is open on the host's interfaces (${open}), loopback ones to every host process.${ignored} Remove network_mode: host and publish the public ports with \`ports:\`.${view.note}`;
      out.push(finding('k8s-host-network', msg, undefined, undefined, s.networkMode.at));
      continue;
    }
    // One finding per port of a range mapping: no push(...), which a 1-65535 range would overflow.
    for (const p of s.ports) for (const f of portFindings(s, p, view, ctx)) out.push(f);
    for (const e of s.expose) {
      const bad = unreachable(view, e.port, e.protocol);
      if (!bad) continue;
      const fix = bad.otherProtocol ? `write \`${e.port}/${bad.otherProtocol}\`` : 'remove it or fix the service';
      const msg = `service ${s.name} lists ${e.port}/${e.protocol} under \`expose\`, but ${bad.problem}: ${fix}.${view.note}`;
      out.push(finding('compose-port-not-listening', msg, e.port, e.protocol, e.at));
    }
  }
  return tidy(out);
}
