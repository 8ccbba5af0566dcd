import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App, MinimalPlugins, Update } from '../../../engine/src/index.ts';
import { FrameRecorder, compareFrameBaseline, createFrameBaseline, driveHeadless, frameMetrics } from '../../../engine/src/testing/index.ts';
import type { FrameBaseline, FrameReport } from '../../../engine/src/testing/index.ts';
import { toMatchFrameBaseline } from '../../../engine/src/testing/vitest.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'frame-baseline-'));
  vi.spyOn(console, 'info').mockImplementation(() => {});
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A recorded run of 12 headless frames; `slowMs` of busy work in frame 6; ticks every 10 ms but one 10 + `slowMs` gap. */
async function run(slowMs = 0): Promise<FrameReport> {
  const app = new App().addPlugins(MinimalPlugins).addSystems(Update, ({ app }) => {
    if (app.frame !== 6) return;
    const until = performance.now() + slowMs;
    while (performance.now() < until) { /* busy */ }
  });
  const recorder = FrameRecorder.attach(app);
  await driveHeadless(app, { frames: 12, intervalMs: 2 });
  recorder.addTicks('server', [0, 10, 20, 30 + slowMs, 40 + slowMs]);
  return recorder.report();
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as FrameBaseline;

describe('toMatchFrameBaseline', () => {
  it('writes the baseline on the first run, then passes within tolerance', async () => {
    const file = join(dir, 'nested', 'game.json');
    const report = await run();
    expect(report).toMatchFrameBaseline(file);
    expect(console.info).toHaveBeenCalledWith(`[frame-baseline] wrote ${file} (no baseline yet)`);
    const baseline = read(file);
    expect(baseline).toMatchObject({ version: 1, environment: report.environment, metrics: frameMetrics(report) });
    expect(Object.keys(baseline.metrics)).toEqual([
      'cpu.p50', 'cpu.p95', 'cpu.p99', 'cpu.max', 'interval.p50', 'interval.p99', 'gaps.server.p99', 'gaps.server.max',
    ]);
    expect(new Date(baseline.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // The same run, and one 40% slower everywhere, are within +50% + 2 ms.
    expect(report).toMatchFrameBaseline(file);
    const slower = JSON.parse(JSON.stringify(report)) as FrameReport;
    for (const s of [slower.cpu, slower.interval, slower.gaps.server!.stats]) {
      for (const k of ['p50', 'p95', 'p99', 'max'] as const) s[k] *= 1.4;
    }
    expect(slower).toMatchFrameBaseline(file);
    expect(() => expect(slower).not.toMatchFrameBaseline(file)).toThrow(/every metric is within its limit/);
  });

  it('fails on a regression, listing each regressed metric', async () => {
    const file = join(dir, 'game.json');
    expect(await run()).toMatchFrameBaseline(file);
    const baseline = read(file);
    const regressed = await run(40);
    let message = '';
    try {
      expect(regressed).toMatchFrameBaseline(file, { tolerance: 0.5, slackMs: 2 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`frame timings regressed against ${file} (limit = baseline × 1.5 + 2 ms`);
    const limit = baseline.metrics['cpu.max']! * 1.5 + 2;
    expect(message).toContain(`  cpu.max ${regressed.cpu.max.toFixed(1)} ms > ${limit.toFixed(1)} ms (baseline ${baseline.metrics['cpu.max']!.toFixed(1)} ms)`);
    expect(message).toMatch(/\n {2}gaps\.server\.max 50\.0 ms > 17\.0 ms \(baseline 10\.0 ms\)/);
    expect(message).toMatch(/worst cpu: +frame 6: cpu/);
    expect(message).toMatch(/FRAME_BASELINE=update or vitest -u/);
    expect(regressed).not.toMatchFrameBaseline(file);
    // The file is untouched by a failing comparison.
    expect(read(file)).toEqual(baseline);

    const { regressions } = compareFrameBaseline(regressed, baseline);
    expect(regressions.map((r) => r.metric)).toEqual(expect.arrayContaining(['cpu.max', 'gaps.server.p99', 'gaps.server.max']));
  });

  it('rewrites the baseline with FRAME_BASELINE=update', async () => {
    const file = join(dir, 'game.json');
    expect(await run()).toMatchFrameBaseline(file);
    const regressed = await run(40);
    vi.stubEnv('FRAME_BASELINE', 'update');
    expect(regressed).toMatchFrameBaseline(file);
    expect(console.info).toHaveBeenLastCalledWith(`[frame-baseline] wrote ${file} (FRAME_BASELINE=update)`);
    expect(read(file).metrics).toEqual(frameMetrics(regressed));
    vi.unstubAllEnvs();
    expect(regressed).toMatchFrameBaseline(file);
  });

  it('rewrites the baseline under vitest -u (snapshot update mode "all")', async () => {
    const file = join(dir, 'game.json');
    expect(await run()).toMatchFrameBaseline(file);
    const regressed = await run(40);
    // What the matcher reads from vitest: 'all' under -u.
    expect(['all', 'new', 'none']).toContain(expect.getState().snapshotState.snapshotUpdateState);
    const ctx = (mode: string) => ({ isNot: false, snapshotState: { snapshotUpdateState: mode } });
    expect(toMatchFrameBaseline.call(ctx('new'), regressed, file).pass).toBe(false);
    const r = toMatchFrameBaseline.call(ctx('all'), regressed, file);
    expect(r.pass).toBe(true);
    expect(r.message()).toContain('(vitest -u)');
    expect(read(file).metrics).toEqual(frameMetrics(regressed));
  });

  it('resolves relative paths from the test file and reports unreadable baselines', async () => {
    const report = await run();
    const r = toMatchFrameBaseline.call({ testPath: join(dir, 'game.test.ts') }, report, 'baselines/x.json');
    expect(r.pass).toBe(true);
    expect(existsSync(join(dir, 'baselines', 'x.json'))).toBe(true);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "version": 9 }');
    expect(() => expect(report).toMatchFrameBaseline(bad)).toThrow(/cannot read .*bad\.json: unknown baseline version 9/);
  });

  it('notes metrics only in the report; fails on baseline metrics the report lacks', async () => {
    const file = join(dir, 'game.json');
    const report = await run();
    expect(report).toMatchFrameBaseline(file);
    const renamed = { ...report, gaps: { client: report.gaps.server! } };
    const { added, missing } = compareFrameBaseline(renamed, read(file));
    expect(added).toEqual(['gaps.client.p99', 'gaps.client.max']);
    expect(missing).toEqual(['gaps.server.p99', 'gaps.server.max']);
    // A series that went away (never recorded) fails, whatever the other metrics say.
    expect(() => expect(renamed).toMatchFrameBaseline(file)).toThrow(
      /missing from the report \(in the baseline\): gaps\.server\.p99, gaps\.server\.max[\s\S]*not in the baseline \(not compared\): gaps\.client\.p99/,
    );
    // So does a series recorded empty, and a report with no frame.
    const empty = { ...report, gaps: { server: { stats: { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 }, worst: [] } } };
    expect(() => expect(empty).toMatchFrameBaseline(file)).toThrow(/missing from the report \(in the baseline\): gaps\.server\.p99, gaps\.server\.max/);
    const noFrames = { ...report, cpu: { ...report.cpu, count: 0 } };
    expect(() => expect(noFrames).toMatchFrameBaseline(file)).toThrow(/missing from the report \(in the baseline\): cpu\.p50, cpu\.p95, cpu\.p99, cpu\.max/);
  });

  it('compares the chosen metrics only, and fails on a chosen one the baseline or report lacks', async () => {
    const file = join(dir, 'game.json');
    const report = await run();
    expect(report).toMatchFrameBaseline(file);
    const regressed = JSON.parse(JSON.stringify(report)) as FrameReport;
    regressed.interval.p99 = report.interval.p99 * 10 + 100;
    regressed.cpu.p99 = report.cpu.p99 * 2 + 5;
    expect(regressed).toMatchFrameBaseline(file, { metrics: ['gaps.'] });
    expect(() => expect(regressed).toMatchFrameBaseline(file, { metrics: ['cpu.', 'gaps.server.max'] })).toThrow(/compared: cpu\., gaps\.server\.max[\s\S]*\n {2}cpu\.p99 /);
    expect(compareFrameBaseline(regressed, read(file), { metrics: ['cpu.'] }).regressions.map((r) => r.metric)).toContain('cpu.p99');
    expect(compareFrameBaseline(regressed, read(file), { metrics: ['cpu.'] }).regressions.map((r) => r.metric)).not.toContain('interval.p99');
    expect(() => expect(report).toMatchFrameBaseline(file, { metrics: ['gaps.npc.'] })).toThrow(/missing from the report \(in the baseline\): gaps\.npc\.\*/);
  });

  it('compares with a baseline measured in the same run (a report or a baseline object), writing no file', async () => {
    const idle = await run();
    const busy = await run(40);
    expect(idle).toMatchFrameBaseline(idle, { tolerance: 0, slackMs: 0 });
    expect(() => expect(busy).toMatchFrameBaseline(idle, { metrics: ['cpu.max'], tolerance: 0.5, slackMs: 2 })).toThrow(
      /^frame timings regressed against the same-run baseline \(limit = baseline × 1\.5 \+ 2 ms; compared: cpu\.max, baseline from .*\):\n {2}cpu\.max /,
    );
    expect(() => expect(busy).toMatchFrameBaseline(createFrameBaseline(idle), { metrics: ['cpu.max'] })).toThrow(/cpu\.max/);
    expect(() => expect(busy).toMatchFrameBaseline(idle, { metrics: ['cpu.max'] })).not.toThrow(/FRAME_BASELINE=update/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails when the CPU clock is not the baseline\'s', async () => {
    const file = join(dir, 'game.json');
    const report = await run();
    expect(report.environment.cpuClock).toBe('wall');
    expect(report).toMatchFrameBaseline(file);
    const thread = { ...report, environment: { ...report.environment, cpuClock: 'thread' } };
    expect(compareFrameBaseline(thread, read(file)).clock).toBe('thread vs wall');
    expect(() => expect(thread).toMatchFrameBaseline(file)).toThrow(/cpu measured on another clock than the baseline's \(thread vs wall\)/);
    // Without CPU metrics compared, the clock does not matter.
    expect(thread).toMatchFrameBaseline(file, { metrics: ['gaps.'] });
  });
});
