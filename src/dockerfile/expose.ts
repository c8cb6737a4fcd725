/**
 * One EXPOSE instruction → ports and warnings, as dispatchExpose does it in
 * moby/buildkit dockerfile2llb/convert_expose.go and moby/moby
 * daemon/builder/dockerfile/dispatchers.go: every raw word (sorted, by
 * instructions/parse.go parseExpose) is expanded and split into words first,
 * then each resulting spec is parsed. That order decides which error a bad
 * line reports.
 */
import {finding} from '../findings/finding.js';
import type {ExposedPort, Finding, Protocol, SourceLocation} from '../model.js';
import {ExpansionError, processWords, type Env, type LexOptions} from './lex.js';
import {parsePortSpec, PortSpecError, type PortSpec} from './port-spec.js';
import type {Word} from './source.js';

export interface ExposeContext {
  file: string;
  lex: LexOptions;
  /** Turns a lexer or port-spec failure at `word` into the InputError to throw. */
  fail(word: Word, e: ExpansionError | PortSpecError, expandedTo?: string): Error;
}

export const wordLocation = (file: string, w: Word): SourceLocation => ({
  file,
  line: w.start.line + 1,
  column: w.start.character + 1,
  endLine: w.end.line + 1,
  endColumn: w.end.character + 1
});

const hostPartWarning = (file: string, w: Word, raw: string, spec: PortSpec): Finding => {
  const ports = spec.ports.map(p => `${p.port}/${p.protocol}`);
  const single = spec.ports.length === 1 ? spec.ports[0] : undefined;
  return finding('expose-host-part-ignored', `EXPOSE ${raw} names an IP address or host port, which Docker ignores: it exposes only ${ports.join(', ')}. Write the container port alone.`, {
    ...(single && {port: single.port, protocol: single.protocol as Protocol}),
    location: wordLocation(file, w)
  });
};

/** The ports of one EXPOSE line in file order, each located at the word it came from. */
export const exposeWords = (words: readonly Word[], env: Env, ctx: ExposeContext): {ports: ExposedPort[]; warnings: Finding[]} => {
  const attempt = <T>(w: Word, run: () => T, expandedTo?: string): T => {
    try {
      return run();
    } catch (e) {
      if (e instanceof ExpansionError || e instanceof PortSpecError) throw ctx.fail(w, e, expandedTo);
      throw e;
    }
  };
  const sorted = [...words].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  // A spec repeated within one word adds nothing (the first wins), and a variable can repeat one thousands of times.
  const expanded = sorted.map(w => ({w, specs: [...new Set(attempt(w, () => processWords(w.text, env, ctx.lex)))]}));
  const parsed = expanded.flatMap(({w, specs}) =>
    specs.map(raw => {
      const spec = attempt(w, () => parsePortSpec(raw, ctx.lex.builder), raw);
      attempt(w, () => ctx.lex.budget?.ports(spec.ports.length));
      return {w, raw, spec};
    })
  );
  parsed.sort((a, b) => a.w.start.line - b.w.start.line || a.w.start.character - b.w.start.character);
  // A loop and one location per word: `EXPOSE 1-65535/tcp 1-65535/udp` is 131,070 ports.
  const ports: ExposedPort[] = [];
  for (const {w, spec} of parsed) {
    const location = wordLocation(ctx.file, w);
    for (const p of spec.ports) ports.push({port: p.port, protocol: p.protocol, origin: 'dockerfile', location});
  }
  return {ports, warnings: parsed.filter(p => p.spec.hostPart).map(({w, raw, spec}) => hostPartWarning(ctx.file, w, raw, spec))};
};
