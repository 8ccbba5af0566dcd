/**
 * Long animation frames (or long tasks where those are missing) seen during a
 * recording window. Kept apart from `FrameRecorder` because it is browser-only
 * work with its own state: performance observers, possibly in an ancestor
 * window whose clock differs from this one.
 */
import type { LongFrame, LongFrameScript } from './report.ts';

/** The parts of `PerformanceLongAnimationFrameTiming` / `PerformanceLongTaskTiming` used here. */
interface LongAnimationFrameEntry extends PerformanceEntry {
  blockingDuration?: number;
  scripts?: ReadonlyArray<{ sourceURL?: string; sourceFunctionName?: string; invoker?: string; duration: number }>;
  attribution?: ReadonlyArray<{ name?: string; containerSrc?: string; containerName?: string; containerType?: string; duration: number }>;
}

/** An observer and the ms to add to its entries' times to get this realm's clock. */
interface ScopedObserver {
  observer: PerformanceObserver;
  shift: number;
}

/**
 * Collects the long frames that overlap a window, from `start(now)` to
 * `stop(now)`; nothing is observed outside a window.
 */
export class LongFrameWatch {
  private seen: LongFrame[] = [];
  private observers: ScopedObserver[] = [];
  private windowStart = 0;
  private windowEnd: number | undefined;

  /** Forgets what was seen and starts a window at `now`. */
  start(now: number): void {
    this.disconnect();
    this.seen = [];
    this.windowStart = now;
    this.windowEnd = undefined;
    this.observe();
  }

  /** Ends the window at `now`, keeping the entries delivered until then. */
  stop(now: number): void {
    this.windowEnd = now;
    this.takeRecords();
    this.disconnect();
  }

  /** The long frames of the window so far (entries still queued in the observers included). */
  frames(): readonly LongFrame[] {
    this.takeRecords();
    return this.seen;
  }

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
      if (this.seen.some((l) => Math.abs(l.start - start) < 1 && Math.abs(l.durationMs - entry.duration) < 1)) continue;
      this.seen.push({ ...toLongFrame(entry), start });
    }
  }
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
