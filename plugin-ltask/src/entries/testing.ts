/**
 * `@ltask-web/plugin-ltask/testing`: the frame-timing scenario, its probe
 * loader, and the probe run inline (the baselines' and self-checks' way).
 */
export * from '../host/testing/scenario.ts';
export { loadInline, syncReader, waitSync } from './testing-inline.ts';
export type { InlineLoad, SyncReadOptions, SyncReader } from './testing-inline.ts';
export { startDelayProbe } from '../host/testing/delay.ts';
export type { DelayProbe, DelayStats } from '../host/testing/delay.ts';
