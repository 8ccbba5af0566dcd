/**
 * The client side of the TypeScript benches, and the in-worker probe for spawn
 * time and heap per idle Lua service. Times are taken inside the worker with
 * performance.now(): the host is not in the loop.
 */
import type { ServiceContext, ServiceFactory } from '@ltask-web/plugin-ltask';

const now = () => performance.now();
const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

const factory: ServiceFactory = (ctx: ServiceContext) => ({
  /** n sequential calls of ping; per-call times (us) and the total (ms). */
  async calls(addr: number, n: number, payload?: unknown) {
    const t: number[] = new Array(n);
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const a = now();
      await ctx.call(addr, 'ping', payload);
      t[i] = (now() - a) * 1000;
    }
    return { samples: t, totalMs: now() - t0 };
  },

  /** k one-way sends, then one call that acknowledges them (in-order delivery). */
  async sends(addr: number, k: number) {
    const t0 = now();
    for (let i = 0; i < k; i++) ctx.send(addr, 'count');
    const got = await ctx.call<number>(addr, 'take');
    return { totalMs: now() - t0, got };
  },

  /** n calls with `depth` in flight at once (Promise.all per window). */
  async pipelined(addr: number, n: number, depth: number) {
    const t0 = now();
    let done = 0;
    while (done < n) {
      const w: Promise<unknown>[] = [];
      for (let i = 0; i < depth; i++) w.push(ctx.call(addr, 'ping', i));
      await Promise.all(w);
      done += depth;
    }
    return { totalMs: now() - t0, done };
  },

  /**
   * Spawns m idle Lua services on this worker one after another, timing each
   * spawn (request to root, SPAWN to this worker, VM creation, script, answer),
   * and reports this worker's heap before and after (gc'd when --expose-gc).
   */
  async spawnIdle(m: number, name: string) {
    const before = heapUsed();
    const times: number[] = [];
    const addrs: number[] = [];
    const t0 = now();
    for (let i = 0; i < m; i++) {
      const a = now();
      addrs.push(await ctx.call<number>(1, 'spawn_service', { name, worker_id: ctx.workerId }));
      times.push(now() - a);
    }
    const totalMs = now() - t0;
    const after = heapUsed();
    return { times, totalMs, before, after, gc: !!gc, addrs };
  },

  /** Asks services to quit (so they stop counting toward later figures). */
  async killAll(addrs: number[]) {
    for (const a of addrs) await ctx.call(1, 'kill', a);
    return heapUsed();
  },

  heap: () => heapUsed(),
});
export default factory;
