// A frame-timing regression test for a game that runs services: while 8
// loaders wait 300 ms per read on the io service (4 on the NPCs' worker, 4
// beside it), frames keep their pace, 50 NPC services keep ticking, and the
// runtime's CPU time in a frame stays what it is without loads (measured in
// the same run, on the main thread's CPU clock, less the game's own systems).
// It fails the day a change makes frames or ticks wait for a loader, or
// loading doubles the frames' CPU time (the second test injects that
// regression and expects the failure).
// Run: npx vitest run examples/frame-test
import { expect, it } from 'vitest';
import { App, First, Last, MinimalPlugins, Time, Update, type SystemContext } from '@ltask-web/engine';
import { FrameRecorder, driveHeadless, threadCpuClock, type CpuClock, type FrameReport } from '@ltask-web/engine/testing';
import '@ltask-web/engine/testing/vitest';
import { Ltask, LtaskPlugin } from '@ltask-web/plugin-ltask/engine';
import { SCENARIO_SOURCES, probeNatives, startDelayProbe, startScenario } from '@ltask-web/plugin-ltask/testing';

const L = 300; // io latency per read (ms)

/** The game's own frame work: 100,000 agents steered, about 2.5 ms of CPU a frame. */
function gameplay(spent: (ms: number) => void, clock: CpuClock) {
  const n = 100_000;
  const pos = new Float64Array(2 * n);
  const vel = new Float64Array(2 * n);
  return function steer({ resource }: SystemContext) {
    const start = clock.now();
    const t = resource(Time).elapsed;
    for (let i = 0; i < n; i++) {
      const a = t * 0.7 + i * 0.013;
      vel[2 * i] = vel[2 * i]! * 0.9 + Math.cos(a) * 0.1;
      vel[2 * i + 1] = vel[2 * i + 1]! * 0.9 + Math.sin(a) * 0.1;
      pos[2 * i] = pos[2 * i]! + vel[2 * i]!;
      pos[2 * i + 1] = pos[2 * i + 1]! + vel[2 * i + 1]!;
    }
    spent(clock.now() - start);
  };
}

/**
 * Frames for 1.8 s with no load (the same-run baseline), then for 1.8 s from the start of the
 * 8 loads (up to 225 frames each, at most 8 ms apart: the p99 is the third slowest, not one
 * outlier). With `regression`, every frame of the second window costs twice its CPU time.
 */
async function loadingFrames(regression = false) {
  const io = { backend: 'fs' as const, root: 'public/assets', latencyMs: L };
  const app = new App().addPlugins(MinimalPlugins, new LtaskPlugin({ workers: 2, sources: SCENARIO_SOURCES, natives: probeNatives(), io }));
  // Frame CPU time on the main thread's CPU clock (a busy machine does not inflate it), less the
  // game's own systems: what the runtime costs a frame, whatever speed the CPU runs at just then.
  const clock = threadCpuClock()!;
  let game = 0;
  app.addSystems(Update, gameplay((ms) => void (game += ms), clock));
  const runtimeCpu: CpuClock = { name: 'thread cpu less game systems', now: () => clock.now() - game };
  const recorder = FrameRecorder.attach(app, { cpuClock: runtimeCpu });
  // The injected regression: while loading, each frame spends the CPU time it took once more.
  let loading = false;
  let frameCpu = 0;
  app.addSystems(First, () => void (frameCpu = clock.now()));
  app.addSystems(Last, () => {
    if (!regression || !loading) return;
    const until = 2 * clock.now() - frameCpu;
    while (clock.now() < until) { /* the regression */ }
  });
  await app.ready();
  const rt = await app.resource(Ltask).whenReady();
  const npcs = await startScenario(rt, { tickers: 50, hz: 20, loaders: 8, paths: ['scene/checker.png', 'scene/checker.png'] });
  await Promise.all([npcs.load(), driveHeadless(app, { durationMs: 600, intervalMs: 8 })]); // carriers start; frames warm up
  recorder.start();
  await driveHeadless(app, { durationMs: 1800, intervalMs: 8 });
  const idle = recorder.report();
  await npcs.gaps(); // ticks from here on
  const probe = startDelayProbe(); // what other work on the machine delays, on a thread of its own
  recorder.start();
  loading = true;
  const [loads] = await Promise.all([npcs.load(), driveHeadless(app, { durationMs: 1800, intervalMs: 8 })]);
  loading = false;
  const delayMs = (await probe.stop()).max;
  for (const [name, gaps] of Object.entries(await npcs.stopAll())) recorder.addGaps(name, gaps);
  await app.resource(Ltask).stop();
  const report = recorder.report();
  const cpu = (r: FrameReport) => `${r.frames} frames, runtime cpu p50/p95/p99 ${r.cpu.p50.toFixed(2)}/${r.cpu.p95.toFixed(2)}/${r.cpu.p99.toFixed(2)} ms`;
  console.log(`[frame-test]${regression ? ' regression:' : ''} idle ${cpu(idle)}; loading ${cpu(report)}; npc gap max ${report.gaps.npc?.stats.max.toFixed(0)} ms; scheduling delay ${delayMs.toFixed(0)} ms`);
  return { idle, report, loads, delayMs };
}

/**
 * The runtime's CPU per frame while loading against the same run without loads: the p99 within
 * +50% + 1 ms. It is 0.1-0.5 ms at p99 here; a frame whose CPU doubles adds the game's 2.5 ms and
 * fails. The game's own systems are left out because the CPU of this machine (2 shared cores) runs
 * the same work at about 2.5 or 4.1 ms, switching every few seconds: a whole-frame p99 of one
 * 1.8 s window could be the fast speed and the other's the slow one, 1.6x apart with nothing
 * changed, and a doubled window then stayed under an inflated baseline once in a busy run.
 */
const CPU = { metrics: ['cpu.p99'], tolerance: 0.5, slackMs: 1 };

it('loaders never cost a frame or an NPC tick, nor frame CPU', async () => {
  const { idle, report, loads, delayMs } = await loadingFrames();
  for (const [bytes, ms] of loads) {
    expect(bytes).toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(2 * L - 5); // the loads really waited on io: two reads of L
  }
  // A wait on io would reach L; the series must be there (npc: 50 services at 20 Hz, one watch ticker per worker).
  const limit = 0.8 * L + delayMs;
  expect(report).toMeetFrameBudget({ intervalMax: limit, maxGap: limit, series: ['npc', 'worker 0', 'worker 1'] });
  expect(report.gaps.npc!.stats.count).toBeGreaterThan(500);
  expect(report).toMatchFrameBaseline(idle, CPU);
}, 60_000);

it('self-check: frame CPU doubled while loading (a 2x regression of CPU p99) fails the comparison', async () => {
  const { idle, report } = await loadingFrames(true);
  expect(() => expect(report).toMatchFrameBaseline(idle, CPU)).toThrow(/\n {2}cpu\.p99 /);
}, 60_000);
