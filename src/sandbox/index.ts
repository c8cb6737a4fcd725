/**
 * How the image under test is run: portgate's contained defaults, the
 * deployment's settings, portgate.yml's `run:` and flags, merged with the
 * source of every setting kept; and, when the image still stops, why. Pure.
 */
export {planSandbox, describeSource} from './plan.js';
export {deployedLayer, flagLayers, specLayers} from './layers.js';
export {diagnoseExit, type Diagnosis, type ExitFacts} from './diagnose.js';
export {ENGINE_DEFAULT_CAPS, LIMITS} from './profiles.js';
export {capabilityIssue, parseMemory, LINUX_CAPS} from './values.js';
export type * from './types.js';
export {summarizePlan} from './summary.js';
