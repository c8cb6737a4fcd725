/**
 * View 1 of portgate: what a Dockerfile EXPOSEs, resolved the way
 * `docker build` resolves it (BuildKit or the classic builder).
 */
export {resolveExpose} from './resolve.js';
export type {BaseImageInfo, ResolveOptions, ResolvedDockerfile} from './resolve.js';
export type {Builder} from './lex.js';
