/**
 * View 1 of portgate: what a Dockerfile EXPOSEs, resolved the way
 * `docker build` resolves it (BuildKit or the classic builder).
 */
export {resolveExpose} from './resolve.js';
export type {BaseImageInfo, DockerfileConfig, Located, ResolveOptions, ResolvedDockerfile} from './resolve.js';
export type {Builder} from './lex.js';

/** What `--build-arg KEY=VALUE` accepts as KEY: a shell variable name, as ARG declares it. */
export const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
