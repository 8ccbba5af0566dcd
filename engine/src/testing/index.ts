/**
 * Testing door (`@ltask-web/engine/testing`): a frame-timing toolkit for
 * regression tests. Record an App's frames with `FrameRecorder`, run them
 * headless with `driveHeadless` (or `app.run()` in a browser), sum them up in
 * a JSON `FrameReport`, print it with `formatReport`, and check it with the
 * `frameMatchers` (`toMeetFrameBudget`). Browser- and Node-safe; the vitest
 * glue with baseline files is `@ltask-web/engine/testing/vitest`.
 * @example
 * ```ts
 * import { App, MinimalPlugins, Update } from '@ltask-web/engine';
 * import { FrameRecorder, driveHeadless, formatReport } from '@ltask-web/engine/testing';
 * import '@ltask-web/engine/testing/vitest';
 *
 * const app = new App().addPlugins(MinimalPlugins).addSystems(Update, simulate);
 * const recorder = FrameRecorder.attach(app, { budgetMs: 8 });
 * await driveHeadless(app, { frames: 300 });
 * const report = recorder.report();
 * console.log(formatReport(report));
 * expect(report).toMeetFrameBudget({ cpuP99: 8, cpuMax: 20 });
 * expect(report).toMatchFrameBaseline('./frame-baseline.json');
 * ```
 * @module
 */
export { summarize } from './stats.ts';
export type { Stats } from './stats.ts';
export { FrameRecorder } from './recorder.ts';
export { threadCpuClock, wallClock } from './cpu-clock.ts';
export type { CpuClock } from './cpu-clock.ts';
export type { FrameRecorderOptions } from './recorder.ts';
export { frameEnvironment } from './report.ts';
export type { FrameEnvironment, FrameReport, FrameSample, GapSeries, LongFrame, LongFrameScript } from './report.ts';
export { driveHeadless } from './drive.ts';
export type { DriveOptions } from './drive.ts';
export { formatReport } from './format.ts';
export { frameMatchers } from './matchers.ts';
export type { FrameBudget, FrameMatcherResult } from './matchers.ts';
export { compareFrameBaseline, createFrameBaseline, frameMetrics, formatRegression } from './baseline.ts';
export type { BaselineComparison, BaselineOptions, BaselineRegression, FrameBaseline } from './baseline.ts';
