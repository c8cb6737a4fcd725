import type {DeclaredPort, DynamicPort, ExposedPort, Finding, Listener, SourceLocation} from '../model.js';
import type {DeployedRun} from '../manifests/deployed-run.js';
import {riskyPort} from '../compare/risky-ports.js';
import {
  checkCompose,
  checkKubernetes,
  gatedContainers,
  gatedServices,
  loadCompose,
  loadKubernetes,
  type ComposeModel,
  type K8sObjects,
  type ManifestContext,
  type ManifestSource
} from '../manifests/index.js';

/** What the caller read: manifest texts, and which container runs the image when the image name is not enough. */
export interface DeploymentInputs {
  /** Rendered Kubernetes YAML (`helm template`, `kustomize build`). */
  manifests?: ManifestSource[];
  /** Compose files, merged in this order like `docker compose -f a -f b`. */
  compose?: ManifestSource[];
  /** Kubernetes container name, or Compose service key / `container_name`. */
  containerName?: string;
}

/** Parsed manifests, already known to deploy the gated image. */
export interface Deployment {
  image: string;
  containerName?: string;
  k8s?: K8sObjects;
  compose?: ComposeModel;
}

/** What the gate saw of the image; `listening: undefined` in static-only mode (spec and EXPOSE stand in). */
export interface ImageViews {
  listening: Listener[] | undefined;
  declared: DeclaredPort[];
  dynamic?: DynamicPort[];
  exposed: ExposedPort[];
}

const context = (d: Deployment, v: ImageViews, isRisky: ManifestContext['isRisky'] = riskyPort): ManifestContext => ({
  image: d.image,
  ...(d.containerName !== undefined && {containerName: d.containerName}),
  listeners: v.listening,
  declared: v.declared,
  ...(v.dynamic && {dynamic: v.dynamic}),
  exposed: v.exposed,
  isRisky
});

/**
 * Parses the manifests and finds the containers or services that run the
 * image. Called before the image runs, so a YAML error or a manifest set that
 * does not deploy this image fails fast (InputError, exit 2) instead of after
 * the wait. undefined when no manifests were given.
 */
export const loadDeployment = (image: string, inputs: DeploymentInputs): Deployment | undefined => {
  const k8s = inputs.manifests?.length ? loadKubernetes(inputs.manifests) : undefined;
  const compose = inputs.compose?.length ? loadCompose(inputs.compose) : undefined;
  if (!k8s && !compose) return undefined;
  const d: Deployment = {image, ...(inputs.containerName !== undefined && {containerName: inputs.containerName}), ...(k8s && {k8s}), ...(compose && {compose})};
  const probe = context(d, {listening: [], declared: [], exposed: []});
  if (k8s) gatedContainers(k8s, probe);
  if (compose) gatedServices(compose, probe);
  return d;
};

/** The manifest findings for what the gate saw; they join the gate's own, under the same overrides and verdict. */
export const deploymentFindings = (d: Deployment | undefined, views: ImageViews, isRisky: ManifestContext['isRisky'] = riskyPort): Finding[] => {
  if (!d) return [];
  const ctx = context(d, views, isRisky);
  return [...(d.k8s ? checkKubernetes(d.k8s, ctx) : []), ...(d.compose ? checkCompose(d.compose, ctx) : [])];
};

/** A container of the manifests that runs the image, and how the manifests start it. */
export interface DeployedContainer {
  platform: 'kubernetes' | 'compose';
  run: DeployedRun;
  what: string;
  at: SourceLocation;
  /** hostNetwork: true, or Compose network_mode: host. */
  hostNetwork: boolean;
  /** A Job or CronJob. */
  batch: boolean;
}

/**
 * Which deployment to copy when running the image: Kubernetes first (what
 * production runs), then Compose; a long-running workload before a Job. The
 * others are named in the notes, so a report says which one was used.
 */
export const deployedContainers = (d: Deployment | undefined): DeployedContainer[] => {
  if (!d) return [];
  const ctx = context(d, {listening: [], declared: [], exposed: []});
  const out: DeployedContainer[] = [];
  if (d.k8s) {
    const gated = [...gatedContainers(d.k8s, ctx)].sort(([a], [b]) => Number(a.batch) - Number(b.batch));
    for (const [w, cs] of gated)
      for (const c of cs) out.push({platform: 'kubernetes', run: c.run, what: `container ${c.name} of ${w.kind} ${w.name}`, at: c.at, hostNetwork: !!w.hostNetwork, batch: w.batch});
  }
  if (d.compose)
    for (const s of gatedServices(d.compose, ctx))
      out.push({platform: 'compose', run: s.run, what: `Compose service ${s.name}`, at: s.at, hostNetwork: s.networkMode?.value === 'host', batch: false});
  return out;
};
