// A frame-timing regression test for a game that runs services: while 8
// loaders wait 300 ms per read on the io service, frames keep their pace and
// 50 NPC services keep ticking. It fails the day a change makes frames or
// ticks wait for a loader. Run: npx vitest run examples/frame-test
import { expect, it } from 'vitest';
import { App, MinimalPlugins } from '@ltask-web/engine';
import { FrameRecorder, driveHeadless } from '@ltask-web/engine/testing';
import '@ltask-web/engine/testing/vitest';
import { Ltask, LtaskPlugin } from '@ltask-web/plugin-ltask/engine';
import { SCENARIO_SOURCES, probeNatives, startScenario } from '@ltask-web/plugin-ltask/testing';

it('loaders never cost a frame or an NPC tick', async () => {
  const io = { backend: 'fs' as const, root: 'public/assets', latencyMs: 300 };
  const app = new App().addPlugins(MinimalPlugins, new LtaskPlugin({ workers: 2, sources: SCENARIO_SOURCES, natives: probeNatives(), io }));
  const recorder = FrameRecorder.attach(app);
  await app.ready();
  const rt = await app.resource(Ltask).whenReady();
  const npcs = await startScenario(rt, { tickers: 50, hz: 20, loaders: 8, paths: ['scene/checker.png', 'scene/checker.png'] });
  await npcs.load(); // the first load starts the carriers
  await npcs.gaps(); // forget the start-up
  recorder.start();
  await Promise.all([npcs.load(), driveHeadless(app, { durationMs: 900 })]);
  recorder.addGaps('npc', await npcs.stop());
  const report = recorder.report();
  expect(report).toMeetFrameBudget({ intervalMax: 240, maxGap: 240 }); // a wait on io would reach 300
  // Against the committed baseline (FRAME_BASELINE=update to rewrite it); loose: CI machines are shared.
  expect(report).toMatchFrameBaseline('./loaders.baseline.json', { tolerance: 2, slackMs: 100 });
  await app.resource(Ltask).stop();
}, 20_000);
