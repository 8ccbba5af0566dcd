/**
 * Large messages: MB/s of a list of records `{id, x, y, name, tags}` (the
 * shape of a level's entity list or a save game) through the codec and
 * through the runtime, against JSON.stringify / JSON.parse of the same rows in
 * the same run. Run with `npm run bench:messages` (BENCH_ROWS=n rows, default
 * 100,000; `--before REF` also times the codec at git commit REF in the same
 * run).
 *
 * - codec: in this thread. "into Lua" is pushLua (payload to a fengari
 *   state's tables), "out of Lua" encodeLua; "JS decode / encode" is what a
 *   TypeScript service and the host do. MB/s are of the rows' JSON size.
 * - runtime: the host sends the rows to a service on worker 0 (`keep`: it
 *   answers the count) and asks them back (`give`): the host's encode, the
 *   move to the worker, the service's decode; and the reverse. Also: the
 *   workers replaced meanwhile (must be 0).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fengari from 'fengari';
import { startRuntime } from '@ltask-web/plugin-ltask';
import { runtimeInternals, encode, decode, pushLua, encodeLua } from '@ltask-web/plugin-ltask/internal';
import { printTable, type Row } from './report.ts';

const { lua, lauxlib, lualib } = fengari;
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const REPS = 3;
const beforeAt = process.argv.indexOf('--before');
const BEFORE = beforeAt >= 0 ? process.argv[beforeAt + 1]! : null;

const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i, x: i * 0.5 + 0.25, y: (i % 1000) * 1.5, name: `row${i}`, tags: [`t${i % 7}`, 'all'] }));
const MB = JSON.stringify(rows).length / 1e6;

/** The codec this tree builds (the package's internal entry). */
const now = { encode, decode, pushLua, encodeLua };
type Codec = typeof now;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
function time(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** The codec of commit `ref`, written under .scratch (it imports fengari from this repository). */
async function codecAt(ref: string): Promise<Codec> {
  const dir = join(process.cwd(), '.scratch', 'messages-before', ref.replace(/[^\w.-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  const ls = spawnSync('git', ['ls-tree', '--name-only', `${ref}:plugin-ltask/src/wire/codec`], { encoding: 'utf8' });
  if (ls.status !== 0) throw new Error(`[bench] --before ${ref}: ${ls.stderr}`);
  for (const f of ls.stdout.split('\n').filter(Boolean)) {
    writeFileSync(join(dir, f), spawnSync('git', ['show', `${ref}:plugin-ltask/src/wire/codec/${f}`], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout);
  }
  return (await import(pathToFileURL(join(dir, 'index.ts')).href)) as Codec;
}

/** Median ms of each codec step over the rows. */
function codecTimes(c: Codec): Record<string, number> {
  const L = lauxlib.luaL_newstate()!;
  lualib.luaL_openlibs(L);
  const payload = c.encode([rows], 1 << 30);
  const t: Record<string, number[]> = { jsEncode: [], jsDecode: [], intoLua: [], outOfLua: [] };
  for (let i = 0; i < REPS; i++) {
    t.jsEncode!.push(time(() => c.encode([rows], 1 << 30)));
    t.jsDecode!.push(time(() => c.decode(payload)));
    t.intoLua!.push(time(() => c.pushLua(L, payload)));
    t.outOfLua!.push(time(() => c.encodeLua(L, 1, lua.lua_gettop(L), 1 << 30)));
    lua.lua_settop(L, 0);
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
}

/** Median ms of the rows to a service on worker 0 and back, and the workers replaced. */
async function runtimeTimes(): Promise<{ lua: [number, number]; ts: [number, number]; replaced: number }> {
  const r = await startRuntime({
    workers: 2,
    runawayMs: 0,
    servicePath: 'test/fixtures/lua/?.lua',
    services: { tsrows: new URL('./services/rows.ts', import.meta.url).href },
  });
  try {
    const out: Record<string, [number, number]> = {};
    // 'rows': test/fixtures/lua/rows.lua; 'tsrows': bench/services/rows.ts.
    for (const [kind, name] of [['lua', 'rows'], ['ts', 'tsrows']] as const) {
      const addr = await r.spawnService({ name, worker_id: 0 });
      const into: number[] = [];
      const back: number[] = [];
      for (let i = 0; i < REPS; i++) {
        let t0 = performance.now();
        await r.call(addr, 'keep', rows);
        into.push(performance.now() - t0);
        t0 = performance.now();
        await r.call(addr, 'give');
        back.push(performance.now() - t0);
      }
      out[kind] = [median(into), median(back)];
    }
    return { lua: out.lua!, ts: out.ts!, replaced: runtimeInternals(r).replacedWorkers };
  } finally {
    await r.stop();
  }
}

const load0 = os.loadavg();
const json = JSON.stringify(rows);
const stringify = median(Array.from({ length: REPS }, () => time(() => JSON.stringify(rows))));
const parse = median(Array.from({ length: REPS }, () => time(() => JSON.parse(json))));
const mbs = (ms: number) => MB / (ms / 1000);
const after = codecTimes(now);
const before = BEFORE ? codecTimes(await codecAt(BEFORE)) : null;
const rt = await runtimeTimes();

const table: Row[] = [
  { metric: 'JSON.stringify of the rows (baseline)', value: mbs(stringify), unit: 'MB/s' },
  { metric: 'JSON.parse of the rows (baseline)', value: mbs(parse), unit: 'MB/s' },
];
const steps: [string, string, number][] = [
  ['codec: JS encode (a TypeScript service or the host sends)', 'jsEncode', stringify],
  ['codec: JS decode (a TypeScript service or the host receives)', 'jsDecode', parse],
  ['codec: into Lua (pushLua: a Lua service receives)', 'intoLua', parse],
  ['codec: out of Lua (encodeLua: a Lua service sends)', 'outOfLua', stringify],
];
for (const [metric, k, base] of steps) {
  table.push({ metric, value: mbs(after[k]!), unit: 'MB/s', baseline: mbs(base), target: 'vs JSON of the same rows' });
  if (before) table.push({ metric: `${metric}, at ${BEFORE}`, value: mbs(before[k]!), unit: 'MB/s', baseline: mbs(after[k]!), target: 'vs now' });
}
table.push(
  { metric: 'runtime: host -> Lua service on worker 0', value: mbs(rt.lua[0]), unit: 'MB/s', baseline: mbs(parse), target: 'vs JSON.parse' },
  { metric: 'runtime: Lua service on worker 0 -> host', value: mbs(rt.lua[1]), unit: 'MB/s', baseline: mbs(parse), target: 'vs JSON.parse' },
  { metric: 'runtime: host -> TypeScript service on worker 0', value: mbs(rt.ts[0]), unit: 'MB/s', baseline: mbs(parse), target: 'vs JSON.parse' },
  { metric: 'runtime: TypeScript service on worker 0 -> host', value: mbs(rt.ts[1]), unit: 'MB/s', baseline: mbs(parse), target: 'vs JSON.parse' },
  { metric: 'runtime: workers replaced meanwhile', value: rt.replaced, unit: '', target: 'must be 0' },
);
console.log(`\n${ROWS.toLocaleString('en-US')} rows, ${MB.toFixed(1)} MB as JSON; medians of ${REPS}; load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
printTable(table);
