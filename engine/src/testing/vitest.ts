/**
 * Vitest glue (`@ltask-web/engine/testing/vitest`, Node side): importing it
 * registers `toMeetFrameBudget` and `toMatchFrameBaseline` with
 * `expect.extend` and adds their types to vitest's `Assertion`.
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { FrameRecorder, driveHeadless } from '@ltask-web/engine/testing';
 * import '@ltask-web/engine/testing/vitest';
 *
 * it('keeps its frame budget', async () => {
 *   const recorder = FrameRecorder.attach(app);
 *   await driveHeadless(app, { frames: 300 });
 *   const report = recorder.report();
 *   expect(report).toMeetFrameBudget({ cpuP99: 8 });
 *   expect(report).toMatchFrameBaseline('__baselines__/game.json', { tolerance: 0.3 });
 * });
 * ```
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { compareFrameBaseline, createFrameBaseline, formatRegression } from './baseline.ts';
import type { BaselineOptions, FrameBaseline } from './baseline.ts';
import { formatFrame } from './format.ts';
import { frameMatchers } from './matchers.ts';
import type { FrameBudget, FrameMatcherResult } from './matchers.ts';
import type { FrameReport } from './report.ts';

export type { BaselineOptions, FrameBaseline } from './baseline.ts';
export type { FrameBudget } from './matchers.ts';

/** The parts of vitest's matcher context used here. */
export interface BaselineMatcherContext {
  isNot?: boolean;
  /** The running test file (relative baseline paths start from its folder). */
  testPath?: string;
  /** Vitest's snapshot state: `snapshotUpdateState` is 'all' under `vitest -u`. */
  snapshotState?: { readonly snapshotUpdateState?: string };
}

/** Whether vitest runs with `-u` / `--update`. */
function updatingSnapshots(ctx: BaselineMatcherContext | void): boolean {
  const state = (ctx && ctx.snapshotState) ?? (expect.getState() as BaselineMatcherContext).snapshotState;
  // vitest 3 kept the mode in a private field only.
  return (state?.snapshotUpdateState ?? (state as { _updateSnapshot?: string } | undefined)?._updateSnapshot) === 'all';
}

/** A relative path starts from the test file's folder (like `toMatchFileSnapshot`), else from the working directory. */
function baselinePath(file: string | URL, testPath: string | undefined): string {
  if (file instanceof URL || file.startsWith('file:')) return fileURLToPath(file);
  if (isAbsolute(file)) return file;
  return testPath ? resolve(dirname(testPath), file) : resolve(file);
}

/**
 * Compares `report` with the baseline JSON file `file` and fails when a
 * metric (see `frameMetrics`) exceeds `baseline * (1 + tolerance) + slackMs`,
 * when a compared baseline metric is missing from the report (a gap series
 * not recorded, no frame), or when the report's CPU clock is not the
 * baseline's, listing each. `metrics` limits the comparison (`['cpu.']`).
 * It writes the file instead, and passes, when the file does not exist, when
 * `FRAME_BASELINE=update` is set, or under `vitest -u`; it logs which. A
 * relative `file` starts from the test file's folder. Given a report (or a
 * baseline object) instead of a file, it compares with that: a baseline
 * measured in the same run, on the same machine in the same state.
 * Registered on `expect` by importing this module.
 * @example
 * ```ts
 * expect(report).toMatchFrameBaseline('baselines/scene.json', { tolerance: 0.5, slackMs: 2 });
 * expect(loading).toMatchFrameBaseline(idle, { metrics: ['cpu.p50', 'cpu.p99'], tolerance: 0.5 });
 * ```
 */
export function toMatchFrameBaseline(
  this: BaselineMatcherContext | void,
  report: unknown,
  file: string | URL | FrameReport | FrameBaseline,
  options: BaselineOptions = {},
): FrameMatcherResult {
  const r = report as FrameReport;
  if (typeof r !== 'object' || r === null || typeof r.cpu !== 'object') {
    return { pass: false, message: () => `toMatchFrameBaseline: expected a FrameReport (recorder.report()), got ${typeof report}` };
  }
  if (typeof file === 'object' && !(file instanceof URL)) {
    // A baseline measured in the same run: a report, or a baseline object.
    const baseline = 'metrics' in file ? file : createFrameBaseline(file);
    return compareWith(r, baseline, 'the same-run baseline', options, false);
  }
  const path = baselinePath(file, (this && this.testPath) || undefined);
  const reason = !existsSync(path)
    ? 'no baseline yet'
    : process.env.FRAME_BASELINE === 'update'
      ? 'FRAME_BASELINE=update'
      : updatingSnapshots(this)
        ? 'vitest -u'
        : null;
  if (reason) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(createFrameBaseline(r), null, 2)}\n`);
    const note = `[frame-baseline] wrote ${path} (${reason})`;
    console.info(note);
    return { pass: true, message: () => `${note}; expected a comparison to fail, but the baseline was written` };
  }
  let baseline: FrameBaseline;
  try {
    baseline = JSON.parse(readFileSync(path, 'utf8')) as FrameBaseline;
    if (baseline.version !== 1 || typeof baseline.metrics !== 'object') throw new Error(`unknown baseline version ${String(baseline.version)}`);
  } catch (error) {
    return {
      pass: false,
      message: () => `toMatchFrameBaseline: cannot read ${path}: ${(error as Error).message}; rewrite it with FRAME_BASELINE=update`,
    };
  }
  return compareWith(r, baseline, path, options);
}

/** The comparison and its message; `source` names the baseline (a file, or the same-run baseline). */
function compareWith(r: FrameReport, baseline: FrameBaseline, source: string, options: BaselineOptions, fromFile = true): FrameMatcherResult {
  const { tolerance = 0.5, slackMs = 2 } = options;
  const { regressions, added, missing, clock } = compareFrameBaseline(r, baseline, { ...options, tolerance, slackMs });
  const pass = regressions.length === 0 && missing.length === 0 && !clock;
  const rule = `limit = baseline × ${1 + tolerance} + ${slackMs} ms${options.metrics ? `; compared: ${options.metrics.join(', ')}` : ''}`;
  const notes = [...(added.length > 0 ? [`not in the baseline (not compared): ${added.join(', ')}`] : [])];
  const failures = [
    ...(missing.length > 0 ? [`  missing from the report (in the baseline): ${missing.join(', ')}`] : []),
    ...(clock ? [`  cpu measured on another clock than the baseline's (${clock}): rewrite the baseline with the report's clock`] : []),
  ];
  const message = () =>
    pass
      ? [`expected the frame report to regress against ${source}, but every metric is within its limit (${rule})`, ...notes].join('\n')
      : [
          `frame timings regressed against ${source} (${rule}, baseline from ${baseline.createdAt}):`,
          ...regressions.map((g) => `  ${formatRegression(g)}`),
          ...failures,
          ...(r.worstCpu.length > 0 ? [`worst cpu:      ${r.worstCpu.map(formatFrame).join('; ')}`] : []),
          ...(r.worstInterval.length > 0 ? [`worst interval: ${r.worstInterval.map(formatFrame).join('; ')}`] : []),
          ...notes,
          ...(fromFile ? ['If this is expected, update the baseline with FRAME_BASELINE=update or vitest -u.'] : []),
        ].join('\n');
  return { pass, message };
}

expect.extend({ ...frameMatchers, toMatchFrameBaseline });

/** The matchers' types, added to vitest's `expect(...)` and `expect.*`. */
export interface FrameMatchers<R = unknown> {
  /**
   * Passes when every given limit holds (see `FrameBudget`); the failure
   * lists the exceeded limits and the worst frames and gaps.
   */
  toMeetFrameBudget(budget: FrameBudget): R;
  /**
   * Compares with (or writes) a baseline JSON file, or compares with a
   * baseline measured in the same run (a report); see `toMatchFrameBaseline`.
   */
  toMatchFrameBaseline(file: string | URL | FrameReport | FrameBaseline, options?: BaselineOptions): R;
}

// Declaration merging: each interface repeats vitest's name and type parameters
// and only adds the matchers it extends, so its body is empty (and `T` unused).
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Assertion<T> extends FrameMatchers<void> {}
  // Asymmetric matchers return `any` in vitest; these match them.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface AsymmetricMatchersContaining extends FrameMatchers<any> {}
}
