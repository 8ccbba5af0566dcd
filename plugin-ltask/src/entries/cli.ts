/** The headless runner's entry (`bin/ltask.mjs` loads it): `ltask <main.lua> [options]`. */
export { main } from '../host/cli/runner.ts';
