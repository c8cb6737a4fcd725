/**
 * Close matches for an image reference the engine lacks, among the tags it
 * has: the usual mistake is a wrong tag (app:cii, app:latest when CI tagged
 * app:ci), a typo in the name, or the name without (or with another)
 * registry prefix.
 */

interface Ref {
  /** Repository without the Docker Hub defaults (docker.io/library/). */
  repo: string;
  /** Last path component of the repository: `app` of `registry.example.com/shop/app`. */
  name: string;
  tag: string;
}

const parse = (ref: string): Ref => {
  const [named] = ref.split('@');
  const slash = named!.lastIndexOf('/');
  const colon = named!.lastIndexOf(':');
  const hasTag = colon > slash;
  const repo = (hasTag ? named!.slice(0, colon) : named!).replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  return {repo, name: repo.slice(repo.lastIndexOf('/') + 1), tag: hasTag ? named!.slice(colon + 1) : 'latest'};
};

/** Levenshtein distance, capped: anything beyond `max` is `max + 1`. */
export const editDistance = (a: string, b: string, max = Infinity): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...cur) > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
};

/** A typo is a few edits: one for short names, up to three for long ones. */
const typoBudget = (s: string): number => Math.max(1, Math.min(3, Math.floor(s.length / 5)));

export interface CloseMatches {
  /** Other tags of the same repository. */
  sameRepository: string[];
  /** Repositories whose name is a typo away, or the same name under another registry or namespace. */
  similarNames: string[];
}

/** The engine's tags (`RepoTags`) closest to `wanted`, at most `max` in all, the most likely first. */
export const closeMatches = (wanted: string, available: string[], max = 5): CloseMatches => {
  const w = parse(wanted);
  const same: {tag: string; d: number}[] = [];
  const similar: {tag: string; d: number}[] = [];
  for (const tag of new Set(available)) {
    if (tag === wanted || tag === '<none>:<none>') continue;
    const a = parse(tag);
    if (a.repo === w.repo) {
      if (a.tag !== w.tag) same.push({tag, d: editDistance(a.tag, w.tag)});
      continue;
    }
    const budget = typoBudget(w.repo);
    const d = editDistance(a.repo, w.repo, budget);
    const sameName = a.name === w.name || editDistance(a.name, w.name, typoBudget(w.name)) <= typoBudget(w.name);
    if (d <= budget || sameName) similar.push({tag, d: (d <= budget ? d : budget + 1) * 10 + (a.tag === w.tag ? 0 : 1 + Math.min(editDistance(a.tag, w.tag), 8))});
  }
  const order = (x: {tag: string; d: number}, y: {tag: string; d: number}) => x.d - y.d || x.tag.localeCompare(y.tag);
  const sameRepository = same.sort(order).map(x => x.tag).slice(0, max);
  return {sameRepository, similarNames: similar.sort(order).map(x => x.tag).slice(0, max - sameRepository.length)};
};

/** The hint for an error, or undefined when nothing is close. */
export const closeMatchesHint = (wanted: string, available: string[]): string | undefined => {
  const m = closeMatches(wanted, available);
  const parts = [
    ...(m.sameRepository.length ? [`${m.sameRepository.join(', ')} (other tags of ${parse(wanted).repo})`] : []),
    ...(m.similarNames.length ? [`${m.similarNames.join(', ')} (similar names)`] : [])
  ];
  return parts.length ? `did you mean an image the engine has? ${parts.join('; ')}` : undefined;
};
