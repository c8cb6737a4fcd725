import {LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node} from 'yaml';
import type {SourceLocation} from '../model.js';

/** A path into the document, as JSON pointer segments: `['ports', 2, 'port']`. */
export type Path = (string | number)[];

/** Something wrong at a path: its value, or (`at: 'key'`) the key itself, e.g. an unknown key. */
export interface Issue {
  path: Path;
  at?: 'key' | 'value';
  message: string;
}

export interface Located extends Issue {
  location: SourceLocation;
  offset: number;
}

/** `ports[2].port`, `run.env.PORT`: how messages name a place. */
export const pathLabel = (path: Path): string =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || 'the top level';

/** Splits an ajv instancePath (RFC 6901 JSON pointer) into segments; numbers stay numbers only inside lists. */
export const fromPointer = (pointer: string, root: unknown): Path => {
  const path: Path = [];
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const s: string | number = Array.isArray(cur) ? Number(seg) : seg;
    path.push(s);
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return path;
};

/** A parsed YAML document that can say where any path is. */
export class SourcePositions {
  constructor(
    readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string,
    private readonly text: string
  ) {}

  /** The source text of a plain scalar (`0x10`, `1.10`), so values keep the form the author wrote. */
  plainSource(path: Path): string | undefined {
    const {value} = this.walk(path);
    return isScalar(value) && value.type === 'PLAIN' && value.range ? this.text.slice(value.range[0], value.range[1]) : undefined;
  }

  /** The key node and value node at `path`, as deep as the path resolves. */
  private walk(path: Path): {key?: Node; value?: Node} {
    let value: Node | undefined = isNode(this.doc.contents) ? this.doc.contents : undefined;
    let key: Node | undefined;
    for (const seg of path) {
      if (isMap(value)) {
        const pair = value.items.find(p => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) break;
        key = isNode(pair.key) ? pair.key : undefined;
        // `key:` with nothing after it has a null value node, or none at all.
        value = isNode(pair.value) ? pair.value : key;
      } else if (isSeq(value) && typeof seg === 'number' && isNode(value.items[seg])) {
        key = undefined;
        value = value.items[seg] as Node;
      } else break;
    }
    return {key, value};
  }

  /** Where the value (or, with `at: 'key'`, the key) at `path` is; the document start if nothing matches. */
  locate(path: Path, at: 'key' | 'value' = 'value'): {location: SourceLocation; offset: number} {
    const {key, value} = this.walk(path);
    // `port:` with nothing after it: point at the key, not at the empty spot after the colon.
    const empty = value?.range && value.range[0] === value.range[1];
    const node = (at === 'key' || empty ? key ?? value : value) ?? key;
    const [start, end] = node?.range ?? [0, 0];
    return {location: this.at(start, end), offset: start};
  }

  /** A location from character offsets. */
  at(start: number, end?: number): SourceLocation {
    const s = this.lines.linePos(start);
    const loc: SourceLocation = {file: this.file, line: s.line, column: s.col};
    if (end !== undefined && end > start) {
      const e = this.lines.linePos(end);
      loc.endLine = e.line;
      loc.endColumn = e.col;
    }
    return loc;
  }

  /** Places issues and sorts them in document order, so the first is the one to fix first. */
  place(issues: Issue[]): Located[] {
    return issues
      .map(i => ({...i, ...this.locate(i.path, i.at)}))
      .sort((a, b) => a.offset - b.offset);
  }
}

/** Parses YAML keeping positions; syntax errors are returned with their offsets, not thrown. */
export const parseWithPositions = (text: string, file: string): {positions: SourcePositions; errors: {offset: number; code: string; message: string}[]} => {
  const lines = new LineCounter();
  const doc = parseDocument(text, {lineCounter: lines, prettyErrors: false, keepSourceTokens: false});
  const errors = doc.errors.map(e => ({offset: e.pos[0], code: e.code, message: e.message}));
  return {positions: new SourcePositions(doc, lines, file, text), errors};
};
