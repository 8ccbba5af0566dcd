// Short runs of the codec's fuzz targets (codec.fuzz.ts): the fixed seed and
// two random ones; `npm run fuzz` runs them for longer.
import { describe, it } from 'vitest';
import { codecTargets } from './codec.fuzz.ts';
import { shortRun, shortSeeds } from './target.ts';

describe('codec fuzz (short runs)', () => {
  for (const t of codecTargets()) {
    for (const seed of shortSeeds()) it(`${t.name}, seed ${seed}`, () => shortRun(t, seed));
  }
});
