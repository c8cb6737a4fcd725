export {loadSpec} from './load.js';
export {renderSpec} from './render.js';
export {parsePortValue, type PortRange} from './ports.js';
export {MAX_RANGE, SCHEMA_URL, schemaUrlFor, type BaselineDynamic, type BaselinePort, type RunConfig, type Spec} from './types.js';
export {parsePeerFlag, type SpecPolicy} from './policy.js';
