/**
 * `npm run bench:frames`: the frame-timing scenario in Chromium on a production
 * build (vite build + vite preview of bench/frames/): 8 loaders suspended on
 * 300 ms io reads (4 on the NPCs' worker, 4 beside it), 500 Lua NPC services
 * ticking at 10 Hz on worker 1, a watch ticker on each worker, a scene of 500
 * NPC meshes. The same-run baselines of what blocking costs run the same probe
 * library with synchronous reads (each waits the latency, then reads the same
 * file): `main` on the main thread (an Update system, one loader a frame),
 * `with` inline in loader services on the NPCs' worker, `beside` inline in
 * loader services on worker 0.
 * Prints a table; writes bench/results/frames.json.
 *   node bench/run.mjs bench/frames.bench.ts [--runs N] [--npcs N] [--loaders N] [--latency MS]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import type { FrameReport } from '@ltask-web/engine/testing';
import { launchChromium } from '../test/support/chromium.ts';
import { printTable, type Row } from './report.ts';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const o = { runs: arg('runs', 3), npcs: arg('npcs', 500), loaders: arg('loaders', 8), latency: arg('latency', 300), hz: 10 };
type Run = FrameReport & { scenario: { loadMs: number; loads: [number, number, number][]; delay: { max: number } }; error?: string };
/** The modes: the design, and the same library blocking the main thread, the NPCs' worker, or its own worker beside them. */
const MODES = { none: 'blocking=none&placement=both', main: 'blocking=main', with: 'blocking=inline&placement=with', beside: 'blocking=inline&placement=beside' } as const;
type Mode = keyof typeof MODES;

const started = performance.now();
const outDir = mkdtempSync(join(tmpdir(), 'ltask-frames-'));
await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true, rolldownOptions: { input: { frames: 'bench/frames/index.html' } } } });
const server = await preview({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
const browser = await launchChromium();
const browserVersion = browser.version();

async function once(blocking: Mode): Promise<Run> {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  try {
    const q = `latency=${o.latency}&loaders=${o.loaders}&npcs=${o.npcs}&hz=${o.hz}&${MODES[blocking]}&after=1500`;
    await page.goto(new URL(`bench/frames/index.html?${q}`, server.resolvedUrls!.local[0]!).href);
    const h = await page.waitForFunction(() => (globalThis as { frameReport?: unknown }).frameReport, null, { timeout: 120_000, polling: 200 }).catch(async (e: Error) => {
      throw new Error(`scenario ${blocking}: ${e.message}; the page says: ${await page.textContent('#status').catch(() => '?')}`);
    });
    const r = (await h.jsonValue()) as Run;
    if (r.error) throw new Error(`scenario ${blocking}: ${r.error}`);
    return r;
  } finally {
    await page.close();
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const results: Record<Mode, Run[]> = { none: [], main: [], with: [], beside: [] };
try {
  for (let i = 0; i < o.runs; i++) {
    // Alternate, so machine load drifts over every mode alike.
    for (const mode of Object.keys(MODES) as Mode[]) {
      const r = await once(mode);
      results[mode].push(r);
      const g = r.gaps['npc tick']!.stats;
      const bytes = r.scenario.loads.reduce((n, l) => n + l[0], 0);
      console.log(
        `run ${i + 1} ${mode.padEnd(6)} frames ${r.frames}, cpu p50/p99/max ${r.cpu.p50.toFixed(1)}/${r.cpu.p99.toFixed(1)}/${r.cpu.max.toFixed(1)} ms, ` +
          `interval p99/max ${r.interval.p99.toFixed(0)}/${r.interval.max.toFixed(0)} ms, long frames ${r.longFrames.length}, npc tick gap p99/max ${g.p99.toFixed(0)}/${g.max.toFixed(0)} ms, ` +
          `worker 0 tick gap max ${r.gaps['worker 0 tick']!.stats.max.toFixed(0)} ms, ${r.scenario.loads.length} loads ${bytes} bytes in ${r.scenario.loadMs.toFixed(0)} ms, scheduling delay max ${r.scenario.delay.max.toFixed(0)} ms`,
      );
    }
  }
} finally {
  await browser.close();
  await new Promise<void>((r) => server.httpServer.close(() => r()));
  rmSync(outDir, { recursive: true, force: true });
}

const pick = (mode: Mode, f: (r: Run) => number) => median(results[mode].map(f));
const gap = (series: string, k: 'p50' | 'p99' | 'max') => (r: Run) => r.gaps[series]!.stats[k];
const runtimeScript = (r: Run) => r.longFrames.filter((l) => l.scripts.some((s) => /ltask|plugin-ltask|index-|entry-/.test(s.source))).length;
const tickP = 1000 / o.hz;
const rows: Row[] = [
  { metric: 'main-thread frame CPU p50', value: pick('none', (r) => r.cpu.p50), unit: 'ms', baseline: pick('main', (r) => r.cpu.p50) },
  { metric: 'main-thread frame CPU p99', value: pick('none', (r) => r.cpu.p99), unit: 'ms', baseline: pick('main', (r) => r.cpu.p99), target: '<= 4 ms' },
  { metric: 'main-thread frame CPU max', value: pick('none', (r) => r.cpu.max), unit: 'ms', baseline: pick('main', (r) => r.cpu.max) },
  { metric: 'frame interval p50 (software WebGL)', value: pick('none', (r) => r.interval.p50), unit: 'ms', baseline: pick('main', (r) => r.interval.p50) },
  { metric: 'frame interval p99 (software WebGL)', value: pick('none', (r) => r.interval.p99), unit: 'ms', baseline: pick('main', (r) => r.interval.p99) },
  { metric: 'long animation frames (all causes)', value: pick('none', (r) => r.longFrames.length), unit: 'frames', baseline: pick('main', (r) => r.longFrames.length) },
  { metric: 'long animation frames with a runtime script', value: pick('none', runtimeScript), unit: 'frames', target: '0' },
  { metric: `NPC tick gap p50 (${o.hz} Hz)`, value: pick('none', gap('npc tick', 'p50')), unit: 'ms', baseline: pick('with', gap('npc tick', 'p50')) },
  { metric: `NPC tick gap p99 (${o.hz} Hz)`, value: pick('none', gap('npc tick', 'p99')), unit: 'ms', baseline: pick('with', gap('npc tick', 'p99')), target: `<= ${2 * tickP} ms (2x period)` },
  { metric: 'NPC tick gap max', value: pick('none', gap('npc tick', 'max')), unit: 'ms', baseline: pick('with', gap('npc tick', 'max')) },
  { metric: 'worker 0 watch tick gap max', value: pick('none', gap('worker 0 tick', 'max')), unit: 'ms', baseline: pick('beside', gap('worker 0 tick', 'max')) },
  { metric: `loads done (${o.loaders} x 2 reads of ${o.latency} ms)`, value: pick('none', (r) => r.scenario.loadMs), unit: 'ms', baseline: pick('main', (r) => r.scenario.loadMs) },
  { metric: 'scheduling delay max (probe thread)', value: pick('none', (r) => r.scenario.delay.max), unit: 'ms' },
];
console.log(`\n${o.loaders} loaders on ${o.latency} ms io (half on the NPCs' worker, half beside), ${o.npcs} Lua NPC services at ${o.hz} Hz, ${o.npcs} NPC meshes; Chromium headless (SwiftShader), production build; median of ${o.runs} runs.`);
console.log(
  'baseline (measured in the same run): the same probe library, each read a wait of the latency then a synchronous XMLHttpRequest of the same file; ' +
    'frame rows and loads: on the main thread (one loader a frame); NPC tick rows: inline in loader services on the NPCs\' worker; worker 0 row: inline in loader services on worker 0\n',
);
printTable(rows);
const worstLoaf = results.none.flatMap((r) => r.longFrames).sort((a, b) => b.durationMs - a.durationMs)[0];
if (worstLoaf) console.log(`\nlongest animation frame (none): ${worstLoaf.durationMs.toFixed(0)} ms; scripts: ${worstLoaf.scripts.map((s) => `${s.invoker || s.fn} ${s.durationMs.toFixed(0)} ms (${s.source})`).join('; ') || 'none attributed (rendering)'}`);
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const out = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, browser: browserVersion },
  options: o,
  rows,
  runs: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((r) => ({ frames: r.frames, cpu: r.cpu, interval: r.interval, longFrames: r.longFrames, gaps: r.gaps, loadMs: r.scenario.loadMs }))])),
  durationS: (performance.now() - started) / 1000,
};
writeFileSync(new URL('frames.json', dir), JSON.stringify(out, null, 2) + '\n');
console.log(`\nwrote bench/results/frames.json (${out.durationS.toFixed(1)} s)`);
