// Short runs of the fuzz target in lua-api.fuzz.ts; `npm run fuzz` runs it for longer.
import { luaApiTargets } from './lua-api.fuzz.ts';
import { shortRuns } from './short.ts';

shortRuns('Lua API fuzz (short runs)', luaApiTargets(), 60_000);
