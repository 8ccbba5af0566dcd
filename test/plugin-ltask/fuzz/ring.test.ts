// Short runs of the fuzz targets in ring.fuzz.ts; `npm run fuzz` runs them for longer.
import { ringTargets } from './ring.fuzz.ts';
import { shortRuns } from './short.ts';

shortRuns('ring fuzz (short runs)', ringTargets(), 60_000);
