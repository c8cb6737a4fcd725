import type {BaselineDynamic, BaselinePort, RunConfig} from './types.js';
import {schemaUrlFor} from './types.js';
import {VERSION} from '../version.js';

/** `# text` lines at an indent; a comment may hold several lines and never breaks out of `#`. */
const comment = (text: string, indent = ''): string[] => text.split(/\r\n|\r|\n/).map(l => `${indent}# ${l}`.trimEnd());

/**
 * A YAML string: plain when it is a simple word, else double-quoted (JSON
 * strings are valid YAML). Quoting `1000:1000` or `yes` also keeps YAML 1.1
 * readers from taking them for a number or a boolean.
 */
const scalar = (v: string): string => (/^[A-Za-z_][\w.-]*$/.test(v) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(v) ? v : JSON.stringify(v));

const duration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

const renderRun = (run: RunConfig): string[] => {
  const lines: string[] = [];
  if (run.entrypoint) lines.push(`  entrypoint: ${JSON.stringify(run.entrypoint)}`);
  if (run.command) lines.push(`  command: ${JSON.stringify(run.command)}`);
  if (run.env && Object.keys(run.env).length) {
    lines.push('  env:', ...Object.entries(run.env).map(([k, v]) => `    ${scalar(k)}: ${scalar(v)}`));
  }
  if (run.user !== undefined) lines.push(`  user: ${scalar(run.user)}`);
  if (run.sandbox !== undefined) lines.push(`  sandbox: ${run.sandbox}`);
  if (run.network !== undefined) lines.push(`  network: ${run.network}`);
  if (run.readOnly !== undefined) lines.push(`  readOnly: ${run.readOnly}`);
  if (run.tmpfs?.length) lines.push(`  tmpfs: ${JSON.stringify(run.tmpfs.map(t => t.path))}`);
  if (run.capAdd?.length) lines.push(`  capAdd: ${JSON.stringify(run.capAdd)}`);
  if (run.capDrop?.length) lines.push(`  capDrop: ${JSON.stringify(run.capDrop)}`);
  if (run.memoryBytes !== undefined) lines.push(`  memory: ${Math.ceil(run.memoryBytes / 1024 ** 2)}m`);
  if (run.pids !== undefined) lines.push(`  pids: ${run.pids}`);
  if (run.timeoutMs !== undefined) lines.push(`  timeout: ${duration(run.timeoutMs)}`);
  if (run.settleMs !== undefined) lines.push(`  settle: ${run.settleMs === 'auto' ? 'auto' : duration(run.settleMs)}`);
  return lines.length ? ['run:', ...lines] : [];
};

/**
 * Writes a portgate.yml for `portgate init`: the schema line editors use,
 * the header, and one commented entry per port. `loadSpec` reads it back.
 */
const renderDynamic = (dynamic: BaselineDynamic[]): string[] =>
  dynamic.length
    ? [
        'dynamic:',
        ...dynamic.flatMap(d => [
          ...(d.comment ? comment(d.comment, '  ') : []),
          `  - process: ${scalar(d.process)}`,
          '    ports: ephemeral',
          ...(d.protocol !== 'tcp' ? [`    protocol: ${d.protocol}`] : []),
          `    exposure: ${d.exposure}`,
          `    max: ${d.max}`,
          `    reason: ${JSON.stringify(d.reason)}`
        ])
      ]
    : [];

/** `schema`: what the `$schema` line points at; default this release's schema on unpkg. */
export const renderSpec = (ports: BaselinePort[], opts: {run?: RunConfig; header?: string[]; dynamic?: BaselineDynamic[]; schema?: string} = {}): string => {
  const lines = [`# yaml-language-server: $schema=${opts.schema ?? schemaUrlFor(VERSION)}`];
  for (const h of opts.header ?? []) lines.push(...comment(h));
  lines.push(
    '#',
    '# exposure: public   = EXPOSEd and listening on a non-loopback address',
    '#           internal = listening on a non-loopback address, EXPOSE optional',
    '#           loopback = listening on 127.0.0.1 or ::1 only, not EXPOSEd',
    '# served: false        = EXPOSEd (by the base image) but not served: must not listen',
    '# A port the risky-port catalog flags needs `reason:` saying why it is acceptable.',
    'version: 1'
  );
  if (!ports.length) {
    lines.push('# Nothing listened and nothing is EXPOSEd: the image must not listen at all.', 'ports: []');
  } else {
    lines.push('ports:');
    for (const p of ports) {
      if (p.comment) lines.push(...comment(p.comment, '  '));
      lines.push(`  - port: ${p.port}`);
      if (p.protocol !== 'tcp') lines.push(`    protocol: ${p.protocol}`);
      if (p.name !== undefined) lines.push(`    name: ${scalar(p.name)}`);
      lines.push(p.served === false ? '    served: false' : `    exposure: ${p.exposure}`);
    }
  }
  lines.push(...renderDynamic(opts.dynamic ?? []));
  lines.push(...renderRun(opts.run ?? {}));
  return `${lines.join('\n')}\n`;
};
