/**
 * `formatReport`: a frame report as a few lines of text for logs and failure
 * messages.
 */
import type { FrameReport, FrameSample } from './report.ts';
import type { Stats } from './stats.ts';

/** Milliseconds with one decimal. */
export function ms(value: number): string {
  return value.toFixed(1);
}

/** `p50 1.0 p95 2.0 p99 3.0 max 4.0 ms (n 10)`. */
function formatStats(s: Stats): string {
  return `p50 ${ms(s.p50)} p95 ${ms(s.p95)} p99 ${ms(s.p99)} max ${ms(s.max)} ms (mean ${ms(s.mean)}, n ${s.count})`;
}

/** `frame 5: cpu 31.0 ms, interval 16.7 ms`. */
export function formatFrame(s: FrameSample): string {
  return `frame ${s.frame}: cpu ${ms(s.cpuMs)} ms, interval ${ms(s.intervalMs)} ms`;
}

/**
 * A short multi-line summary: percentiles, worst frames by number, long
 * frames with their scripts, gap series and the environment.
 * @example
 * ```ts
 * console.log(formatReport(recorder.report()));
 * // 120 frames in 2000.3 ms, budget 16.7 ms, 1 over budget
 * // cpu      p50 0.1 p95 0.2 p99 30.4 max 30.4 ms (mean 0.4, n 120)
 * // ...
 * ```
 */
export function formatReport(report: FrameReport): string {
  const lines = [
    `${report.frames} frames in ${ms(report.durationMs)} ms, budget ${ms(report.budgetMs)} ms, ${report.overBudget} over budget`,
    `cpu      ${formatStats(report.cpu)}`,
    `interval ${formatStats(report.interval)}`,
  ];
  if (report.worstCpu.length > 0) lines.push(`worst cpu:      ${report.worstCpu.map(formatFrame).join('; ')}`);
  if (report.worstInterval.length > 0) lines.push(`worst interval: ${report.worstInterval.map(formatFrame).join('; ')}`);
  if (report.longFrames.length > 0) {
    lines.push(`long frames (${report.longFrames.length}):`);
    for (const l of report.longFrames) {
      const where = l.frame === null ? 'outside recorded frames' : `frame ${l.frame}`;
      lines.push(`  ${where} at ${ms(l.start)} ms: ${ms(l.durationMs)} ms (blocking ${ms(l.blockingMs)} ms)`);
      for (const s of l.scripts) {
        lines.push(`    ${ms(s.durationMs)} ms ${s.invoker || '?'} ${s.fn || '(anonymous)'} ${s.source}`.trimEnd());
      }
    }
  }
  for (const [name, g] of Object.entries(report.gaps)) {
    const worst = g.worst.map((w) => `#${w.index} ${ms(w.gapMs)} ms`).join(', ');
    lines.push(`gaps ${name}: ${formatStats(g.stats)}${worst ? `; worst ${worst}` : ''}`);
  }
  const env = report.environment;
  lines.push(`environment: ${env.node ? `Node ${env.node}` : (env.userAgent ?? 'unknown')}, ${env.cores || '?'} cores`);
  return lines.join('\n');
}
