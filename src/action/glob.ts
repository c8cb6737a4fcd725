import {readdir} from 'node:fs/promises';
import {isAbsolute, join, posix, resolve} from 'node:path';
import {InputError} from '../errors.js';

/**
 * The files the `merge` input names: paths, or globs in the shell's and
 * actions/upload-artifact's sense (`*` and `?` within one path segment, `**`
 * across segments), relative to the workspace. Each pattern must match at
 * least one file: a merge that silently folds fewer reports than the matrix
 * made would pass services nobody gated. Sorted and deduplicated, so the
 * merged report does not depend on the order the artifacts arrived in.
 */

const GLOB = /[*?]/;

/** `services/**\/*.json` → a RegExp over `/`-separated paths relative to the pattern's fixed prefix. */
export const globRegExp = (pattern: string): RegExp => {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
};

/** Every file below `dir`, relative with `/` (folders named .git are skipped; symlinked folders are not followed). */
const filesUnder = async (dir: string, rel = ''): Promise<string[]> => {
  const entries = await readdir(join(dir, rel), {withFileTypes: true}).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && e.name !== '.git') out.push(...(await filesUnder(dir, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
};

export const expandPatterns = async (patterns: readonly string[], workspace: string, input = 'merge'): Promise<string[]> => {
  const found = new Set<string>();
  for (const raw of patterns) {
    const pattern = raw.replaceAll('\\', '/');
    if (!GLOB.test(pattern)) {
      found.add(resolve(workspace, pattern));
      continue;
    }
    const segments = pattern.split('/');
    const fixed = segments.slice(0, segments.findIndex(s => GLOB.test(s)));
    const base = fixed.length ? resolve(workspace, fixed.join('/') || '/') : workspace;
    const re = globRegExp(segments.slice(fixed.length).join('/'));
    const hits = (await filesUnder(base)).filter(f => re.test(f));
    if (!hits.length)
      throw new InputError(`input ${input}: ${raw} matches no file below ${isAbsolute(pattern) ? base : posix.join('.', fixed.join('/')) || '.'}. Did every matrix job upload its JSON report, and did actions/download-artifact put them there?`);
    for (const h of hits) found.add(join(base, h));
  }
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
};
