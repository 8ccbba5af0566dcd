/**
 * The short runs in `npm test`: each target with the fixed seed and two random
 * ones (FUZZ_SEED=<n> runs that seed alone). A failure shows fast-check's
 * report: the seed, the path and the shrunk counterexample.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { shortRun, shortSeeds, type Target } from './target.ts';

export function shortRuns(title: string, targets: Target[], timeoutMs = 30_000): void {
  describe(title, () => {
    for (const t of targets) {
      describe(t.name, () => {
        beforeAll(() => t.setup?.(), timeoutMs);
        afterAll(() => t.teardown?.(), timeoutMs);
        for (const seed of shortSeeds()) it(`seed ${seed}`, () => shortRun(t, seed), timeoutMs);
      });
    }
  });
}
