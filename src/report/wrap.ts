/**
 * Fitting text into a terminal of N columns (text report only; files and
 * pipes get full rows). Widths are display columns: East Asian wide
 * characters and most emoji take two, combining marks and zero-width
 * characters none, so image-controlled text cannot push a row past the edge.
 */

/** Combining marks, zero-width and bidi controls, variation selectors: no column of their own. */
const ZERO_WIDTH: readonly [number, number][] = [
  [0x0300, 0x036f], [0x0483, 0x0489], [0x0591, 0x05bd], [0x0610, 0x061a], [0x064b, 0x065f],
  [0x1ab0, 0x1aff], [0x1dc0, 0x1dff], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2064],
  [0x20d0, 0x20ff], [0xfe00, 0xfe0f], [0xfe20, 0xfe2f], [0xfeff, 0xfeff]
];
const zeroWidth = (cp: number): boolean => ZERO_WIDTH.some(([a, b]) => cp >= a && cp <= b);

const wide = (cp: number): boolean =>
  (cp >= 0x1100 && cp <= 0x115f) ||
  (cp >= 0x2e80 && cp <= 0x303e) ||
  (cp >= 0x3041 && cp <= 0x33ff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0xa000 && cp <= 0xa4cf) ||
  (cp >= 0xac00 && cp <= 0xd7a3) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) ||
  (cp >= 0xffe0 && cp <= 0xffe6) ||
  (cp >= 0x1f300 && cp <= 0x1f64f) ||
  (cp >= 0x1f680 && cp <= 0x1f6ff) ||
  (cp >= 0x1f900 && cp <= 0x1f9ff) ||
  (cp >= 0x1fa70 && cp <= 0x1faff) ||
  (cp >= 0x20000 && cp <= 0x3fffd);

const charWidth = (ch: string): number => {
  const cp = ch.codePointAt(0)!;
  return zeroWidth(cp) ? 0 : wide(cp) ? 2 : 1;
};

/** Display columns of a string without escape sequences. */
export const displayWidth = (s: string): number => {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
};

/** Pads with spaces to `width` display columns. */
export const padTo = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

/**
 * Where to break one line of text so that the first piece fits `first`
 * display columns and every later one `rest`: [start, end) offsets into the
 * line. Breaks at spaces (dropped at the break); a word too long for a line
 * is cut. Leading indentation stays on the first piece.
 */
export const wrapRanges = (line: string, first: number, rest = first): [number, number][] => {
  const limit = (n: number) => Math.max(1, n === 0 ? first : rest);
  const out: [number, number][] = [];
  let start = 0;
  let end = 0;
  let width = 0;
  const flush = () => {
    out.push([start, end]);
    width = 0;
  };
  for (const m of line.matchAll(/\s+|\S+/g)) {
    const token = m[0];
    const at = m.index;
    const tw = displayWidth(token);
    if (width + tw <= limit(out.length)) {
      if (width === 0 && start === end) start = at;
      end = at + token.length;
      width += tw;
      continue;
    }
    if (/^\s/.test(token)) {
      if (end > start) flush();
      start = end = at + token.length;
      continue;
    }
    if (end > start) flush();
    start = end = at;
    // A word longer than a whole line: cut it by display width.
    let i = at;
    for (const ch of token) {
      const cw = charWidth(ch);
      if (width + cw > limit(out.length) && end > start) {
        flush();
        start = end = i;
      }
      i += ch.length;
      end = i;
      width += cw;
    }
  }
  if (end > start || out.length === 0) out.push([start, end]);
  return out;
};

/** One line → pieces of at most `width` display columns (see wrapRanges). */
export const wrapLine = (line: string, width: number): string[] => wrapRanges(line, width).map(([a, b]) => line.slice(a, b).trimEnd());

/** `prefix` + each piece of `line` wrapped to `columns`; undefined columns = the line unchanged. */
export const wrapWithPrefix = (line: string, prefix: string, columns: number | undefined, next = prefix): string[] =>
  columns === undefined ? [prefix + line] : wrapLine(line, columns - displayWidth(next)).map((l, i) => (i === 0 ? prefix : next) + l);

/**
 * Column widths that fit `total` columns (gaps excluded): the widest column
 * gives way first, first down to its `soft` minimum (its longest word, so
 * nothing is cut), then, if that is not enough, down to its `hard` minimum.
 * Returns the natural widths when they fit.
 */
export const fitColumns = (natural: readonly number[], soft: readonly number[], hard: readonly number[], total: number): number[] => {
  const widths = [...natural];
  let excess = widths.reduce((a, b) => a + b, 0) - total;
  for (const min of [soft, hard]) {
    while (excess > 0) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) if (widths[i]! > Math.min(min[i]!, natural[i]!) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) break;
      widths[widest]!--;
      excess--;
    }
  }
  return widths;
};
