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
}

/** A metric over its limit. */
export interface BaselineRegression {
  metric: string;
  value: number;
  baseline: number;
  /** `baseline * (1 + tolerance) + slackMs`. */
  limit: number;
}

/** The outcome of `compareFrameBaseline`. */
export interface BaselineComparison {
  regressions: BaselineRegression[];
  /** Metrics of the report with no baseline value (not compared). */
  added: string[];
  /** Baseline metrics the report lacks (not compared). */
  missing: string[];
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
 * `baseline * (1 + tolerance) + slackMs`.
 * @example
 * ```ts
 * const { regressions } = compareFrameBaseline(report, JSON.parse(text), { tolerance: 0.25 });
 * ```
 */
export function compareFrameBaseline(report: FrameReport, baseline: FrameBaseline, options: BaselineOptions = {}): BaselineComparison {
  const { tolerance = 0.5, slackMs = 2 } = options;
  const current = frameMetrics(report);
  const regressions: BaselineRegression[] = [];
  const added: string[] = [];
  for (const [metric, value] of Object.entries(current)) {
    const base = baseline.metrics[metric];
    if (typeof base !== 'number') {
      added.push(metric);
      continue;
    }
    const limit = base * (1 + tolerance) + slackMs;
    if (value > limit) regressions.push({ metric, value, baseline: base, limit });
  }
  const missing = Object.keys(baseline.metrics).filter((m) => !(m in current));
  return { regressions, added, missing };
}

/** `cpu.max 40.2 ms > 3.1 ms (baseline 0.7 ms)`. */
export function formatRegression(r: BaselineRegression): string {
  return `${r.metric} ${ms(r.value)} ms > ${ms(r.limit)} ms (baseline ${ms(r.baseline)} ms)`;
}
