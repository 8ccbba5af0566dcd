// Loaded by later.ts when called; shares the tally fixture's rules module (a chunk of its own).
import { weigh } from '../../../fixtures/ts/tally_rules.ts';

export const weighed = (n: number): string => `weighed ${weigh(n)}`;
