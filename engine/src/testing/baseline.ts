/**
 * Frame baselines: the metrics of a report worth comparing between runs, and
 * the comparison (file I/O lives in `testing/vitest.ts`).
 */
import { ms } from './format.ts';
import type { FrameEnvironment, FrameReport } from './report.ts';

/** A baseline file's content. */
export interface FrameBaseline {
  version: 1;
  /** ISO date it was written. */
  createdAt: string;
  /** Where it was recorded. */
  environment: FrameEnvironment;
  /** Metric name (`cpu.p99`, `gaps.<name>.p99`...) to ms. */
  metrics: Record<string, number>;
}

/** Options of a baseline comparison. */
export interface BaselineOptions {
  /** Allowed relative growth. Default 0.5 (+50%). */
  tolerance?: number;
  /** Allowed absolute growth in ms on top of that. Default 2. */
  slackMs?: number;
  /**
   * Compare only these metrics: names (`cpu.p99`) or prefixes ending in a
   * dot (`cpu.`, `gaps.npc.`). Default: every metric of the baseline.
   */
  metrics?: readonly string[];
}

/** A metric over its limit. */
export interface BaselineRegression {
  metric: string;
  value: number;
  baseline: number;
  /** `baseline * (1 + tolerance) + slackMs`. */
  limit: number;
}

/** The outcome of `compareFrameBaseline`; it fails when `regressions`, `missing` or `clock` is not empty. */
export interface BaselineComparison {
  regressions: BaselineRegression[];
  /** Metrics of the report with no baseline value (not compared). */
  added: string[];
  /** Compared baseline metrics the report lacks (a failure: a series or metric that went away). */
  missing: string[];
  /** When the report's CPU clock is not the baseline's (`'thread' vs 'wall'`): the CPU metrics cannot be compared. */
  clock?: string;
}

/**
 * The compared metrics, in ms: `cpu.p50`, `cpu.p95`, `cpu.p99`, `cpu.max`,
 * `interval.p50`, `interval.p99`, and `gaps.<name>.p99` / `gaps.<name>.max`.
 * @example
 * ```ts
 * frameMetrics(report)['cpu.p99'];
 * ```
 */
export function frameMetrics(report: FrameReport): Record<string, number> {
  const metrics: Record<string, number> = {
    'cpu.p50': report.cpu.p50,
    'cpu.p95': report.cpu.p95,
    'cpu.p99': report.cpu.p99,
    'cpu.max': report.cpu.max,
    'interval.p50': report.interval.p50,
    'interval.p99': report.interval.p99,
  };
  for (const [name, g] of Object.entries(report.gaps)) {
    metrics[`gaps.${name}.p99`] = g.stats.p99;
    metrics[`gaps.${name}.max`] = g.stats.max;
  }
  return metrics;
}

/** A baseline of `report`, ready for `JSON.stringify`. */
export function createFrameBaseline(report: FrameReport, createdAt = new Date()): FrameBaseline {
  return { version: 1, createdAt: createdAt.toISOString(), environment: report.environment, metrics: frameMetrics(report) };
}

/**
 * Compares a report with a baseline: a metric regresses when it exceeds
 * `baseline * (1 + tolerance) + slackMs`. A compared baseline metric that the
 * report lacks (a gap series that went away, no frame recorded) is `missing`,
 * and CPU metrics measured on another clock than the baseline's are `clock`:
 * both fail the comparison as a regression does.
 * @example
 * ```ts
 * const { regressions } = compareFrameBaseline(report, JSON.parse(text), { tolerance: 0.25 });
 * ```
 */
export function compareFrameBaseline(report: FrameReport, baseline: FrameBaseline, options: BaselineOptions = {}): BaselineComparison {
  const { tolerance = 0.5, slackMs = 2, metrics } = options;
  const chosen = (m: string) => !metrics || metrics.some((k) => (k.endsWith('.') ? m.startsWith(k) : m === k));
  const current = frameMetrics(report);
  const regressions: BaselineRegression[] = [];
  const added: string[] = [];
  for (const [metric, value] of Object.entries(current)) {
    if (!chosen(metric)) continue;
    const base = baseline.metrics[metric];
    if (typeof base !== 'number') {
      added.push(metric);
      continue;
    }
    const limit = base * (1 + tolerance) + slackMs;
    if (!(value <= limit)) regressions.push({ metric, value, baseline: base, limit });
  }
  // A metric is missing when the report lacks it, or has it from no sample (an empty series, no frame).
  const empty = new Set<string>();
  if (report.cpu.count === 0) for (const k of ['cpu.p50', 'cpu.p95', 'cpu.p99', 'cpu.max']) empty.add(k);
  if (report.interval.count === 0) for (const k of ['interval.p50', 'interval.p99']) empty.add(k);
  for (const [name, g] of Object.entries(report.gaps)) if (g.stats.count === 0) for (const k of ['p99', 'max']) empty.add(`gaps.${name}.${k}`);
  const wanted = [...Object.keys(baseline.metrics).filter(chosen), ...(metrics ?? []).filter((k) => !k.endsWith('.') && !(k in baseline.metrics))];
  const missing = [...new Set(wanted)].filter((m) => !(m in current) || empty.has(m));
  if (metrics) for (const k of metrics) if (k.endsWith('.') && !Object.keys(baseline.metrics).some((m) => m.startsWith(k))) missing.push(`${k}*`);
  const mine = report.environment.cpuClock ?? 'wall';
  const theirs = baseline.environment.cpuClock ?? 'wall';
  const clock = mine !== theirs && [...Object.keys(current)].some((m) => m.startsWith('cpu.') && chosen(m)) ? `${mine} vs ${theirs}` : undefined;
  return { regressions, added, missing, ...(clock ? { clock } : {}) };
}

/** `cpu.max 40.2 ms > 3.1 ms (baseline 0.7 ms)`. */
export function formatRegression(r: BaselineRegression): string {
  return `${r.metric} ${ms(r.value)} ms > ${ms(r.limit)} ms (baseline ${ms(r.baseline)} ms)`;
}
