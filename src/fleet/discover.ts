import type {SourceLocation} from '../model.js';
import type {FleetService} from './types.js';

/** Folders never searched for services: dependencies and VCS data. */
export const SKIPPED = new Set(['node_modules', 'vendor', '.git', '.hg', '.svn']);

/**
 * Whether `services: auto` skips a folder of this name: SKIPPED, and every
 * hidden folder (tool state such as `.gitlab-ci-local`, which keeps a copy of
 * the repository, caches, virtualenvs): its copies would be services twice.
 */
export const skippedFolder = (name: string): boolean => SKIPPED.has(name) || (name.startsWith('.') && name !== '.');

const SPEC_NAMES = ['portgate.yml', 'portgate.yaml'];

/**
 * `services: auto`: a service per folder that holds a portgate.yml, from the
 * repository-relative file list the caller found (gate/fleet.ts walks the
 * tree, skipping what skippedFolder names). Named by the folder; where two folders share a
 * name, by their path with `/` → `-`. Sorted by path. Pure.
 */
export const discoverServices = (files: readonly string[], image: string | undefined): FleetService[] => {
  const specs = files.filter(f => SPEC_NAMES.includes(f.split('/').pop()!) && !f.split('/').slice(0, -1).some(skippedFolder));
  const byFolder = new Map<string, string>();
  for (const f of [...specs].sort()) {
    const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '.';
    if (!byFolder.has(dir)) byFolder.set(dir, f);
  }
  const base = (dir: string) => (dir === '.' ? 'root' : dir.split('/').pop()!);
  const counts = new Map<string, number>();
  for (const dir of byFolder.keys()) counts.set(base(dir), (counts.get(base(dir)) ?? 0) + 1);
  const has = new Set(files);
  return [...byFolder].map(([dir, spec]): FleetService => {
    const name = counts.get(base(dir))! > 1 ? dir.replaceAll('/', '-') : base(dir);
    const dockerfile = dir === '.' ? 'Dockerfile' : `${dir}/Dockerfile`;
    const at: SourceLocation = {file: spec, line: 1};
    return {
      name,
      image: image ?? '',
      context: dir,
      ...(has.has(dockerfile) && {dockerfile}),
      spec,
      buildArgs: {},
      manifests: [],
      compose: [],
      at
    };
  });
};
