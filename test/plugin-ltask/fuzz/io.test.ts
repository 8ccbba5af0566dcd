// Short runs of the fuzz targets in io.fuzz.ts; `npm run fuzz` runs them for longer.
import { ioTargets } from './io.fuzz.ts';
import { shortRuns } from './short.ts';

shortRuns('io fuzz (short runs)', ioTargets());
