import type {BaselinePort, RunConfig} from './types.js';
import {SCHEMA_URL} from './types.js';

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
  if (run.timeoutMs !== undefined) lines.push(`  timeout: ${duration(run.timeoutMs)}`);
  if (run.settleMs !== undefined) lines.push(`  settle: ${duration(run.settleMs)}`);
  return lines.length ? ['run:', ...lines] : [];
};

/**
 * Writes a portgate.yml for `portgate init`: the schema line editors use,
 * the header, and one commented entry per port. `loadSpec` reads it back.
 */
export const renderSpec = (ports: BaselinePort[], opts: {run?: RunConfig; header?: string[]} = {}): string => {
  const lines = [`# yaml-language-server: $schema=${SCHEMA_URL}`];
  for (const h of opts.header ?? []) lines.push(...comment(h));
  lines.push(
    '#',
    '# exposure: public   = EXPOSEd and listening on a non-loopback address',
    '#           internal = listening on a non-loopback address, EXPOSE optional',
    '#           loopback = listening on 127.0.0.1 or ::1 only, not EXPOSEd',
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
      lines.push(`    exposure: ${p.exposure}`);
    }
  }
  lines.push(...renderRun(opts.run ?? {}));
  return `${lines.join('\n')}\n`;
};
