// Short runs of the fuzz targets in codec.fuzz.ts; `npm run fuzz` runs them for longer.
import { codecTargets } from './codec.fuzz.ts';
import { shortRuns } from './short.ts';

shortRuns('codec fuzz (short runs)', codecTargets());
