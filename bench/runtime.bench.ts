/**
 * Runtime bench: message round trips, sends, pipelining, sleep(0), spawn and
 * heap per Lua service, idle CPU, against baselines measured in the same run: a
 * plain postMessage RPC, and shared-memory ping-pong floors (floors.ts) with
 * both ends spinning as the runtime does and both ends sleeping. Run with
 * `npm run bench:runtime` (see bench/README.md).
 *
 * Every service-to-service figure is timed inside the workers (ltask.counter in
 * Lua, performance.now() in TypeScript): the host only starts each round and
 * collects the samples.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance as perf } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { fmt, printTable, stats, type Row, type Stats } from './report.ts';
import { against, floorRtt } from './floors.ts';
import { pairsRound, spawnPairs, type PairMode } from './pairs.mjs';

// ------------------------------------------------------------------ settings

/** BENCH_SCALE=0.2 for a quick smoke run; 1 is the reported configuration. */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const n = (x: number) => Math.max(10, Math.round(x * SCALE));
const N = {
  luaCalls: n(3000),
  tsCalls: n(5000),
  payloadCalls: n(2000),
  luaSends: n(20000),
  tsSends: n(50000),
  /** A short burst too: the receiver's queue stays shallow (see README on queue depth). */
  tsSendsShort: n(5000),
  pipelined: n(20000),
  depth: 100,
  sleeps: n(5000),
  hostCalls: n(2000),
  spinCalls: n(2000),
  spawns: 200,
  baseline: n(5000),
  floor: n(5000),
};
/** Idle CPU: services alive in an otherwise idle runtime, seconds measured, and the paced calls' period (cs). */
const IDLE = { services: 100, seconds: 2, pacedCs: 0.5 };
/** Bytes each floor round trip answers (a small call's answer). */
const FLOOR_BYTES = 16;
/** `--workers N`: the many-pairs scenario runs 1, 2, 4, 8... up to N workers (default 2). */
const argWorkers = (() => {
  const i = process.argv.indexOf('--workers');
  const v = i >= 0 ? Number(process.argv[i + 1]) : 2;
  if (!Number.isInteger(v) || v < 1) throw new Error('[bench] --workers N: N must be a whole number >= 1');
  return v;
})();
const WORKERS = 2;
/** Many pairs: client/server pairs making sequential calls at once, and calls per client. */
const PAIRS = 16;
const PAIR_CALLS = n(4000);
/** The user ping-pong through the CLI: calls (and sends) per run, and runs. */
const PINGPONG = 20000; // fixed in services/pingpong.lua
const PINGPONG_RUNS = 3;
/** The main rows use the runtime's default spin (adaptive, 50 us); the others compare wake policies. */
const MAIN_SPIN = 50;
const SPINS = [MAIN_SPIN, 0, 200];
const PAYLOAD = 'x'.repeat(1024);
const QUEUE_LIMIT = 1 << 20; // sends are fired K at a time before one acknowledging call

const watchdog = setTimeout(() => {
  console.error('[bench] watchdog: the bench took over 240 s; giving up');
  process.exit(1);
}, 240_000);
watchdog.unref();


interface Timed {
  stats: Stats;
  /** Calls per second over the whole timed loop (timing overhead included). */
  rate: number;
  cores?: number;
}

const timed = (samples: number[], totalMs: number): Timed => ({ stats: stats(samples), rate: (samples.length / totalMs) * 1000 });

/** CPU time of the whole process (every thread) per wall second while `f` runs. */
async function withCores<T>(f: () => Promise<T>): Promise<[T, number]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  const wallUs = (performance.now() - t0) * 1000;
  return [r, (c.user + c.system) / wallUs];
}

// ------------------------------------------------------------------ baseline

/** Plain postMessage RPC between two worker_threads over a MessageChannel. */
async function baseline(): Promise<{ rtt: Timed; rtt1k: Timed; pipelinedRate: number }> {
  const url = new URL('./services/pm-worker.mjs', import.meta.url);
  const server = new Worker(url, { workerData: { role: 'server' } });
  const client = new Worker(url, { workerData: { role: 'client' } });
  const once = <T>(w: Worker) => new Promise<T>((r) => w.once('message', r));
  try {
    const { port1, port2 } = new MessageChannel();
    const ready = Promise.all([once(server), once(client)]);
    server.postMessage({ port: port1 }, [port1]);
    client.postMessage({ port: port2 }, [port2]);
    await ready;
    const run = async (m: object) => {
      const p = once<{ samples?: number[]; totalMs: number }>(client);
      client.postMessage(m);
      return p;
    };
    await run({ n: Math.ceil(N.baseline / 5) }); // warm-up
    const [a, cores] = await withCores(() => run({ n: N.baseline }));
    const rtt = { ...timed(a.samples!, a.totalMs), cores };
    await run({ n: Math.ceil(N.baseline / 10), payload: PAYLOAD });
    const b = await run({ n: N.baseline, payload: PAYLOAD });
    await run({ n: 2000, depth: N.depth });
    const c = await run({ n: N.pipelined, depth: N.depth });
    return { rtt, rtt1k: timed(b.samples!, b.totalMs), pipelinedRate: (N.pipelined / c.totalMs) * 1000 };
  } finally {
    await Promise.all([server.terminate(), client.terminate()]);
  }
}

// ------------------------------------------------------------------ runtime

const lua = (name: string) => readFileSync(new URL(`./services/${name}.lua`, import.meta.url), 'utf8');
const sources = { 'service/echo.lua': lua('echo'), 'service/client.lua': lua('client'), 'service/idle.lua': lua('idle') };

// ------------------------------------------------------------------ scaling

/**
 * PAIRS client/server pairs of Lua services (placements: bench/pairs.mjs), every
 * client making PAIR_CALLS sequential calls to its server at once. Aggregate
 * calls/s over the wall time of the whole round, and the main (host) thread's
 * busy share meanwhile: the host is not on the message path.
 */
async function manyPairs(workers: number, mode: PairMode): Promise<{ workers: number; mode: PairMode; rate: number; hostBusy: number; cores: number }> {
  const rt = await startRuntime({ workers, sources, io: false, onLog: (e) => e.level === 'error' && console.error(`[${e.label}] ${e.text}`) });
  try {
    const pairs = await spawnPairs(rt, mode, PAIRS);
    const round = (k: number) => pairsRound(rt, pairs, k);
    await round(Math.ceil(PAIR_CALLS / 10));
    const elu0 = perf.eventLoopUtilization();
    const t0 = performance.now();
    const [, cores] = await withCores(() => round(PAIR_CALLS));
    const ms = performance.now() - t0;
    const elu = perf.eventLoopUtilization(elu0);
    return { workers, mode, rate: (PAIRS * PAIR_CALLS) / (ms / 1000), hostBusy: elu.utilization, cores };
  } finally {
    await rt.stop();
  }
}

/**
 * The user ping-pong: `npx ltask pingpong.lua --workers 2` (the package's bin),
 * default placement, as a user runs it (services/pingpong.lua prints its figures).
 */
function pingpong(): { callsUs: number; sendsS: number; asyncMs: number } {
  const cli = fileURLToPath(new URL('./bin/ltask.mjs', import.meta.resolve('@ltask-web/plugin-ltask/package.json')));
  const main = fileURLToPath(new URL('./services/pingpong.lua', import.meta.url));
  const r = spawnSync(process.execPath, [cli, main, '--workers', '2', '--timeout', '60000'], { encoding: 'utf8' });
  const m = /calls_us=([\d.]+) sends_s=([\d.]+) async_ms=([\d.]+)/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`[bench] ping-pong run failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { callsUs: Number(m[1]), sendsS: Number(m[2]), asyncMs: Number(m[3]) };
}
/**
 * Scavenges per 10,000 cross-worker Lua calls on each end: services/gc_calls.lua (20,000 calls to
 * an echo on the other worker) and gc_none.lua (the same start without them) through the CLI under
 * `node --trace-gc`, which prints one line per collection with its thread's isolate; the figure is
 * the two busiest threads' scavenges, less the start's, per 10,000 calls (median of `runs`).
 */
function scavengesPerCall(runs = 3): { busier: number; other: number } {
  const cli = fileURLToPath(new URL('./bin/ltask.mjs', import.meta.resolve('@ltask-web/plugin-ltask/package.json')));
  const count = (name: string) => {
    const main = fileURLToPath(new URL(`./services/${name}.lua`, import.meta.url));
    const r = spawnSync(process.execPath, ['--trace-gc', cli, main, '--workers', '2', '--timeout', '60000'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`[bench] ${name}.lua failed (exit ${r.status}):\n${r.stderr}`);
    const per = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: Scavenge/gm)) per.set(m[1]!, (per.get(m[1]!) ?? 0) + 1);
    return [...per.values()].sort((a, b) => b - a).concat(0, 0).slice(0, 2);
  };
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const none = Array.from({ length: runs }, () => count('gc_none'));
  const calls = Array.from({ length: runs }, () => count('gc_calls'));
  const per10k = (i: number) => Math.max(0, (mid(calls.map((c) => c[i]!)) - mid(none.map((c) => c[i]!))) / 2);
  return { busier: per10k(0), other: per10k(1) };
}
const services = {
  'ts-echo': new URL('./services/ts-echo.ts', import.meta.url).href,
  'ts-client': new URL('./services/ts-client.ts', import.meta.url).href,
};

const logs: string[] = [];

async function start(spinMicros: number): Promise<{ rt: Runtime; startMs: number }> {
  const t0 = performance.now();
  const rt = await startRuntime({
    workers: WORKERS,
    sources,
    services,
    spinMicros,
    queueLimit: QUEUE_LIMIT,
    onLog: (e) => {
      logs.push(`[${e.level}] ${e.label}:${e.source} ${e.text}`);
      if (e.level === 'error') console.error(`[service ${e.label}:${e.source}] ${e.text}`);
    },
  });
  return { rt, startMs: performance.now() - t0 };
}

/** Client services on worker 1; one server on worker 1 (same) and one on worker 0 (cross). */
async function place(rt: Runtime) {
  // args is never empty here: an empty args list once reached a TypeScript
  // service as {} instead of [] (finding 4 in bench/README.md, fixed since).
  const sp = (name: string, worker_id: number) => rt.spawnService({ name, worker_id, args: ['bench'] });
  return {
    luaClient: await sp('client', 1),
    luaSame: await sp('echo', 1),
    luaCross: await sp('echo', 0),
    tsClient: await sp('ts-client', 1),
    tsSame: await sp('ts-echo', 1),
    tsCross: await sp('ts-echo', 0),
  };
}
type Placed = Awaited<ReturnType<typeof place>>;

async function luaCalls(rt: Runtime, client: number, server: number, count: number, payload?: string): Promise<Timed> {
  await rt.callMulti(client, 'calls', server, Math.ceil(count / 5), payload); // warm-up
  const [[samples, total], cores] = await withCores(() => rt.callMulti(client, 'calls', server, count, payload));
  return { ...timed(samples as number[], (total as number) * 1000), cores };
}

async function tsCalls(rt: Runtime, client: number, server: number, count: number, payload?: string): Promise<Timed> {
  type R = { samples: number[]; totalMs: number };
  await rt.call<R>(client, 'calls', server, Math.ceil(count / 5), payload);
  const [r, cores] = await withCores(() => rt.call<R>(client, 'calls', server, count, payload));
  return { ...timed(r.samples, r.totalMs), cores };
}

/** Sequential host calls; `proxy`: through `rt.remote(addr).ping` instead of `rt.call`. */
async function hostCalls(rt: Runtime, addr: number, count: number, proxy = false): Promise<Timed> {
  const ping = proxy ? rt.remote<{ ping(i: number): number }>(addr).ping : (i: number) => rt.call(addr, 'ping', i);
  const loop = async (k: number) => {
    const t: number[] = new Array(k);
    const t0 = performance.now();
    for (let i = 0; i < k; i++) {
      const a = performance.now();
      await ping(i);
      t[i] = (performance.now() - a) * 1000;
    }
    return timed(t, performance.now() - t0);
  };
  await loop(Math.ceil(count / 5));
  return loop(count);
}

/** Returns messages per second; throws if some sends were lost. */
async function luaSends(rt: Runtime, p: Placed, k: number): Promise<number> {
  await rt.callMulti(p.luaClient, 'sends', p.luaCross, Math.ceil(k / 5));
  const [sec, got] = (await rt.callMulti(p.luaClient, 'sends', p.luaCross, k)) as [number, number];
  if (got !== k) throw new Error(`[bench] Lua sends: ${k} sent, ${got} counted`);
  return k / sec;
}

async function tsSends(rt: Runtime, p: Placed, k: number): Promise<number> {
  type R = { totalMs: number; got: number };
  await rt.call<R>(p.tsClient, 'sends', p.tsCross, Math.ceil(k / 5));
  const r = await rt.call<R>(p.tsClient, 'sends', p.tsCross, k);
  if (r.got !== k) throw new Error(`[bench] TS sends: ${k} sent, ${r.got} counted`);
  return (k / r.totalMs) * 1000;
}

async function luaPipelined(rt: Runtime, p: Placed): Promise<number> {
  await rt.callMulti(p.luaClient, 'pipelined', p.luaCross, 2000, N.depth);
  const [sec, done] = (await rt.callMulti(p.luaClient, 'pipelined', p.luaCross, N.pipelined, N.depth)) as [number, number];
  return done / sec;
}

async function tsPipelined(rt: Runtime, p: Placed): Promise<number> {
  type R = { totalMs: number; done: number };
  await rt.call<R>(p.tsClient, 'pipelined', p.tsCross, 2000, N.depth);
  const r = await rt.call<R>(p.tsClient, 'pipelined', p.tsCross, N.pipelined, N.depth);
  return (r.done / r.totalMs) * 1000;
}

async function luaSleeps(rt: Runtime, p: Placed): Promise<number> {
  await rt.call(p.luaClient, 'sleeps', Math.ceil(N.sleeps / 5));
  const sec = await rt.call<number>(p.luaClient, 'sleeps', N.sleeps);
  return (sec / N.sleeps) * 1e6;
}

async function spawnAndHeap(rt: Runtime, p: Placed) {
  type R = { times: number[]; totalMs: number; before: number; after: number; gc: boolean; addrs: number[] };
  // Warm-up: first VM creation compiles fengari's paths and caches the script source.
  const w = await rt.call<R>(p.tsClient, 'spawnIdle', 20, 'idle');
  await rt.call(p.tsClient, 'killAll', w.addrs);
  const r = await rt.call<R>(p.tsClient, 'spawnIdle', N.spawns, 'idle');
  const afterKill = await rt.call<number>(p.tsClient, 'killAll', r.addrs);
  return {
    spawn: stats(r.times),
    spawnMeanMs: r.totalMs / N.spawns,
    heapPerServiceKiB: (r.after - r.before) / N.spawns / 1024,
    heapBefore: r.before,
    heapAfter: r.after,
    heapAfterKill: afterKill,
    gc: r.gc,
  };
}

// ------------------------------------------------------------------ idle CPU

/**
 * CPU time of the whole process (all threads) per wall second: a runtime with
 * only its system services, the same with IDLE.services idle Lua services, and
 * with one cross-worker Lua call every IDLE.pacedCs centiseconds.
 */
async function idleCpu(): Promise<{ bare: number; services: number; paced: number; pacedCalls: number; pacedMs: number }> {
  const rt = await startRuntime({ workers: WORKERS, sources, io: false, onLog: (e) => e.level === 'error' && console.error(`[${e.label}] ${e.text}`) });
  const settle = () => new Promise((r) => setTimeout(r, 500));
  const idleFor = async () => (await withCores(() => new Promise((r) => setTimeout(r, IDLE.seconds * 1000))))[1];
  try {
    await settle();
    const bare = await idleFor();
    for (let i = 0; i < IDLE.services; i++) await rt.spawnService({ name: 'idle', worker_id: i % WORKERS, args: ['bench'] });
    await settle();
    const services = await idleFor();
    const client = await rt.spawnService({ name: 'client', worker_id: 1, args: ['bench'] });
    const server = await rt.spawnService({ name: 'echo', worker_id: 0, args: ['bench'] });
    const calls = Math.round((IDLE.seconds * 100) / IDLE.pacedCs);
    const [sec, paced] = await withCores(() => rt.call<number>(client, 'paced', server, calls, IDLE.pacedCs));
    return { bare, services, paced, pacedCalls: calls, pacedMs: sec * 1000 };
  } finally {
    await rt.stop();
  }
}

// ------------------------------------------------------------------ report


// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const began = performance.now();
  const step = (what: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(1)}s] ${what}`);

  step('baseline: postMessage RPC between two worker_threads');
  const base = await baseline();
  step('floors: shared-memory ping-pong between two worker_threads (spinning, Atomics.wait, Atomics.waitAsync)');
  const floors = {
    spin: await floorRtt('spin', FLOOR_BYTES, N.floor, MAIN_SPIN),
    wait: await floorRtt('wait', FLOOR_BYTES, N.floor),
    waitAsync: await floorRtt('waitAsync', FLOOR_BYTES, N.floor),
  };

  step(`user ping-pong through the CLI (${PINGPONG} calls, ${PINGPONG_RUNS} runs)`);
  const pp = Array.from({ length: PINGPONG_RUNS }, () => pingpong()).sort((a, b) => a.callsUs - b.callsUs);
  const ppMid = pp[Math.floor(pp.length / 2)]!;
  step('scavenges per 10,000 cross-worker Lua calls (CLI under --trace-gc, 3 runs)');
  const gc = scavengesPerCall();

  const scaling: Awaited<ReturnType<typeof manyPairs>>[] = [];
  for (let w = 1; w <= argWorkers; w = w * 2 > argWorkers && w < argWorkers ? argWorkers : w * 2) {
    step(`${PAIRS} pairs on ${w} worker(s)`);
    scaling.push(await manyPairs(w, 'split'), await manyPairs(w, 'parent'));
  }

  const spin: Record<number, { lua: Timed & { rounds: number[] }; ts: Timed & { rounds: number[] }; startMs: number }> = {};
  let main: Record<string, unknown> = {};
  for (const spinMicros of SPINS) {
    const { rt, startMs } = await start(spinMicros);
    try {
      const p = await place(rt);
      step(`spinMicros ${spinMicros}: runtime up in ${startMs.toFixed(0)} ms; cross-worker calls`);
      // Three rounds each: with a fixed spin the two workers can settle in either
      // "both catch" or "both miss" (see README), so one round can mislead.
      const rounds = async (f: () => Promise<Timed>) => {
        const r = [await f(), await f(), await f()];
        const mid = [...r].sort((a, b) => a.stats.p50 - b.stats.p50)[1]!; // the round with the median p50
        return { ...mid, rounds: r.map((x) => x.stats.p50) };
      };
      // Warm-up: the first thousands of messages run while V8 still compiles the
      // hot paths on background threads, which compete for the 2 cores.
      await luaCalls(rt, p.luaClient, p.luaCross, 2 * N.luaCalls);
      await tsCalls(rt, p.tsClient, p.tsCross, 2 * N.tsCalls);
      const count = spinMicros === MAIN_SPIN ? undefined : N.spinCalls;
      const luaCross = await rounds(() => luaCalls(rt, p.luaClient, p.luaCross, count ?? N.luaCalls));
      const tsCross = await rounds(() => tsCalls(rt, p.tsClient, p.tsCross, count ?? N.tsCalls));
      spin[spinMicros] = { lua: luaCross, ts: tsCross, startMs };
      if (spinMicros !== MAIN_SPIN) continue;

      step('same-worker calls');
      const luaSame = await luaCalls(rt, p.luaClient, p.luaSame, N.luaCalls);
      const tsSame = await tsCalls(rt, p.tsClient, p.tsSame, N.tsCalls);
      step('1 KiB payload calls');
      const lua1k = await luaCalls(rt, p.luaClient, p.luaCross, N.payloadCalls, PAYLOAD);
      const ts1k = await tsCalls(rt, p.tsClient, p.tsCross, N.payloadCalls, PAYLOAD);
      step('sends');
      const luaSend = await luaSends(rt, p, N.luaSends);
      const tsSend = await tsSends(rt, p, N.tsSends);
      const tsSendShort = await tsSends(rt, p, N.tsSendsShort);
      step('pipelined calls');
      const luaPipe = await luaPipelined(rt, p);
      const tsPipe = await tsPipelined(rt, p);
      step('sleep(0)');
      const sleep0 = await luaSleeps(rt, p);
      step('host -> service calls');
      const hostLua = await hostCalls(rt, p.luaCross, N.hostCalls);
      const hostTs = await hostCalls(rt, p.tsCross, N.hostCalls);
      const hostProxy = await hostCalls(rt, p.tsCross, N.hostCalls, true);
      step(`spawn ${N.spawns} idle Lua services, heap`);
      const spawn = await spawnAndHeap(rt, p);
      main = { luaSame, tsSame, lua1k, ts1k, luaSend, tsSend, tsSendShort, luaPipe, tsPipe, sleep0, hostLua, hostTs, hostProxy, spawn };
    } finally {
      await rt.stop();
    }
  }
  step(`idle CPU: a bare runtime, ${IDLE.services} idle services, a call every ${IDLE.pacedCs * 10} ms`);
  const idle = await idleCpu();
  step('done');
  const m = main as {
    luaSame: Timed; tsSame: Timed; lua1k: Timed; ts1k: Timed; luaSend: number; tsSend: number; tsSendShort: number;
    luaPipe: number; tsPipe: number; sleep0: number; hostLua: Timed; hostTs: Timed; hostProxy: Timed;
    spawn: Awaited<ReturnType<typeof spawnAndHeap>>;
  };
  const s0 = spin[MAIN_SPIN]!;
  const b = base.rtt.stats;
  const f = floors;
  /** The floors beside the postMessage baseline, for a round trip's p50. */
  const vsFloors = (v: number) => against(v, [['spinning floor', f.spin.p50], ['sleeping floor', f.wait.p50]]);
  const rows: Row[] = [
    { metric: 'baseline postMessage RPC RTT p50', value: b.p50, unit: 'us', target: vsFloors(b.p50) },
    { metric: 'baseline postMessage RPC RTT p99', value: b.p99, unit: 'us' },
    { metric: 'baseline postMessage RPC rate', value: base.rtt.rate, unit: 'calls/s' },
    { metric: `floor: spinning ping-pong (both poll ${MAIN_SPIN} us, then sleep) RTT p50 / p99`, value: f.spin.p50, unit: `us / ${fmt(f.spin.p99)}`, target: 'how the runtime waits while messages keep coming' },
    { metric: 'floor: sleeping Atomics.wait ping-pong RTT p50 / p99', value: f.wait.p50, unit: `us / ${fmt(f.wait.p99)}`, target: `one futex wake-up: ${fmt(f.wait.p50 / 2)} us (half the p50)` },
    { metric: 'floor: sleeping Atomics.waitAsync ping-pong RTT p50 / p99', value: f.waitAsync.p50, unit: `us / ${fmt(f.waitAsync.p99)}`, target: `one waitAsync wake-up: ${fmt(f.waitAsync.p50 / 2)} us; how a worker sleeps with spin 0` },
    { metric: 'Lua->Lua call RTT cross-worker p50', value: s0.lua.stats.p50, unit: 'us', baseline: b.p50, target: `<= 10 us; ${vsFloors(s0.lua.stats.p50)}` },
    { metric: 'Lua->Lua call RTT cross-worker p99', value: s0.lua.stats.p99, unit: 'us', baseline: b.p99, target: '<= 50 us' },
    { metric: 'Lua->Lua calls/s cross-worker', value: s0.lua.rate, unit: 'calls/s', baseline: base.rtt.rate },
    { metric: 'Lua->Lua call RTT same-worker p50', value: m.luaSame.stats.p50, unit: 'us', baseline: b.p50 },
    { metric: 'Lua->Lua call RTT same-worker p99', value: m.luaSame.stats.p99, unit: 'us', baseline: b.p99 },
    { metric: 'Lua->Lua calls/s same-worker', value: m.luaSame.rate, unit: 'calls/s', baseline: base.rtt.rate },
    { metric: 'TS->TS call RTT cross-worker p50', value: s0.ts.stats.p50, unit: 'us', baseline: b.p50, target: `<= 20 us; ${vsFloors(s0.ts.stats.p50)}` },
    { metric: 'TS->TS call RTT cross-worker p99', value: s0.ts.stats.p99, unit: 'us', baseline: b.p99 },
    { metric: 'TS->TS calls/s cross-worker', value: s0.ts.rate, unit: 'calls/s', baseline: base.rtt.rate },
    { metric: 'TS->TS call RTT same-worker p50', value: m.tsSame.stats.p50, unit: 'us', baseline: b.p50 },
    { metric: 'TS->TS call RTT same-worker p99', value: m.tsSame.stats.p99, unit: 'us', baseline: b.p99 },
    { metric: 'TS->TS calls/s same-worker', value: m.tsSame.rate, unit: 'calls/s', baseline: base.rtt.rate },
    { metric: 'Lua->Lua 1 KiB call RTT cross-worker p50', value: m.lua1k.stats.p50, unit: 'us', baseline: base.rtt1k.stats.p50 },
    { metric: 'TS->TS 1 KiB call RTT cross-worker p50', value: m.ts1k.stats.p50, unit: 'us', baseline: base.rtt1k.stats.p50 },
    { metric: `TS->TS sends cross-worker (${N.tsSends} then ack)`, value: m.tsSend, unit: 'msgs/s', target: '>= 500k' },
    { metric: `TS->TS sends cross-worker (${N.tsSendsShort} then ack)`, value: m.tsSendShort, unit: 'msgs/s', target: '>= 500k' },
    { metric: `Lua->Lua sends cross-worker (${N.luaSends} then ack)`, value: m.luaSend, unit: 'msgs/s', target: '>= 150k' },
    { metric: `Lua pipelined calls cross-worker (${N.depth} in flight)`, value: m.luaPipe, unit: 'calls/s', baseline: base.pipelinedRate },
    { metric: `TS pipelined calls cross-worker (${N.depth} in flight)`, value: m.tsPipe, unit: 'calls/s', baseline: base.pipelinedRate },
    { metric: 'Lua sleep(0)', value: m.sleep0, unit: 'us' },
    { metric: 'spawn idle Lua service p50 (in-worker)', value: m.spawn.spawn.p50, unit: 'ms', target: '<= 2 ms' },
    { metric: 'spawn idle Lua service mean', value: m.spawn.spawnMeanMs, unit: 'ms', target: '<= 2 ms' },
    { metric: 'heap per idle Lua service', value: m.spawn.heapPerServiceKiB, unit: 'KiB', target: '<= 120 KiB' },
    { metric: 'host->Lua rt.call RTT p50 (cross-thread)', value: m.hostLua.stats.p50, unit: 'us', baseline: b.p50 },
    { metric: 'host->TS rt.call RTT p50 (cross-thread)', value: m.hostTs.stats.p50, unit: 'us', baseline: b.p50 },
    { metric: 'host->TS rt.remote(addr).ping RTT p50 (a typed proxy)', value: m.hostProxy.stats.p50, unit: 'us', baseline: m.hostTs.stats.p50, target: 'baseline: the same calls through rt.call' },
    { metric: `user ping-pong via npx ltask, mean per call (median of ${PINGPONG_RUNS})`, value: ppMid.callsUs, unit: `us (runs ${pp.map((x) => fmt(x.callsUs)).join(', ')})`, baseline: b.p50, target: '<= 20 us' },
    { metric: `user ping-pong: ${PINGPONG} sends + acks`, value: ppMid.sendsS * 1000, unit: 'ms' },
    { metric: 'user ping-pong: 200 async requests', value: ppMid.asyncMs, unit: 'ms' },
    { metric: 'scavenges per 10,000 cross-worker Lua calls: busier end / other end', value: gc.busier, unit: `/ ${fmt(gc.other)}`, target: '<= 5' },
    { metric: 'idle runtime (system services only), CPU', value: idle.bare, unit: 'cores', target: `${IDLE.seconds} s, all threads (process.cpuUsage)` },
    { metric: `idle runtime with ${IDLE.services} idle Lua services, CPU`, value: idle.services, unit: 'cores' },
    { metric: `one cross-worker Lua call every ${IDLE.pacedCs * 10} ms, CPU`, value: idle.paced, unit: 'cores', target: `${idle.pacedCalls} calls in ${fmt(idle.pacedMs)} ms` },
  ];
  for (const s of scaling) {
    const one = scaling.find((x) => x.workers === 1 && x.mode === s.mode)!;
    rows.push({
      metric: `${PAIRS} Lua pairs (${s.mode === 'split' ? 'each pair across workers' : 'server spawned by its client'}), ${s.workers} worker(s)`,
      value: s.rate,
      unit: `calls/s (host busy ${(s.hostBusy * 100).toFixed(1)}%, ${fmt(s.cores)} cores)`,
      baseline: one.rate,
      target: s.workers === 1 ? 'baseline: 1 worker' : 'grows with workers',
    });
  }
  for (const us of SPINS) {
    const s = spin[us]!;
    // Spinning on: the floor is the spinning ping-pong; off: workers sleep in waitAsync, and so does that floor.
    const fl = us > 0 ? f.spin.p50 : f.waitAsync.p50;
    const flName = us > 0 ? 'spinning floor' : 'waitAsync floor';
    const vs = (v: number) => `baseline: ${flName}; ${against(v, [['postMessage', b.p50], ['sleeping floor', f.wait.p50]])}`;
    rows.push(
      { metric: `spin ${us}: Lua cross-worker RTT p50 / p99`, value: s.lua.stats.p50, unit: `us / ${fmt(s.lua.stats.p99)}`, baseline: fl, target: vs(s.lua.stats.p50) },
      { metric: `spin ${us}: TS cross-worker RTT p50 / p99`, value: s.ts.stats.p50, unit: `us / ${fmt(s.ts.stats.p99)}`, baseline: fl, target: vs(s.ts.stats.p50) },
      { metric: `spin ${us}: round p50s Lua | TS`, value: NaN, unit: `${s.lua.rounds.map(fmt).join(', ')} | ${s.ts.rounds.map(fmt).join(', ')} us` },
      { metric: `spin ${us}: CPU cores busy (Lua / TS run)`, value: s.lua.cores ?? NaN, unit: `cores / ${fmt(s.ts.cores)}` },
    );
  }
  console.log();
  printTable(rows);
  console.log(`\nbaseline CPU during its RTT run: ${fmt(base.rtt.cores)} cores; runtime start: ${SPINS.map((s) => `${fmt(spin[s]!.startMs)} ms`).join(', ')}`);
  const ltask = (() => {
    try {
      const r = JSON.parse(readFileSync(new URL('./results/native-ltask.json', import.meta.url), 'utf8')) as { date: string; machine: { cpu?: string; cores: number } };
      return `bench/results/native-ltask.json of ${r.date.slice(0, 10)} (${r.machine.cores} cores, ${r.machine.cpu ?? 'unknown cpu'})`;
    } catch {
      return 'no result committed yet';
    }
  })();
  console.log(`native ltask against this runtime in one run: npm run bench:ltask (last: ${ltask})`);
  console.log(`heap: gc ${m.spawn.gc ? 'on' : 'OFF (run with --expose-gc)'}, ${fmt(m.spawn.heapBefore / 1048576)} MiB before, ${fmt(m.spawn.heapAfter / 1048576)} MiB after ${N.spawns} services, ${fmt(m.spawn.heapAfterKill / 1048576)} MiB after killing them`);

  const cpus = os.cpus();
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    machine: { platform: os.platform(), release: os.release(), arch: os.arch(), cpu: cpus[0]?.model, cores: cpus.length, memGiB: os.totalmem() / 2 ** 30, loadavg: os.loadavg() },
    config: { scale: SCALE, workers: WORKERS, scalingWorkers: argWorkers, pairs: PAIRS, pairCalls: PAIR_CALLS, pingpong: PINGPONG, spins: SPINS, counts: N, payloadBytes: PAYLOAD.length, queueLimit: QUEUE_LIMIT, gc: m.spawn.gc },
    durationS: (performance.now() - began) / 1000,
    rows: rows.map((r) => ({ ...r, ratio: r.baseline ? r.value / r.baseline : undefined })),
    baseline: base,
    floors,
    idle,
    pingpong: pp,
    scaling,
    spin,
    main,
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('runtime.json', dir), JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote bench/results/runtime.json (${out.durationS.toFixed(1)} s)`);
}

await main();
