/**
 * `driveHeadless`: runs an App's frames on timers, for tests in Node (or in a
 * page without requestAnimationFrame).
 */
import type { App } from '../app/index.ts';

/** Options of `driveHeadless`; give `frames`, `durationMs` or both (it stops at the first reached). */
export interface DriveOptions {
  /** Frames to run. */
  frames?: number;
  /** Stop once this many ms have passed (checked before each frame). */
  durationMs?: number;
  /** Target time between frame starts, in ms. Default 1000/60. */
  intervalMs?: number;
  /** Seconds passed to `app.update(dt)`; measured by `TimePlugin` when omitted. */
  dt?: number;
}

/**
 * Awaits `app.ready()`, then calls `app.update(dt)` every `intervalMs`,
 * waiting on a timer between frames so the event loop turns (workers'
 * messages, promises, I/O). A frame that runs late does not make the next
 * ones bunch up: the schedule restarts from now, as with requestAnimationFrame.
 * Stops after `frames`, after `durationMs`, or when the app exits.
 * @example
 * ```ts
 * const recorder = FrameRecorder.attach(app);
 * await driveHeadless(app, { frames: 120, dt: 1 / 60 });
 * console.log(formatReport(recorder.report()));
 * ```
 */
export async function driveHeadless(app: App, options: DriveOptions): Promise<void> {
  const { frames, durationMs, intervalMs = 1000 / 60, dt } = options;
  if (frames === undefined && durationMs === undefined) {
    throw new Error('[testing] driveHeadless(app, options): give options.frames or options.durationMs');
  }
  if (!(intervalMs >= 0)) throw new Error(`[testing] driveHeadless: intervalMs must be >= 0, got ${intervalMs}`);
  await app.ready();
  const started = performance.now();
  let next = started;
  for (let i = 0; frames === undefined || i < frames; i++) {
    if (app.state === 'exited') return;
    if (durationMs !== undefined && performance.now() - started >= durationMs) return;
    app.update(dt);
    next = Math.max(next + intervalMs, performance.now());
    await new Promise((resolve) => setTimeout(resolve, next - performance.now()));
  }
}
