/**
 * Kubernetes NetworkPolicies from portgate.yml: generation (with comments that
 * cite the spec), schema validation, the ingress semantics they are checked
 * with, and the findings `check --manifests` reports. Pure: data in, data out.
 */
export {generatePolicy, type GeneratedPolicy, type InternalPeers, type PolicyTarget} from './generate.js';
export {renderPolicies} from './render.js';
export {validatePolicy} from './validate.js';
export {policyTargets, type TargetOptions} from './targets.js';
export {isAllowed, matchesSelector, namespaceLabels, type Peer, type Pod} from './semantics.js';
export {networkPolicyFindings} from './check.js';
export {namespaceIssue, objectNameIssue, parseLabelList} from './labels.js';
