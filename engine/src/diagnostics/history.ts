/**
 * A fixed-size history of samples with percentiles (bevy `Diagnostic`).
 */

/** Summary statistics of a history, in the history's unit. */
export interface FrameStats {
  /** Samples in the window. */
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Frames per second from the mean frame time (0 when empty). */
  fps: number;
  /** Samples in the window above the budget. */
  overBudget: number;
}

/** A ring buffer of numbers. */
export class History {
  /** Samples kept. */
  readonly capacity: number;
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  /** @param capacity samples kept */
  constructor(capacity: number) {
    this.capacity = capacity;
    if (!(capacity >= 1)) throw new Error(`[diagnostics] history capacity must be >= 1, got ${capacity}`);
    this.values = new Float64Array(capacity);
  }

  /** Number of samples kept. */
  get length(): number {
    return this.filled;
  }

  /** The newest sample, or `undefined`. */
  get latest(): number | undefined {
    return this.filled === 0 ? undefined : this.values[(this.next + this.capacity - 1) % this.capacity];
  }

  /** Adds a sample, dropping the oldest when full. */
  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  /** Samples oldest first. */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.filled; i++) out.push(this.values[(this.next - this.filled + i + this.capacity) % this.capacity]!);
    return out;
  }

  /** Forgets all samples. */
  clear(): void {
    this.next = 0;
    this.filled = 0;
  }

  /**
   * Statistics over the window; percentiles by nearest rank (the smallest
   * sample with at least p% of samples at or below it).
   * @param budget samples above this count as over budget
   */
  stats(budget = Infinity): FrameStats {
    const sorted = this.toArray().sort((a, b) => a - b);
    const n = sorted.length;
    if (n === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0, fps: 0, overBudget: 0 };
    const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
    const mean = sorted.reduce((a, b) => a + b, 0) / n;
    return {
      count: n,
      mean,
      p50: rank(50),
      p95: rank(95),
      p99: rank(99),
      max: sorted[n - 1]!,
      fps: mean > 0 ? 1000 / mean : 0,
      overBudget: sorted.filter((v) => v > budget).length,
    };
  }
}
