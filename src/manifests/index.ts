/**
 * Deployment-manifest checks: Kubernetes and Compose port wiring compared with
 * what the gated image serves. Pure: manifest text in, findings out.
 */
export {loadKubernetes, type ManifestSource} from './k8s-load.js';
export {checkKubernetes, gatedContainers} from './k8s-check.js';
export type {K8sObjects, Workload, Container, ContainerPort, Service, ServicePort, Ingress, IngressBackend} from './k8s-model.js';
export {loadCompose, type ComposeModel, type ComposeService, type ComposePort} from './compose-load.js';
export {checkCompose, gatedServices} from './compose-check.js';
export type {ManifestContext} from './image-view.js';
export {parseImageRef, matchImage} from './image-match.js';
