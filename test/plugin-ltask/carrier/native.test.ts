import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '@ltask-web/plugin-ltask';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { serviceLogs } from '../../support/logs.ts';

const natives = {
  concat: new URL('../../fixtures/native/concat.ts', import.meta.url).href,
  single: new URL('../../fixtures/native/single.ts', import.meta.url).href,
};

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
const start = async (o: RuntimeOptions = {}) =>
  (rt = await startRuntime({ workers: 2, servicePath: 'test/fixtures/lua/?.lua', natives, onLog: logs.onLog, ...o }));
afterEach(async () => {
  if (rt) expect(rt.serialViolations).toBe(0);
  await rt?.stop();
  rt = null;
});

describe('native modules', () => {
  it('runs a library whose callbacks read through Lua', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'concat', { a: 'x', b: 'yy', c: 'zzz' })).toBe('xyyzzz');
  });

  it('completes 10,000 suspensions within one native call', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'count', 10_000)).toBe((10_000 * 10_001) / 2);
  }, 60_000);
});

describe('native calls: carriers', () => {
  it('a service claims an idle carrier itself: calls after the first do not go through the host', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'work', 0, 'warm')).toBe('warm'); // starts the carrier (through the host)
    const before = runtimeInternals(r).queuedNativeCalls;
    for (let i = 0; i < 50; i++) expect(await r.call(s, 'work', 0, `w${i}`)).toBe(`w${i}`);
    expect(runtimeInternals(r).queuedNativeCalls - before).toBeLessThan(5);
  });
});

describe('native calls: concurrency', () => {
  it('two calls from one service on two carriers complete out of order', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    await r.call(s, 'out_of_order'); // carriers start lazily: the first round starts both
    expect(r.carriers().filter((c) => c.module === 'concat')).toHaveLength(2);
    expect(await r.call(s, 'out_of_order')).toEqual(['fast', 'slow']);
  });

  it('the calling service keeps answering while its native call runs', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    await r.call(s, 'work', 0, 'warm'); // carriers start lazily: start one first
    const slow = r.call(s, 'work', 300, 'done');
    let answered = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 200) {
      expect(await r.call(s, 'ping', answered)).toBe(answered);
      answered++;
    }
    expect(answered).toBeGreaterThan(20);
    const row = (await r.inspect()).find((x) => x.address === s)!;
    expect(row.state).toBe('suspended');
    expect(row.detail).toMatch(/^native concat\.work on carrier \d+ for \d+\.\d s: running in the library$/);
    expect(await slow).toBe('done');
    expect((await r.inspect()).find((x) => x.address === s)!.state).toBe('idle');
  });

  it("a service's own coroutine, resumed from the library's callbacks, blocks in ltask inside them", async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'coroutine_in_callback', 50)).toBe((50 * 51) / 2);
  });

  it('a callback that itself calls another native module works', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'nested')).toBe(42);
  });

  it('a callback that calls back into its own blocked single carrier fails at once', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    await expect(r.call(s, 'self_deadlock')).rejects.toThrow(/would wait forever: all 1 carrier\(s\) of single are blocked in callbacks/);
    expect(await r.call(s, 'nested')).toBe(42);
  });
});

describe('native calls: values', () => {
  it('byte strings cross both ways, large ones in chunks through a small mailbox', async () => {
    const r = await start({ mailboxBytes: 4096 });
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'bytes', 100_000)).toBe(100_000);
    expect(await r.call(s, 'size', 300_000)).toBe(300_000);
    expect(await r.call(s, 'later', 'async result')).toBe('async result');
  });
});

describe('native calls: failures', () => {
  it("a library's exception becomes a Lua error at the call site; the carrier stays usable", async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    await expect(r.call(s, 'boom')).rejects.toThrow(/concat exploded: bad asset/);
    expect(await r.call(s, 'concat', { a: '1', b: '2', c: '3' })).toBe('123');
  });

  it('a Lua error in a callback becomes an exception inside the library', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    const out = await r.call<{ ok: boolean; message: string }>(s, 'raise_in_callback');
    expect(out.ok).toBe(false);
    expect(out.message).toMatch(/callback says no/);
  });

  it('a callback timeout raises at the call site and the service works afterwards', async () => {
    const r = await start({ callbackTimeoutMs: 200 });
    const s = await r.spawn('native_user');
    await expect(r.call(s, 'hang', 100)).rejects.toThrow(/callback timed out after 200 ms \(native concat\.call\)/);
    expect(await r.call(s, 'ping', 1)).toBe(1);
    expect(await r.call(s, 'concat', { a: 'o', b: 'k', c: '!' })).toBe('ok!');
  });

  it('a callback the carrier gave up on does not stay parked in its service', async () => {
    const r = await start({ callbackTimeoutMs: 200 });
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'parked')).toBe(0);
    for (let i = 0; i < 3; i++) await expect(r.call(s, 'orphan')).rejects.toThrow(/callback timed out after 200 ms/);
    expect(await r.call(s, 'parked')).toBe(0);
  });

  it('a call that runs past nativeCallTimeoutMs fails at its call site; its carrier is replaced', async () => {
    const r = await start({ nativeCallTimeoutMs: 300 });
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'work', 0, 'warm')).toBe('warm');
    const t0 = Date.now();
    await expect(r.call(s, 'work', 60_000, 'never')).rejects.toThrow(/native concat\.work ran longer than 300 ms \(nativeCallTimeoutMs\)/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await r.call(s, 'work', 0, 'after')).toBe('after'); // a fresh carrier
    expect(await r.call(s, 'ping', 'alive')).toBe('alive');
  });

  it('nativeCallTimeoutMs counts running time: a call queued behind a busy carrier is not timed out', async () => {
    const r = await start({ nativeCallTimeoutMs: 400 });
    const [a, b] = await Promise.all([r.spawn('native_user'), r.spawn('native_user')]);
    // Each runs 250 ms on the one carrier of `single`; the second waits ~250 ms first (500 ms in all).
    const t0 = Date.now();
    expect(await Promise.all([r.call(a, 'single_slow', 25, 'a'), r.call(b, 'single_slow', 25, 'b')])).toEqual(['a', 'b']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(480);
  });

  it('services on two workers take turns on one carrier, each claiming it as the other empties its mailbox', async () => {
    const r = await start();
    const a = await r.spawnService({ name: 'native_user', worker_id: 0 });
    const b = await r.spawnService({ name: 'native_user', worker_id: 1 });
    const n = 300;
    expect(await Promise.all([r.call(a, 'single_loop', n), r.call(b, 'single_loop', n)])).toEqual([(n * (n + 1)) / 2, (n * (n + 1)) / 2]);
    expect(r.carriers().filter((c) => c.module === 'single')).toHaveLength(1);
  });

  it('a crashed carrier gives the caller an error and the next call a fresh carrier', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    await expect(r.call(s, 'crash')).rejects.toThrow(/native concat: carrier \d+ failed: .*exited with code 7/);
    expect(await r.call(s, 'concat', { a: 'a', b: 'b', c: 'c' })).toBe('abc');
  });

  it('carriers that keep crashing reuse their slots (no lifetime cap), each reuse a new generation', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    const slots = new Set<number>();
    for (let i = 0; i < 12; i++) {
      await expect(r.call(s, 'crash')).rejects.toThrow(/exited with code 7/);
      expect(await r.call(s, 'concat', { a: 'a', b: 'b', c: String(i) })).toBe(`ab${i}`);
      for (const c of r.carriers()) slots.add(c.id);
    }
    // 24 carriers started; the slots of the crashed ones came back.
    expect(slots.size).toBeLessThanOrEqual(4);
  });

  it('a service that quits during a native call releases its carrier', async () => {
    const r = await start();
    await r.spawn('idle'); // keeps the runtime up when native_user quits (ltask's exit rule)
    const s = await r.spawn('native_user');
    await r.call(s, 'work', 0, 'warm');
    const pending = r.call(s, 'hang', 1000);
    await new Promise((res) => setTimeout(res, 150));
    const busy = r.carriers().filter((c) => c.busy !== null);
    expect(busy).toHaveLength(1);
    await r.call(s, 'stop');
    await expect(pending).rejects.toThrow(/Service has been quit/);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.carriers().some((c) => c.id === busy[0]!.id)).toBe(false);
    const other = await r.spawn('native_user');
    expect(await r.call(other, 'concat', { a: 'n', b: 'e', c: 'w' })).toBe('new');
  });

  it('an unknown module is a clear error', async () => {
    const r = await start({ natives: {} });
    const s = await r.spawn('native_user');
    await expect(r.call(s, 'concat', {})).rejects.toThrow(/unknown native module "concat" \(registered: none\)/);
  });
});

describe('native calls from TypeScript services', () => {
  it('awaitable proxies; callbacks may await', async () => {
    const r = await start({ services: { native_ts: new URL('../../fixtures/ts/native_ts.ts', import.meta.url).href } });
    const s = await r.spawn('native_ts');
    expect(await r.call(s, 'concat', { a: 'left+', b: 'right' })).toBe('left+right');
    await expect(r.call(s, 'boom')).rejects.toThrow(/concat exploded: from ts/);
  });
});
