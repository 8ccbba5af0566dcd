import { describe, expect, it } from 'vitest';
import { App, First, History, Last, MinimalPlugins, Update } from '../../../engine/src/index.ts';
import { FrameRecorder, driveHeadless, formatReport, frameMatchers, summarize, threadCpuClock } from '../../../engine/src/testing/index.ts';
import type { FrameReport } from '../../../engine/src/testing/index.ts';
import '../../../engine/src/testing/vitest.ts';

/** Spins for `ms` milliseconds. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* busy */ }
}

/** A headless app whose frame `slowFrame` spends `slowMs` in an Update system. */
function gameApp(slowFrame = -1, slowMs = 0): App {
  return new App().addPlugins(MinimalPlugins).addSystems(Update, function maybeSlow({ app }) {
    if (app.frame === slowFrame) busy(slowMs);
  });
}

describe('summarize', () => {
  it('uses the nearest-rank percentiles of History', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    const h = new History(100);
    for (const v of values) h.push(v);
    const { count, mean, p50, p95, p99, max } = h.stats();
    expect(summarize(values)).toEqual({ count, mean, p50, p95, p99, max });
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, p50: 2, p95: 4, p99: 4, max: 4 });
    expect(summarize([])).toEqual({ count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('FrameRecorder (headless)', () => {
  it('records every frame with its number, CPU time and interval', async () => {
    const app = gameApp();
    const recorder = FrameRecorder.attach(app);
    await driveHeadless(app, { frames: 12, intervalMs: 5 });
    const frames = recorder.frames();
    expect(frames.map((f) => f.frame)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(frames[0]!.intervalMs).toBe(0);
    for (const [i, f] of frames.entries()) {
      expect(f.cpuMs).toBeGreaterThanOrEqual(0);
      if (i > 0) expect(f.intervalMs).toBeCloseTo(f.start - frames[i - 1]!.start, 9);
      if (i > 0) expect(f.intervalMs).toBeGreaterThan(0);
    }
    const report = recorder.report();
    expect(report.frames).toBe(12);
    expect(report.cpu.count).toBe(12);
    expect(report.interval.count).toBe(11); // the first frame of the window has no interval
    // Paced by driveHeadless at a 5 ms cadence (one late timer shortens the next wait).
    expect(report.interval.mean).toBeGreaterThanOrEqual(4.5);
    expect(report.durationMs).toBeGreaterThanOrEqual(11 * 4.5);
    expect(report.budgetMs).toBeCloseTo(1000 / 60);
    expect(report.environment.node).toBe(process.versions.node);
    expect(report.environment.cores).toBeGreaterThan(0);
    expect(report.longFrames).toEqual([]); // Node has no long-animation-frame entries
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('measures from before the first First system to after the last Last system', () => {
    const app = gameApp();
    const recorder = FrameRecorder.attach(app);
    // Added after attach, unordered: still inside the measured range.
    app.addSystems(First, function slowFirst() { busy(4); });
    app.addSystems(Last, function slowLast() { busy(4); });
    app.update(1 / 60);
    expect(recorder.frames()[0]!.cpuMs).toBeGreaterThanOrEqual(8);
    expect(app.mainSchedules()[0]).toMatch(/^FrameRecorder#\d+:begin$/);
    expect(app.mainSchedules().at(-1)).toMatch(/^FrameRecorder#\d+:end$/);
  });

  it('start() resets the window and stop() ends it', async () => {
    const app = gameApp();
    const recorder = FrameRecorder.attach(app);
    await driveHeadless(app, { frames: 3, intervalMs: 0 });
    recorder.addGaps('old', [1]);
    recorder.start();
    await driveHeadless(app, { frames: 4, intervalMs: 0 });
    recorder.stop();
    expect(recorder.recording).toBe(false);
    await driveHeadless(app, { frames: 2, intervalMs: 0 });
    const report = recorder.report();
    expect(report.worstCpu.map((f) => f.frame).sort()).toEqual([3, 4, 5, 6]);
    expect(report.frames).toBe(4);
    expect(report.gaps).toEqual({});
  });

  it('finds the frame that busy-waits 30 ms and fails a 20 ms cpuMax naming it', async () => {
    const app = gameApp(5, 30);
    const recorder = FrameRecorder.attach(app, { budgetMs: 20 });
    await driveHeadless(app, { frames: 10, intervalMs: 2 });
    const report = recorder.report();
    expect(report.worstCpu[0]!.frame).toBe(5);
    expect(report.worstCpu[0]!.cpuMs).toBeGreaterThanOrEqual(30);
    expect(report.worstCpu).toHaveLength(5);
    expect(report.overBudget).toBe(1);
    // The frame after the slow one started late.
    expect(report.worstInterval.find((f) => f.frame === 6)?.intervalMs).toBeGreaterThanOrEqual(30);

    let message = '';
    try {
      expect(report).toMeetFrameBudget({ cpuMax: 20, cpuP99: 1000 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/1 limit\(s\) exceeded/);
    expect(message).toMatch(/cpu\.max \d+\.\d ms > 20 ms/);
    expect(message).not.toMatch(/cpu\.p99 .* >/); // p99 is in budget, so not listed
    expect(message).toMatch(/worst cpu: +frame 5: cpu \d+\.\d ms, interval \d+\.\d ms/);
    expect(message).toMatch(/worst interval: .*frame 6: cpu/);

    expect(report).not.toMeetFrameBudget({ cpuMax: 20 });
    expect(report).toMeetFrameBudget({ cpuMax: 1000, overBudget: 1, longFrames: 0 });
    expect(() => expect(report).toMeetFrameBudget({ overBudget: 0 })).toThrow(/overBudget 1 frames > 0 frames/);
    expect(() => expect(report).not.toMeetFrameBudget({ cpuMax: 1000 })).toThrow(/every limit holds:\n {2}cpu\.max .* <= 1000 ms/);
  });

  it('reports gap series from gaps and from tick times', () => {
    const app = gameApp();
    const recorder = FrameRecorder.attach(app);
    recorder.addTicks('server', [0, 10, 20, 55, 65]);
    recorder.addGaps('physics', [16, 17, 16]).addGaps('physics', [40]);
    const { gaps } = recorder.report();
    expect(gaps.server!.stats).toMatchObject({ count: 4, max: 35, p50: 10 });
    expect(gaps.server!.worst[0]).toEqual({ index: 2, gapMs: 35 });
    expect(gaps.physics!.stats.count).toBe(4);
    expect(gaps.physics!.worst.map((w) => w.index)).toEqual([3, 1, 0, 2]);

    const report = recorder.report();
    expect(report).toMeetFrameBudget({ maxGap: 40 });
    expect(() => expect(report).toMeetFrameBudget({ maxGap: 30, gapP99: 100 })).toThrow(
      /gaps\.server\.max 35\.0 ms > 30 ms\n {2}gaps\.physics\.max 40\.0 ms > 30 ms[\s\S]*worst gaps server: #2 35\.0 ms/,
    );
  });

  it('fails a limit on what the report lacks: a named series absent or empty, no series, no frame', () => {
    const app = gameApp();
    const recorder = FrameRecorder.attach(app);
    recorder.addGaps('npc', [10, 12]).addGaps('watch', []);
    const report = recorder.report();
    expect(report).toMeetFrameBudget({ series: ['npc'] });
    expect(() => expect(report).toMeetFrameBudget({ series: ['npc', 'loader'] })).toThrow(/1 limit\(s\) exceeded:\n {2}gaps\.loader missing: not in the report/);
    expect(() => expect(report).toMeetFrameBudget({ maxGap: 100 })).toThrow(/gaps\.watch\.max missing: the series has no gap/);
    expect(() => expect(report).toMeetFrameBudget({ series: ['watch'] })).toThrow(/gaps\.watch missing: the series has no gap/);
    const none = emptyReport();
    expect(() => expect(none).toMeetFrameBudget({ maxGap: 100 })).toThrow(/gaps\.\*\.max missing: no gap series in the report/);
    expect(() => expect(none).toMeetFrameBudget({ cpuP99: 100 })).toThrow(/cpu\.p99 missing: no frame recorded/);
    expect(() => expect(none).toMeetFrameBudget({ intervalMax: 100 })).toThrow(/interval\.max missing: fewer than two frames recorded/);
    expect(none).not.toMeetFrameBudget({ cpuMax: 100 });
  });

  it('measures frame CPU on the thread CPU clock: a frame that sleeps costs no CPU, one that spins does', async () => {
    const clock = threadCpuClock();
    expect(clock).not.toBeNull();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const app = new App().addPlugins(MinimalPlugins).addSystems(Update, ({ app }) => {
      if (app.frame === 3) Atomics.wait(flag, 0, 0, 40); // off the CPU
      if (app.frame === 5) busy(40); // on the CPU
    });
    const recorder = FrameRecorder.attach(app, { cpuClock: clock! });
    await driveHeadless(app, { frames: 8, intervalMs: 2 });
    const report = recorder.report();
    expect(report.environment.cpuClock).toBe('thread');
    const frame = (n: number) => recorder.frames().find((f) => f.frame === n)!.cpuMs;
    expect(frame(3)).toBeLessThan(20);
    // Spinning 40 ms of elapsed time gets at least some CPU even on a busy machine, and never more than it lasted.
    expect(frame(5)).toBeGreaterThan(frame(3));
    expect(frame(5)).toBeLessThanOrEqual(45);
    expect(report.worstCpu[0]!.frame).toBe(5);
  });

  it('formats a short text report', async () => {
    const app = gameApp(2, 5);
    const recorder = FrameRecorder.attach(app);
    await driveHeadless(app, { frames: 4, intervalMs: 0 });
    recorder.addTicks('server', [0, 10, 30]);
    const text = formatReport(recorder.report());
    expect(text).toMatch(/^4 frames in \d+\.\d ms, budget 16\.7 ms, 0 over budget\n/);
    expect(text).toMatch(/\ncpu +p50 [\d.]+ p95 [\d.]+ p99 [\d.]+ max [\d.]+ ms \(mean [\d.]+, n 4\)\n/);
    expect(text).toMatch(/\ninterval .*n 3\)\n/);
    expect(text).toMatch(/\nworst cpu: +frame 2: cpu/);
    expect(text).toMatch(/\ngaps server: p50 10\.0 .* max 20\.0 ms .*; worst #1 20\.0 ms, #0 10\.0 ms\n/);
    expect(text).toMatch(/\nenvironment: Node \d+\.\d+\.\d+, \d+ cores$/);
  });

  it('formats long frames with their scripts and names them in budget failures', () => {
    const report: FrameReport = {
      ...emptyReport(),
      longFrames: [{ frame: 7, start: 100, durationMs: 130, blockingMs: 80, scripts: [{ source: 'http://x/game.ts', fn: 'tick', invoker: 'FrameRequestCallback', durationMs: 121 }] }],
    };
    expect(formatReport(report)).toMatch(/long frames \(1\):\n {2}frame 7 at 100\.0 ms: 130\.0 ms \(blocking 80\.0 ms\)\n {4}121\.0 ms FrameRequestCallback tick http:\/\/x\/game\.ts/);
    expect(() => expect(report).toMeetFrameBudget({ longFrames: 0 })).toThrow(/longFrames 1 > 0\n[\s\S]*long frame 7: 130\.0 ms in tick http:\/\/x\/game\.ts/);
  });

  it('frameMatchers work as plain functions and reject what is not a report', () => {
    const r = frameMatchers.toMeetFrameBudget({ nope: true }, { cpuMax: 1 });
    expect(r.pass).toBe(false);
    expect(r.message()).toMatch(/expected a FrameReport/);
    expect(frameMatchers.toMeetFrameBudget(emptyReport(), {}).pass).toBe(true);
  });
});

describe('driveHeadless', () => {
  it('turns the event loop between frames and stops after durationMs', async () => {
    const app = gameApp();
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const t0 = performance.now();
    await driveHeadless(app, { durationMs: 100, intervalMs: 10, dt: 1 / 100 });
    clearInterval(timer);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(app.frame).toBeGreaterThanOrEqual(2); // ~10; fewer when the machine is busy
    expect(app.frame).toBeLessThanOrEqual(11);
    expect(turns).toBeGreaterThan(0);
  });

  it('stops when the app exits, and needs frames or durationMs', async () => {
    const app = gameApp();
    app.addSystems(Update, ({ app }) => { if (app.frame === 2) app.exit(); });
    await driveHeadless(app, { frames: 100, intervalMs: 0 });
    expect(app.frame).toBe(3);
    await expect(driveHeadless(gameApp(), {})).rejects.toThrow(/frames or options\.durationMs/);
  });
});

function emptyReport(): FrameReport {
  const stats = summarize([]);
  return {
    frames: 0, durationMs: 0, budgetMs: 16, cpu: stats, interval: stats, overBudget: 0, worstCpu: [], worstInterval: [],
    longFrames: [], gaps: {}, environment: { node: '20', cores: 2 },
  };
}
