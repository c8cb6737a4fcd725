import {context, getOctokit} from '@actions/github';
import {EnvironmentError, InputError, describeError} from '../errors.js';
import {withEngine} from '../engine/guard.js';
import {runGate, waitBudget} from '../gate/run-gate.js';
import {activeFindings, countBySeverity, failsGate} from '../report/common.js';
import {FORMATS} from '../report/index.js';
import {planAnnotations} from './annotations.js';
import {stickyComment, type PullRequestContext} from './comment.js';
import * as emit from './emit.js';
import {gateOptions, writeReports} from './files.js';
import {getInputs, versionMatches} from './inputs.js';
import {summaryMarkdown} from './summary.js';
import {VERSION} from '../version.js';
import {resolve} from 'node:path';
import {compareWithBaseline} from '../baseline/compare.js';
import {readInput} from '../gate/read-inputs.js';
import {fromJsonReport} from '../report/from-json.js';
import {readReport} from '../report/read.js';

const pullRequest = (): PullRequestContext => {
  const pr = ['pull_request', 'pull_request_target'].includes(context.eventName) ? context.payload.pull_request : undefined;
  if (!pr) return {eventName: context.eventName, owner: '', repo: '', fork: false};
  const {owner, repo} = context.repo;
  const fork = pr.head?.repo?.full_name !== pr.base?.repo?.full_name;
  return {eventName: context.eventName, owner, repo, number: pr.number, fork, sha: pr.head?.sha, runUrl: `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`};
};

/** getInputs → runGate → emit. Drift and user errors become setFailed; only bugs keep a stack trace. */
export const run = async (): Promise<void> => {
  try {
    const inputs = getInputs();
    // Before anything runs: a workflow that pinned the version it reviewed must not silently run another.
    if (inputs.version && !versionMatches(inputs.version, VERSION))
      throw new InputError(`input version is ${inputs.version}, but this action runs portgate ${VERSION}. Point \`uses:\` at the release you reviewed (e.g. @v${inputs.version}), or update the version input after reviewing ${VERSION}.`);
    emit.log(`portgate ${VERSION}`);
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const {opts} = await gateOptions(inputs, workspace);
    // Read before the image runs: a wrong baseline is found in a second.
    const base = inputs.baseline
      ? fromJsonReport(readReport(await readInput(resolve(workspace, inputs.baseline), 'the baseline report'), inputs.baseline, 'single', "set input baseline to the JSON report of an earlier run of this image, e.g. the main branch's report artifact."))
      : undefined;
    // How the result was reached (e.g. an image pulled) goes to the log: annotations are kept for findings.
    const gated = await withEngine({log: emit.log, waitMs: inputs.engineWaitMs, timeoutMs: waitBudget(opts).timeoutMs, optional: opts.staticOnly}, engine => runGate({...opts, notice: s => emit.log(`portgate: ${s}`)}, engine));
    const result = base ? compareWithBaseline(gated, base, {report: inputs.baseline!, cwd: workspace}) : gated;
    emit.log(FORMATS.text(result, {cwd: workspace, color: false}));
    const plan = planAnnotations(result, {cwd: workspace});
    emit.annotate(plan.annotations);
    const files = await writeReports(result, inputs, workspace);
    const counts = countBySeverity(result.findings);
    emit.outputs({verdict: result.verdict, errors: counts.error, warnings: counts.warning, ...files});
    await emit.summary(summaryMarkdown(result, {cwd: workspace, unannotated: plan.unannotated}));
    if (inputs.comment) {
      const client = inputs.githubToken ? getOctokit(inputs.githubToken) : undefined;
      emit.comment(await stickyComment(client, pullRequest(), result, workspace));
    }
    if (result.verdict === 'fail') {
      const n = activeFindings(result.findings).filter(f => failsGate(f.severity, result.failOn)).length;
      emit.fail(`portgate: ${n} finding${n === 1 ? '' : 's'} at fail-on ${result.failOn} or above in ${result.image}: see the annotations and the job summary.`);
    }
  } catch (e) {
    emit.outputs({verdict: 'error'});
    if (e instanceof InputError) emit.fail(`portgate: ${describeError(e)}`);
    else if (e instanceof EnvironmentError) emit.fail(`portgate: ${describeError(e)}`);
    else emit.fail(`portgate: internal error, please report it with this log:\n${(e as Error).stack ?? String(e)}`);
  }
};
