/**
 * `FrameRecorder`: per-frame CPU time and frame intervals of an App, long
 * animation frames (browsers) and named gap series, summed up in a
 * JSON-serialisable `FrameReport` (its shape is in `report.ts`, the long
 * frames' observers in `long-frames.ts`).
 */
import { First, Last } from '../app/index.ts';
import type { App } from '../app/index.ts';
import { wallClock, type CpuClock } from './cpu-clock.ts';
import { LongFrameWatch } from './long-frames.ts';
import { frameEnvironment } from './report.ts';
import type { FrameReport, FrameSample, GapSeries, LongFrame } from './report.ts';
import { summarize } from './stats.ts';

/** Options of `FrameRecorder.attach`. */
export interface FrameRecorderOptions {
  /** A frame whose CPU time exceeds this is over budget. Default 1000/60. */
  budgetMs?: number;
  /**
   * What a frame's `cpu` time is measured with: elapsed time by default;
   * `threadCpuClock()` (Node) for the main thread's CPU time, which a busy
   * machine does not inflate. Intervals and gaps are always elapsed time.
   */
  cpuClock?: CpuClock;
}

/** How many worst frames and gaps a report lists. */
const WORST = 5;

/**
 * Records the frames of an App for frame-timing tests.
 *
 * It brackets the frame with two per-frame schedules of its own, inserted
 * right before `First` and right after `Last` (`app.insertSchedule`), whose
 * runners take the time: so it measures from before the first `First` system
 * to after `Last`'s commands, whatever systems are added later and in any
 * order. Schedules inserted later before `First` or after `Last` fall inside
 * the measured range; `Startup` (first frame only) does not.
 *
 * Recording starts at `attach`; `start()` starts a new window (forgetting
 * what was recorded) and `stop()` ends it. In browsers it also observes
 * Long Animation Frames (or long tasks where those are missing) while
 * recording; their entries arrive a frame or two after the frame, so let
 * the app run a couple more frames before `stop()`.
 * @example
 * ```ts
 * const app = new App().addPlugins(MinimalPlugins).addSystems(Update, game);
 * const recorder = FrameRecorder.attach(app, { budgetMs: 8 });
 * await driveHeadless(app, { frames: 30 }); // warm up
 * recorder.start();
 * await driveHeadless(app, { frames: 300 });
 * recorder.stop();
 * expect(recorder.report()).toMeetFrameBudget({ cpuP99: 8 });
 * ```
 */
export class FrameRecorder {
  /** Recorders attached so far in this realm: names their schedules apart. */
  private static attached = 0;
  /** Frames over this many ms of CPU count as over budget. */
  readonly budgetMs: number;
  private readonly app: App;
  private readonly clock: CpuClock;
  private frameCpuStart = 0;
  private samples: FrameSample[] = [];
  private readonly longFrames = new LongFrameWatch();
  private readonly gapSeries = new Map<string, number[]>();
  private active = false;
  private frameStart: number | undefined;
  private frameNumber = 0;
  private previousStart: number | undefined;

  private constructor(app: App, options: FrameRecorderOptions) {
    this.app = app;
    this.budgetMs = options.budgetMs ?? 1000 / 60;
    this.clock = options.cpuClock ?? wallClock;
  }

  /**
   * Starts recording `app`'s frames (see the class notes for what is measured).
   * @example
   * ```ts
   * const recorder = FrameRecorder.attach(app, { budgetMs: 1000 / 120 });
   * ```
   */
  static attach(app: App, options: FrameRecorderOptions = {}): FrameRecorder {
    const recorder = new FrameRecorder(app, options);
    const id = ++FrameRecorder.attached;
    const begin = `FrameRecorder#${id}:begin`;
    const end = `FrameRecorder#${id}:end`;
    // The runners never call runOnce: the schedules have no systems, and
    // skipping them also skips their `commands.apply()`, so the App behaves
    // exactly as without the recorder.
    app.insertSchedule(begin, { before: First }).setScheduleRunner(begin, () => recorder.beginFrame());
    app.insertSchedule(end, { after: Last }).setScheduleRunner(end, () => recorder.endFrame());
    return recorder.start();
  }

  /** Whether frames are being recorded. */
  get recording(): boolean {
    return this.active;
  }

  /** The frames recorded in the current window (a copy). */
  frames(): FrameSample[] {
    return this.samples.map((s) => ({ ...s }));
  }

  /** Starts a new window: forgets recorded frames, long frames and gap series. */
  start(): this {
    this.samples = [];
    this.gapSeries.clear();
    this.frameStart = undefined;
    this.previousStart = undefined;
    this.active = true;
    this.longFrames.start(performance.now());
    return this;
  }

  /** Ends the window; later frames are ignored until `start()`. */
  stop(): this {
    if (!this.active) return this;
    this.active = false;
    this.frameStart = undefined;
    this.longFrames.stop(performance.now());
    return this;
  }

  /**
   * Adds a named series of gaps in ms (appends when the name exists).
   * @example
   * ```ts
   * recorder.addGaps('physics', [16.6, 16.8, 33.1]);
   * ```
   */
  addGaps(name: string, gapsMs: readonly number[]): this {
    const series = this.gapSeries.get(name) ?? [];
    series.push(...gapsMs);
    this.gapSeries.set(name, series);
    return this;
  }

  /**
   * Adds a gap series from tick times in ms (gap i is `times[i + 1] - times[i]`).
   * @example
   * ```ts
   * recorder.addTicks('server', [0, 10, 20, 55]); // gaps 10, 10, 35
   * ```
   */
  addTicks(name: string, timesMs: readonly number[]): this {
    const gaps: number[] = [];
    for (let i = 1; i < timesMs.length; i++) gaps.push(timesMs[i]! - timesMs[i - 1]!);
    return this.addGaps(name, gaps);
  }

  /**
   * Sums up the window (recording may go on).
   * @example
   * ```ts
   * const report = recorder.report();
   * console.log(formatReport(report));
   * ```
   */
  report(): FrameReport {
    const longFrames = this.longFrames.frames();
    const samples = this.samples;
    const intervals = samples.slice(1);
    const first = samples[0];
    const last = samples[samples.length - 1];
    const worst = (list: FrameSample[], key: 'cpuMs' | 'intervalMs') =>
      [...list].sort((a, b) => b[key] - a[key] || a.frame - b.frame).slice(0, WORST).map((s) => ({ ...s }));
    const gaps: Record<string, GapSeries> = {};
    for (const [name, series] of this.gapSeries) {
      gaps[name] = {
        stats: summarize(series),
        worst: series
          .map((gapMs, index) => ({ index, gapMs }))
          .sort((a, b) => b.gapMs - a.gapMs || a.index - b.index)
          .slice(0, WORST),
      };
    }
    return {
      frames: samples.length,
      durationMs: first && last ? last.start + last.cpuMs - first.start : 0,
      budgetMs: this.budgetMs,
      cpu: summarize(samples.map((s) => s.cpuMs)),
      interval: summarize(intervals.map((s) => s.intervalMs)),
      overBudget: samples.filter((s) => s.cpuMs > this.budgetMs).length,
      worstCpu: worst(samples, 'cpuMs'),
      worstInterval: worst(intervals, 'intervalMs'),
      longFrames: longFrames
        .map((l) => ({ ...l, frame: this.matchFrame(l), scripts: l.scripts.map((s) => ({ ...s })) }))
        .sort((a, b) => a.start - b.start),
      gaps,
      environment: { ...frameEnvironment(), cpuClock: this.clock.name },
    };
  }

  // ---- frame hooks -------------------------------------------------------------

  private beginFrame(): void {
    if (!this.active) return;
    this.frameStart = performance.now();
    this.frameCpuStart = this.clock.now();
    this.frameNumber = this.app.frame;
  }

  private endFrame(): void {
    const cpuEnd = this.clock.now();
    const start = this.frameStart;
    if (!this.active || start === undefined) return;
    this.frameStart = undefined;
    this.samples.push({
      frame: this.frameNumber,
      start,
      cpuMs: cpuEnd - this.frameCpuStart,
      intervalMs: this.previousStart === undefined ? 0 : start - this.previousStart,
    });
    this.previousStart = start;
  }

  // ---- long frames ---------------------------------------------------------------------

  /** The recorded frame that overlaps `long` most, or null. */
  private matchFrame(long: LongFrame): number | null {
    let best: number | null = null;
    let bestOverlap = 0;
    for (const s of this.samples) {
      const overlap = Math.min(s.start + s.cpuMs, long.start + long.durationMs) - Math.max(s.start, long.start);
      if (overlap > bestOverlap) {
        best = s.frame;
        bestOverlap = overlap;
      }
    }
    return best;
  }
}
