/**
 * The frame report's shape: plain JSON that can cross from a page to Node.
 * The recorder writes it; the formatter, matchers and baselines only read it,
 * so they depend on this file and not on the recorder.
 */
import type { Stats } from './stats.ts';

/** One recorded frame, times in milliseconds (`performance.now()` clock). */
export interface FrameSample {
  /** `app.frame` while the frame ran (0 for the first `update()`). */
  frame: number;
  /** `performance.now()` just before `First`. */
  start: number;
  /**
   * From just before `First` to just after `Last` (Startup excluded), on the
   * recorder's CPU clock: elapsed time by default, the main thread's CPU time
   * with `cpuClock: threadCpuClock()` (see `FrameEnvironment.cpuClock`).
   */
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
  /**
   * What `cpu` was measured with: absent or `'wall'` for elapsed time
   * (`performance.now()`), `'thread'` for the thread's CPU time (`threadCpuClock`).
   */
  cpuClock?: string;
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
