// Bundles the CLI (dist/cli.js) and the GitHub Action (dist/index.js) from src/.
// Output is deterministic so CI can rebuild and `git diff --exit-code dist/`.
import {existsSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync} from 'node:fs';
import {join} from 'node:path';
import {build} from 'esbuild';

const entries = {cli: 'src/cli/index.ts', index: 'src/action/index.ts'};
rmSync('dist', {recursive: true, force: true});

const result = await build({
  entryPoints: Object.fromEntries(Object.entries(entries).filter(([, f]) => existsSync(f))),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // ssh2 (via dockerode) loads these optional natives inside try/catch; portgate does not use SSH.
  external: ['cpu-features', '*.node'],
  // ajv-formats-draft2019 (via kubernetes-models' validator) calls require('punycode'), which Node resolves to its
  // deprecated core module (a DEP0040 warning on Node 22+), not the punycode package it depends on: use the package.
  alias: {punycode: 'punycode/'},
  // Bundled CommonJS dependencies call require() for Node built-ins and read __dirname (ssh2).
  banner: {
    js: [
      "import {createRequire as __pgCreateRequire} from 'node:module';",
      "import {fileURLToPath as __pgFileURLToPath} from 'node:url';",
      "import {dirname as __pgDirname} from 'node:path';",
      'const require = __pgCreateRequire(import.meta.url);',
      'const __filename = __pgFileURLToPath(import.meta.url);',
      'const __dirname = __pgDirname(__filename);'
    ].join('\n')
  }
});

// esbuild keeps src/cli/index.ts's shebang as the first line; the file must also be executable for npm's bin link.
chmodSync('dist/cli.js', 0o755);

// Third-party licences of everything bundled, as GitHub Actions conventionally ship.
const pkgs = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m || pkgs.has(m[1])) continue;
  const dir = m[1];
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licence = readdirSync(dir).find(f => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  pkgs.set(dir, `${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n${licence ? readFileSync(join(dir, licence), 'utf8').trim() : 'no licence file'}\n`);
}
const names = [...pkgs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t);
writeFileSync('dist/licenses.txt', names.join('\n---\n\n'));
console.log(`built ${Object.keys(result.metafile.outputs).filter(f => f.endsWith('.js')).join(', ')} with ${pkgs.size} bundled packages`);
