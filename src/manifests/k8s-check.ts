import type {Finding} from '../model.js';
import type {Container, K8sObjects, Workload} from './k8s-model.js';
import {pickGated} from './image-match.js';
import {imageView, tidy, type ManifestContext} from './image-view.js';
import {containerFindings} from './k8s-containers.js';
import {serviceFindings} from './k8s-services.js';
import {networkPolicyFindings} from '../policy/check.js';

/**
 * The containers that run the gated image, by workload. Plain init containers
 * are left out: they run to completion and serve no traffic.
 */
export const gatedContainers = (objs: K8sObjects, ctx: ManifestContext): Map<Workload, Container[]> => {
  const candidates = objs.workloads.flatMap(w => w.containers.filter(c => c.role !== 'init').map(c => ({name: c.name, image: c.image, item: {w, c}})));
  const byWorkload = new Map<Workload, Container[]>();
  for (const {w, c} of pickGated(candidates, ctx.image, ctx.containerName, 'container')) byWorkload.set(w, [...(byWorkload.get(w) ?? []), c]);
  return byWorkload;
};

/**
 * Compares Kubernetes port wiring with what the gated image serves: Service
 * targetPorts, external Services and Ingresses, containerPorts, probes,
 * host networking and NetworkPolicies. Throws InputError when no container runs the image.
 */
export function checkKubernetes(objs: K8sObjects, ctx: ManifestContext): Finding[] {
  const gated = gatedContainers(objs, ctx);
  const view = imageView(ctx);
  return tidy([...serviceFindings(objs, gated, view, ctx), ...containerFindings(gated, view, ctx, objs), ...networkPolicyFindings(objs, gated, ctx)]);
}
