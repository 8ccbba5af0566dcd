// The world bridge's rules, each on its own: writes in order, a failed or runaway
// tick drops its writes whole, nothing is lost when a command ring is full, the
// id reserve and a step's size have clear limits, and the frame never waits for
// services that hold snapshots.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ENTITIES, Transform, Update, query, type App, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskWorldStats } from '@ltask-web/plugin-ltask/engine';
import { Marker } from '../../fixtures/world/shared.ts';
import { call, frames, makeApp, service, stopApp } from './harness.ts';

const SOURCES: Record<string, string> = {
  'service/writer.lua': `
local ltask = require "ltask"
local world = require "world"
local S = {}
local me
function S.start() me = world.spawn { Transform = {}, Marker = { n = 0 } } return me end
-- n writes in one step: the App only ever sees the last
function S.burst(n) for i = 1, n do world.set(me, "Transform", "px", i) world.set(me, "Marker", "n", i) end end
-- one write per step, n steps: each applied whole, in order
function S.step(i) world.set(me, "Transform", { px = i }) world.set(me, "Marker", { n = i }) end
function S.steps(n) for i = 1, n do ltask.send(ltask.self(), "step", i) end end
function S.spawn_many(n) for i = 1, n do world.spawn { Marker = { n = i } } end end
local lost
function S.spawn_then_fail()
  world.on_tick(function()
    if lost then return end
    lost = world.spawn { Marker = { n = -1 } }
    error("the step that spawned fails")
  end)
end
function S.lost() return { id = lost, alive = lost and world.alive(lost) } end
function S.alive(id) return world.alive(id) end
function S.query_marker() return world.query("Marker") end
function S.big(n) for i = 1, n do world.set(me, "Transform", "px", i) end end
-- a request handler that fails after writing: its writes are dropped
function S.write_then_fail(v) world.set(me, "Transform", { px = v }) world.set(me, "Marker", { n = v }) error("handler fails after writing") end
function S.bad_key() world.set(me, "Transform", { px = 1, nope = 2 }) end
local fail_in = 0
function S.fail_in(n) fail_in = n end
function S.spin_in(n) fail_in = -n end
function S.ticking()
  local k = 0
  world.on_tick(function()
    k = k + 1
    world.set(me, "Transform", { px = k, py = k })
    if fail_in == 1 then fail_in = 0 error("tick fails after half its writes") end
    if fail_in == -1 then fail_in = 0 while true do end end
    if fail_in > 1 then fail_in = fail_in - 1 elseif fail_in < -1 then fail_in = fail_in + 1 end
    world.set(me, "Transform", { pz = k })
    world.set(me, "Marker", { n = k })
  end)
end
return S
`,
  'service/holder.lua': `
local ltask = require "ltask"
local world = require "world"
local S = {}
local held, torn = 0, 0
function S.start(ms)
  world.on_tick(function()
    local t0 = ltask.counter()
    for _, e in ipairs(world.query("Transform", "Marker")) do
      local t = world.get(e, "Transform")
      if t.px ~= t.py or t.py ~= t.pz then torn = torn + 1 end
    end
    while ltask.counter() - t0 < ms / 1000 do end -- holds its snapshot for ms
    held = held + 1
  end)
end
function S.stats() return { held = held, torn = torn } end
local ticks, sum, first, last
function S.slow(ms)
  ticks, sum = 0, 0
  world.on_tick(function(dt, elapsed)
    first = first or elapsed - dt
    last = elapsed
    ticks, sum = ticks + 1, sum + dt
    local t0 = ltask.counter()
    while ltask.counter() - t0 < ms / 1000 do end
  end)
end
function S.slow_stats() return { ticks = ticks, sum = sum, first = first, last = last } end
return S
`,
};

let app: App | null = null;
afterEach(async () => {
  await stopApp(app);
  app = null;
});

/** Every frame's (px, Marker.n) of the marked entities, and whether px, py, pz were ever torn. */
function record(a: App): { px: number[]; n: number[]; torn: number } {
  const out = { px: [] as number[], n: [] as number[], torn: 0 };
  a.addSystems(Update, function recordWrites({ world }: SystemContext) {
    for (const e of query(world, [Transform, Marker])) {
      out.px.push(Transform.px[e]!);
      out.n.push(Marker.n[e]!);
      if (Transform.px[e] !== Transform.py[e] || Transform.py[e] !== Transform.pz[e]) out.torn++;
    }
  });
  return out;
}

describe('world rules', () => {
  it('writes apply in order: a step whole (the App never sees its middle), steps one after another', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    const r = record(a);
    await a.ready();
    const addr = await service(a, 'writer');
    await call(a, addr, 'start');
    await call(a, addr, 'burst', 50);
    await frames(a, () => r.px.includes(50));
    expect(r.px.filter((x) => x > 0 && x < 50)).toEqual([]);
    await call(a, addr, 'steps', 200);
    await frames(a, () => r.px.at(-1) === 200);
    const later = r.px.slice(r.px.lastIndexOf(50) + 1);
    expect(later.every((x, i) => i === 0 || x >= later[i - 1]!)).toBe(true); // never back in time
    expect(r.px.every((x, i) => x === r.n[i])).toBe(true); // px and n of one step land together
  });

  it('a Lua tick that fails halfway, or runs away, has none of its writes applied; the service ticks on', async () => {
    const { app: a, errors } = makeApp(SOURCES, { runawayMs: 300 });
    app = a;
    const r = record(a);
    await a.ready();
    const addr = await service(a, 'writer');
    await call(a, addr, 'start');
    await call(a, addr, 'ticking');
    await frames(a, () => r.n.at(-1)! > 5);
    await call(a, addr, 'fail_in', 2);
    await frames(a, () => errors.length > 0);
    const n0 = r.n.at(-1)!;
    await frames(a, () => r.n.at(-1)! > n0 + 5);
    await call(a, addr, 'spin_in', 2);
    await frames(a, () => errors.length > 1);
    const n1 = r.n.at(-1)!;
    await frames(a, () => r.n.at(-1)! > n1 + 5);
    expect(r.torn).toBe(0);

    expect(errors[0]).toMatch(/tick fails after half its writes/);
    expect(errors[1]).toMatch(/runaway script: ran \d+ ms without yielding \(runawayMs 300\)/);
    // The two dropped ticks left a hole each in the sequence of n the App saw.
    const distinct = [...new Set(r.n)].filter((n) => n > 0);
    const holes = distinct.filter((n, i) => i > 0 && n - distinct[i - 1]! > 1);
    expect(holes.length).toBeGreaterThanOrEqual(2);
  });

  it('nothing is lost when a command ring is full: records wait in the worker and apply in order', async () => {
    const { app: a } = makeApp(SOURCES, { world: { components: { Transform, Marker }, ringWords: 512 } });
    app = a;
    const r = record(a);
    await a.ready();
    const addr = await service(a, 'writer');
    await call(a, addr, 'start');
    await frames(a, () => r.px.length > 0);
    const lt = a.resource(Ltask);
    // No frames while it writes: 300 steps of ~12 words fill a 512-word ring several times over.
    await lt.runtime.call(addr, 'steps', 300);
    await new Promise((res) => setTimeout(res, 300));
    let commands = 0;
    a.addSystems(Update, function countCommands({ resource }: SystemContext) {
      commands += resource(LtaskWorldStats).commands;
    });
    await frames(a, () => r.px.at(-1) === 300);
    expect(r.px.at(-1)).toBe(300);
    expect(commands).toBe(600); // every step's two commands, none dropped
    expect(r.px.every((x, i) => x === r.n[i])).toBe(true);
    // A step that writes more than half the ring fails (its writes dropped); the service and its worker go on.
    await expect(lt.runtime.call(addr, 'big', 300)).rejects.toThrow(/\[world\] one step wrote more than 254 command words .*its writes are dropped; write less per step, or raise world\.ringWords/);
    await lt.runtime.call(addr, 'step', 301);
    await frames(a, () => r.px.at(-1) === 301);
    expect(r.px).not.toContain(1); // nothing of the failed step landed
  });

  it('a request handler that fails drops what it wrote; a table with an unknown field is refused', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    const r = record(a);
    await a.ready();
    const addr = await service(a, 'writer');
    await call(a, addr, 'start');
    await expect(call(a, addr, 'write_then_fail', 77)).rejects.toThrow(/handler fails after writing/);
    await call(a, addr, 'step', 5);
    await frames(a, () => r.px.at(-1) === 5);
    expect(r.px).not.toContain(77);
    expect(r.n).not.toContain(77);
    await expect(call(a, addr, 'bad_key')).rejects.toThrow(/unknown field "nope" of Transform; it has px, py, pz/);
  });

  it('the id reserve runs out with an error that says how many and what to raise', async () => {
    const { app: a } = makeApp(SOURCES, { world: { components: { Transform, Marker }, reserve: 8 } });
    app = a;
    await a.ready();
    const addr = await service(a, 'writer');
    await frames(a, () => false, 2); // the reserve is filled in PreUpdate
    // No frames from here: nothing refills the reserve while the service takes from it.
    const rt = a.resource(Ltask).runtime;
    await rt.call(addr, 'spawn_many', 8);
    await expect(rt.call(addr, 'spawn_many', 1)).rejects.toThrow(/no entity ids left this frame \(8 are reserved per frame\).*raise the plugin's world\.reserve/);
    await frames(a, () => a.resource(LtaskWorldStats).entities >= 8);
    await rt.call(addr, 'spawn_many', 8); // refilled by the frames since
  });

  it("a failed step's spawn never happens: its id stays dead, and its index goes back to the reserve with a new generation", async () => {
    const { app: a, errors } = makeApp(SOURCES, { world: { components: { Transform, Marker }, reserve: 4 } });
    app = a;
    await a.ready();
    const addr = await service(a, 'writer');
    await call(a, addr, 'spawn_many', 1); // a spawn that came: its id must outlive the reclaim
    await frames(a, () => a.resource(LtaskWorldStats).entities === 1);
    const [kept] = await call<number[]>(a, addr, 'query_marker');
    await call(a, addr, 'spawn_then_fail');
    await frames(a, () => errors.length > 0);
    const { id: lost, alive } = (await call<{ id: number; alive: boolean }>(a, addr, 'lost'))!;
    expect(typeof lost).toBe('number');
    expect(alive).toBe(false);
    expect(a.resource(LtaskWorldStats).entities).toBe(1);
    // 600 frames later the index is back in the reserve, a generation on: the old id stays dead.
    await frames(a, () => false, 660);
    await call(a, addr, 'spawn_many', 4); // empties the reserve; it refills with the reclaimed index first
    await frames(a, () => a.resource(LtaskWorldStats).entities >= 5);
    await call(a, addr, 'spawn_many', 1);
    await frames(a, () => a.resource(LtaskWorldStats).entities >= 6);
    expect(await call(a, addr, 'alive', lost)).toBe(false);
    const ids = await call<number[]>(a, addr, 'query_marker');
    expect(ids).toContain(lost + MAX_ENTITIES);
    expect(ids).toContain(kept); // the spawn that came kept its id
    expect(await call(a, addr, 'alive', kept)).toBe(true);
  });

  it('ticks coalesce: a service slower than the frames gets fewer ticks with all the time, never a backlog', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    await a.ready();
    const addr = await service(a, 'holder');
    await call(a, addr, 'slow', 50);
    const f0 = a.frame;
    await frames(a, () => a.frame - f0 >= 120);
    const s = (await call<{ ticks: number; sum: number; first: number; last: number }>(a, addr, 'slow_stats'))!;
    expect(s.ticks).toBeGreaterThan(3);
    expect(s.ticks).toBeLessThan((a.frame - f0) / 2); // 50 ms a tick: at most one in three frames
    // Its deltas add up to exactly the game time between its first and its last tick: no time lost, none twice.
    expect(s.sum).toBeCloseTo(s.last - s.first, 9);
    expect(s.sum / s.ticks).toBeGreaterThan(2 / 60); // each tick carried several frames' time
  });

  it('services that hold their snapshots for long never make a frame wait; their reads are whole', async () => {
    const { app: a } = makeApp(SOURCES);
    app = a;
    await a.ready();
    const lt = a.resource(Ltask);
    const w = await service(a, 'writer');
    await call(a, w, 'start');
    await call(a, w, 'ticking');
    const holders = await Promise.all([0, 1].map((worker) => lt.runtime.spawnService({ name: 'holder', worker_id: worker })));
    // Different holds: the two soon hold different frames.
    await call(a, holders[0]!, 'start', 150);
    await call(a, holders[1]!, 'start', 110);
    const published0 = a.resource(LtaskWorldStats).published;
    const f0 = a.frame;
    await frames(a, () => a.frame - f0 > 180);
    const stats = await Promise.all(holders.map((h) => call<{ held: number; torn: number }>(a, h, 'stats')));
    expect(stats.map((s) => s.held).every((n) => n > 2)).toBe(true);
    expect(stats.map((s) => s.torn)).toEqual([0, 0]);
    // Frames went on while both workers held snapshots for 110-150 ms at a time: every frame
    // found a free buffer (a worker holds one at most; there are workers + 2) and published.
    const s = a.resource(LtaskWorldStats);
    expect(s.skipped).toBe(0);
    expect(s.published - published0).toBeGreaterThanOrEqual(180);
  });
});
