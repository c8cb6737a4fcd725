import {stringify} from 'yaml';
import type {FleetService} from './types.js';

/** Services split into at most `maxJobs` groups of near-equal size, in fleet order. */
export const shard = <T>(items: readonly T[], maxJobs: number): T[][] => {
  const n = Math.max(1, Math.min(maxJobs, items.length));
  const size = Math.ceil(items.length / n);
  return Array.from({length: Math.ceil(items.length / size)}, (_, i) => items.slice(i * size, (i + 1) * size));
};

export interface MatrixJob {
  /** `shard-01`: names the job and its report artifact. */
  id: string;
  services: string[];
  /** The command the job runs; its JSON report goes to portgate-<id>.json. */
  command: string;
}

const quote = (s: string): string => (/^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** `extra`: arguments every job's command adds (GitLab: `--engine-wait 60s`, as its dind service may still be starting). */
export const matrixJobs = (services: readonly FleetService[], fleetFile: string, maxJobs: number, cli = 'npx portgate', extra: readonly string[] = []): MatrixJob[] =>
  shard(services, maxJobs).map((group, i) => {
    const id = `shard-${String(i + 1).padStart(2, '0')}`;
    const names = group.map(s => s.name);
    const args = ['check', '--fleet', fleetFile, ...names.flatMap(n => ['--service', n]), ...extra, '--report', `json=portgate-${id}.json`];
    return {id, services: names, command: [cli, ...args.map(quote)].join(' ')};
  });

/**
 * GitHub Actions: the object for `strategy.matrix` (`fromJSON(...)`), one
 * `include` entry per job with everything its steps need: `services` for the
 * Action's `services` input, `command` for a `run:` step, `report` for the
 * artifact upload.
 */
export const githubMatrix = (jobs: readonly MatrixJob[]): string =>
  `${JSON.stringify({include: jobs.map(j => ({shard: j.id, services: j.services.join(' '), command: j.command, report: `portgate-${j.id}.json`}))})}\n`;

/** What each gate job of a GitLab child pipeline waits for its dind engine (it starts with the job). */
export const GITLAB_ENGINE_WAIT = ['--engine-wait', '60s'];

export interface GitlabChildOptions {
  /** The image every job runs in: Node.js for `npx`, or portgate's own image. */
  image: string;
  /** How a job runs portgate, e.g. `npx --yes portgate@0.2.0`. */
  cli: string;
  /** Tag prefix of the `docker:<dind>-dind` service; `none`: no service, the jobs use the engine their runner gives them (DOCKER_HOST, a mounted socket). */
  dind: string;
}

/**
 * Lets the gate pull `$CI_REGISTRY_IMAGE` images into the empty dind engine
 * with the job's own token (the same step as templates/portgate.yml).
 */
const REGISTRY_AUTH = [
  '# Lets portgate pull $CI_REGISTRY_IMAGE into the (empty) dind engine with the job\'s own registry token.',
  'if [ -z "${DOCKER_AUTH_CONFIG:-}" ] && [ -n "${CI_REGISTRY:-}" ] && [ -n "${CI_REGISTRY_PASSWORD:-}" ]; then',
  '  DOCKER_AUTH_CONFIG=$(printf \'{"auths":{"%s":{"auth":"%s"}}}\' "$CI_REGISTRY" "$(printf \'%s:%s\' "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" | base64 | tr -d \'\\n\')")',
  '  export DOCKER_AUTH_CONFIG',
  'fi',
  ''
].join('\n');

/** The merge job's report files, as GitLab reads them. */
export const GITLAB_MERGED = {codequality: 'gl-code-quality-report.json', junit: 'portgate-junit.xml', markdown: 'portgate.md', json: 'portgate-fleet.json'} as const;

/**
 * GitLab: a complete child pipeline (for `trigger: include: artifact:`).
 * One gate job per shard, each like templates/portgate.yml's job: the
 * Docker-in-Docker service over TLS with the variables GitLab documents,
 * the registry token for pulls, an engine wait; each keeps its JSON report
 * as an artifact, also when it fails. Then one job, run whatever the gates
 * said, that merges their reports into one verdict and every GitLab report
 * format (Code Quality and JUnit for the merge request, Markdown and JSON
 * to read).
 */
export const gitlabChildPipeline = (jobs: readonly MatrixJob[], opts: GitlabChildOptions): string => {
  const image = {name: opts.image, entrypoint: ['']};
  const dind = opts.dind !== 'none';
  const doc: Record<string, unknown> = {
    stages: ['gate', 'merge'],
    '.portgate-gate': {
      stage: 'gate',
      image,
      before_script: [REGISTRY_AUTH],
      ...(dind && {
        services: [{name: `docker:${opts.dind}-dind`, alias: 'docker', variables: {HEALTHCHECK_TCP_PORT: '2376'}}],
        variables: {DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_CERTDIR: '/certs', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '$DOCKER_TLS_CERTDIR/client'}
      })
    }
  };
  for (const j of jobs) {
    doc[`portgate-${j.id}`] = {
      extends: '.portgate-gate',
      script: [j.command],
      artifacts: {when: 'always', paths: [`portgate-${j.id}.json`]}
    };
  }
  const files = jobs.map(j => `portgate-${j.id}.json`).join(' ');
  const reports = Object.entries(GITLAB_MERGED).map(([format, path]) => `--report ${format === 'codequality' ? 'gitlab-codequality' : format}=${path}`);
  doc['portgate-merge'] = {
    stage: 'merge',
    image,
    // No `needs` (at most 50 jobs): a later stage gets every gate job's artifacts.
    // Also after a gate job failed: the merged report says which services drift.
    when: 'always',
    script: [`${opts.cli} merge ${files} ${reports.join(' ')}`],
    // The reports in `paths` too: GitLab reads them from `reports`, people browse and download them from `paths`.
    artifacts: {when: 'always', paths: Object.values(GITLAB_MERGED), reports: {codequality: GITLAB_MERGED.codequality, junit: GITLAB_MERGED.junit}}
  };
  return `# Generated by portgate matrix: ${jobs.length} gate job(s) and one merge job.\n${stringify(doc, {lineWidth: 0, aliasDuplicateObjects: false})}`;
};
