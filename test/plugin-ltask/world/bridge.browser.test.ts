// The world bridge in a real browser (Web Workers, requestAnimationFrame frames):
// Lua services move entities every tick; every frame the App sees whole ticks,
// and every read a service makes of the others' entities is of one whole frame.
import { afterEach, describe, expect, it } from 'vitest';
import { App, MAX_ENTITIES, MinimalPlugins, PostUpdate, Transform, query, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskPlugin, LtaskWorldStats } from '@ltask-web/plugin-ltask/engine';

const Marker = { n: new Int32Array(MAX_ENTITIES) };
const SERVICES = 4;
const ENTITIES = 25;

const MOVER = `
local world = require "world"
local S = {}
local mine, k, torn, reads = {}, 0, 0, 0
function S.start(n)
  for i = 1, n do mine[i] = world.spawn { Transform = {}, Marker = { n = 0 } } end
  world.on_tick(function()
    k = k + 1
    for i = 1, #mine do world.set(mine[i], "Transform", { px = k, py = k, pz = k }) world.set(mine[i], "Marker", "n", k) end
    for _, e in ipairs(world.query("Transform", "Marker")) do
      local t = world.get(e, "Transform")
      reads = reads + 1
      if t.px ~= t.py or t.py ~= t.pz or t.px ~= world.get(e, "Marker", "n") then torn = torn + 1 end
    end
  end)
  return #mine
end
function S.stats() return { ticks = k, torn = torn, reads = reads } end
return S
`;

let app: App | null = null;
afterEach(async () => {
  const lt = app?.getResource(Ltask);
  app?.exit();
  await lt?.stop();
  app = null;
});

/** Runs frames on requestAnimationFrame until `done()` (or 20 s). */
function rafUntil(a: App, done: () => boolean): Promise<void> {
  const end = performance.now() + 20_000;
  return new Promise((resolve) => {
    const frame = () => {
      a.update();
      if (done() || performance.now() > end) resolve();
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

async function settle<T>(a: App, p: Promise<T>): Promise<T> {
  let out: { v: T } | null = null;
  let err: unknown = null;
  p.then((v) => (out = { v }), (e: unknown) => (err = e ?? new Error('failed')));
  await rafUntil(a, () => out !== null || err !== null);
  if (err) throw err;
  if (!out) throw new Error('did not settle');
  return (out as { v: T }).v;
}

describe('world bridge (browser)', () => {
  it(`${SERVICES} Lua services x ${ENTITIES} entities: no torn write in any frame, no torn read in any tick`, async () => {
    const errors: string[] = [];
    const a = new App().addPlugins(
      MinimalPlugins,
      new LtaskPlugin({
        workers: 2,
        base: new URL('/', location.href).href,
        sources: { 'service/mover.lua': MOVER },
        io: false,
        onLog: (e) => void (e.level === 'error' && errors.push(e.text)),
        world: { components: { Transform, Marker } },
      }),
    );
    app = a;
    let frames = 0;
    let torn = 0;
    let moving = 0;
    a.addSystems(PostUpdate, function checkTriples({ world }: SystemContext) {
      frames++;
      for (const e of query(world, [Transform, Marker])) {
        const x = Transform.px[e]!;
        if (x !== Transform.py[e] || x !== Transform.pz[e] || x !== Marker.n[e]) torn++;
        if (x > 0) moving++;
      }
    });
    await a.ready();
    const lt = a.resource(Ltask);
    await settle(a, lt.whenReady());
    const movers: number[] = [];
    for (let i = 0; i < SERVICES; i++) movers.push(await settle(a, lt.runtime.spawnService({ name: 'mover' })));
    for (const m of movers) expect(await settle(a, lt.call(m, 'start', ENTITIES))).toBe(ENTITIES);
    const f0 = frames;
    await rafUntil(a, () => frames - f0 >= 120);
    const stats = await Promise.all(movers.map((m) => settle(a, lt.call(m, 'stats') as Promise<{ ticks: number; torn: number; reads: number }>)));
    expect(torn).toBe(0);
    expect(moving).toBeGreaterThan(0);
    expect(stats.every((s) => s.ticks > 20)).toBe(true);
    expect(stats.map((s) => s.torn)).toEqual(movers.map(() => 0));
    expect(stats.every((s) => s.reads > 0)).toBe(true);
    const w = a.resource(LtaskWorldStats);
    expect(w.entities).toBe(SERVICES * ENTITIES);
    expect(w.skipped).toBe(0);
    expect(errors).toEqual([]);
  });
});
