// LtaskPlugin in a headless App (MinimalPlugins) with a real runtime on 2 worker_threads.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, AssetPlugin, AssetServer, MemoryReader, MinimalPlugins, Startup, Update, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskPlugin, LtaskStats, defineReply, type LtaskPluginOptions, type LtaskReply } from '@ltask-web/plugin-ltask/engine';
import { ServiceError } from '@ltask-web/plugin-ltask';
import type { Score } from '../fixtures/ts/typed_score.ts';
import { serviceLogs } from '../support/logs.ts';

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
  'service/talk.lua': `
local ltask = require "ltask"
local S = {}
function S.say(x)
  print("hello", x)
  ltask.log.error("bad " .. x)
  return true
end
function S.boom() error("boom in talk") end
return S
`,
};

/** A TypeScript service that logs through its ctx (written to a temp file: services load by URL). */
const tsTalk = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'ltask-plugin-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const file = join(dir, 'tstalk.ts');
  writeFileSync(file, `export default (ctx: { log: { info(...a: unknown[]): void } }) => ({ say: (x: string) => (ctx.log.info('ts says', x), true) });\n`);
  return pathToFileURL(file).href;
})();

/** Replies whose context names the request, to tell them apart. */
const Named = defineReply<string>('Named');
/** Replies that carry no context. */
const Plain = defineReply('Plain');

const logs = serviceLogs(); // before the stop below: checked after it
let app: App | null = null;
let ltask: Ltask | null = null;
afterEach(async () => {
  vi.unstubAllGlobals();
  app?.exit();
  await ltask?.stop();
  app = null;
  ltask = null;
});

const makeApp = (more: (a: App) => void = () => {}, extra: LtaskPluginOptions = {}) => {
  const a = new App()
    .addPlugins(MinimalPlugins, new LtaskPlugin({ workers: 2, sources: SOURCES, io: false, statsIntervalMs: 20, onLog: logs.onLog, ...extra }))
    .addEvent(Named)
    .addEvent(Plain);
  more(a);
  app = a;
  return a;
};

/** The most a 4 ms timer between frames fired late in this file: how much this machine's load delays this thread. */
let lateness = 0;

/**
 * Runs frames on a timer (as requestAnimationFrame would) until `done()` or the limit. Never awaits inside update.
 * A frame never waits for the runtime: it takes under 50 ms, plus the scheduling delay measured in the same run.
 */
async function frames(a: App, done: () => boolean, limit = 400): Promise<number> {
  let n = 0;
  while (!done() && n < limit) {
    const t0 = performance.now();
    a.update(1 / 60);
    const took = performance.now() - t0;
    expect(took, `a frame took ${took.toFixed(1)} ms; timers here ran up to ${lateness.toFixed(1)} ms late`).toBeLessThan(50 + lateness);
    n++;
    const s = performance.now();
    await new Promise((r) => setTimeout(r, 4));
    lateness = Math.max(lateness, performance.now() - s - 4);
  }
  return n;
}

describe('LtaskPlugin lifecycle', () => {
  it('Ltask is there at once (starting); the App does not wait for the runtime; whenReady() gives it', async () => {
    const a = makeApp();
    expect(a.getPlugin('LtaskPlugin')).toBeInstanceOf(LtaskPlugin);
    expect(a.hasResource(LtaskStats)).toBe(true);
    const lt = a.resource(Ltask);
    ltask = lt;
    expect(lt.status).toBe('starting');
    expect(a.resource(LtaskStats).status).toBe('starting'); // read from Ltask, not a copy
    expect(() => lt.runtime).toThrow(/still starting.*whenReady/);
    const t0 = performance.now();
    await a.ready(); // nothing to wait for: the workers start in the background
    a.update(1 / 60);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(a.state).toBe('running');
    expect(lt.status).toBe('starting');
    expect(lt.timings.start).toBeGreaterThan(0);
    const rt = await lt.whenReady();
    expect(lt.status).toBe('ready');
    expect(a.resource(LtaskStats).status).toBe('ready');
    expect(lt.runtime).toBe(rt);
    expect(rt.workerCount).toBe(2);
    expect(lt.timings.ready).toBeGreaterThanOrEqual(lt.timings.start);
    const addr = await lt.service('slow');
    expect(await lt.runtime.call(addr, 'echo', 'hi')).toBe('hi');
    expect(await lt.service('slow')).toBe(addr); // unique: spawned once
    expect(await lt.call('slow', 'echo', 'by name')).toBe('by name');
  });

  it('remote(): typed proxies by name or address, usable while the runtime starts; errors as ServiceError', async () => {
    /** The Lua service `slow`, typed by an interface. */
    interface Slow {
      echo(v: string): string;
      later(cs: number, v: number): number;
      fail(msg: string): never;
    }
    const score = new URL('../fixtures/ts/typed_score.ts', import.meta.url).href;
    const a = makeApp(undefined, { services: { score } });
    const lt = a.resource(Ltask);
    ltask = lt;
    const slow = lt.remote<Slow>('slow');
    const early = slow.echo('early'); // made while starting: sent once the runtime is ready
    expect(lt.status).toBe('starting');
    await a.ready();
    expect(await early).toBe('early');
    expect(await slow.later(1, 7)).toBe(7); // the first result, as call gives
    const err = await slow.fail('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/nope/);
    const byAddress = lt.remote<Slow>(await lt.service('slow')); // the same unique service
    expect(await byAddress.echo('again')).toBe('again');
    const scores = lt.remote<Score>('score'); // a TypeScript service declared with defineService
    expect(await scores.add(2)).toBe(2);
    expect(await scores.add(3)).toBe(5);
    expect(await lt.call('score', 'add', 0)).toBe(5); // spawned once, as service('score')
  });

  it('runs frames while the runtime starts; requests made then are answered once it is ready', async () => {
    const got: Array<LtaskReply<string> & { frame: number }> = [];
    const statuses: string[] = [];
    let early: Promise<unknown> | null = null;
    const a = makeApp((x) =>
      x
        .addSystems(Startup, function askEarly({ resource }: SystemContext) {
          const lt = resource(Ltask);
          statuses.push(lt.status);
          lt.request(Named, 'slow', 'echo', ['first'], 'early');
          lt.request(Named, 'slow', 'fail', ['nope'], 'early-bad');
          early = lt.call('slow', 'echo', 'called');
        })
        .addSystems(Update, function collect({ resource, read, app: self }: SystemContext) {
          statuses.push(resource(Ltask).status);
          for (const e of read(Named)) got.push({ ...e, frame: self.frame });
        }),
    );
    ltask = a.resource(Ltask);
    expect(ltask.pending).toBe(0);
    // No await app.ready(): update() works at once (LtaskPlugin's ready() does not wait).
    // The first one starts the runtime (new worker_threads: not timed, slow on a loaded machine).
    a.update(1 / 60);
    const n = await frames(a, () => got.length >= 2);
    expect(n).toBeLessThan(400);
    expect(statuses[0]).toBe('starting');
    const startingFrames = statuses.filter((s) => s === 'starting').length;
    expect(startingFrames).toBeGreaterThan(3); // frames ran while the workers started
    expect(statuses.at(-1)).toBe('ready');
    const ok = got.find((e) => e.context === 'early')!;
    expect(ok.ok).toBe(true);
    expect(ok.values).toEqual(['first']);
    expect(ok.sentFrame).toBe(0);
    expect(ok.frame).toBeGreaterThanOrEqual(startingFrames - 1); // delivered once the runtime was ready (the frame that saw it ready, at the earliest)
    const bad = got.find((e) => e.context === 'early-bad')!;
    expect(bad.ok).toBe(false);
    expect(bad.error?.message).toMatch(/nope/);
    expect(await early).toBe('called');
    expect(ltask.timings.firstReply).toBeGreaterThanOrEqual(ltask.timings.ready);
    expect(a.resource(LtaskStats).status).toBe('ready');
    expect(ltask.pending).toBe(0);
  });

  it('an unavailable runtime leaves the App running; requests fail with the start-up error', async () => {
    // No SharedArrayBuffer: what a page without cross-origin isolation sees.
    vi.stubGlobal('SharedArrayBuffer', undefined);
    logs.expectError(/runtime unavailable: \[ltask\] SharedArrayBuffer is not available: the page is not cross-origin isolated/); // the plugin says why, once
    const got: LtaskReply<string>[] = [];
    const a = makeApp((x) =>
      x
        .addSystems(Startup, function askEarly({ resource }: SystemContext) {
          resource(Ltask).request(Named, 'slow', 'echo', ['x'], 'early');
        })
        .addSystems(Update, function collect({ read }: SystemContext) {
          for (const e of read(Named)) got.push(e);
        }),
    );
    const lt = a.resource(Ltask);
    ltask = lt;
    a.update(1 / 60); // starts the runtime: it fails at once
    vi.unstubAllGlobals();
    await expect(lt.whenReady()).rejects.toThrow(/not cross-origin isolated/);
    expect(lt.status).toBe('unavailable');
    const message = lt.error!.message;
    expect(message).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(message).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(message).toContain('@ltask-web/plugin-ltask/vite');
    expect(message).toMatch(/headers file/);
    expect(() => lt.runtime).toThrow(message);
    await frames(a, () => got.length >= 2, 50);
    expect(a.state).toBe('running');
    expect(a.frame).toBeGreaterThan(1);
    // A request made after the failure fails the same way, on a later frame.
    lt.request(Named, 'slow', 'echo', ['late'], 'late');
    await frames(a, () => got.length >= 2);
    expect(got.map((e) => [e.context, e.ok, e.error?.message])).toEqual([
      ['early', false, message],
      ['late', false, message],
    ]);
    await expect(lt.service('slow')).rejects.toThrow(message);
    await expect(lt.call('slow', 'echo', 1)).rejects.toThrow(message);
    expect(lt.send(4, 'echo')).toBe(false);
    const stats = a.resource(LtaskStats);
    expect(stats.status).toBe('unavailable');
    expect(stats.error).toBe(message);
    expect(stats.refreshes).toBe(0);
    expect(lt.pending).toBe(0);
    a.exit();
    await lt.stop(); // nothing to stop
  });

  it('app.exit() while starting: the runtime stops once up; queued requests fail', async () => {
    const got: LtaskReply<unknown>[] = [];
    const a = makeApp();
    const lt = a.resource(Ltask);
    ltask = lt;
    a.update(1 / 60);
    lt.request(Plain, 'slow', 'echo', ['x']);
    a.exit();
    expect(lt.stopped).toBe(true);
    await lt.stop();
    const rt = await lt.whenReady();
    expect(await rt.exited).toEqual({ code: 0 });
    await vi.waitFor(() => {
      got.push(...lt.drain().map((d) => d.reply));
      expect(got).toHaveLength(1);
    });
    expect(got[0]!.ok).toBe(false);
  });

  it('app.exit() before the runtime was started: requests fail, nothing starts', async () => {
    const a = makeApp();
    const lt = a.resource(Ltask);
    ltask = lt;
    lt.request(Plain, 'slow', 'echo', ['x']);
    a.exit();
    await expect(lt.whenReady()).rejects.toThrow(/exited before the runtime started/);
    expect(lt.status).toBe('unavailable');
    await vi.waitFor(() => expect(lt.pending).toBe(0));
    expect(lt.drain().map((d) => [d.kind, d.reply.ok])).toEqual([[Plain, false]]);
  });

  it('a system requests; the reply arrives as an event of its kind on a later frame, update() never awaits', async () => {
    const got: Array<LtaskReply<string> & { frame: number }> = [];
    let sentAt = -1;
    const a = makeApp((x) =>
      x.addSystems(Update, function ask({ resource, read, app: self }: SystemContext) {
        const lt = resource(Ltask);
        if (self.frame === 2) {
          lt.request(Named, 'slow', 'later', [10, 'pong'], 'ping');
          lt.request(Named, 'slow', 'fail', ['boom'], 'bad');
          sentAt = self.frame;
        }
        for (const e of read(Named)) got.push({ ...e, frame: self.frame });
      }),
    );
    await a.ready(); // starts the workers (update() would too)
    ltask = a.resource(Ltask);
    await ltask.whenReady();
    const t0 = performance.now();
    const n = await frames(a, () => got.length >= 2);
    expect(n).toBeLessThan(400);
    const ping = got.find((e) => e.context === 'ping')!;
    expect(ping.ok).toBe(true);
    expect(ping.values[0]).toBe('pong');
    expect(ping.values[1]).toBe(ping.address);
    expect(ping.address).toBeGreaterThan(3);
    expect(ping.sentFrame).toBe(sentAt);
    // sleep(10) = 100 ms: several frames ran while the service waited.
    expect(ping.frame).toBeGreaterThan(sentAt + 3);
    expect(ping.ms).toBeGreaterThanOrEqual(95);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    const bad = got.find((e) => e.context === 'bad')!;
    expect(bad.ok).toBe(false);
    expect(bad.error?.message).toMatch(/boom/);
    // Each reply is read once by the system (cursor), not twice across the double buffer.
    expect(got.filter((e) => e.context === 'ping')).toHaveLength(1);
    expect(ltask.pending).toBe(0);
  });

  it('each kind of reply is its own event, carrying the context its request gave', async () => {
    const Chunk = defineReply<{ cx: number; cz: number }>('Chunk');
    const chunks: string[] = [];
    const named: string[] = [];
    const a = makeApp((x) =>
      x
        .addEvent(Chunk)
        .addSystems(Startup, function ask({ resource }: SystemContext) {
          const lt = resource(Ltask);
          lt.request(Chunk, 'slow', 'echo', ['a'], { cx: 1, cz: 2 });
          lt.request(Named, 'slow', 'echo', ['b'], 'b');
          lt.request(Chunk, 'slow', 'echo', ['c'], { cx: 3, cz: 4 });
        })
        .addSystems(Update, [
          function readChunks({ read }: SystemContext) {
            for (const e of read(Chunk)) chunks.push(`${e.context.cx},${e.context.cz}:${String(e.values[0])}`);
          },
          function readNamed({ read }: SystemContext) {
            for (const e of read(Named)) named.push(`${e.context}:${String(e.values[0])}`);
          },
        ]),
    );
    ltask = a.resource(Ltask);
    a.update(1 / 60); // starts the runtime (not timed)
    const n = await frames(a, () => chunks.length + named.length >= 3);
    expect(n).toBeLessThan(400);
    expect(chunks.sort()).toEqual(['1,2:a', '3,4:c']);
    expect(named).toEqual(['b:b']);
    // The context is type-checked against the kind (never called: tsc reads it).
    const typeChecks = (lt: Ltask) => {
      // @ts-expect-error a kind with a context needs one
      lt.request(Chunk, 'slow', 'echo', ['a']);
      // @ts-expect-error of the kind's type
      lt.request(Chunk, 'slow', 'echo', ['a'], 'a');
      // @ts-expect-error a kind without a context takes none
      lt.request(Plain, 'slow', 'echo', ['a'], 'a');
    };
    void typeChecks;
  });

  it('a request whose kind of reply is not in the App fails at once, in the system that made it', () => {
    const Missing = defineReply('Missing');
    const a = makeApp();
    const lt = a.resource(Ltask);
    ltask = lt;
    expect(() => lt.request(Missing, 'slow', 'echo')).toThrow('[app] event "Missing" was not added; call app.addEvent(Missing) first');
    expect(lt.pending).toBe(0);
  });

  it('LtaskStats follows inspect() without blocking: rows, pending count, a running request', async () => {
    const a = makeApp();
    ltask = a.resource(Ltask);
    const stats = a.resource(LtaskStats);
    await frames(a, () => stats.refreshes > 0);
    expect(stats.rows.map((r) => r.label)).toEqual(expect.arrayContaining(['root']));
    ltask.request(Plain, 'slow', 'hold', [30]);
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
    ltask = a.resource(Ltask);
    a.update(1 / 60);
    expect(ltask.status).toBe('starting');
    // Loaded while the runtime starts: the read waits for it.
    const handle = a.resource(AssetServer).load<string>('ltask://slow/asset/models/a.txt');
    await frames(a, () => handle.state !== 'loading');
    expect(handle.error).toBeUndefined();
    expect(handle.state).toBe('loaded');
    expect(handle.asset).toBe('bytes of models/a.txt');
  });

  it('app.exit() stops the workers: calls fail, exited resolves, stats stop refreshing', async () => {
    const a = makeApp();
    const lt = a.resource(Ltask);
    ltask = lt;
    a.update(1 / 60);
    const addr = await lt.service('slow');
    a.update(1 / 60);
    a.exit();
    expect(lt.stopped).toBe(true);
    expect(await lt.runtime.exited).toEqual({ code: 0 });
    await expect(lt.runtime.call(addr, 'echo', 1)).rejects.toThrow(/runtime has stopped/);
    expect(a.resource(LtaskStats).exit).toEqual({ code: 0 });
  });
});

describe('LtaskPlugin logs', () => {
  /** Frames until `lines` holds `n` lines. */
  const until = (a: App, lines: () => unknown[], n: number) => frames(a, () => lines().length >= n);

  it('print, ltask.log, ctx.log and handler errors reach the console with label and address; LtaskStats.logs keeps a copy', async () => {
    const info = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const a = makeApp(() => {}, { onLog: undefined, services: { tstalk: tsTalk } });
      const lt = a.resource(Ltask);
      ltask = lt;
      a.update(1 / 60);
      const talk = await lt.service('talk');
      const ts = await lt.service('tstalk');
      expect(await lt.call(talk, 'say', 'page')).toBe(true);
      expect(await lt.call(ts, 'say', 'hi')).toBe(true);
      lt.send(talk, 'boom'); // no one waits for the answer: the error is logged
      const mine = (spy: typeof info) => spy.mock.calls.map((c) => String(c[0])).filter((l) => /^\[(ts)?talk:/.test(l));
      await until(a, () => mine(error), 2);
      expect(mine(info)).toEqual([`[talk:${talk}] hello\tpage`, `[tstalk:${ts}] ts says\thi`]);
      expect(mine(error)[0]).toBe(`[talk:${talk}] bad page`);
      expect(mine(error)[1]).toMatch(new RegExp(`^\\[talk:${talk}\\] .*boom in talk`));
      const stats = a.resource(LtaskStats);
      const kept = stats.logs.filter((e) => e.source === talk || e.source === ts).map((e) => [e.level, e.label, e.text.split('\n')[0]]);
      expect(kept.slice(0, 3)).toEqual([
        ['info', 'talk', 'hello\tpage'],
        ['error', 'talk', 'bad page'],
        ['info', 'tstalk', 'ts says\thi'],
      ]);
      expect(kept[3]![0]).toBe('error');
    } finally {
      info.mockRestore();
      error.mockRestore();
    }
  });

  it("the user's onLog replaces the console; LtaskStats.logs still keeps its copy", async () => {
    const info = vi.spyOn(console, 'log');
    const error = vi.spyOn(console, 'error');
    const got: string[] = [];
    try {
      const a = makeApp(() => {}, { onLog: (e) => void got.push(`${e.level} ${e.label}:${e.source} ${e.text}`) });
      const lt = a.resource(Ltask);
      ltask = lt;
      a.update(1 / 60);
      const talk = await lt.service('talk');
      await lt.call(talk, 'say', 'quiet');
      await until(a, () => got.filter((l) => l.includes('quiet')), 2);
      expect(got.filter((l) => l.includes('quiet'))).toEqual([`info talk:${talk} hello\tquiet`, `error talk:${talk} bad quiet`]);
      expect(a.resource(LtaskStats).logs.filter((e) => e.source === talk).map((e) => e.text)).toEqual(['hello\tquiet', 'bad quiet']);
      const printed = [...info.mock.calls, ...error.mock.calls].map((c) => String(c[0]));
      expect(printed.filter((l) => l.includes('talk'))).toEqual([]);
    } finally {
      info.mockRestore();
      error.mockRestore();
    }
  });
});
