// A Lua service's memory estimate (collectgarbage("count"), ltask.mem_count)
// answers in constant time however much the service holds, and its memory
// limit stops a handler that allocates fast, on a walk's figure.
import { describe, expect, it } from 'vitest';
import { patchFengari } from '../../../../plugin-ltask/src/vite/fengari.ts';
import { runtimes } from '../../../support/runtime.ts';

const start = runtimes();

describe('memory estimate', () => {
  it('collectgarbage("count") in a service holding 100,000 short strings never trips the runaway limit', async () => {
    const r = await start({ workers: 1, watchdogMs: 60_000 });
    // The strings come in messages of 5,000, each far inside the runaway limit.
    const s = await r.spawnService({ name: 'strings', runaway_ms: 1500 });
    const empty = await r.call<number>(s, 'count', 1);
    for (let n = 0; n < 100_000; n += 5_000) await r.call(s, 'add', 5_000);
    // 1,000 counts in one handler: a walk of the 100,000 strings per count
    // (what count did before) takes seconds each and trips runaway_ms.
    const held = await r.call<number>(s, 'count', 1000);
    // Each string at least its estimated size (100 bytes and its length) above the empty service.
    expect(held - empty).toBeGreaterThan((100_000 * 105) / 1024);
    // mem_count is the same estimate (taken in the same handler: a walk after a message may lower it, by design).
    const [count, mem] = await r.call<[number, number]>(s, 'both');
    expect(count).toBeGreaterThan(0);
    expect(mem).toBeGreaterThanOrEqual(count);
    // "collect" walks: the figure is what the service holds, strings and entries.
    const walked = await r.call<number>(s, 'collect');
    expect(walked - empty).toBeGreaterThan((100_000 * (105 + 250)) / 1024);
    // Dropped: the next walk no longer finds them.
    await r.call(s, 'drop');
    expect(await r.call<number>(s, 'collect')).toBeLessThan(empty + 1024);
  }, 60_000);

  it('a handler that allocates tens of MB fast is stopped near its limit of 4 MiB; the service and its worker go on', async () => {
    const r = await start({ workers: 1, runawayMs: 0, watchdogMs: 60_000 });
    const limit = 4 * 1024 * 1024;
    const s = await r.spawnService({ name: 'strings', mem_limit: limit });
    const other = await r.spawnService({ name: 'strings' });
    // 100,000 tables of two values: about 100 MB by the estimate, more in the JS heap.
    const err = await r.call(s, 'hold', 100_000).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(err).toMatch(/memory limit: service \d+ \(strings\) holds about [\d,]+ KiB, over its limit of 4,096 KiB/);
    // Stopped at its first walk over the limit, not after allocating the rest.
    const kib = Number(/holds about ([\d,]+) KiB/.exec(err)![1]!.replace(/,/g, ''));
    expect(kib).toBeLessThan(4 * 4096);
    expect(await r.call(s, 'echo', 'alive')).toBe('alive');
    expect(await r.call(other, 'add', 10)).toBe(10);
  }, 60_000);
});

describe('the fengari patch', () => {
  it('counts allocations once, however often it is applied, and refuses a fengari it does not know', () => {
    const src = '"use strict";\nclass TString {\n\n    constructor(L, str) {\n        this.hash = null;\n    }\n}\n';
    const once = patchFengari(src, '/p/node_modules/fengari/src/lstring.js')!;
    expect(once).toContain('__ltaskAllocated.bytes += 100 + str.length;');
    expect(once.startsWith('"use strict";\nconst __ltaskAllocated = (globalThis[Symbol.for("ltask.fengari.allocated")]')).toBe(true);
    expect(patchFengari(once, '/p/node_modules/fengari/src/lstring.js')).toBeNull();
    expect(() => patchFengari('"use strict";\nclass Other {}\n', '/p/node_modules/fengari/src/lstring.js')).toThrow(/cannot patch fengari's lstring\.js/);
  });

  it("this repository's fengari is patched (postinstall): the VM counts what it allocates", async () => {
    const { lauxlib } = (await import('fengari')).default;
    const counter = (globalThis as Record<symbol, { bytes: number } | undefined>)[Symbol.for('ltask.fengari.allocated')];
    const before = counter?.bytes ?? NaN;
    lauxlib.luaL_newstate(); // a thread (1,024) and its registry and globals tables (400 each)
    expect(counter!.bytes - before).toBeGreaterThanOrEqual(1024 + 2 * 400);
  });
});
