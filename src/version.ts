import pkg from '../package.json' with {type: 'json'};

/** portgate's own version, from package.json; esbuild inlines it into dist/cli.js and dist/index.js. */
export const VERSION: string = pkg.version;
