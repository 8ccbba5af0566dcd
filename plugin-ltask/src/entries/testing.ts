/**
 * `@ltask-web/plugin-ltask/testing`: the frame-timing scenario and its probe
 * loader, and what tests read of a runtime beyond its API.
 */
export * from '../host/testing/scenario.ts';
export { runtimeInternals } from '../host/internals.ts';
export type { RuntimeInternals, TableReader } from '../host/internals.ts';
