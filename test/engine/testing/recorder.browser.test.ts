import { afterEach, describe, expect, it } from 'vitest';
import { App, MinimalPlugins, Update } from '../../../engine/src/index.ts';
import { FrameRecorder, formatReport, frameMatchers } from '../../../engine/src/testing/index.ts';

// In the browser, register the matchers directly (the vitest glue module is Node-side).
expect.extend(frameMatchers);

const apps: App[] = [];
afterEach(() => {
  for (const app of apps.splice(0)) app.exit();
});

/** Resolves once `app.frame` reaches `frame`. */
function untilFrame(app: App, frame: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (app.frame >= frame ? resolve() : requestAnimationFrame(check));
    check();
  });
}

/** Long-animation-frame entries (script attribution) exist in Chromium only. */
const hasLoAF = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame');

describe('FrameRecorder (requestAnimationFrame)', () => {
  it('matches a 120 ms frame to its frame; in Chromium, to its long animation frame with script attribution', async () => {
    if (/Chrome/.test(navigator.userAgent)) expect(hasLoAF).toBe(true);
    const SLOW = 10;
    const app = new App().addPlugins(MinimalPlugins).addSystems(Update, function stall({ app }) {
      if (app.frame !== SLOW) return;
      const until = performance.now() + 120;
      while (performance.now() < until) { /* a long task inside a system */ }
    });
    apps.push(app);
    const recorder = FrameRecorder.attach(app);
    void app.run();
    await untilFrame(app, 3);
    recorder.start(); // a new window, after start-up
    // Long-animation-frame entries arrive after their frame: run a few more.
    await untilFrame(app, SLOW + 6);
    recorder.stop();
    const report = recorder.report();

    expect(report.worstCpu[0]!.frame).toBe(SLOW);
    expect(report.worstCpu[0]!.cpuMs).toBeGreaterThanOrEqual(120);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    if (!hasLoAF) {
      // Firefox and WebKit: frame CPU time and intervals, no long-frame attribution.
      expect(report.longFrames).toEqual([]);
      expect(() => expect(report).toMeetFrameBudget({ cpuMax: 100 })).toThrow(/cpu/);
      return;
    }
    expect(report.environment.userAgent).toMatch(/Chrome/);
    const long = report.longFrames.find((l) => l.frame === SLOW);
    expect(long, formatReport(report)).toBeDefined();
    expect(long!.durationMs).toBeGreaterThanOrEqual(120);
    expect(long!.blockingMs).toBeGreaterThan(0);
    expect(long!.scripts.length, formatReport(report)).toBeGreaterThan(0);
    expect(long!.scripts[0]!.durationMs).toBeGreaterThanOrEqual(100);
    expect(long!.scripts[0]!.invoker).toMatch(/FrameRequestCallback/);
    expect(long!.scripts[0]!.source).toMatch(/app\.ts/);
    expect(() => expect(report).toMeetFrameBudget({ longFrames: 0 })).toThrow(new RegExp(`long frame ${SLOW}: \\d+\\.\\d ms`));
  });
});
