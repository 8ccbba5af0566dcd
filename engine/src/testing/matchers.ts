/**
 * `frameMatchers`: `toMeetFrameBudget` as a plain matcher function for
 * `expect.extend` (vitest or jest), with no test-framework import.
 */
import { formatFrame, ms } from './format.ts';
import type { FrameReport } from './report.ts';

/** Limits for `toMeetFrameBudget`; times in ms, leave a limit out to skip it. */
export interface FrameBudget {
  /** 99th percentile of CPU time per frame. */
  cpuP99?: number;
  /** Longest CPU time of a frame. */
  cpuMax?: number;
  /** 99th percentile of the time between frames. */
  intervalP99?: number;
  /** Longest time between frames. */
  intervalMax?: number;
  /** Longest gap of every gap series. */
  maxGap?: number;
  /** 99th percentile of every gap series. */
  gapP99?: number;
  /** Most frames allowed over `budgetMs`. */
  overBudget?: number;
  /** Most long animation frames allowed. */
  longFrames?: number;
  /**
   * Gap series the report must hold, each with at least one gap (a series
   * that was never recorded would pass `maxGap` and `gapP99` unseen).
   */
  series?: readonly string[];
}

/** What a matcher returns (vitest's and jest's `ExpectationResult`). */
export interface FrameMatcherResult {
  pass: boolean;
  message: () => string;
}

/** One checked limit; `missing` says why there is no value to check (which fails it). */
interface Check {
  name: string;
  value: number;
  limit: number;
  unit: string;
  missing?: string;
}

/**
 * Every limit of `budget` that applies to `report`, with its value. A limit
 * on what the report does not hold fails: CPU limits with no frame, interval
 * limits with fewer than two frames, gap limits with no gap series, and every
 * series of `budget.series` that is absent or empty.
 */
function checks(report: FrameReport, budget: FrameBudget): Check[] {
  const out: Check[] = [];
  const add = (name: string, value: number, limit: number | undefined, unit = ' ms', missing?: string) => {
    if (limit !== undefined) out.push({ name, value, limit, unit, ...(missing ? { missing } : {}) });
  };
  const noFrames = report.cpu.count > 0 ? undefined : 'no frame recorded';
  const noIntervals = report.interval.count > 0 ? undefined : 'fewer than two frames recorded';
  add('cpu.p99', report.cpu.p99, budget.cpuP99, ' ms', noFrames);
  add('cpu.max', report.cpu.max, budget.cpuMax, ' ms', noFrames);
  add('interval.p99', report.interval.p99, budget.intervalP99, ' ms', noIntervals);
  add('interval.max', report.interval.max, budget.intervalMax, ' ms', noIntervals);
  const series = Object.entries(report.gaps);
  if (series.length === 0) {
    add('gaps.*.p99', 0, budget.gapP99, ' ms', 'no gap series in the report');
    add('gaps.*.max', 0, budget.maxGap, ' ms', 'no gap series in the report');
  }
  for (const [name, g] of series) {
    const empty = g.stats.count > 0 ? undefined : 'the series has no gap';
    add(`gaps.${name}.p99`, g.stats.p99, budget.gapP99, ' ms', empty);
    add(`gaps.${name}.max`, g.stats.max, budget.maxGap, ' ms', empty);
  }
  for (const name of budget.series ?? []) {
    const g = report.gaps[name];
    if (!g || g.stats.count === 0) out.push({ name: `gaps.${name}`, value: 0, limit: 0, unit: '', missing: g ? 'the series has no gap' : 'not in the report' });
  }
  add('overBudget', report.overBudget, budget.overBudget, ' frames', noFrames);
  add('longFrames', report.longFrames.length, budget.longFrames, '');
  return out;
}

/** Whether a check holds: a value within its limit, and not missing. */
const holds = (c: Check) => !c.missing && c.value <= c.limit;

function isReport(value: unknown): value is FrameReport {
  const r = value as FrameReport | null;
  return typeof r === 'object' && r !== null && typeof r.cpu === 'object' && typeof r.interval === 'object' && Array.isArray(r.worstCpu);
}

/** The worst frames, gaps and long frames, for failure messages. */
function evidence(report: FrameReport): string[] {
  const lines: string[] = [];
  if (report.worstCpu.length > 0) lines.push(`worst cpu:      ${report.worstCpu.map(formatFrame).join('; ')}`);
  if (report.worstInterval.length > 0) lines.push(`worst interval: ${report.worstInterval.map(formatFrame).join('; ')}`);
  for (const [name, g] of Object.entries(report.gaps)) {
    if (g.worst.length > 0) lines.push(`worst gaps ${name}: ${g.worst.map((w) => `#${w.index} ${ms(w.gapMs)} ms`).join(', ')}`);
  }
  for (const l of report.longFrames.slice(0, 5)) {
    const top = l.scripts[0];
    const script = top ? ` in ${top.fn || '(anonymous)'} ${top.source}`.trimEnd() : '';
    lines.push(`long frame ${l.frame ?? '(outside recorded frames)'}: ${ms(l.durationMs)} ms${script}`);
  }
  return lines;
}

/**
 * Matchers for `expect.extend`. `toMeetFrameBudget(report, limits)` passes
 * when every given limit holds, on a value the report has (a limit on a
 * metric or series the report lacks fails); its failure message lists each violated limit
 * with its value, then the worst frames (frame numbers, cpu and interval) and
 * worst gaps. `.not` works (it passes when some limit is exceeded).
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * expect.extend(frameMatchers); // or: import '@ltask-web/engine/testing/vitest'
 * expect(recorder.report()).toMeetFrameBudget({ cpuP99: 8, intervalMax: 50, longFrames: 0 });
 * ```
 */
export const frameMatchers = {
  toMeetFrameBudget(report: unknown, budget: FrameBudget = {}): FrameMatcherResult {
    if (!isReport(report)) {
      return { pass: false, message: () => `toMeetFrameBudget: expected a FrameReport (recorder.report()), got ${typeof report}` };
    }
    const all = checks(report, budget);
    const failed = all.filter((c) => !holds(c));
    const show = (c: Check) =>
      c.missing ? `${c.name} missing: ${c.missing}` : `${c.name} ${c.unit === ' ms' ? ms(c.value) : c.value}${c.unit} ${holds(c) ? '<=' : '>'} ${c.limit}${c.unit}`;
    const pass = failed.length === 0;
    const message = () =>
      pass
        ? [`expected the frame report (${report.frames} frames) to exceed its budget, but every limit holds:`, ...all.map((c) => `  ${show(c)}`)].join('\n')
        : [
            `expected the frame report (${report.frames} frames) to meet its budget; ${failed.length} limit(s) exceeded:`,
            ...failed.map((c) => `  ${show(c)}`),
            ...evidence(report),
          ].join('\n');
    return { pass, message };
  },
};
