/**
 * The frame-timing scenario page (the gates of test/e2e/frames.test.ts and
 * test/e2e/engines.test.ts, and `npm run bench:frames`): an engine App
 * rendering a scene of NPC meshes while N loaders sit in native calls whose
 * synchronous reads wait on the io service, N Lua NPC services tick on the
 * last worker, and one watch ticker ticks on every worker. The FrameRecorder
 * measures every frame; the report (gap series `npc tick`, `worker 0 tick`,
 * `worker 1 tick`) lands in `globalThis.frameReport`, with `scenario`: the
 * options, the loads (`[bytes, ms, worker]`), where the loaders ran, and the
 * machine's scheduling delay over the window (`delay`: how late a 5 ms timer
 * on a Web Worker of its own fired, `{ count, max, p99 }`).
 *
 * Query: `latency` (io ms per read, 300), `loaders` (8), `paths` (reads per
 * loader, 2), `npcs` (services ticking, 50), `hz` (10), `meshes` (NPC meshes
 * drawn, = npcs), `workers` (2), `placement` (where the loaders run: `with`
 * the NPCs' worker, `beside` it, `both`: half and half, the default),
 * `blocking` (`none`: the library on carriers, suspended reads | `main`: the
 * probe library on the main thread, each read a busy-wait of `latency` then a
 * synchronous XMLHttpRequest | `inline`: the probe library inline in a loader
 * service on its own worker (`placement`), each read an `Atomics.wait` of
 * `latency` then a synchronous XMLHttpRequest | `worker`: `inline` on the
 * NPCs' worker), `after` (ms recorded after the loads end, 300).
 */
import { BoxGeometry, DirectionalLight, AmbientLight, MeshStandardMaterial, PerspectiveCamera, PlaneGeometry } from 'three';
import { App, DefaultPlugins, Startup, Time, Update, camera, light, mesh, query, setPosition, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { FrameRecorder } from '@ltask-web/engine/testing';
import { Ltask, LtaskPlugin } from '@ltask-web/plugin-ltask/engine';
import { INLINE_LOADER, PROBE_NATIVE, SCENARIO_SOURCES, loadInline, startDelayProbe, startScenario, syncReader, type LoaderPlacement, type ScenarioLoad } from '@ltask-web/plugin-ltask/testing';
import probe from '@ltask-web/plugin-ltask/testing/probe?ltask-native';
import inline from '@ltask-web/plugin-ltask/testing/inline?ltask-service';

const q = new URL(location.href).searchParams;
const num = (k: string, d: number) => (q.has(k) ? Number(q.get(k)) : d);
const o = {
  latency: num('latency', 300),
  loaders: num('loaders', 8),
  paths: num('paths', 2),
  npcs: num('npcs', 50),
  hz: num('hz', 10),
  workers: num('workers', 2),
  after: num('after', 300),
  blocking: (q.get('blocking') ?? 'none') as 'none' | 'main' | 'inline' | 'worker',
  placement: (q.get('placement') ?? 'both') as LoaderPlacement,
};
if (o.blocking === 'worker') [o.blocking, o.placement] = ['inline', 'with'];
const root = new URL('/assets/', location.href).href;
const meshes = num('meshes', o.npcs);
const status = document.getElementById('status')!;
const say = (t: string) => (status.textContent = t);

const Npc = {};
const app = new App().addPlugins(
  DefaultPlugins,
  new LtaskPlugin({
    workers: o.workers,
    sources: SCENARIO_SOURCES,
    natives: { [PROBE_NATIVE]: probe },
    services: { [INLINE_LOADER]: inline },
    io: { backend: 'fetch', root, latencyMs: o.latency },
    statsIntervalMs: 0,
    // Inline loaders on one worker hold it for all their reads in one turn (8 x 2 x 300 ms = 4.8 s):
    // past the default 5 s watchdog once the turn's other work is added. The blocking is the point here.
    ...(o.blocking === 'inline' ? { watchdogMs: o.loaders * o.paths * o.latency + 10_000 } : {}),
  }),
);
const recorder = FrameRecorder.attach(app);

app.addSystems(Startup, function scene({ world }: SystemContext) {
  spawn(world, camera(new PerspectiveCamera(55, 1, 0.1, 200)), transform({ position: [0, 14, 22], euler: [-0.6, 0, 0] }));
  spawn(world, light(new DirectionalLight(0xffffff, 2.5)), transform({ position: [5, 10, 7] }));
  spawn(world, light(new AmbientLight(0xffffff, 0.5)), transform());
  const ground = new PlaneGeometry(40, 40);
  ground.rotateX(-Math.PI / 2);
  spawn(world, mesh(ground, new MeshStandardMaterial({ color: 0x2f4f3a })), transform());
  const box = new BoxGeometry(0.4, 0.8, 0.4);
  const mat = new MeshStandardMaterial({ color: 0xf2a541 });
  for (let i = 0; i < meshes; i++) spawn(world, Npc, mesh(box, mat), transform({ position: [(i % 25) - 12, 0.4, Math.floor(i / 25) - 10] }));
});

// The NPC meshes wander (main-thread gameplay work every frame).
app.addSystems(Update, function wander({ world, resource }: SystemContext) {
  const t = resource(Time).elapsed;
  let i = 0;
  for (const e of query(world, [Npc])) {
    const a = t * 0.5 + i * 0.37;
    setPosition(e, (i % 25) - 12 + Math.sin(a), 0.4, Math.floor(i / 25) - 10 + Math.cos(a * 1.3));
    i++;
  }
});

const paths = Array.from({ length: o.paths }, () => 'scene/checker.png');

/**
 * Blocking mode "main": one loader a frame runs the probe library in an
 * Update system, its reads synchronous on the main thread (a busy-wait of the
 * latency, a synchronous XMLHttpRequest).
 */
let mainLoading = false;
const mainLoads: ScenarioLoad[] = [];
app.addSystems(Update, function mainThreadLoader() {
  if (!mainLoading || mainLoads.length >= o.loaders) return;
  mainLoads.push(loadInline(paths, syncReader({ root, latencyMs: o.latency })));
});

async function main(): Promise<void> {
  const lt = app.resource(Ltask);
  say('runtime starting...');
  const rt = await lt.whenReady();
  const scenario = await startScenario(rt, {
    tickers: o.npcs,
    hz: o.hz,
    tickerWorker: o.workers - 1,
    loaders: o.blocking === 'main' ? 0 : o.loaders,
    placement: o.placement,
    paths,
    blocking: o.blocking === 'inline' ? 'inline' : 'none',
    root,
    blockMs: o.latency,
  });
  await scenario.gaps(); // forget the gaps of the start-up
  say(`recording: ${o.loaders} loaders (${o.placement}), ${o.npcs} NPC services at ${o.hz} Hz, io ${o.latency} ms (${o.blocking})`);
  // The machine's scheduling delay over the same window, on a thread of its own (the gates allow for it).
  const probe = startDelayProbe();
  recorder.start();
  const t0 = performance.now();
  mainLoading = o.blocking === 'main';
  const loads = o.blocking === 'main' ? mainLoads : await scenario.load();
  while (mainLoading && mainLoads.length < o.loaders) await new Promise((r) => setTimeout(r, 20));
  const loadMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, o.after));
  recorder.stop();
  const delay = await probe.stop();
  const series = await scenario.stopAll();
  recorder.addGaps('npc tick', series.npc!);
  for (let w = 0; w < o.workers; w++) recorder.addGaps(`worker ${w} tick`, series[`worker ${w}`] ?? []);
  const report = recorder.report();
  const placement = { tickerWorker: scenario.tickerWorker, loaderWorkers: scenario.loaderWorkers };
  (globalThis as { frameReport?: unknown }).frameReport = { ...report, scenario: { ...o, meshes, loadMs, loads, delay, ...placement } };
  say(`done: ${report.frames} frames, cpu p99 ${report.cpu.p99.toFixed(1)} ms, interval max ${report.interval.max.toFixed(1)} ms`);
}

app.run().catch((e: Error) => say(`error: ${e.message}`));
main().catch((e: Error) => {
  say(`error: ${e.message}`);
  (globalThis as { frameReport?: unknown }).frameReport = { error: e.message };
});
