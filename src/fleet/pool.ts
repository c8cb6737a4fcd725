/**
 * Runs `work` over `items` with at most `jobs` at once, keeping results in
 * item order. A failure of one item is its result (the caller's `work`
 * catches), so one service that cannot be gated never stops the others.
 * `stopped()` lets a signal end the run: items not started yet are skipped.
 */
export const pool = async <T, R>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<R>, stopped: () => boolean = () => false): Promise<(R | undefined)[]> => {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({length: Math.max(1, Math.min(jobs, items.length))}, worker));
  return results;
};

/**
 * How many services to gate at once by default. A gate spends most of its
 * time waiting (for listeners to settle, for the engine), not computing, so
 * twice the cores keeps a small machine busy; each sandbox may use up to
 * 1 GiB, so memory bounds it too; 8 at most, to stay polite on shared engines.
 */
export const defaultJobs = (cores: number, memoryBytes: number): number => Math.max(1, Math.min(8, cores * 2, Math.floor(memoryBytes / 2 ** 31)));
