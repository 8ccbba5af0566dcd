/**
 * `npm run bench:frames-profile`: where the main thread's JavaScript time goes in the
 * `bench:frames` scenario (design mode: 8 loaders on io, 500 Lua NPCs at 10 Hz, 500 NPC
 * meshes), in Chromium on a production build without minification (function names kept).
 * Samples the page's main thread with the DevTools profiler for `--seconds` (default 2: the recording window, while the loads run) and
 * prints the functions holding the most samples, inclusive, as shares of the JavaScript
 * samples (time in the browser's own code, outside JavaScript, is `(program)` and left out),
 * and the share under the runtime's host code (the plugin's `engine` chunk).
 *   node bench/run.mjs bench/frames-profile.ts [--seconds N] [--top N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { launchChromium } from '../test/support/chromium.ts';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const seconds = arg('seconds', 2);
const top = arg('top', 30);

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; startTime: number; endTime: number }

/** Inclusive samples per function (each counted once per stack), over the JavaScript samples. */
function inclusive(p: Profile): { js: number; rows: [string, number][]; runtime: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  let js = 0;
  let runtime = 0;
  for (const id of p.samples) {
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(program)' || leaf === '(idle)' || leaf === '(root)') continue;
    js++;
    const seen = new Set<string>();
    let inRuntime = false;
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const cf = byId.get(x)!.callFrame;
      const file = cf.url.split('/').pop() ?? '';
      if (/^engine-[\w-]+\.js$/.test(file)) inRuntime = true;
      const k = `${cf.functionName || '(anonymous)'} (${file}:${cf.lineNumber + 1})`;
      if (cf.functionName === '(root)' || seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + 1);
    }
    if (inRuntime) runtime++;
  }
  return { js, rows: [...incl].sort((a, b) => b[1] - a[1]), runtime };
}

const outDir = mkdtempSync(join(tmpdir(), 'ltask-frames-profile-'));
await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true, minify: false, rolldownOptions: { input: { frames: 'bench/frames/index.html' } } } });
const server = await preview({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  const q = 'latency=300&loaders=8&npcs=500&hz=10&blocking=none&placement=both&after=1500';
  const t0 = performance.now();
  await page.goto(new URL(`bench/frames/index.html?${q}`, server.resolvedUrls!.local[0]!).href);
  await page.waitForFunction(() => /^recording/.test(document.getElementById('status')?.textContent ?? ''), null, { polling: 50, timeout: 180_000 }).catch(async (e: Error) => {
    throw new Error(`the scenario did not start recording: ${e.message}; the page says: ${await page.textContent('#status').catch(() => '?')}`);
  });
  console.log(`[frames-profile] page start to recording (runtime up, 500 NPC services spawned): ${(performance.now() - t0).toFixed(0)} ms`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
  const { js, rows, runtime } = inclusive(profile);
  const wall = (profile.endTime - profile.startTime) / 1000;
  const ms = (n: number) => (n * 0.1).toFixed(1);
  console.log(`[frames-profile] Chromium ${browser.version()}: ${seconds} s sampled every 0.1 ms; JavaScript ${ms(js)} ms of ${wall.toFixed(0)} ms (${((js * 0.1 * 100) / wall).toFixed(1)}% of the main thread)`);
  console.log(`[frames-profile] under the runtime's host code (engine chunk): ${ms(runtime)} ms, ${((runtime / js) * 100).toFixed(1)}% of the JavaScript`);
  for (const [k, v] of rows.slice(0, top)) console.log(`${((v / js) * 100).toFixed(1).padStart(6)}%  ${ms(v).padStart(7)} ms  ${k}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
}
