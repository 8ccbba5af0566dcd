/**
 * Native-module bench: the bridge (carrier -> Lua service -> carrier) and the
 * three libraries through it, against baselines measured in the same run. Run
 * with `npm run bench:native` (= node bench/run.mjs bench/native.bench.ts).
 *
 * - Callback round trip: bench_rtt (services/native/rtt.ts) calls a Lua callback
 *   N times and times each call on the carrier; the callback answers 64 B, 4 KiB
 *   or 1 MiB of bytes. Two floors (floors.ts, services/floor-worker.mjs): two
 *   plain worker_threads, one waiting until the other copies the same bytes into
 *   a SharedArrayBuffer, both ends polling 50 us before they sleep (the
 *   baseline column: the way the carrier and the home worker wait) and both
 *   sleeping in Atomics.wait at once (the sleeping floor, a futex wake each way).
 * - Read throughput: a native function reads a 16 MiB file of the io memory
 *   backend in ranges through a callback that calls io; baseline: the same reads
 *   made by the Lua service itself (no carrier).
 * - Libraries: gltfpack, sqlite and ink called from a Lua service through the
 *   bridge (io memory backend, latency 0), each call timed in Lua; baseline: the
 *   same module functions called directly in this thread with in-memory
 *   callbacks (as test/game/natives does), measured before the runtime starts.
 *   bridge share = (bridge - direct) / bridge, on the p50s.
 *
 * `BENCH_NATIVE_COMPARE=DIR[,DIR...]` (copies of plugin-ltask, each built with
 * `node scripts/build-package.mjs DIR`, e.g. from `git archive` of two commits;
 * `-` is this tree's plugin-ltask/dist) runs only the short library cases and
 * the call without callbacks with each build, one fresh runtime each, taking
 * turns over `BENCH_ROUNDS` rounds (default 3), and prints each build's bridge
 * share per round against the same direct baseline: before and after from one
 * run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import gltfpack from '../game/natives/gltfpack.ts';
import sqlite from '../game/natives/sqlite.ts';
import ink from '../game/natives/ink.ts';
import { fmt, printTable, stats, type Row, type Stats } from './report.ts';
import { against, floorRtt } from './floors.ts';

// ------------------------------------------------------------------ settings

/** BENCH_SCALE=0.2 for a quick smoke run; 1 is the reported configuration. */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const n = (x: number) => Math.max(5, Math.round(x * SCALE));
const SIZES = [64, 4096, 1 << 20];
const RTT_N: Record<number, number> = { 64: n(3000), 4096: n(3000), [1 << 20]: n(200) };
const N = { calls: n(2000), readRounds: 3, lib: n(200), libSlow: n(40) };
const BIG = 16 << 20;
const CHUNKS = [64 << 10, 1 << 20];
const WORKERS = 2;
/** Bridge share targets (%), by library case. */
const SHARE_TARGET: Record<string, number> = { gltf: 25, sql_new: 40, sql_cached: 20 };

const watchdog = setTimeout(() => {
  console.error('[bench] watchdog: the bench took over 300 s; giving up');
  process.exit(1);
}, 300_000);
watchdog.unref();


// ------------------------------------------------------------------ files

const PUBLIC = new URL('../public/', import.meta.url);
const ASSETS = [
  'assets/scene/scene.gltf',
  'assets/scene/scene.bin',
  'assets/scene/checker.png',
  'assets/models/crate.obj',
  'assets/models/crate.mtl',
  'assets/models/crate.png',
  'assets/levels.db',
  'assets/dialogue/main.ink',
  'assets/dialogue/characters.ink',
  'assets/dialogue/chapters/tavern.ink',
];
const files = new Map<string, Uint8Array>(ASSETS.map((p) => [p, new Uint8Array(readFileSync(new URL(p, PUBLIC)))]));
const big = new Uint8Array(BIG).map((_, i) => (i * 2654435761) >>> 24);

// ------------------------------------------------------------------ baseline: libraries in this thread

const read = (p: string) => files.get(p) ?? null;
const db = files.get('assets/levels.db')!;
const range = { read: (_p: string, offset: number, length: number) => db.subarray(offset, offset + length) };
const BY_NAME = 'SELECT * FROM levels WHERE name = ?';

interface Case {
  key: string;
  label: string;
  callbacks: string;
  runs: number;
  direct: (i: number) => unknown;
}

const CASES: Case[] = [
  { key: 'gltf', label: 'gltfpack scene.gltf -> glb', callbacks: '3', runs: N.lib, direct: () => gltfpack.functions.pack(['-i', 'assets/scene/scene.gltf', '-o', 'o.glb'], { read }) },
  { key: 'gltf_c', label: 'gltfpack scene.gltf -> glb -c', callbacks: '3', runs: N.lib, direct: () => gltfpack.functions.pack(['-i', 'assets/scene/scene.gltf', '-o', 'o.glb', '-c'], { read }) },
  { key: 'obj', label: 'gltfpack crate.obj -> glb', callbacks: '3', runs: N.lib, direct: () => gltfpack.functions.pack(['-i', 'assets/models/crate.obj', '-o', 'o.glb'], { read }) },
  { key: 'sql_new', label: 'sqlite point query, new connection', callbacks: '7', runs: N.lib, direct: () => sqlite.functions.query('assets/levels.db', BY_NAME, ['old-bridge-1234'], range, { cache: false }) },
  { key: 'sql_cached', label: 'sqlite point query, cached connection', callbacks: '0', runs: N.lib, direct: () => sqlite.functions.query('assets/levels.db', BY_NAME, ['old-bridge-1234'], range) },
  { key: 'sql_id', label: 'sqlite query by id, cached, varying rows', callbacks: '~1', runs: N.lib, direct: (i) => sqlite.functions.query('assets/levels.db', 'SELECT * FROM levels WHERE id = ?', [1 + ((i * 7919) % 2000)], range) },
  { key: 'ink', label: 'ink compile main.ink (+2 INCLUDEs)', callbacks: '3', runs: N.libSlow, direct: () => ink.functions.compile('assets/dialogue/main.ink', { read }) },
];

async function direct(c: Case): Promise<Stats> {
  // Warm-up: as many runs again, so both sides are measured with a warm JIT.
  for (let i = 0; i < c.runs; i++) await c.direct(10_000 + i);
  const t: number[] = [];
  for (let i = 1; i <= c.runs; i++) {
    const a = performance.now();
    await c.direct(i);
    t.push(performance.now() - a);
  }
  return stats(t);
}

// ------------------------------------------------------------------ bridge

const logs: string[] = [];

async function start(launch: typeof startRuntime = startRuntime): Promise<{ rt: Runtime; bench: number; ioWorker: number; benchWorker: number }> {
  const memory: Record<string, Uint8Array> = Object.fromEntries(files);
  memory['big.bin'] = big;
  const rt = await launch({
    workers: WORKERS,
    servicePath: 'bench/services/native/?.lua',
    natives: {
      bench_rtt: new URL('./services/native/rtt.ts', import.meta.url).href,
      gltfpack: new URL('../game/natives/gltfpack.ts', import.meta.url).href,
      sqlite: new URL('../game/natives/sqlite.ts', import.meta.url).href,
      ink: new URL('../game/natives/ink.ts', import.meta.url).href,
    },
    io: { backend: 'memory', files: memory },
    onLog: (e) => {
      logs.push(`[${e.level}] ${e.label}:${e.source} ${e.text}`);
      if (e.level === 'error') console.error(`[service ${e.label}:${e.source}] ${e.text}`);
    },
  });
  const bench = await rt.spawnService({ name: 'bridge_bench', worker_id: 1 });
  const rows = await rt.inspect();
  // The bench service's own queryservice "io" answers the io instance on its worker.
  const io = (await rt.inspect()).find((r) => r.label === 'io' && r.worker === 1)?.address;
  return { rt, bench, ioWorker: io === undefined ? -1 : 1, benchWorker: rows.find((r) => r.address === bench)!.worker };
}

async function rtt(rt: Runtime, bench: number, size: number, count: number): Promise<Stats> {
  await rt.call(bench, 'rtt', Math.ceil(count / 5), size); // warm-up
  return stats(await rt.call<number[]>(bench, 'rtt', count, size));
}

async function readRate(rt: Runtime, bench: number, how: 'read_native' | 'read_lua', chunk: number): Promise<{ mbs: number; rounds: number[] }> {
  await rt.call(bench, how, 'big.bin', BIG, chunk); // warm-up
  const rounds: number[] = [];
  for (let i = 0; i < N.readRounds; i++) {
    const r = await rt.call<{ bytes: number; ms: number }>(bench, how, 'big.bin', BIG, chunk);
    if (r.bytes !== BIG) throw new Error(`[bench] ${how}: read ${r.bytes} of ${BIG} bytes`);
    rounds.push(r.bytes / 1e6 / (r.ms / 1000));
  }
  return { mbs: [...rounds].sort((a, b) => a - b)[1]!, rounds };
}

async function bridged(rt: Runtime, bench: number, c: Case): Promise<{ wall: Stats; carrier: Stats }> {
  await rt.call(bench, 'lib', c.key, c.runs, 10_000); // warm-up (and carrier start)
  const [wall, carrier] = (await rt.callMulti(bench, 'lib', c.key, c.runs)) as [number[], number[]];
  return { wall: stats(wall), carrier: stats(carrier) };
}

// ------------------------------------------------------------------ report


const sizeName = (s: number) => (s >= 1 << 20 ? `${s >> 20} MiB` : s >= 1024 ? `${s >> 10} KiB` : `${s} B`);

// ------------------------------------------------------------------ two builds, one run

const COMPARE_CASES = ['gltf', 'sql_new', 'sql_cached', 'sql_id'];

async function compare(dirs: string[]): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const load0 = os.loadavg();
  const builds: [string, typeof startRuntime][] = [];
  for (const dir of dirs) {
    if (dir === '-') builds.push(['plugin-ltask/dist', startRuntime]);
    else builds.push([dir, ((await import(pathToFileURL(resolve(dir, 'dist/entries/index.js')).href)) as { startRuntime: typeof startRuntime }).startRuntime]);
  }
  await gltfpack.setup();
  await sqlite.setup();
  const cases = CASES.filter((c) => COMPARE_CASES.includes(c.key));
  const directs: Record<string, Stats> = {};
  for (const c of cases) directs[c.key] = await direct(c);
  const rows: Row[] = [];
  const out: Record<string, { call: Stats; libs: Record<string, Stats> }[]> = {};
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first: the machine's load drifts.
    for (const [label, launch] of r % 2 === 0 ? builds : [...builds].reverse()) {
      console.error(`[bench] round ${r + 1}/${rounds}: ${label}`);
      const { rt, bench } = await start(launch);
      const libs: Record<string, Stats> = {};
      let call: Stats;
      try {
        await rt.call(bench, 'calls', Math.ceil(N.calls / 5));
        call = stats(await rt.call<number[]>(bench, 'calls', N.calls));
        for (const c of cases) libs[c.key] = (await bridged(rt, bench, c)).wall;
        if (rt.serialViolations !== 0) throw new Error(`[bench] ${rt.serialViolations} serial violations`);
      } finally {
        await rt.stop();
      }
      (out[label] ??= []).push({ call, libs });
    }
  }
  for (const [label] of builds) {
    for (const [r, { call, libs }] of out[label]!.entries()) {
      rows.push({ metric: `${label} round ${r + 1}: native call, no callback, p50`, value: call.p50, unit: 'us' });
      for (const c of cases) {
        const br = libs[c.key]!;
        const d = directs[c.key]!;
        const share = (br.p50 - d.p50) / br.p50;
        rows.push({ metric: `  ${c.label} p50`, value: br.p50, unit: 'ms', baseline: d.p50, target: `bridge share ${(share * 100).toFixed(0)}%${SHARE_TARGET[c.key] ? ` (target <= ${SHARE_TARGET[c.key]}%)` : ''}` });
      }
    }
  }
  console.log();
  printTable(rows, 'target / note');
  console.log(`\nbaseline column: the library called directly in one thread; load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} after`);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const began = performance.now();
  const step = (what: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(1)}s] ${what}`);
  const load0 = os.loadavg();

  step('floors: shared-memory ping-pong between two worker_threads, spinning and sleeping');
  const floor: Record<number, Stats> = {};
  const sleeping: Record<number, Stats> = {};
  for (const s of SIZES) {
    floor[s] = await floorRtt('spin', s, RTT_N[s]!);
    sleeping[s] = await floorRtt('wait', s, RTT_N[s]!);
  }

  step('baseline: libraries called directly in this thread, fed from memory');
  await gltfpack.setup();
  await sqlite.setup();
  const directs: Record<string, Stats> = {};
  for (const c of CASES) directs[c.key] = await direct(c);

  step('runtime');
  const { rt, bench, ioWorker, benchWorker } = await start();
  const rtts: Record<number, Stats> = {};
  const reads: Record<string, { mbs: number; rounds: number[] }> = {};
  const bridges: Record<string, { wall: Stats; carrier: Stats }> = {};
  let calls: Stats;
  let ioRead: Stats;
  try {
    step('native call without callbacks');
    await rt.call(bench, 'calls', Math.ceil(N.calls / 5));
    calls = stats(await rt.call<number[]>(bench, 'calls', N.calls));
    for (const s of SIZES) {
      step(`callback round trips, ${sizeName(s)} answers`);
      rtts[s] = await rtt(rt, bench, s, RTT_N[s]!);
    }
    step('Lua -> io read calls, 4 KiB');
    await rt.call(bench, 'io_reads', Math.ceil(N.calls / 5), 'big.bin', 4096);
    ioRead = stats(await rt.call<number[]>(bench, 'io_reads', N.calls, 'big.bin', 4096));
    for (const chunk of CHUNKS) {
      step(`read throughput, ${sizeName(chunk)} ranges`);
      reads[`native_${chunk}`] = await readRate(rt, bench, 'read_native', chunk);
      reads[`lua_${chunk}`] = await readRate(rt, bench, 'read_lua', chunk);
    }
    for (const c of CASES) {
      step(`bridge: ${c.label}`);
      bridges[c.key] = await bridged(rt, bench, c);
    }
    if (rt.serialViolations !== 0) throw new Error(`[bench] ${rt.serialViolations} serial violations`);
  } finally {
    await rt.stop();
  }
  step('done');

  const rows: Row[] = [];
  for (const s of SIZES) {
    const f = floor[s]!;
    const z = sleeping[s]!;
    rows.push(
      { metric: `floor: spinning ping-pong ${sizeName(s)} p50 / p99`, value: f.p50, unit: `us / ${fmt(f.p99)}` },
      { metric: `floor: sleeping Atomics.wait ping-pong ${sizeName(s)} p50 / p99`, value: z.p50, unit: `us / ${fmt(z.p99)}`, target: s === SIZES[0] ? `one futex wake-up: ${fmt(z.p50 / 2)} us (half the p50)` : undefined },
    );
  }
  for (const s of SIZES) {
    const r = rtts[s]!;
    const f = floor[s]!;
    const z = sleeping[s]!;
    const goal = s === 4096 ? '<= 30 us p50 (a core free); ' : '';
    rows.push(
      { metric: `callback RTT carrier->Lua->carrier ${sizeName(s)} p50`, value: r.p50, unit: 'us', baseline: f.p50, target: goal + against(r.p50, [['sleeping floor', z.p50]]) },
      { metric: `callback RTT carrier->Lua->carrier ${sizeName(s)} p99`, value: r.p99, unit: 'us', baseline: f.p99, target: against(r.p99, [['sleeping floor', z.p99]]) },
    );
  }
  rows.push(
    { metric: 'native call, no callback, timed in Lua p50', value: calls.p50, unit: 'us', target: '<= 25 us; Lua -> home -> carrier -> home' },
    { metric: 'native call, no callback, timed in Lua p99', value: calls.p99, unit: 'us' },
  );
  rows.push(
    { metric: 'Lua -> io read 4 KiB call, timed in Lua p50', value: ioRead.p50, unit: 'us', target: 'the io part of each read callback' },
    { metric: 'Lua -> io read 4 KiB call, timed in Lua p99', value: ioRead.p99, unit: 'us' },
  );
  for (const chunk of CHUNKS) {
    rows.push({
      metric: `read via native callback -> io (${sizeName(chunk)} ranges)`,
      value: reads[`native_${chunk}`]!.mbs,
      unit: 'MB/s',
      baseline: reads[`lua_${chunk}`]!.mbs,
      target: 'baseline: the same reads from Lua',
    });
  }
  const shares: Record<string, number> = {};
  for (const c of CASES) {
    const br = bridges[c.key]!.wall;
    const inner = bridges[c.key]!.carrier;
    const d = directs[c.key]!;
    shares[c.key] = (br.p50 - d.p50) / br.p50;
    rows.push(
      { metric: `${c.label} p50 (${c.callbacks} callbacks)`, value: br.p50, unit: 'ms', baseline: d.p50, target: `bridge share ${(shares[c.key]! * 100).toFixed(0)}%${SHARE_TARGET[c.key] ? ` (target <= ${SHARE_TARGET[c.key]}%)` : ''}` },
      { metric: `  same, inside the carrier (library + callbacks) p50`, value: inner.p50, unit: 'ms', baseline: d.p50 },
      { metric: `${c.label} p99`, value: br.p99, unit: 'ms', baseline: d.p99 },
    );
  }
  console.log();
  printTable(rows, 'target / note');
  console.log(`\nbaseline column: the spinning ping-pong floor (RTT rows; the sleeping floor's ratio beside), Lua reading io directly (read rows), the library called directly in one thread (library rows)`);
  console.log(`placement: bench service on worker ${benchWorker}, io instance on worker ${ioWorker} (io runs one instance per worker that uses it); load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} after`);

  const cpus = os.cpus();
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    machine: { platform: os.platform(), release: os.release(), arch: os.arch(), cpu: cpus[0]?.model, cores: cpus.length, memGiB: os.totalmem() / 2 ** 30, loadavg: os.loadavg() },
    config: { scale: SCALE, workers: WORKERS, rttCounts: RTT_N, counts: N, bigFileBytes: BIG, chunks: CHUNKS, placement: { bench: benchWorker, io: ioWorker } },
    durationS: (performance.now() - began) / 1000,
    rows: rows.map((r) => ({ ...r, ratio: r.baseline ? r.value / r.baseline : undefined })),
    rtt: { bridge: rtts, spinningFloor: floor, sleepingFloor: sleeping, callNoCallback: calls, luaIoRead4k: ioRead },
    reads,
    libraries: Object.fromEntries(CASES.map((c) => [c.key, { label: c.label, callbacks: c.callbacks, bridge: bridges[c.key]!.wall, inCarrier: bridges[c.key]!.carrier, direct: directs[c.key], bridgeShare: shares[c.key] }])),
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('native.json', dir), JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote bench/results/native.json (${out.durationS.toFixed(1)} s)`);
}

if (process.env.BENCH_NATIVE_COMPARE) await compare(process.env.BENCH_NATIVE_COMPARE.split(','));
else await main();
