/** Optimal string alignment distance: Levenshtein plus adjacent swaps, so `expsoure` is 1 from `exposure`. */
const distance = (a: string, b: string): number => {
  const d = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
};

/**
 * The candidate the user probably meant, if one is close: same word in
 * another case, a small typo, or an abbreviation (`warn` → `warning`).
 */
export const closest = (word: string, candidates: readonly string[]): string | undefined => {
  const w = word.toLowerCase();
  const exact = candidates.find(c => c.toLowerCase() === w);
  if (exact) return exact;
  const limit = w.length <= 4 ? 1 : 2;
  let best: {c: string; d: number} | undefined;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = {c, d};
  }
  if (best) return best.c;
  return w.length >= 3 ? candidates.find(c => c.toLowerCase().startsWith(w)) : undefined;
};

/** ` Did you mean \`x\`?` or nothing; goes after a full stop. */
export const didYouMean = (word: string, candidates: readonly string[]): string => {
  const c = closest(word, candidates);
  return c && c !== word ? ` Did you mean \`${c}\`?` : '';
};

/** `a, b or c` */
export const orList = (items: readonly string[]): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
