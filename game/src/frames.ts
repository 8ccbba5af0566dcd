/**
 * Frame intervals over a sliding window (the last 5 s), for the overlay's
 * graph and the blocking comparison. `reset()` forgets the start-up: it is
 * called when the title card is dismissed.
 */
import { Time, type SystemContext } from '@ltask-web/engine';

export const FRAME_WINDOW_MS = 5000;

export interface FrameFigures {
  frames: number;
  p50: number;
  p99: number;
  max: number;
  fps: number;
}

/** Frame intervals (ms) and when each frame ended. */
export class FrameWindow {
  readonly t: number[] = [];
  readonly ms: number[] = [];
  /** When the window was last reset. */
  since = 0;

  push(now: number, ms: number): void {
    this.t.push(now);
    this.ms.push(ms);
    while (this.t.length && now - this.t[0]! > FRAME_WINDOW_MS) {
      this.t.shift();
      this.ms.shift();
    }
  }

  reset(): void {
    this.t.length = 0;
    this.ms.length = 0;
    this.since = performance.now();
  }

  /** Percentiles (nearest rank) and max of the window (of its frames after `since`, when given). */
  figures(since = 0): FrameFigures {
    let from = 0;
    while (from < this.t.length && this.t[from]! < since) from++;
    const ms = from ? this.ms.slice(from) : this.ms;
    const n = ms.length;
    if (n === 0) return { frames: 0, p50: 0, p99: 0, max: 0, fps: 0 };
    const sorted = [...ms].sort((a, b) => a - b);
    const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
    const span = this.t[this.t.length - 1]! - this.t[from]!;
    return { frames: n, p50: rank(0.5), p99: rank(0.99), max: sorted[n - 1]!, fps: span > 0 ? ((n - 1) / span) * 1000 : 0 };
  }
}

/** Last: records this frame's interval. */
export function recordFrame({ resource }: SystemContext): void {
  const ms = resource(Time).rawDelta * 1000;
  if (ms > 0) resource(FrameWindow).push(performance.now(), ms);
}
