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
}

/** What a matcher returns (vitest's and jest's `ExpectationResult`). */
export interface FrameMatcherResult {
  pass: boolean;
  message: () => string;
}

/** One checked limit. */
interface Check {
  name: string;
  value: number;
  limit: number;
  unit: string;
}

/** Every limit of `budget` that applies to `report`, with its value. */
function checks(report: FrameReport, budget: FrameBudget): Check[] {
  const out: Check[] = [];
  const add = (name: string, value: number, limit: number | undefined, unit = ' ms') => {
    if (limit !== undefined) out.push({ name, value, limit, unit });
  };
  add('cpu.p99', report.cpu.p99, budget.cpuP99);
  add('cpu.max', report.cpu.max, budget.cpuMax);
  add('interval.p99', report.interval.p99, budget.intervalP99);
  add('interval.max', report.interval.max, budget.intervalMax);
  for (const [name, g] of Object.entries(report.gaps)) {
    add(`gaps.${name}.p99`, g.stats.p99, budget.gapP99);
    add(`gaps.${name}.max`, g.stats.max, budget.maxGap);
  }
  add('overBudget', report.overBudget, budget.overBudget, ' frames');
  add('longFrames', report.longFrames.length, budget.longFrames, '');
  return out;
}

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
 * when every given limit holds; its failure message lists each violated limit
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
    const failed = all.filter((c) => !(c.value <= c.limit));
    const show = (c: Check) => `${c.name} ${c.unit === ' ms' ? ms(c.value) : c.value}${c.unit} ${c.value <= c.limit ? '<=' : '>'} ${c.limit}${c.unit}`;
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
