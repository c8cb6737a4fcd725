import {availableParallelism, totalmem} from 'node:os';
import {context, getOctokit} from '@actions/github';
import {EnvironmentError, InputError, describeError} from '../errors.js';
import {withEngine, withEngines} from '../engine/guard.js';
import {defaultJobs} from '../fleet/pool.js';
import type {FleetJsonReport} from '../fleet/result.js';
import {fleetServices, gateFleet, mergeReportFiles, readFleet, selectServices, type FleetFlags} from '../gate/fleet.js';
import {FLEET_WRITERS} from '../report/fleet.js';
import {sanitize} from '../report/sanitize.js';
import {runGate, waitBudget} from '../gate/run-gate.js';
import {activeFindings, countBySeverity, failsGate} from '../report/common.js';
import {FORMATS} from '../report/index.js';
import {planAnnotations, planFleetAnnotations} from './annotations.js';
import {fleetSubject, postSticky, stickyComment, type PullRequestContext} from './comment.js';
import {expandPatterns} from './glob.js';
import * as emit from './emit.js';
import {gateOptions, repoPath, writeFleetReports, writeReports} from './files.js';
import {getInputs, versionMatches, type Inputs} from './inputs.js';
import {fleetSummaryMarkdown, summaryMarkdown} from './summary.js';
import {VERSION} from '../version.js';
import {basename, resolve} from 'node:path';
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

/** One image: gateOptions → runGate → emit. */
const runImage = async (inputs: Inputs, workspace: string): Promise<void> => {
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
};

/** What the workflow set that applies to every service; the fleet file's defaults hold for the rest. */
export const fleetFlags = (i: Inputs): FleetFlags => ({
  ...(i.given.has('fail-on') && {failOn: i.failOn}),
  ...(i.given.has('probe') && {probe: i.probe}),
  ...(i.probeImage !== undefined && {probeImage: i.probeImage}),
  ...(i.given.has('pull') && {pull: i.pull}),
  ...(i.given.has('builder') && {builder: i.builder}),
  ...(i.staticOnly && {staticOnly: true}),
  ...(i.timeoutMs !== undefined && {timeoutMs: i.timeoutMs}),
  ...(i.settle !== undefined && {settle: i.settle}),
  ...(i.sandbox && {sandbox: i.sandbox}),
  ...(i.network && {network: i.network})
});

/** `portgate: fleet portgate.fleet.yml: 2 of 5 services fail (api, web); 1 could not be gated (db)`. */
export const fleetFailure = (r: FleetJsonReport): string => {
  const names = (status: 'fail' | 'error') => r.services.filter(s => s.status === status).map(s => sanitize(s.name)).join(', ');
  const parts = [
    ...(r.summary.failed ? [`${r.summary.failed} of ${r.summary.services} service${r.summary.services === 1 ? '' : 's'} fail${r.summary.failed === 1 ? 's' : ''} at fail-on ${r.failOn} (${names('fail')})`] : []),
    ...(r.summary.errors ? [`${r.summary.errors} could not be gated (${names('error')})`] : [])
  ];
  return `portgate: fleet ${sanitize(r.fleet)}: ${parts.join('; ')}: see the annotations and the job summary.`;
};

/**
 * A fleet (`fleet`, all services or a matrix job's slice) or the merge of
 * its matrix jobs' reports (`merge`): one fleet report, then the same
 * outputs as one image, with one summary, one comment and one SARIF run for
 * the whole fleet.
 */
const runFleetMode = async (inputs: Inputs, workspace: string): Promise<void> => {
  // Fleet files name their services' files relative to the checkout, and the reports cite them so.
  if (resolve(process.cwd()) !== resolve(workspace)) process.chdir(workspace);
  const base = inputs.baseline
    ? {report: readReport(await readInput(inputs.baseline, 'the baseline report'), inputs.baseline, 'fleet', "set input baseline to the JSON report of an earlier run of this fleet, e.g. the main branch's merged report artifact."), path: inputs.baseline}
    : undefined;
  let report: FleetJsonReport;
  if (inputs.mode === 'merge') {
    const files = (await expandPatterns(inputs.merge, workspace)).map(f => repoPath(f, workspace));
    emit.log(`portgate: merging ${files.length} report${files.length === 1 ? '' : 's'}: ${files.join(', ')}`);
    report = await mergeReportFiles(files, base);
  } else {
    const fleet = await readFleet(inputs.fleet!);
    const services = selectServices(await fleetServices(fleet), inputs.services, inputs.fleet!, 'input services');
    const jobs = inputs.jobs ?? defaultJobs(availableParallelism(), totalmem());
    const flags = fleetFlags(inputs);
    report = await withEngines({log: emit.log, waitMs: inputs.engineWaitMs, optional: inputs.staticOnly}, session =>
      gateFleet(fleet, services, {jobs, flags, env: process.env, session, cwd: workspace, stopped: () => session?.stopping ?? false, notice: s => emit.log(`portgate: ${s}`), ...(base && {baseline: base})})
    );
  }
  emit.log(FLEET_WRITERS.text(report, {color: false}));
  const plan = planFleetAnnotations(report, {cwd: workspace});
  emit.annotate(plan.annotations);
  const files = await writeFleetReports(report, inputs, workspace);
  emit.outputs({verdict: report.verdict, errors: report.summary.findings.error, warnings: report.summary.findings.warning, ...files});
  await emit.summary(fleetSummaryMarkdown(report, {unannotated: plan.unannotated, fullReport: basename(files.report)}));
  if (inputs.comment) {
    // Each matrix job would overwrite the others' comment with its own slice.
    if (inputs.mode === 'fleet' && inputs.services.length) emit.log('portgate: no PR comment from a slice of the fleet (input services): the merge step posts one for the whole fleet.');
    else emit.comment(await postSticky(inputs.githubToken ? getOctokit(inputs.githubToken) : undefined, pullRequest(), fleetSubject(report)));
  }
  if (report.verdict === 'fail') emit.fail(fleetFailure(report));
};

/** getInputs → one image or a fleet → emit. Drift and user errors become setFailed; only bugs keep a stack trace. */
export const run = async (): Promise<void> => {
  try {
    const inputs = getInputs();
    // Before anything runs: a workflow that pinned the version it reviewed must not silently run another.
    if (inputs.version && !versionMatches(inputs.version, VERSION))
      throw new InputError(`input version is ${inputs.version}, but this action runs portgate ${VERSION}. Point \`uses:\` at the release you reviewed (e.g. @v${inputs.version}), or update the version input after reviewing ${VERSION}.`);
    emit.log(`portgate ${VERSION}`);
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    if (inputs.mode === 'image') await runImage(inputs, workspace);
    else await runFleetMode(inputs, workspace);
  } catch (e) {
    emit.outputs({verdict: 'error'});
    if (e instanceof InputError) emit.fail(`portgate: ${describeError(e)}`);
    else if (e instanceof EnvironmentError) emit.fail(`portgate: ${describeError(e)}`);
    else emit.fail(`portgate: internal error, please report it with this log:\n${(e as Error).stack ?? String(e)}`);
  }
};
