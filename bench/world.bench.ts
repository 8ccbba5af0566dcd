/**
 * `npm run bench:world`: the world bridge under load. N Lua services move M
 * entities each on the App's clock (`world.on_tick` + `world.set`), against
 * the same-run baseline of today's request/snapshot pattern (the services
 * `ltask.send` their positions to a director, the App polls it with one
 * `Ltask.request` in flight and copies them into Transform), and the scene
 * without services. Twice: in Node (headless App, frames on a 60 Hz timer)
 * and in Chromium on a production build (vite build + vite preview of
 * bench/world/). Then the cost of a Lua `world.set` / `world.get` against a
 * local table write / read. The scenario: bench/world/scenario.ts.
 * Prints tables; writes bench/results/world.json.
 *   node bench/run.mjs bench/world.bench.ts [--services N] [--per M] [--seconds S] [--warmup S]
 *     [--micro N] [--reps N] [--workers N] [--only node|chromium] [--full] [--out FILE.json]
 * `--full` (or BENCH_WORLD=full): 500 services x 20 entities, 10 s per phase.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance as perf } from 'node:perf_hooks';
import { build, preview } from 'vite';
import { App, MinimalPlugins } from '@ltask-web/engine';
import { summarize } from '@ltask-web/engine/testing';
import { Ltask } from '@ltask-web/plugin-ltask/engine';
import { launchChromium } from '../test/support/chromium.ts';
import { fmt, printTable, type Row } from './report.ts';
import { WorldBench, worldBenchPlugin, type WorldBenchOptions, type WorldBenchReport } from './world/scenario.ts';

const argv = process.argv;
const full = argv.includes('--full') || process.env.BENCH_WORLD === 'full';
const arg = (k: string, d: number) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const o: WorldBenchOptions = {
  services: arg('services', full ? 500 : 100),
  perService: arg('per', 20),
  seconds: arg('seconds', full ? 10 : 5),
  warmup: arg('warmup', full ? 3 : 2),
  workers: arg('workers', 2),
  microOps: arg('micro', 50_000),
  microReps: arg('reps', 5),
};
const started = performance.now();
const load0 = loadavg();

/** Frames on a 60 Hz timer (drift-corrected), each `update` with the real time since the last. */
function drive(app: App): () => void {
  let stopped = false;
  let last = performance.now();
  let next = last;
  const step = () => {
    if (stopped) return;
    const now = performance.now();
    app.update((now - last) / 1000);
    last = now;
    next = Math.max(next + 1000 / 60, now);
    setTimeout(step, Math.max(0, next - performance.now()));
  };
  setTimeout(step, 0);
  return () => (stopped = true);
}

async function inNode(): Promise<WorldBenchReport> {
  const app = new App().addPlugins(MinimalPlugins, worldBenchPlugin(o));
  const bench = new WorldBench(app, o, () => perf.eventLoopUtilization().active);
  bench.spawnScene();
  await app.ready();
  const stop = drive(app);
  try {
    return await bench.run((p) => console.error(`node: ${p}`));
  } finally {
    stop();
    const lt = app.resource(Ltask);
    app.exit();
    await lt.stop();
  }
}

async function inChromium(): Promise<WorldBenchReport & { browser: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'ltask-world-'));
  await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true, rolldownOptions: { input: { world: 'bench/world/index.html' } } } });
  const server = await preview({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
    page.on('console', (m) => m.type() === 'error' && console.error(`page: ${m.text()}`));
    const q = `services=${o.services}&per=${o.perService}&seconds=${o.seconds}&warmup=${o.warmup}&workers=${o.workers}&micro=${o.microOps}&reps=${o.microReps}`;
    await page.goto(new URL(`bench/world/index.html?${q}`, server.resolvedUrls!.local[0]!).href);
    const limit = 120_000 + 4 * (o.seconds + o.warmup) * 3000 + o.services * 200;
    const h = await page.waitForFunction(() => (globalThis as { worldReport?: unknown }).worldReport, null, { timeout: limit, polling: 500 });
    const r = (await h.jsonValue()) as WorldBenchReport;
    if (r.error) throw new Error(`page: ${r.error}`);
    return { ...r, browser: browser.version() };
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
    rmSync(outDir, { recursive: true, force: true });
  }
}

const phase = (r: WorldBenchReport, name: string) => r.phases.find((p) => p.name === name)!;
const pct = (s: { p50: number; p99: number; max: number }) => [s.p50, s.p99, s.max] as const;
const three = (metric: string, unit: string, v: readonly number[], b: readonly number[] | undefined, target?: string): Row[] =>
  (['p50', 'p99', 'max'] as const).map((k, i) => ({ metric: `${metric} ${k}`, value: v[i]!, unit, baseline: b?.[i], target: k === 'p99' ? target : undefined }));

/** The table of one environment: the world bridge, against the request/snapshot baseline (or the scene alone). */
function rows(r: WorldBenchReport): Row[] {
  const w = phase(r, 'world');
  const b = phase(r, 'baseline');
  const scenes = r.phases.filter((p) => p.name === 'scene');
  const without = summarize(scenes.flatMap((p) => p.intervals));
  const e = r.entities;
  // No director reply in the window: the baseline moved nothing, its apply and latency figures do not exist.
  const bMoved = b.replies > 0;
  const copyNs = bMoved ? (b.copy.mean * b.copy.count * 1e6) / (b.replies * e) : undefined;
  const out: Row[] = [
    ...three('main-thread apply per frame', 'ms', pct(w.apply), bMoved ? pct(b.copy) : undefined, '<= 1 ms'),
    { metric: 'commands applied per frame p50 (baseline: entities copied per reply)', value: w.commands.p50, unit: 'cmds', baseline: bMoved ? e : undefined },
    { metric: `main-thread ns per entity write (apply / copy)`, value: w.applyNsPerCommand, unit: 'ns', baseline: copyNs, target: `${fmt((w.applyNsPerCommand * e) / 1e6)} ms per frame at ${e.toLocaleString('en-US')} writes` },
    ...three('snapshot publish per frame', 'ms', pct(w.publish), pct(b.publish)),
    ...three('waking a sleeping worker, after the frame (per wake-up)', 'ms', pct(w.wake), pct(b.wake)),
    { metric: 'main-thread frame CPU p50 (First..Last)', value: w.cpu.p50, unit: 'ms', baseline: b.cpu.p50 },
    { metric: 'main-thread frame CPU p99', value: w.cpu.p99, unit: 'ms', baseline: b.cpu.p99 },
  ];
  if (w.busyPerFrame !== null && b.busyPerFrame !== null) {
    out.push({ metric: 'main thread busy per frame (all work, event-loop utilisation)', value: w.busyPerFrame, unit: 'ms', baseline: b.busyPerFrame });
  }
  out.push(
    ...three('write -> rendered frame', 'frames', pct(w.latencyStats), bMoved ? pct(b.latencyStats) : undefined, '1 (the next frame)'),
    { metric: `entity updates applied per second (of ${e.toLocaleString('en-US')} x 60)`, value: w.updatesPerSecond, unit: '/s', baseline: b.updatesPerSecond || undefined, target: `${(e * 60).toLocaleString('en-US')}/s` },
    ...three('service tick gap', 'ms', pct(w.tickGaps), pct(b.tickGaps), '16.7 ms (every frame)'),
    { metric: 'ticks per service per second', value: w.tickRate, unit: '/s', baseline: b.tickRate, target: '60' },
    ...three('frame interval with the world movers (baseline: no services)', 'ms', pct(w.interval), pct(without), 'within noise'),
    ...three('frame interval with the request/snapshot movers (baseline: no services)', 'ms', pct(b.interval), pct(without)),
    { metric: 'frames with a torn (px, py, pz) in the App', value: w.tornFrames, unit: 'frames', baseline: b.tornFrames, target: '0' },
    { metric: `torn triples read by services (of ${w.serviceReads.toLocaleString('en-US')} reads)`, value: w.serviceTorn, unit: 'reads', target: '0' },
    { metric: 'snapshots skipped (every spare buffer held)', value: w.skipped, unit: 'frames', baseline: b.skipped },
    { metric: 'steps that waited for room in a full command ring', value: w.ringFull, unit: 'steps' },
    { metric: 'baseline only: director snapshots applied', value: b.replies, unit: 'replies' },
    { metric: 'baseline only: director snapshot round trip p50', value: bMoved ? b.replyMs.p50 : NaN, unit: 'ms' },
    { metric: 'baseline only: director snapshot round trip p99', value: bMoved ? b.replyMs.p99 : NaN, unit: 'ms' },
    { metric: 'baseline only: position sends refused (director queue full)', value: b.sendFailures, unit: 'sends' },
    { metric: 'baseline only: director snapshot requests failed', value: b.replyErrors, unit: 'requests', target: b.replyError?.slice(0, 60) },
  );
  return out;
}

/** ns per Lua operation: the world's call against the local table's. */
function microRows(r: WorldBenchReport): Row[] {
  const m = r.micro;
  return [
    { metric: 'world.set(id, "Transform", "px", v)  vs  t.px = v', value: m.world_set, unit: 'ns/op', baseline: m.local_set },
    { metric: 'world.get(id, "Transform", "px")  vs  t.px', value: m.world_get, unit: 'ns/op', baseline: m.local_get },
    { metric: 'world.set(id, "Transform", {px, py, pz})  vs  3 local writes', value: m.world_set3, unit: 'ns/op', baseline: m.local_set3 },
    { metric: 'world.get(id, "Transform").px  vs  t.px', value: m.world_get_table, unit: 'ns/op', baseline: m.local_get },
    { metric: 'reads of the probe\'s live entity that found none', value: m.misses, unit: 'reads', target: m.miss_seen ?? '0' },
  ];
}

function print(label: string, r: WorldBenchReport): void {
  const w = phase(r, 'world');
  console.log(`\n${label}: ${o.services} Lua services x ${o.perService} entities = ${r.entities.toLocaleString('en-US')} entities, ${o.workers} workers, ${o.seconds} s per phase (${w.frames} frames)`);
  console.log('baseline: the same entities moved by the request/snapshot pattern in the same run (frame interval rows: the scene without services)\n');
  printTable(rows(r));
  console.log(`\n${label}: Lua, one service, best of ${o.microReps} runs of ${o.microOps.toLocaleString('en-US')} (loop included)\n`);
  printTable(microRows(r), 'note');
}

const results: { node?: WorldBenchReport; chromium?: WorldBenchReport & { browser: string } } = {};
if (only !== 'chromium') {
  results.node = await inNode();
  print('Node', results.node);
}
if (only !== 'node') {
  results.chromium = await inChromium();
  print(`Chromium ${results.chromium.browser} (production build, software WebGL)`, results.chromium);
}

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const out = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, browser: results.chromium?.browser, loadavgBefore: load0, loadavgAfter: loadavg() },
  options: { ...o, full },
  node: results.node && { rows: rows(results.node), micro: microRows(results.node), report: results.node },
  chromium: results.chromium && { rows: rows(results.chromium), micro: microRows(results.chromium), report: results.chromium },
  durationS: (performance.now() - started) / 1000,
};
const outArg = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined;
const file = outArg ?? (full ? 'world-full.json' : 'world.json');
writeFileSync(new URL(file, dir), JSON.stringify(out, null, 2) + '\n');
console.log(`\nload average (1 min) before / after: ${load0[0]!.toFixed(2)} / ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);
console.log(`wrote bench/results/${file} (${out.durationS.toFixed(1)} s)`);
process.exit(0);
