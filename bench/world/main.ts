/**
 * The world-bridge benchmark page (`npm run bench:world` opens its production
 * build in Chromium): the scenario of bench/world/scenario.ts in an App with
 * DefaultPlugins, frames on requestAnimationFrame. The N x M entities are drawn
 * as one point cloud whose points follow their Transform every frame. The
 * report lands in `globalThis.worldReport`.
 *
 * Query: `services` (100), `per` (entities per service, 20), `seconds` (per
 * phase, 5), `warmup` (2), `workers` (2), `micro` (iterations per probe loop, 50,000), `reps` (5).
 */
import { BufferAttribute, BufferGeometry, PerspectiveCamera, Points, PointsMaterial } from 'three';
import { App, DefaultPlugins, PostUpdate, RenderContext, Startup, Transform, camera, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { WorldBench, worldBenchPlugin } from './scenario.ts';

const q = new URL(location.href).searchParams;
const num = (k: string, d: number) => (q.has(k) ? Number(q.get(k)) : d);
const o = {
  services: num('services', 100),
  perService: num('per', 20),
  seconds: num('seconds', 5),
  warmup: num('warmup', 2),
  workers: num('workers', 2),
  microOps: num('micro', 50_000),
  microReps: num('reps', 5),
};
const status = document.getElementById('status')!;
const say = (t: string) => (status.textContent = t);

const app = new App().addPlugins(DefaultPlugins, worldBenchPlugin(o));
const bench = new WorldBench(app, o);
bench.spawnScene();
const n = o.services * o.perService;
const side = Math.ceil(Math.sqrt(n));
const cloud = new Points(new BufferGeometry(), new PointsMaterial({ color: 0xf2a541, size: 0.4 }));
cloud.geometry.setAttribute('position', new BufferAttribute(new Float32Array(n * 3), 3));
cloud.frustumCulled = false;

app.addSystems(Startup, function scene({ world, resource }: SystemContext) {
  spawn(world, camera(new PerspectiveCamera(55, 1, 0.1, 1000)), transform({ position: [side / 2, side * 0.8, side * 1.1], euler: [-0.7, 0, 0] }));
  resource(RenderContext).scene.add(cloud);
});

// Every point follows its entity: a small offset driven by the Transform services write.
app.addSystems(PostUpdate, function drawEntities() {
  const pos = cloud.geometry.getAttribute('position') as BufferAttribute;
  const a = pos.array as Float32Array;
  const eids = bench.entities;
  for (let j = 0; j < eids.length; j++) {
    const e = eids[j]!;
    const k = Transform.px[e]!;
    a[3 * j] = (j % side) + 0.3 * Math.sin(k * 0.1);
    a[3 * j + 1] = 0;
    a[3 * j + 2] = Math.floor(j / side) + 0.3 * Math.cos(Transform.pz[e]! * 0.1);
  }
  pos.needsUpdate = true;
});

app.run().catch((e: Error) => say(`error: ${e.message}`));
say(`running: ${o.services} services x ${o.perService} entities`);
bench
  .run((phase) => say(`phase: ${phase}`))
  .then((r) => {
    (globalThis as { worldReport?: unknown }).worldReport = r;
    say('done');
  })
  .catch((e: Error) => {
    say(`error: ${e.message}`);
    (globalThis as { worldReport?: unknown }).worldReport = { error: e.message };
  });
