import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The pipeline stages are pure: text and data in, data out. Only the shells
// (cli/, action/, engine/, gate/) may touch the filesystem, processes or the engine.
const impure = ['node:fs', 'node:fs/promises', 'fs', 'node:child_process', 'child_process', 'dockerode', '@actions/core', '@actions/github', 'node:net', 'node:http'];

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', '.gitlab-ci-local/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {languageOptions: {globals: globals.node}},
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      '@typescript-eslint/no-non-null-assertion': 'off'
    }
  },
  {
    files: ['src/{dockerfile,procnet,spec,compare,findings,report,manifests,sandbox,policy,util,baseline,fleet}/**/*.ts', 'src/model.ts', 'src/errors.ts'],
    rules: {
      'no-restricted-imports': ['error', {paths: impure.map(name => ({name, message: 'pipeline stages are pure: do I/O in a shell (cli/, action/, engine/, gate/) and pass data in'}))}],
      'no-restricted-globals': ['error', {name: 'process', message: 'pure code must not read process state; take it as a parameter'}]
    }
  }
);
