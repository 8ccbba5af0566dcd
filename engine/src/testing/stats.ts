/**
 * Summary statistics for frame-timing tests, with the same nearest-rank
 * percentiles as the diagnostics' `History`.
 */
import { History, type FrameStats } from '../diagnostics/history.ts';

/** Summary statistics of a series, in the series' unit (milliseconds here): `History`'s, without the frame-only fields. */
export type Stats = Omit<FrameStats, 'fps' | 'overBudget'>;

/**
 * Count, mean, nearest-rank percentiles (the smallest value with at least p%
 * of values at or below it, as `History.stats`) and max; all 0 when empty.
 * @example
 * ```ts
 * summarize([4, 1, 3, 2]); // { count: 4, mean: 2.5, p50: 2, p95: 4, p99: 4, max: 4 }
 * ```
 */
export function summarize(values: readonly number[]): Stats {
  const history = new History(Math.max(1, values.length));
  for (const v of values) history.push(v);
  const { count, mean, p50, p95, p99, max } = history.stats();
  return { count, mean, p50, p95, p99, max };
}
