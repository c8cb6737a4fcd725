import * as core from '@actions/core';
import type {Annotation} from './annotations.js';
import {neutralizeCommands} from '../report/sanitize.js';
import type {CommentOutcome} from './comment.js';

/**
 * The only module that talks to the runner: annotations, log lines, the job
 * summary, outputs and the step status. Everything reaches it as plain data,
 * and @actions/core escapes every message and property (`%`, `:`, `,`, CR/LF).
 */

/** Log text can quote the image under test: report/sanitize.ts keeps it from becoming workflow commands. */
export const log = (text: string): void => core.info(neutralizeCommands(text.trimEnd()));

export const annotate = (annotations: readonly Annotation[]): void => {
  for (const a of annotations) core[a.level](a.message, a.properties);
};

/** Outputs are strings on the runner; numbers are written in decimal. */
export const outputs = (values: Record<string, string | number>): void => {
  for (const [name, value] of Object.entries(values)) core.setOutput(name, String(value));
};

/** A summary that cannot be written (no GITHUB_STEP_SUMMARY outside Actions, disk full) costs a warning, not the gate. */
export const summary = async (markdown: string): Promise<void> => {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('portgate: GITHUB_STEP_SUMMARY is not set; no job summary written.');
    return;
  }
  try {
    await core.summary.addRaw(markdown).write();
  } catch (e) {
    core.warning(`portgate: could not write the job summary: ${(e as Error).message}`);
  }
};

export const comment = (o: CommentOutcome): void => {
  switch (o.action) {
    case 'created':
    case 'updated':
    case 'resolved':
      core.info(`portgate: PR comment ${o.id} ${o.action}.`);
      return;
    case 'none':
      core.info(o.message);
      return;
    case 'skipped':
      core[o.level](o.message);
  }
};

/** Marks the step failed (exit code 1) with one error annotation. */
export const fail = (message: string): void => core.setFailed(message);
