import {visit, type Document} from 'yaml';
import {InputError} from '../errors.js';
import type {SourceLocation} from '../model.js';
import {parseWithPositions, type Issue, type SourcePositions} from './positions.js';

/** More problems than this and the rest are counted, not listed. */
const MAX_LISTED = 10;

export const where = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/** One InputError for all problems: positioned at the first, listing the others on their own `file:line:col:` lines. */
export const fail = (problems: {location: SourceLocation; message: string}[]): never => {
  const [first, ...rest] = problems as [{location: SourceLocation; message: string}, ...{location: SourceLocation; message: string}[]];
  const listed = rest.slice(0, MAX_LISTED - 1).map(p => `\n${where(p.location)}: ${p.message}`);
  const more = rest.length > listed.length ? `\n…and ${rest.length - listed.length} more problems.` : '';
  throw new InputError(first.message + listed.join('') + more, first.location.file, first.location.line, first.location.column);
};

const syntaxMessage = (code: string, message: string): string =>
  code === 'MULTIPLE_DOCS'
    ? 'the spec must be a single YAML document: remove this `---` and what follows, or merge it into the first document.'
    : `invalid YAML: ${message.replace(/\.?$/, '.')} Fix the syntax at this position.`;

/** Where the first `*alias` is, to point at when aliases multiply too far. */
const firstAlias = (doc: Document): number | undefined => {
  let offset: number | undefined;
  visit(doc, {
    Alias: (_key, node) => {
      offset = node.range?.[0];
      return visit.BREAK;
    }
  });
  return offset;
};

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DocumentKind {
  /** `the spec`, `the fleet file`: how messages name the file. */
  what: string;
  /** The message for an empty file: what to start it with. */
  empty: string;
  /** What the top level must be, e.g. "a mapping with `version: 1` and `ports:`". */
  shape: string;
  /** Schema issues of the plain data (validate.ts). */
  issues: (data: unknown) => Issue[];
}

/**
 * Reads a portgate YAML file (portgate.yml, portgate.fleet.yml) into plain
 * data that has passed its schema, or throws one InputError citing
 * file:line:column for every problem, first problem first: YAML syntax, a
 * YAML version other than 1.2, alias bombs, an empty file, the wrong shape,
 * then the schema's own issues.
 */
export const readDocument = (text: string, file: string, kind: DocumentKind): {data: Record<string, unknown>; positions: SourcePositions} => {
  const {positions, errors} = parseWithPositions(text, file);
  // yaml often reports one mistake twice at the same spot; the first message is the telling one.
  const syntax = errors.filter((e, i) => errors.findIndex(o => o.offset === e.offset) === i);
  if (syntax.length) fail(syntax.map(e => ({location: positions.at(e.offset), message: syntaxMessage(e.code, e.message)})));
  const start = positions.locate([]).location;
  // YAML 1.1 reads `off` as false and `1000:1000` as a base-60 number: portgate's values need 1.2.
  if (positions.doc.directives?.yaml.explicit && positions.doc.directives.yaml.version !== '1.2') {
    throw new InputError(`${kind.what} is read as YAML 1.2: remove the \`%YAML ${positions.doc.directives.yaml.version}\` directive.`, file, 1, 1);
  }
  let data: unknown;
  try {
    // The yaml library's "billion laughs" guard, at its default: these files need few aliases, if any.
    data = positions.doc.toJS({maxAliasCount: 100});
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    const offset = firstAlias(positions.doc);
    const at = offset === undefined ? start : positions.at(offset);
    throw new InputError(`${kind.what}'s aliases (*name) multiply beyond 100 uses, as in a "billion laughs" attack: write the repeated parts out instead of nesting aliases.`, file, at.line, at.column);
  }
  if (data === null || data === undefined) throw new InputError(kind.empty, file, 1, 1);
  if (!isMapping(data)) {
    const actual = Array.isArray(data) ? 'a list' : `the ${typeof data} ${JSON.stringify(data)}`;
    throw new InputError(`${kind.what} must be ${kind.shape}, but it is ${actual}.`, file, start.line, start.column);
  }
  const issues = kind.issues(data);
  // A file for another version may mean something else by every other key: say only that.
  const version = issues.find(i => i.path.length === 1 && i.path[0] === 'version');
  const reported = version && 'version' in data ? [version] : issues;
  if (reported.length) fail(positions.place(reported));
  return {data, positions};
};
