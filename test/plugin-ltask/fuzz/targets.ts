/** Every fuzz target, for `npm run fuzz` (scripts/fuzz.mjs). */
import { codecTargets } from './codec.fuzz.ts';
import { ioTargets } from './io.fuzz.ts';
import { luaApiTargets } from './lua-api.fuzz.ts';
import { ringTargets } from './ring.fuzz.ts';
import type { Target } from './target.ts';

export const allTargets = (): Target[] => [...codecTargets(), ...ringTargets(), ...ioTargets(), ...luaApiTargets()];
