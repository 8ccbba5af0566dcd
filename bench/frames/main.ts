/**
 * The frame-timing scenario page (test/e2e/frames.test.ts gates and `npm run bench:frames`):
 * an engine App rendering a scene of NPC meshes while N loaders sit in native
 * calls whose synchronous reads wait on the io service, and N Lua NPC services
 * tick. The FrameRecorder measures every frame; the report lands in
 * `globalThis.frameReport`.
 *
 * Query: `latency` (io ms per read, 300), `loaders` (8), `paths` (reads per
 * loader, 2), `npcs` (services ticking, 50), `hz` (10), `meshes` (NPC meshes
 * drawn, = npcs), `workers` (2), `blocking` (`none` | `main`: the loader's
 * library runs on the main thread | `worker`: on the NPCs' worker), `after`
 * (ms recorded after the loads end, 300).
 */
import { BoxGeometry, DirectionalLight, AmbientLight, MeshStandardMaterial, PerspectiveCamera, PlaneGeometry } from 'three';
import { App, DefaultPlugins, Startup, Time, Update, camera, light, mesh, query, setPosition, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { FrameRecorder } from '@ltask-web/engine/testing';
import { Ltask, LtaskPlugin } from '@ltask-web/plugin-ltask/engine';
import { PROBE_NATIVE, SCENARIO_SOURCES, startScenario } from '@ltask-web/plugin-ltask/testing';
import probe from '@ltask-web/plugin-ltask/testing/probe?ltask-native';

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
  blocking: (q.get('blocking') ?? 'none') as 'none' | 'main' | 'worker',
};
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
    io: { backend: 'fetch', root: new URL('/assets/', location.href).href, latencyMs: o.latency },
    statsIntervalMs: 0,
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

/** Blocking mode "main": the loader's synchronous reads run on the main thread, each waiting `latency`. */
let mainLoads = 0;
app.addSystems(Update, function mainThreadLoader() {
  if (o.blocking !== 'main' || mainLoads >= o.loaders) return;
  mainLoads++;
  for (let p = 0; p < o.paths; p++) {
    const end = performance.now() + o.latency;
    while (performance.now() < end); // a synchronous read on the main thread
  }
});

async function main(): Promise<void> {
  const lt = app.resource(Ltask);
  say('runtime starting...');
  const rt = await lt.whenReady();
  const paths = Array.from({ length: o.paths }, () => 'scene/checker.png');
  const scenario = await startScenario(rt, {
    tickers: o.npcs,
    hz: o.hz,
    tickerWorker: o.workers - 1,
    loaders: o.blocking === 'main' ? 0 : o.loaders,
    paths,
    blocking: o.blocking === 'worker' ? 'worker' : 'none',
    blockMs: o.latency,
  });
  await scenario.gaps(); // forget the gaps of the start-up
  say(`recording: ${o.loaders} loaders, ${o.npcs} NPC services at ${o.hz} Hz, io ${o.latency} ms (${o.blocking})`);
  recorder.start();
  mainLoads = 0;
  const t0 = performance.now();
  const loads = await scenario.load();
  while (o.blocking === 'main' && mainLoads < o.loaders) await new Promise((r) => setTimeout(r, 20));
  const loadMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, o.after));
  recorder.stop();
  recorder.addGaps('npc tick', await scenario.stop());
  const report = recorder.report();
  (globalThis as { frameReport?: unknown }).frameReport = { ...report, scenario: { ...o, meshes, loadMs, loads } };
  say(`done: ${report.frames} frames, cpu p99 ${report.cpu.p99.toFixed(1)} ms, interval max ${report.interval.max.toFixed(1)} ms`);
}

app.run().catch((e: Error) => say(`error: ${e.message}`));
main().catch((e: Error) => {
  say(`error: ${e.message}`);
  (globalThis as { frameReport?: unknown }).frameReport = { error: e.message };
});
