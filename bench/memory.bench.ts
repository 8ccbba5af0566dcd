/**
 * `npm run bench:memory`: what short Lua strings cost, and what a Lua
 * service's memory estimate costs to read.
 *
 * - The VM: a fengari state (this repository's copy, patched as the runtime
 *   runs it) keeps 100,000 values in a table: numbers (the baseline), then
 *   short strings made by `tostring(i)`, `"key" .. i` and
 *   `string.format("npc_%d", i)`. Each case runs in a fresh Node process; after
 *   a full collection the JS heap and the RSS above that process's empty state
 *   are read, and the strings' cases are reported above the numbers'. Beside
 *   them, for the same 100,000 values in plain JS: a number array, one
 *   `Uint8Array` per string (what fengari keeps), and JS strings.
 * - The runtime: a Lua service holding 100,000 short strings (built by
 *   messages of 5,000) against an empty one in the same runtime: the time of
 *   `collectgarbage("count")` (1,000 in one handler) and of
 *   `collectgarbage("collect")` (a walk of what the service reaches), and the
 *   estimate against the JS heap the strings took.
 *
 * Uses the built package (`npm run build:packages`).
 *   node bench/run.mjs bench/memory.bench.ts [--runs N]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { startRuntime } from '@ltask-web/plugin-ltask';
import { printTable, stats, type Row } from './report.ts';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const RUNS = arg('runs', 3);
const N = 100_000;
const MiB = 1024 * 1024;

/** Lua fills `keep` with N values of one make. */
const LUA: Record<string, string> = {
  numbers: 'for i = 1, N do keep[i] = i + 0.5 end',
  'tostring(i)': 'for i = 1, N do keep[i] = tostring(i) end',
  '"key" .. i': 'for i = 1, N do keep[i] = "key" .. i end',
  'string.format("npc_%d", i)': 'for i = 1, N do keep[i] = string.format("npc_%d", i) end',
};
/** The same values in plain JS, for where fengari's cost goes. */
const JS: Record<string, string> = {
  'JS: numbers': 'for (let i = 1; i <= N; i++) keep.push(i + 0.5);',
  'JS: Uint8Array per string': 'for (let i = 1; i <= N; i++) keep.push(Uint8Array.from(Buffer.from("key" + i)));',
  'JS: one Uint8Array view of a shared slab per string': 'const slab = new Uint8Array(N * 10); for (let i = 1; i <= N; i++) keep.push(slab.subarray(i * 10 - 10, i * 10 - 2));',
  'JS: strings': 'for (let i = 1; i <= N; i++) keep.push(("key" + i).split("").join(""));',
};

/** One case in a fresh process: JS heap and RSS (bytes) above the same process before it, after full collections. */
function measure(fill: string, lua: boolean): { heap: number; rss: number } {
  const script = `
    const N = ${N};
    const settle = () => { for (let i = 0; i < 4; i++) gc(); return process.memoryUsage(); };
    let keep = [];
    ${lua ? `const { lua, lauxlib, lualib, to_luastring } = require('fengari');
    const L = lauxlib.luaL_newstate(); lualib.luaL_openlibs(L);
    const run = (s) => { if (lauxlib.luaL_dostring(L, to_luastring(s)) !== 0) throw new Error(lua.lua_tojsstring(L, -1)); };
    run('keep = {} N = ${N}');` : ''}
    const a = settle();
    ${lua ? `run(${JSON.stringify(fill)});` : fill}
    const b = settle();
    console.log(JSON.stringify({ heap: b.heapUsed - a.heapUsed, rss: b.rss - a.rss, kept: ${lua ? 'true' : 'keep.length'} }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { heap: number; rss: number };
}

const median = (xs: number[]) => stats(xs).p50;
const runCases = (cases: Record<string, string>, lua: boolean) =>
  Object.entries(cases).map(([name, fill]) => {
    const m = Array.from({ length: RUNS }, () => measure(fill, lua));
    return { name, heap: median(m.map((x) => x.heap)), rss: median(m.map((x) => x.rss)) };
  });

const t0 = performance.now();
const vm = runCases(LUA, true);
const js = runCases(JS, false);
const base = vm[0]!;
const jsBase = js[0]!;
const vmRows: Row[] = [];
for (const c of vm.slice(1)) {
  vmRows.push({ metric: `${c.name}: JS heap above numbers`, value: (c.heap - base.heap) / MiB, unit: 'MiB', target: `${Math.round((c.heap - base.heap) / N)} B per string` });
  vmRows.push({ metric: `${c.name}: RSS above numbers`, value: (c.rss - base.rss) / MiB, unit: 'MiB', target: '<= 20 MB (issue target)' });
}
vmRows.push({ metric: 'numbers (the baseline): JS heap', value: base.heap / MiB, unit: 'MiB', target: 'above an empty state' });
for (const c of js.slice(1)) {
  vmRows.push({ metric: `${c.name}: heap above JS numbers`, value: (c.heap - jsBase.heap) / MiB, unit: 'MiB', target: `${Math.round((c.heap - jsBase.heap) / N)} B each; RSS ${((c.rss - jsBase.rss) / MiB).toFixed(1)} MiB` });
}

// ---- the runtime: collectgarbage("count") and the walk in a service holding N strings
const rt = await startRuntime({ workers: 1, servicePath: 'test/fixtures/lua/?.lua', runawayMs: 0, watchdogMs: 120_000 });
const empty = await rt.spawn('strings');
const full = await rt.spawn('strings');
for (let n = 0; n < N; n += 5_000) await rt.call(full, 'add', 5_000);
/** ms per `collectgarbage(what)` in `addr`, timed from the host (one message's round trip included, shared by the 1,000 counts). */
const timeIt = async (addr: number, times: number, call: 'count' | 'collect') => {
  const t = performance.now();
  await rt.call(addr, call === 'count' ? 'count' : 'collect', ...(call === 'count' ? [times] : []));
  return (performance.now() - t) / (call === 'count' ? times : 1);
};
const countMs: number[] = [];
const countEmptyMs: number[] = [];
const walkMs: number[] = [];
const walkEmptyMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  countEmptyMs.push(await timeIt(empty, 1000, 'count'));
  countMs.push(await timeIt(full, 1000, 'count'));
  walkEmptyMs.push(await timeIt(empty, 1, 'collect'));
  walkMs.push(await timeIt(full, 1, 'collect'));
}
const estimateKiB = (await rt.call<number>(full, 'collect')) - (await rt.call<number>(empty, 'collect'));
await rt.stop();

const rtRows: Row[] = [
  { metric: 'collectgarbage("count"), 100,000 strings held (per call, 1,000 in one message)', value: median(countMs) * 1000, unit: 'us', baseline: median(countEmptyMs) * 1000, target: '<= 1 ms; baseline: an empty service' },
  { metric: 'collectgarbage("collect") (the walk), 100,000 strings held', value: median(walkMs), unit: 'ms', baseline: median(walkEmptyMs), target: 'one message; baseline: an empty service' },
  { metric: 'the estimate above an empty service, 100,000 strings held', value: estimateKiB / 1024, unit: 'MiB', target: 'the JS heap: see the VM table' },
];

const load = os.loadavg()[0]!.toFixed(2);
console.log(`\nfengari, 100,000 values kept in a Lua table, median of ${RUNS} fresh processes each (Node ${process.version}, load ${load}, ${new Date().toISOString().slice(0, 10)})\n`);
printTable(vmRows, 'note');
console.log(`\na Lua service through the runtime (1 worker), median of ${RUNS}\n`);
printTable(rtRows);
console.error(`[bench] ${((performance.now() - t0) / 1000).toFixed(1)} s`);
