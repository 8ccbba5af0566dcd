// The world bridge in a headless App with a real runtime on 2 worker_threads:
// Lua and TypeScript services read the last completed frame, write through
// their command buffers, tick on the App's clock.
import { afterEach, describe, expect, it } from 'vitest';
import { App, MinimalPlugins, PreUpdate, Time, Transform, Update, defineEvent, query, setPosition, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskPlugin, LtaskWorldStats, type LtaskPluginOptions } from '@ltask-web/plugin-ltask/engine';
import { MAX_ENTITIES } from '@ltask-web/engine';

/** A component of this test: a tag and a counter. */
const Marker = { n: new Int32Array(MAX_ENTITIES) };
const Ping = defineEvent<{ n: number }>('Ping');
const Pong = defineEvent<{ n: number; from: string }>('Pong');

const SOURCES: Record<string, string> = {
  'service/mover.lua': `
local ltask = require "ltask"
local world = require "world"
local S = {}
local me
local ticks, k = 0, 0
function S.start(x)
  me = world.spawn { Transform = { px = x, py = x, pz = x }, Marker = { n = 0 } }
  world.on_tick(function(dt, elapsed, frame)
    ticks = ticks + 1
    k = k + 1
    world.set(me, "Transform", { px = k, py = k, pz = k })
  end)
  return me
end
function S.ticks() return ticks end
function S.read(id) return world.get(id, "Transform") end
function S.field(id) return world.get(id, "Transform", "px") end
function S.alive(id) return world.alive(id) end
function S.query() return world.query("Transform", "Marker") end
function S.despawn(id) world.despawn(id) end
function S.set_px(id, v) world.set(id, "Transform", "px", v) end
function S.time() return world.time() end
function S.bad(what)
  if what == "component" then return world.get(1, "Nope") end
  if what == "field" then return world.set(me, "Transform", "nope", 1) end
  if what == "prefab" then return world.spawn("nope") end
end
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
  const lt = app?.getResource(Ltask);
  app?.exit();
  await lt?.stop();
  app = null;
});

function makeApp(extra: Partial<LtaskPluginOptions> = {}): App {
  const a = new App().addPlugins(
    MinimalPlugins,
    new LtaskPlugin({
      workers: 2,
      sources: SOURCES,
      io: false,
      onLog: (e) => {
        if (e.level === 'error') errors.push(e.text);
      },
      world: { components: { Transform, Marker }, eventsIn: [Ping], eventsOut: [Pong] },
      ...extra,
    }),
  );
  a.addEvent(Ping).addEvent(Pong);
  app = a;
  return a;
}
const errors: string[] = [];

/** Runs frames on a timer until `done()` (never awaits inside a frame). */
async function frames(a: App, done: () => boolean, limit = 600): Promise<number> {
  let n = 0;
  while (!done() && n < limit) {
    a.update(1 / 60);
    n++;
    await new Promise((r) => setTimeout(r, 3));
  }
  return n;
}

/** `lt.call`, typed by the caller. */
const call = <T>(lt: Ltask, addr: number, name: string, ...args: unknown[]): Promise<T> => lt.call(addr, name, ...args) as Promise<T>;

/** Frames until `p` settles. */
async function settle<T>(a: App, p: Promise<T>): Promise<T> {
  let out: { v: T } | { e: unknown } | null = null;
  p.then((v) => (out = { v }), (e: unknown) => (out = { e }));
  await frames(a, () => out !== null);
  const o = out as { v: T } | { e: unknown } | null;
  if (!o) throw new Error('did not settle');
  if ('e' in o) throw o.e;
  return o.v;
}

describe('world bridge', () => {
  it('a Lua service spawns an entity, moves it every tick; every frame sees whole ticks (k, k, k)', async () => {
    const a = makeApp();
    const torn: string[] = [];
    const seen = new Set<number>();
    a.addSystems(Update, function checkTriples({ world }: SystemContext) {
      for (const e of query(world, [Transform, Marker])) {
        const x = Transform.px[e]!, y = Transform.py[e]!, z = Transform.pz[e]!;
        if (x !== y || y !== z) torn.push(`${x},${y},${z}`);
        seen.add(x);
      }
    });
    await a.ready();
    const lt = a.resource(Ltask);
    const addr = await settle(a, lt.service('mover'));
    const id = await settle(a, call<number>(lt, addr, 'start', 5));
    expect(typeof id).toBe('number');
    await frames(a, () => seen.size > 30);
    expect(torn).toEqual([]);
    expect(seen.size).toBeGreaterThan(30);
    const stats = a.resource(LtaskWorldStats);
    expect(stats.published).toBeGreaterThan(30);
    // It reads back what was applied (as of the last completed frame).
    const t = (await settle(a, call<{ px: number; py: number }>(lt, addr, 'read', id)))!;
    expect(t.px).toBe(t.py);
    expect(await settle(a, lt.call(addr, 'alive', id))).toBe(true);
    expect(await settle(a, call<number[]>(lt, addr, 'query'))).toEqual([id]);
  });

  it('a despawned id is stale: reads as gone, writes are refused, the index is never aliased', async () => {
    const a = makeApp();
    await a.ready();
    const lt = a.resource(Ltask);
    const addr = await settle(a, lt.service('mover'));
    const id = await settle(a, call<number>(lt, addr, 'start', 1));
    await frames(a, () => a.resource(LtaskWorldStats).entities > 0);
    await settle(a, lt.call(addr, 'despawn', id));
    await frames(a, () => a.resource(LtaskWorldStats).entities === 0);
    await frames(a, () => false, 3);
    expect(await settle(a, lt.call(addr, 'alive', id))).toBe(false);
    expect(await settle(a, lt.call(addr, 'read', id))).toBeUndefined();
    await expect(settle(a, lt.call(addr, 'set_px', id, 3))).rejects.toThrow(/entity \d+ is gone \(stale id/);
    // The index comes back for a new entity with another generation.
    const index = id % MAX_ENTITIES;
    const again = spawn(a.world, transform());
    const ids = await (async () => {
      await frames(a, () => false, 3);
      return settle(a, call<number[]>(lt, addr, 'query'));
    })();
    expect(ids).not.toContain(id);
    void again;
    void index;
  });

  it('pause stops ticks; the time scale shows in the time services read', async () => {
    const a = makeApp();
    await a.ready();
    const lt = a.resource(Ltask);
    const addr = await settle(a, lt.service('mover'));
    await settle(a, lt.call(addr, 'start', 0));
    await frames(a, () => false, 20);
    const time = a.resource(Time);
    time.paused = true;
    await frames(a, () => false, 5);
    const before = await settle(a, call<number>(lt, addr, 'ticks'));
    await frames(a, () => false, 20);
    expect(await settle(a, call<number>(lt, addr, 'ticks'))).toBe(before);
    const t = (await settle(a, call<{ paused: boolean }>(lt, addr, 'time')))!;
    expect(t.paused).toBe(true);
    time.paused = false;
    time.scale = 0.5;
    await frames(a, () => false, 10);
    expect(await settle(a, call<number>(lt, addr, 'ticks'))).toBeGreaterThan(before);
    const t2 = (await settle(a, call<{ delta: number; scale: number }>(lt, addr, 'time')))!;
    expect(t2.scale).toBe(0.5);
    expect(t2.delta).toBeCloseTo(0.5 / 60, 6);
  });

  it('events both ways: an App event reaches a listening service, its event comes back as an App event', async () => {
    const a = makeApp();
    const got: { n: number; from: string }[] = [];
    a.addSystems(Update, function readPong({ read }: SystemContext) {
      got.push(...read(Pong));
    });
    await a.ready();
    const lt = a.resource(Ltask);
    const addr = await settle(a, lt.service('echo'));
    await settle(a, lt.call(addr, 'start'));
    await frames(a, () => false, 3); // its LISTEN is applied
    a.addSystems(PreUpdate, function ping({ send, app: port }: SystemContext) {
      if (port.frame % 10 === 0) send(Ping, { n: port.frame });
    });
    await frames(a, () => got.length >= 3);
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got[0]!.from).toBe('lua');
  });

  it('unknown names fail with what the App shares', async () => {
    const a = makeApp();
    await a.ready();
    const lt = a.resource(Ltask);
    const addr = await settle(a, lt.service('mover'));
    await settle(a, lt.call(addr, 'start', 0));
    await expect(settle(a, lt.call(addr, 'bad', 'component'))).rejects.toThrow(/unknown component "Nope"; the App shares Marker, Transform/);
    await expect(settle(a, lt.call(addr, 'bad', 'field'))).rejects.toThrow(/unknown field "nope" of Transform; it has px, py, pz/);
    await expect(settle(a, lt.call(addr, 'bad', 'prefab'))).rejects.toThrow(/unknown prefab "nope"/);
  });
});

void setPosition;
