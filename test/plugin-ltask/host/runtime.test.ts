import { describe, expect, it } from 'vitest';
import { ServiceError, startRuntime } from '@ltask-web/plugin-ltask';
import { MessageType, Receipt } from '@ltask-web/plugin-ltask/internal';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { runtimes } from '../../support/runtime.ts';

const start = runtimes();

describe('protocol', () => {
  it('the Lua side uses the numbers of protocol.ts', async () => {
    const r = await start();
    const [msg, receipt] = await r.callMulti(await r.spawn('codes'), 'codes');
    expect(msg).toEqual({ SYSTEM: MessageType.SYSTEM, REQUEST: MessageType.REQUEST, RESPONSE: MessageType.RESPONSE, ERROR: MessageType.ERROR, SIGNAL: MessageType.SIGNAL });
    expect(receipt).toEqual({ DONE: Receipt.DONE, DEAD: Receipt.DEAD, BUSY: Receipt.BUSY });
  });
});

describe('requests in flight when a service ends', () => {
  it('a TypeScript service killed during a request answers it with an error', async () => {
    const r = await start();
    const ts = await r.spawn('adder', 1);
    const slow = r.call(ts, 'slowAdd', 1, 200); // 2 s
    await new Promise((res) => setTimeout(res, 50));
    const t0 = Date.now();
    const failed = expect(slow).rejects.toThrow(/has quit/); // handled before the error can arrive
    expect(await r.kill(ts)).toBe(true);
    await failed;
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a Lua service restarted by a hot reload answers its parked requests with an error', async () => {
    const old = 'local ltask = require "ltask"\nreturn { park = function() ltask.wait({}) end, v = function() return 1 end }';
    const r = await start({ servicePath: 'service/?.lua', sources: { 'service/parker.lua': old } });
    const p = await r.spawn('parker');
    const parked = r.call(p, 'park');
    await new Promise((res) => setTimeout(res, 50));
    r.reloadSource({ urlPath: '/service/parker.lua', source: old.replace('return 1', 'return 2'), previous: old });
    await expect(parked).rejects.toThrow(/restarted \(hot reload\)/);
    expect(await r.call(p, 'v')).toBe(2);
  });
});

describe('inspect', () => {
  it("answers within its wait with what the shared table knows when root's worker is frozen", async () => {
    const r = await start();
    const probe = await r.spawnService({ name: 'echo', worker_id: 0, label: 'probe' });
    expect((await r.inspect()).find((x) => x.address === probe)?.label).toBe('probe'); // root answers: labels learnt
    const busy = r.call(probe, 'spin', 1500); // worker 0 (root's) is busy for 1.5 s
    await new Promise((res) => setTimeout(res, 100));
    const t0 = Date.now();
    const rows = await r.inspect(false, 400);
    expect(Date.now() - t0).toBeLessThan(1000);
    const row = rows.find((x) => x.address === probe);
    expect(row).toMatchObject({ label: 'probe', fromTable: true, worker: 0 });
    expect(rows.find((x) => x.address === 1)).toMatchObject({ label: 'root', fromTable: true });
    await busy;
  });
});

describe('sandbox', () => {
  it('trustedLua: true gives Lua services the whole standard library back', async () => {
    const r = await start({ trustedLua: true, sources: { 'service/trusted.lua': 'return { probe = function() return type(os.getenv), type(io), type(package.loadlib) end }' }, servicePath: 'service/?.lua' });
    expect(await r.callMulti(await r.spawn('trusted'), 'probe')).toEqual(['function', 'table', 'function']);
  });
});

describe('error values', () => {
  it('a table raised in Lua reaches the host as ServiceError.value; an object thrown in TS reaches Lua as a table', async () => {
    const r = await start();
    const lua = await r.spawnService({ name: 'echo', worker_id: 1 });
    const ts = await r.spawnService({ name: 'adder', worker_id: 0 });
    const e = await r.call(lua, 'fail_table', { code: 42, why: 'nope' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).value).toEqual({ code: 42, why: 'nope' });
    expect((e as ServiceError).message).toContain('stack traceback:');
    const thrown = await r.call(ts, 'throwValue', { code: 7 }).catch((x: unknown) => x);
    expect((thrown as ServiceError).value).toEqual({ code: 7 });
    const [kind, code] = await r.callMulti(lua, 'catch', ts, 'throwValue', { code: 9, why: 'ts' });
    expect([kind, code]).toEqual(['table', 9]);
    // through a TS service that relays a Lua table error: the value is passed on
    const relayed = await r.call(ts, 'relay', lua, 'fail_table', { code: 3 }).catch((x: unknown) => x);
    expect((relayed as ServiceError).value).toEqual({ code: 3 });
  });
});

describe('coroutines', () => {
  it('10,000 blocking calls from nested coroutines leave the worker heap where it was', async () => {
    const r = await start();
    const nest = await r.spawnService({ name: 'nest', worker_id: 1 });
    const heap = await r.spawnService({ name: 'heap', worker_id: 1 });
    expect(await r.call(nest, 'run', 2000)).toBe((2000 * 2001) / 2); // warm-up
    const before = await r.call<number>(heap, 'heap');
    expect(await r.call(nest, 'run', 10_000)).toBe((10_000 * 10_001) / 2);
    const after = await r.call<number>(heap, 'heap');
    // A coroutine, its thread or a record kept per call would be 1-10 KB each: 10-100 MB.
    console.log(`[coroutines] heap ${before} -> ${after}`);
    expect(after - before).toBeLessThan(3 * 1024 * 1024);
  }, 60_000);
});

describe('placement', () => {
  it('a child spawned by a service starts on its parent worker; many children still spread over the workers', async () => {
    const r = await start({ workers: 3 });
    const parent = await r.spawnService({ name: 'parent', worker_id: 2 });
    const one = await r.call<{ parent: number; workers: number[] }>(parent, 'children', 1);
    expect(one).toEqual({ parent: 2, workers: [2] });
    const many = await r.call<{ parent: number; workers: number[] }>(parent, 'children', 12);
    const per = [0, 1, 2].map((w) => many.workers.filter((x) => x === w).length);
    expect(Math.min(...per)).toBeGreaterThanOrEqual(3); // within one service of the least loaded
    // Spawned by the host: least loaded, in turn.
    const a = await r.spawn('whereami');
    const b = await r.spawn('whereami');
    expect(await r.call(a, 'where')).not.toBe(await r.call(b, 'where'));
  });
});

describe('TypeScript services', () => {
  it('answer calls, keep state, and await inside handlers', async () => {
    const r = await start();
    const a = await r.spawn('adder', 10);
    expect(await r.call(a, 'add', 5)).toBe(15);
    expect(await r.call(a, 'slowAdd', 1, 1)).toBe(16);
    expect(await r.call(a, 'whoami')).toEqual({ self: a, label: 'adder', worker: expect.any(Number) });
  });

  it('call Lua services and are called by them, across workers', async () => {
    const r = await start();
    const ts = await r.spawnService({ name: 'adder', worker_id: 0 });
    const lua = await r.spawnService({ name: 'echo', worker_id: 1 });
    expect(await r.callMulti(ts, 'relay', lua, 'echo', 'x', 2)).toEqual(['x']);
    expect(await r.call(lua, 'echo', 'direct')).toBe('direct');
  });

  it('errors come back with their stack and the service that raised them', async () => {
    const r = await start();
    const a = await r.spawn('adder');
    const err = await r.call(a, 'fail', 'no way').catch((e: Error) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/no way[\s\S]*adder\.ts[\s\S]*\(service \d+ adder\)/);
    await expect(r.call(a, 'missing')).rejects.toThrow(/unknown request "missing"/);
    expect(await r.call(a, 'add', 1)).toBe(1);
  });

  it('a Lua error raised in a nested call carries both tracebacks to the host', async () => {
    const r = await start();
    const ts = await r.spawn('adder');
    const lua = await r.spawn('echo');
    const err = (await r.call(ts, 'relay', lua, 'fail', 'deep').catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/deep[\s\S]*echo\.lua[\s\S]*\(service \d+ echo\)[\s\S]*\(service \d+ adder\)/);
  });
});

describe('messages', () => {
  it('moves a 3 MiB payload across workers through 256 KiB rings', async () => {
    const r = await start({ ringBytes: 256 * 1024 });
    const ts = await r.spawnService({ name: 'adder', worker_id: 0 });
    const lua = await r.spawnService({ name: 'echo', worker_id: 1 });
    const big = 'x'.repeat(3 * 1024 * 1024);
    const back = await r.call<string>(ts, 'relay', lua, 'echo', big);
    expect(back.length).toBe(big.length);
    const bytes = await r.call<Uint8Array>(ts, 'relay', ts, 'bytes', 1 << 20);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes[257]).toBe(1);
    // A reply sent from a promise continuation, larger than the ring: fragments must all flow.
    const far = await r.spawnService({ name: 'adder', worker_id: 1 });
    const later = await r.call<Uint8Array>(ts, 'relay', far, 'bytesLater', 1 << 20);
    expect(later.length).toBe(1 << 20);
    expect(later[12345]).toBe(7);
  });

  it('a call to a dead service fails at once, from the host too', async () => {
    const r = await start();
    const s = await r.spawn('idle');
    await r.call(s, 'stop');
    await expect(r.call(s, 'ping')).rejects.toThrow(`{service:${s}} is dead`);
    expect(r.send(s, 'ping')).toBe(false);
    await expect(r.call(12345, 'ping')).rejects.toThrow('is dead');
  });

  it('over-large messages are refused with a clear error', async () => {
    const r = await start({ maxMessageBytes: 1024 });
    const s = await r.spawn('echo');
    await expect(r.call(s, 'echo', 'y'.repeat(4096))).rejects.toThrow(/too large to send: over 1024 bytes/);
    await expect(r.call(s, 'echo', () => 1)).rejects.toThrow(/cannot send a function/);
    // A result too large to send becomes the caller's error, not silence.
    await expect(r.call(s, 'big', 4096)).rejects.toThrow(/too large to send/);
    expect(await r.call(s, 'big', 10)).toBe('zzzzzzzzzz');
  });
});

describe('scheduler', () => {
  it('spawns 1,000 Lua services over the workers and ends them cleanly', async () => {
    const r = await start();
    const addrs: number[] = [];
    for (let i = 0; i < 1000; i += 50) {
      addrs.push(...(await Promise.all(Array.from({ length: 50 }, () => r.spawn('idle')))));
    }
    expect(new Set(addrs).size).toBe(1000);
    const rows = await r.inspect();
    const mine = rows.filter((x) => addrs.includes(x.address));
    expect(mine).toHaveLength(1000);
    const perWorker = [0, 1].map((w) => mine.filter((x) => x.worker === w).length);
    expect(Math.abs(perWorker[0]! - perWorker[1]!)).toBeLessThanOrEqual(2);
    expect((await Promise.all(addrs.map((a) => r.call(a, 'ping'))))).toEqual(addrs);
    await Promise.all(addrs.map((a) => r.call(a, 'stop')));
    // The last anonymous service gone: named services quit and the runtime ends (ltask's rule).
    expect(await r.exited).toEqual({ code: 0, error: undefined });
    const after = await r.inspect(true);
    expect(after.filter((x) => addrs.includes(x.address)).every((x) => x.state === 'dead')).toBe(true);
    expect(after.filter((x) => x.state !== 'dead').map((x) => x.label)).toEqual(['root']);
    expect(runtimeInternals(r).table.live).toBe(1);
  }, 60_000);

  it('inspect shows address, label, worker, state, queue, handled and CPU time', async () => {
    const r = await start();
    const s = await r.spawnService({ name: 'echo', worker_id: 1, label: 'probe' });
    for (let i = 0; i < 5; i++) await r.call(s, 'echo', i);
    const row = (await r.inspect()).find((x) => x.address === s)!;
    expect(row).toMatchObject({ label: 'probe', kind: 'lua', worker: 1, state: 'idle', queue: 0 });
    expect(row.handled).toBeGreaterThanOrEqual(5);
    expect(row.cpuMs).toBeGreaterThan(0);
    // Busy in a long handler: state and queue are visible from the host thread.
    const spinning = r.call(s, 'spin', 300);
    for (let i = 0; i < 3; i++) r.send(s, 'push', i);
    await new Promise((res) => setTimeout(res, 100));
    const busy = (await r.inspect()).find((x) => x.address === s)!;
    expect(busy.state).toBe('running');
    expect(busy.queue).toBe(3);
    await spinning;
    // Root answers every inspect, but a stats poll does not make it look busy.
    for (let i = 0; i < 5; i++) expect((await r.inspect()).find((x) => x.address === 1)!.state).toBe('idle');
  });

  it('stops when the last anonymous service ends (named ones quit first)', async () => {
    const r = await start();
    await r.uniqueService('echo');
    await r.spawn('spawner', 20);
    const exit = await r.exited;
    expect(exit).toEqual({ code: 0, error: undefined });
  });
});

describe('cross-origin isolation', () => {
  it('without SharedArrayBuffer, startRuntime fails with an error naming both headers', async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      await expect(startRuntime({ workers: 1 })).rejects.toThrow(
        /not cross-origin isolated.*"Cross-Origin-Opener-Policy: same-origin".*"Cross-Origin-Embedder-Policy: require-corp"/,
      );
    } finally {
      g.SharedArrayBuffer = saved;
    }
  });

  it('isolated but SharedArrayBuffer hidden (WebKitGTK without JSC_useSharedArrayBuffer=1): the error says so, not "set the headers"', async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; document?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    g.crossOriginIsolated = true;
    g.document = {}; // as in a page
    try {
      const e = await startRuntime({ workers: 1 }).catch((x: Error) => x);
      expect((e as Error).message).toMatch(/not available although the page is cross-origin isolated.*JSC_useSharedArrayBuffer=1/);
      expect((e as Error).message).not.toMatch(/Cross-Origin-Opener-Policy/);
    } finally {
      g.SharedArrayBuffer = saved;
      delete g.crossOriginIsolated;
      delete g.document;
    }
  });
});

describe('runaway scripts', () => {
  it('a handler that never yields is stopped with an error; its worker and the service carry on', async () => {
    const r = await start({ runawayMs: 300 });
    const s = await r.spawnService({ name: 'echo', worker_id: 1 });
    const neighbour = await r.spawnService({ name: 'echo', worker_id: 1 });
    const t0 = performance.now();
    await expect(r.call(s, 'forever')).rejects.toThrow(/runaway script: ran \d+ ms without yielding \(runawayMs 300\)/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await r.call(s, 'echo', 'still here')).toBe('still here');
    expect(await r.call(neighbour, 'echo', 'me too')).toBe('me too');
  });
});

describe('serial instrumentation', () => {
  it('counts a VM entered while it already runs (the check the suites rely on)', async () => {
    const { ServiceTable } = await import('../../../plugin-ltask/src/wire/table.ts');
    const t = ServiceTable.create(16);
    t.open(5, 0);
    expect(t.enter(5, 0)).toBe(true);
    expect(t.enter(5, 1)).toBe(false);
    expect(t.violations).toBe(1);
    t.leave(5);
    expect(t.enter(5, 1)).toBe(true);
    expect(t.violations).toBe(1);
  });
});

describe('worker failure messages', () => {
  it('a worker that throws "process is not defined" names the fengari guard and the vite plugin', async () => {
    const { explainWorkerError } = await import('../../../plugin-ltask/src/platform/diagnose.ts');
    expect(explainWorkerError('ltask-worker-0', 'Uncaught ReferenceError: process is not defined')).toMatch(
      /worker ltask-worker-0 failed: .*process is not defined.*ltask\(\) vite plugin/,
    );
    expect(explainWorkerError('w', 'Uncaught SyntaxError: x')).toBe('worker w failed: Uncaught SyntaxError: x');
  });
});
