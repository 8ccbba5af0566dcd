// The world bridge in a headless App with a real runtime on 2 worker_threads:
// Lua and TypeScript services read the last completed frame, write through
// their command buffers, tick on the App's clock.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ENTITIES, PreUpdate, StatePlugin, StateChanged, Time, Transform, Update, defineState, query, spawn, transform, type App, type SystemContext } from '@ltask-web/engine';
import { LtaskWorldStats } from '@ltask-web/plugin-ltask/engine';
import { Marker } from '../../fixtures/world/shared.ts';
import { Ping, Pong, call, frames, makeApp, service, stopApp } from './harness.ts';

const SOURCES: Record<string, string> = {
  'service/mover.lua': `
local world = require "world"
local S = {}
local me
local ticks, k = 0, 0
function S.start(x)
  me = world.spawn { Transform = { px = x, py = x, pz = x }, Marker = { n = 0 } }
  world.on_tick(function(dt, elapsed, frame)
    ticks = ticks + 1
    k = k + 1
    world.set(me, "Transform", { px = k, py = k })
    world.set(me, "Transform", "pz", k)
  end)
  return me
end
function S.ticks() return ticks end
function S.read(id) return world.get(id, "Transform") end
function S.alive(id) return world.alive(id) end
function S.query() return world.query("Transform", "Marker") end
function S.despawn(id) world.despawn(id) end
function S.set_px(id, v) world.set(id, "Transform", "px", v) end
function S.time() return world.time() end
function S.bad(what)
  if what == "component" then return world.get(1, "Nope") end
  if what == "field" then return world.set(me, "Transform", "nope", 1) end
  if what == "prefab" then return world.spawn("nope") end
  if what == "value" then return world.set(me, "Transform", { px = "x" }) end
end
return S
`,
  'service/follower.lua': `
local world = require "world"
local S = {}
local seen = {}
function S.start()
  world.on("StateChanged", function(e) seen[#seen + 1] = e.state .. ":" .. tostring(e.from) .. "->" .. e.to end)
  return true
end
function S.seen() return seen end
return S
`,
  'service/echo.lua': `
local world = require "world"
local S = {}
function S.start()
  world.on("Ping", function(v) world.emit("Pong", { n = v.n, from = "lua" }) end)
  return true
end
return S
`,
};

let app: App | null = null;
afterEach(async () => {
  await stopApp(app);
  app = null;
});

/** A system that records every frame's triples of marked entities; torn ones (x, y, z differ) apart. */
function watchTriples(a: App): { torn: string[]; seen: Set<number> } {
  const out = { torn: [] as string[], seen: new Set<number>() };
  a.addSystems(Update, function checkTriples({ world }: SystemContext) {
    for (const e of query(world, [Transform, Marker])) {
      const x = Transform.px[e]!, y = Transform.py[e]!, z = Transform.pz[e]!;
      if (x !== y || y !== z) out.torn.push(`${x},${y},${z}`);
      out.seen.add(x);
    }
  });
  return out;
}

describe('world bridge (Lua)', () => {
  it('a service spawns an entity and moves it every tick; every frame sees whole ticks (k, k, k)', async () => {
    const { app: a, errors } = makeApp(SOURCES);
    app = a;
    const w = watchTriples(a);
    await a.ready();
    const addr = await service(a, 'mover');
    const id = await call<number>(a, addr, 'start', 5);
    expect(id % MAX_ENTITIES).toBeGreaterThanOrEqual(0);
    await frames(a, () => w.seen.size > 30);
    expect(w.torn).toEqual([]);
    expect(w.seen.size).toBeGreaterThan(30);
    expect(a.resource(LtaskWorldStats).published).toBeGreaterThan(30);
    const t = (await call<{ px: number; py: number; pz: number }>(a, addr, 'read', id))!;
    expect(t.px).toBe(t.py);
    expect(t.py).toBe(t.pz);
    expect(await call(a, addr, 'alive', id)).toBe(true);
    expect(await call<number[]>(a, addr, 'query')).toEqual([id]);
    expect(errors).toEqual([]);
  });

  it('a despawned id is stale: reads as gone, writes are refused; its index comes back with another generation', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    await a.ready();
    const addr = await service(a, 'mover');
    const id = await call<number>(a, addr, 'start', 1);
    await frames(a, () => a.resource(LtaskWorldStats).entities > 0);
    await call(a, addr, 'despawn', id);
    await frames(a, () => a.resource(LtaskWorldStats).entities === 0);
    await frames(a, () => false, 3);
    expect(await call(a, addr, 'alive', id)).toBe(false);
    expect(await call(a, addr, 'read', id)).toBeUndefined();
    await expect(call(a, addr, 'set_px', id, 3)).rejects.toThrow(/entity \d+ is gone \(stale id: index \d+ is at generation 2, the id has 1\)/);
    // bitecs hands the index out again: services see a new id for it, and the old one stays gone.
    let reused = -1;
    for (let i = 0; i < 4096 && reused < 0; i++) {
      const e = spawn(a.world, transform());
      if (e === id % MAX_ENTITIES) reused = e;
    }
    expect(reused).toBe(id % MAX_ENTITIES);
    await frames(a, () => false, 3);
    const ids = await call<number[]>(a, addr, 'query');
    expect(ids).not.toContain(id);
    expect(await call(a, addr, 'alive', id)).toBe(false);
    expect(await call(a, addr, 'alive', id + MAX_ENTITIES)).toBe(true); // the same index, next generation
  });

  it('pause stops ticks; the time scale shows in the time services read', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    await a.ready();
    const addr = await service(a, 'mover');
    await call(a, addr, 'start', 0);
    await frames(a, () => false, 20);
    const time = a.resource(Time);
    time.paused = true;
    await frames(a, () => false, 5);
    const before = await call<number>(a, addr, 'ticks');
    await frames(a, () => false, 20);
    expect(await call<number>(a, addr, 'ticks')).toBe(before);
    expect((await call<{ paused: boolean }>(a, addr, 'time'))!.paused).toBe(true);
    time.paused = false;
    time.scale = 0.5;
    await frames(a, () => false, 10);
    expect(await call<number>(a, addr, 'ticks')).toBeGreaterThan(before);
    const t2 = (await call<{ delta: number; scale: number }>(a, addr, 'time'))!;
    expect(t2.scale).toBe(0.5);
    expect(t2.delta).toBeCloseTo(0.5 / 60, 6);
  });

  it('events both ways: an App event reaches a listening service, its event comes back as an App event', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    const got: { n: number; from: string }[] = [];
    a.addSystems(Update, function readPong({ read }: SystemContext) {
      got.push(...read(Pong));
    });
    await a.ready();
    const addr = await service(a, 'echo');
    await call(a, addr, 'start');
    await frames(a, () => false, 3); // its listen is applied
    const sent: number[] = [];
    a.addSystems(PreUpdate, function ping({ send, app: port }: SystemContext) {
      if (port.frame % 10 === 0 && sent.length < 3) {
        sent.push(port.frame);
        send(Ping, { n: port.frame });
      }
    });
    await frames(a, () => got.length >= 3);
    expect(got).toEqual(sent.map((n) => ({ n, from: 'lua' })));
  });

  it("services follow the App's states: StateChanged forwarded through world.eventsIn", async () => {
    const Game = defineState('Game', 'title', ['title', 'playing', 'won']);
    const { app: a } = makeApp(SOURCES, { world: { components: { Transform, Marker }, eventsIn: [StateChanged] } });
    a.addPlugins(new StatePlugin(Game));
    app = a;
    await a.ready();
    const addr = await service(a, 'follower');
    await call(a, addr, 'start');
    await frames(a, () => false, 3); // its listen is applied
    a.resource(Game).set('playing');
    await frames(a, () => false, 3);
    a.resource(Game).set('won');
    const seen = await (async () => {
      for (let i = 0; i < 100; i++) {
        const s = await call<string[]>(a, addr, 'seen');
        if (s.length >= 2) return s;
      }
      return call<string[]>(a, addr, 'seen');
    })();
    expect(seen).toEqual(['Game:title->playing', 'Game:playing->won']);
  });

  it('unknown names and bad values fail with what the App shares', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    await a.ready();
    const addr = await service(a, 'mover');
    await call(a, addr, 'start', 0);
    await expect(call(a, addr, 'bad', 'component')).rejects.toThrow(/unknown component "Nope"; the App shares Marker, Transform/);
    await expect(call(a, addr, 'bad', 'field')).rejects.toThrow(/unknown field "nope" of Transform; it has px, py, pz, rx/);
    await expect(call(a, addr, 'bad', 'prefab')).rejects.toThrow(/unknown prefab "nope"/);
    await expect(call(a, addr, 'bad', 'value')).rejects.toThrow(/Transform\.px takes a number, got string/);
  });
});

describe('world bridge (TypeScript)', () => {
  it('a typed service moves its entity every tick; a tick that throws halfway has none of its writes applied', async () => {
    const { app: a, errors } = makeApp(SOURCES);
    app = a;
    const w = watchTriples(a);
    const markers: number[] = [];
    a.addSystems(Update, function readMarkers({ world }: SystemContext) {
      for (const e of query(world, [Marker])) markers.push(Marker.n[e]!);
    });
    await a.ready();
    const addr = await service(a, 'ts_mover');
    const id = await call<number>(a, addr, 'start', 7);
    await frames(a, () => w.seen.size > 10);
    const failAt = await call<number>(a, addr, 'failOn', 3);
    await frames(a, () => markers.includes(failAt + 2));
    expect(w.torn).toEqual([]); // the failed tick's px/py never landed without its pz
    expect(markers).not.toContain(failAt); // nor its Marker
    expect(w.seen.has(failAt)).toBe(false);
    expect(errors.some((e) => e.includes(`[world] tick failed, its writes dropped: tick ${failAt} fails after half its writes`))).toBe(true);
    expect(await call<number[]>(a, addr, 'query')).toEqual([id]);
    const t = (await call<{ px: number; py: number }>(a, addr, 'read', id))!;
    expect(t.px).toBe(t.py);
    // Writes after an await: applied within a few frames, the worker does not sleep on them.
    await call(a, addr, 'later', 5);
    await frames(a, () => Transform.sx[id % MAX_ENTITIES] === 5, 30);
    expect(Transform.sx[id % MAX_ENTITIES]).toBe(5);
    expect(await call<number>(a, addr, 'px', id)).toBeGreaterThanOrEqual(t.px); // a later frame
  });
});
