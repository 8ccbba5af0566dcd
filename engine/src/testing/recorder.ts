/**
 * `FrameRecorder`: per-frame CPU time and frame intervals of an App, long
 * animation frames (browsers) and named gap series, summed up in a
 * JSON-serialisable `FrameReport`.
 */
import { First, Last } from '../app/index.ts';
import type { App } from '../app/index.ts';
import { summarize } from './stats.ts';
import type { Stats } from './stats.ts';

/** One recorded frame, times in milliseconds (`performance.now()` clock). */
export interface FrameSample {
  /** `app.frame` while the frame ran (0 for the first `update()`). */
  frame: number;
  /** `performance.now()` just before `First`. */
  start: number;
  /** From just before `First` to just after `Last` (Startup excluded). */
  cpuMs: number;
  /** `start` minus the previous recorded frame's `start`; 0 for the first frame of the window. */
  intervalMs: number;
}

/** A script that ran during a long frame (Long Animation Frames `scripts`). */
export interface LongFrameScript {
  /** The script's URL (`sourceURL`), or the container for `longtask` entries. */
  source: string;
  /** The function's name (`sourceFunctionName`), '' when unknown. */
  fn: string;
  /** What called it (`invoker`), e.g. 'FrameRequestCallback', 'TimerHandler:setTimeout'. */
  invoker: string;
  durationMs: number;
}

/** A long animation frame (or long task) seen while recording. */
export interface LongFrame {
  /** The recorded frame it overlaps most, or `null` when it overlaps none. */
  frame: number | null;
  /** `performance.now()` time it started. */
  start: number;
  durationMs: number;
  /** Time that blocked input (`blockingDuration`; for long tasks, duration minus 50 ms). */
  blockingMs: number;
  /** Script attribution, longest first; empty when the browser gave none. */
  scripts: LongFrameScript[];
}

/** A named series of gaps. */
export interface GapSeries {
  stats: Stats;
  /** The 5 largest gaps, largest first; `index` is the gap's position in the series. */
  worst: { index: number; gapMs: number }[];
}

/** Where a report was made. */
export interface FrameEnvironment {
  /** `navigator.userAgent` in browsers. */
  userAgent?: string;
  /** `process.versions.node` in Node. */
  node?: string;
  /** Logical cores, 0 when unknown. */
  cores: number;
}

/** What `FrameRecorder.report()` returns; plain JSON (it can cross from a page to Node). */
export interface FrameReport {
  /** Frames recorded. */
  frames: number;
  /** From the first recorded frame's start to the last one's end, in ms. */
  durationMs: number;
  budgetMs: number;
  /** CPU time per frame. */
  cpu: Stats;
  /** Time between frame starts (the first frame of the window has none). */
  interval: Stats;
  /** Frames with `cpuMs > budgetMs`. */
  overBudget: number;
  /** The 5 frames with the most CPU time, worst first. */
  worstCpu: FrameSample[];
  /** The 5 frames with the longest interval, worst first. */
  worstInterval: FrameSample[];
  /** Long animation frames (or long tasks) seen while recording, in time order. */
  longFrames: LongFrame[];
  /** Series added with `addGaps` / `addTicks`, by name. */
  gaps: Record<string, GapSeries>;
  environment: FrameEnvironment;
}

/** Options of `FrameRecorder.attach`. */
export interface FrameRecorderOptions {
  /** A frame whose CPU time exceeds this is over budget. Default 1000/60. */
  budgetMs?: number;
}

/** How many worst frames and gaps a report lists. */
const WORST = 5;

let recorders = 0;

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
  /** Frames over this many ms of CPU count as over budget. */
  readonly budgetMs: number;
  private samples: FrameSample[] = [];
  private longFrames: LongFrame[] = [];
  private readonly gapSeries = new Map<string, number[]>();
  private active = false;
  private frameStart: number | undefined;
  private frameNumber = 0;
  private previousStart: number | undefined;
  private windowStart = 0;
  private windowEnd: number | undefined;
  private observers: { observer: PerformanceObserver; shift: number }[] = [];

  private constructor(private readonly app: App, options: FrameRecorderOptions) {
    this.budgetMs = options.budgetMs ?? 1000 / 60;
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
    const id = ++recorders;
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
    this.disconnect();
    this.samples = [];
    this.longFrames = [];
    this.gapSeries.clear();
    this.frameStart = undefined;
    this.previousStart = undefined;
    this.windowStart = performance.now();
    this.windowEnd = undefined;
    this.active = true;
    this.observe();
    return this;
  }

  /** Ends the window; later frames are ignored until `start()`. */
  stop(): this {
    if (!this.active) return this;
    this.active = false;
    this.frameStart = undefined;
    this.windowEnd = performance.now();
    this.takeRecords();
    this.disconnect();
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
    this.takeRecords();
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
      longFrames: this.longFrames
        .map((l) => ({ ...l, frame: this.matchFrame(l), scripts: l.scripts.map((s) => ({ ...s })) }))
        .sort((a, b) => a.start - b.start),
      gaps,
      environment: frameEnvironment(),
    };
  }

  // ---- frame hooks -------------------------------------------------------------

  private beginFrame(): void {
    if (!this.active) return;
    this.frameStart = performance.now();
    this.frameNumber = this.app.frame;
  }

  private endFrame(): void {
    const now = performance.now();
    const start = this.frameStart;
    if (!this.active || start === undefined) return;
    this.frameStart = undefined;
    this.samples.push({
      frame: this.frameNumber,
      start,
      cpuMs: now - start,
      intervalMs: this.previousStart === undefined ? 0 : start - this.previousStart,
    });
    this.previousStart = start;
  }

  // ---- long animation frames -------------------------------------------------------

  /**
   * Observes long animation frames, or long tasks where those are missing,
   * here and, in a same-origin iframe, in the topmost same-origin window:
   * Chromium reports a rendering frame's long animation frame to that window
   * (the frame tree's local root), not to the iframe whose script ran.
   */
  private observe(): void {
    for (const { Observer, shift } of observerScopes()) {
      const types = Observer.supportedEntryTypes ?? [];
      const type = types.includes('long-animation-frame') ? 'long-animation-frame' : types.includes('longtask') ? 'longtask' : null;
      if (!type) continue;
      const observer = new Observer((list) => this.collect(list.getEntries(), shift));
      observer.observe({ type, buffered: true });
      this.observers.push({ observer, shift });
    }
  }

  private takeRecords(): void {
    for (const { observer, shift } of this.observers) this.collect(observer.takeRecords(), shift);
  }

  private disconnect(): void {
    for (const { observer } of this.observers) observer.disconnect();
    this.observers = [];
  }

  /**
   * Keeps the entries that overlap the window, once each (the same frame may
   * come from two windows).
   * @param shift ms to add to the entries' times to get this window's clock
   */
  private collect(entries: readonly PerformanceEntry[], shift: number): void {
    const end = this.windowEnd ?? Infinity;
    for (const entry of entries) {
      const start = entry.startTime + shift;
      if (start + entry.duration < this.windowStart || start > end) continue;
      if (this.longFrames.some((l) => Math.abs(l.start - start) < 1 && Math.abs(l.durationMs - entry.duration) < 1)) continue;
      this.longFrames.push({ ...toLongFrame(entry as LongAnimationFrameEntry), start });
    }
  }

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

/** The parts of `PerformanceLongAnimationFrameTiming` / `PerformanceLongTaskTiming` used here. */
interface LongAnimationFrameEntry extends PerformanceEntry {
  blockingDuration?: number;
  scripts?: ReadonlyArray<{ sourceURL?: string; sourceFunctionName?: string; invoker?: string; duration: number }>;
  attribution?: ReadonlyArray<{ name?: string; containerSrc?: string; containerName?: string; containerType?: string; duration: number }>;
}

function toLongFrame(entry: LongAnimationFrameEntry): LongFrame {
  const scripts: LongFrameScript[] =
    entry.entryType === 'long-animation-frame'
      ? (entry.scripts ?? []).map((s) => ({ source: s.sourceURL ?? '', fn: s.sourceFunctionName ?? '', invoker: s.invoker ?? '', durationMs: s.duration }))
      : (entry.attribution ?? []).map((a) => ({
          source: a.containerSrc || a.containerName || a.containerType || '',
          fn: '',
          invoker: a.name ?? '',
          durationMs: a.duration,
        }));
  return {
    frame: null,
    start: entry.startTime,
    durationMs: entry.duration,
    blockingMs: entry.blockingDuration ?? Math.max(0, entry.duration - 50),
    scripts: scripts.sort((a, b) => b.durationMs - a.durationMs),
  };
}

/**
 * Where to observe performance entries: this realm, plus the topmost
 * same-origin ancestor window when this is an iframe, with the difference of
 * their clocks.
 */
function observerScopes(): { Observer: typeof PerformanceObserver; shift: number }[] {
  const scopes: { Observer: typeof PerformanceObserver; shift: number }[] = [];
  if (typeof PerformanceObserver === 'function') scopes.push({ Observer: PerformanceObserver, shift: 0 });
  let root: Window | undefined;
  try {
    for (let w = (globalThis as { window?: Window }).window; w && w.parent !== w; w = w.parent) {
      void w.parent.performance.timeOrigin; // throws for a cross-origin parent
      root = w.parent;
    }
  } catch {
    // a cross-origin ancestor: observe up to the last same-origin one
  }
  const Observer = (root as (Window & typeof globalThis) | undefined)?.PerformanceObserver;
  if (root && typeof Observer === 'function') {
    scopes.push({ Observer, shift: root.performance.timeOrigin - performance.timeOrigin });
  }
  return scopes;
}

/** The user agent or Node version, and the number of cores. */
export function frameEnvironment(): FrameEnvironment {
  const g = globalThis as {
    process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => { availableParallelism?: () => number } | undefined };
    navigator?: { userAgent?: string; hardwareConcurrency?: number };
  };
  const node = g.process?.versions?.node;
  if (node) {
    let cores = g.navigator?.hardwareConcurrency ?? 0;
    try {
      cores ||= g.process?.getBuiltinModule?.('os')?.availableParallelism?.() ?? 0;
    } catch {
      // no os module: cores stay unknown
    }
    return { node, cores };
  }
  return { userAgent: g.navigator?.userAgent ?? 'unknown', cores: g.navigator?.hardwareConcurrency ?? 0 };
}
