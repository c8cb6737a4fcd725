import {displayWidth, wrapRanges} from './wrap.js';

/**
 * Terminal lines for the text reports (single image and fleet): styled
 * segments, ANSI colour only when asked, and wrapping to the terminal's
 * width with a continuation prefix.
 */

export type Style = 'red' | 'yellow' | 'cyan' | 'green' | 'dim' | 'bold';
const SGR: Record<Style, string> = {red: '31', yellow: '33', cyan: '36', green: '32', dim: '2', bold: '1'};
export type Paint = (s: string, ...styles: Style[]) => string;

export const painter = (color: boolean): Paint => (s, ...styles) =>
  color && styles.length && s ? `\u001b[${styles.map(st => SGR[st]).join(';')}m${s}\u001b[0m` : s;

/**
 * A line before layout: styled segments, and the prefix a continuation line
 * gets when the terminal is too narrow for it (the indent of a message, the
 * `  | ` of a log line).
 */
export type Seg = readonly [text: string, ...styles: Style[]];
export interface Line {
  segs: Seg[];
  next: string;
}
export const line = (next: string, ...segs: (Seg | string | false | undefined)[]): Line => ({
  next,
  segs: segs.filter((x): x is Seg | string => !!x).map(x => (typeof x === 'string' ? [x] : x))
});

/** Paints the part [from, to) of a line's plain text, segment by segment. */
const paintRange = (segs: Seg[], from: number, to: number, paint: Paint): string => {
  let out = '';
  let at = 0;
  for (const [text, ...styles] of segs) {
    const a = Math.max(from, at);
    const b = Math.min(to, at + text.length);
    if (b > a) out += paint(text.slice(a - at, b - at), ...styles);
    at += text.length;
  }
  return out;
};

/** A line as printed: whole, or wrapped to `columns` with its continuation prefix. */
export const render = (l: Line, paint: Paint, columns: number | undefined): string[] => {
  const plain = l.segs.map(s => s[0]).join('');
  if (columns === undefined || displayWidth(plain) <= columns) return [paintRange(l.segs, 0, plain.length, paint)];
  return wrapRanges(plain, columns, columns - displayWidth(l.next)).map(([a, b], i) => {
    const trimmed = a + plain.slice(a, b).trimEnd().length;
    return (i === 0 ? '' : l.next) + paintRange(l.segs, a, trimmed, paint);
  });
};

