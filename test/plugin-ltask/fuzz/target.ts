/**
 * The fuzz targets' common shape, shared by the short runs in `npm test`
 * (fuzz/*.test.ts) and the long runs of `npm run fuzz` (scripts/fuzz.mjs).
 *
 * A target is a fast-check property (random input, a check that must hold for
 * every input) with what it needs around it (a Lua state, a runtime, a
 * directory). fast-check gives the seeds (a failing run prints its seed and
 * path, and replays exactly) and the shrinking (the smallest input that still
 * fails).
 */
import fc from 'fast-check';

export interface Target {
  /** `area/what`, e.g. `codec/decode-random-bytes`. */
  readonly name: string;
  /** Runs in one short run of `npm test` (each seed). */
  readonly shortRuns: number;
  /** Makes what the property needs (a runtime, a directory); called once before the runs. */
  setup?(): Promise<void> | void;
  teardown?(): Promise<void> | void;
  /** The property; made after setup. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each target's own input type
  property(): fc.IProperty<any> | fc.IAsyncProperty<any>;
}

/** The fixed seed of the short runs (the random ones are printed when they fail). */
export const FIXED_SEED = 0x25f022;

/** Which seeds a short run uses: the fixed one, then `extra` random ones (or FUZZ_SEED's alone). */
export function shortSeeds(extra = 2): number[] {
  const env = process.env.FUZZ_SEED;
  if (env) return [Number(env) | 0];
  const out = [FIXED_SEED];
  for (let i = 0; i < extra; i++) out.push((Math.random() * 0x7fffffff) | 0);
  return out;
}

/**
 * One short run: `runs` inputs from `seed`. Rejects with fast-check's report
 * (seed, path, shrunk counterexample, the error) when the property fails.
 */
export async function shortRun(t: Target, seed: number, runs = t.shortRuns): Promise<void> {
  const p = t.property();
  const params = { seed, numRuns: runs };
  if (p.isAsync()) await fc.assert(p, params);
  else fc.assert(p, params);
}
