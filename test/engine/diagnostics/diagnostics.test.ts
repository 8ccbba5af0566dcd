import { describe, expect, it } from 'vitest';
import { App, Update } from '../../../engine/src/app/index.ts';
import { DiagnosticsPlugin, FrameDiagnostics, History } from '../../../engine/src/diagnostics/index.ts';
import { TimePlugin } from '../../../engine/src/time/index.ts';

describe('History', () => {
  it('computes nearest-rank percentiles over the window', () => {
    const h = new History(100);
    for (let i = 100; i >= 1; i--) h.push(i); // 1..100 in reverse
    const s = h.stats(90);
    expect([s.p50, s.p95, s.p99, s.max, s.count]).toEqual([50, 95, 99, 100, 100]);
    expect(s.mean).toBeCloseTo(50.5);
    expect(s.overBudget).toBe(10);
  });

  it('keeps only the newest samples', () => {
    const h = new History(3);
    for (const v of [1, 2, 3, 4, 5]) h.push(v);
    expect(h.toArray()).toEqual([3, 4, 5]);
    expect(h.latest).toBe(5);
    expect(h.stats().fps).toBeCloseTo(250);
  });
});

describe('DiagnosticsPlugin', () => {
  it('records frame times from Time, FPS, percentiles and frames over budget', () => {
    const app = new App().addPlugins(new TimePlugin(), new DiagnosticsPlugin({ historyLength: 10, budgetMs: 20 }));
    const deltas = [0.016, 0.016, 0.05, 0.016, 0.016, 0.016, 0.016, 0.016, 0.016, 0.016, 0.016, 0.03];
    for (const dt of deltas) app.update(dt);
    const d = app.resource(FrameDiagnostics);
    const s = d.frameStats();
    expect(d.frames).toBe(12);
    expect(s.count).toBe(10); // the first two frames left the window
    expect(s.max).toBeCloseTo(50);
    expect(s.p50).toBeCloseTo(16);
    expect(s.p99).toBeCloseTo(50);
    expect(s.overBudget).toBe(2);
    expect(d.totalOverBudget).toBe(2);
    expect(s.fps).toBeCloseTo(1000 / ((8 * 16 + 50 + 30) / 10), 3);
    expect(d.summary()).toMatch(/fps \| frame p50 16\.0 .* over 20\.0 ms: 2\/10/);
  });

  it('measures the CPU time of a frame', () => {
    const app = new App().addPlugins(new TimePlugin(), new DiagnosticsPlugin());
    app.addSystems(Update, () => {
      const until = performance.now() + 5;
      while (performance.now() < until) { /* busy */ }
    });
    app.update(1 / 60);
    expect(app.resource(FrameDiagnostics).cpu.latest).toBeGreaterThanOrEqual(5);
  });
});
