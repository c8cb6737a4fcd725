import {existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';

const LOCAL = 'node_modules/portgate/schema/portgate.schema.json';

/**
 * The `$schema` target `init` writes into a spec that will live in `dir`:
 * the project's own installed copy (`npm i -D portgate`, or a release tarball
 * before the package is published) when there is one beside the spec, so
 * editors find it offline and it matches the version the project runs; else
 * undefined (the renderer's pinned unpkg URL). A global install or a clone
 * elsewhere is never written: the path would not exist on a teammate's machine.
 */
export const localSchemaRef = (dir: string): string | undefined => (existsSync(join(resolve(dir), LOCAL)) ? `./${LOCAL}` : undefined);

/** The directory the spec is written to: --output's, else the working directory (stdout redirected there). */
export const specDir = (output: string | undefined): string => (output ? dirname(resolve(output)) : process.cwd());
