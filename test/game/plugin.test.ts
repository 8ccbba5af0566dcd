// LtaskPlugin in a headless App (MinimalPlugins) with a real runtime on 2 worker_threads.
import { afterEach, describe, expect, it } from 'vitest';
import { App, AssetPlugin, AssetServer, MemoryReader, MinimalPlugins, Update, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskEvent, LtaskPlugin, LtaskStats, type LtaskReply } from '../../plugin-ltask/src/engine/index.ts';

const SOURCES = {
  'service/slow.lua': `
local ltask = require "ltask"
local S = {}
function S.echo(...) return ... end
function S.later(cs, v) ltask.sleep(cs) return v, ltask.self() end
function S.fail(msg) error(msg) end
function S.asset(path) return "bytes of " .. path end
function S.hold(cs) ltask.sleep(cs) return true end
return S
`,
};

let app: App | null = null;
let ltask: Ltask | null = null;
afterEach(async () => {
  app?.exit();
  await ltask?.stop();
  app = null;
  ltask = null;
});

const makeApp = (more: (a: App) => void = () => {}) => {
  const a = new App().addPlugins(MinimalPlugins, LtaskPlugin({ workers: 2, sources: SOURCES, io: false, statsIntervalMs: 20, onLog: () => {} }));
  more(a);
  app = a;
  return a;
};

/** Runs frames on a timer (as requestAnimationFrame would) until `done()` or the limit. Never awaits inside update. */
async function frames(a: App, done: () => boolean, limit = 400): Promise<number> {
  let n = 0;
  while (!done() && n < limit) {
    const t0 = performance.now();
    a.update(1 / 60);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(50); // a frame never waits for the runtime
    n++;
    await new Promise((r) => setTimeout(r, 4));
  }
  return n;
}

describe('LtaskPlugin lifecycle', () => {
  it('ready() starts the runtime and inserts Ltask; update() before ready explains itself', async () => {
    const a = makeApp();
    expect(a.getPlugin('ltask')).toBeDefined();
    expect(a.hasResource(LtaskStats)).toBe(true);
    expect(a.hasResource(Ltask)).toBe(false);
    expect(() => a.update(1 / 60)).toThrow(/"ltask" have async ready\(\); await app\.ready\(\)/);
    await a.ready();
    ltask = a.resource(Ltask);
    expect(ltask.runtime.workerCount).toBe(2);
    const addr = await ltask.service('slow');
    expect(await ltask.runtime.call(addr, 'echo', 'hi')).toBe('hi');
    expect(await ltask.service('slow')).toBe(addr); // unique: spawned once
  });

  it('a system requests; the reply arrives as an LtaskEvent on a later frame, update() never awaits', async () => {
    const got: Array<LtaskReply & { frame: number }> = [];
    let sentAt = -1;
    const a = makeApp((x) =>
      x.addSystems(Update, function ask({ resource, read, app: self }: SystemContext) {
        const lt = resource(Ltask);
        if (self.frame === 2) {
          lt.request('slow', 'later', [10, 'pong'], { tag: 'ping' });
          lt.request('slow', 'fail', ['boom'], { tag: 'bad' });
          sentAt = self.frame;
        }
        for (const e of read(LtaskEvent)) got.push({ ...e, frame: self.frame });
      }),
    );
    await a.ready();
    ltask = a.resource(Ltask);
    const t0 = performance.now();
    const n = await frames(a, () => got.length >= 2);
    expect(n).toBeLessThan(400);
    const ping = got.find((e) => e.tag === 'ping')!;
    expect(ping.ok).toBe(true);
    expect(ping.values[0]).toBe('pong');
    expect(ping.values[1]).toBe(ping.address);
    expect(ping.address).toBeGreaterThan(3);
    expect(ping.sentFrame).toBe(sentAt);
    // sleep(10) = 100 ms: several frames ran while the service waited.
    expect(ping.frame).toBeGreaterThan(sentAt + 3);
    expect(ping.ms).toBeGreaterThanOrEqual(95);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    const bad = got.find((e) => e.tag === 'bad')!;
    expect(bad.ok).toBe(false);
    expect(bad.error?.message).toMatch(/boom/);
    // Each reply is read once by the system (cursor), not twice across the double buffer.
    expect(got.filter((e) => e.tag === 'ping')).toHaveLength(1);
    expect(ltask.pending).toBe(0);
  });

  it('LtaskStats follows inspect() without blocking: rows, pending count, a running request', async () => {
    const a = makeApp();
    await a.ready();
    ltask = a.resource(Ltask);
    const stats = a.resource(LtaskStats);
    await frames(a, () => stats.refreshes > 0);
    expect(stats.rows.map((r) => r.label)).toEqual(expect.arrayContaining(['root']));
    ltask.request('slow', 'hold', [30]);
    const seenPending = await frames(a, () => stats.pending === 1 && stats.rows.some((r) => r.label === 'slow'));
    expect(seenPending).toBeLessThan(400);
    await frames(a, () => stats.pending === 0);
    const before = stats.refreshes;
    // The refresh is rate limited: 10 frames in ~0 ms start at most one inspect.
    for (let i = 0; i < 10; i++) a.update(1 / 60);
    await new Promise((r) => setTimeout(r, 0));
    expect(stats.refreshes - before).toBeLessThanOrEqual(1);
  });

  it('registers an ltask:// asset source: service/method/path bytes reach the AssetServer', async () => {
    const a = makeApp((x) => x.addPlugins(new AssetPlugin({ reader: new MemoryReader() })));
    await a.ready();
    ltask = a.resource(Ltask);
    const handle = a.resource(AssetServer).load<string>('ltask://slow/asset/models/a.txt');
    await frames(a, () => handle.state !== 'loading');
    expect(handle.error).toBeUndefined();
    expect(handle.state).toBe('loaded');
    expect(handle.asset).toBe('bytes of models/a.txt');
  });

  it('app.exit() stops the workers: calls fail, exited resolves, stats stop refreshing', async () => {
    const a = makeApp();
    await a.ready();
    const lt = a.resource(Ltask);
    ltask = lt;
    const addr = await lt.service('slow');
    a.update(1 / 60);
    a.exit();
    expect(lt.stopped).toBe(true);
    expect(await lt.runtime.exited).toEqual({ code: 0 });
    await expect(lt.runtime.call(addr, 'echo', 1)).rejects.toThrow(/runtime has stopped/);
    expect(a.resource(LtaskStats).exit).toEqual({ code: 0 });
  });
});
