/**
 * `npm run bench:startup`: start-up times.
 *
 * - The runner: `node <package>/bin/ltask.mjs main.lua` (the built package, as
 *   `npx ltask` runs it) for a main that quits at once, and for the main of
 *   docs/typescript-services.md that spawns a TypeScript service (loaded through
 *   tsx), calls it twice and ends; the empty main through `npx ltask` too.
 *   Wall time from spawn to exit, `--runs` times each (default 10; npx 5).
 * - The demo: `LtaskPlugin` start to runtime ready and to the first Lua reply,
 *   and to the end of the loading screen (`document.body.dataset`:
 *   runtimeReadyMs, firstReplyMs, loadedMs), in headless Chromium on the
 *   production build (vite build + vite preview) and on the dev server, io
 *   latency 0; the dev server at `?latency=300` once more. `--pages` loads each
 *   (default 3); the first dev-server load also transforms the modules.
 *
 * Prints a table; writes bench/results/startup.json.
 *   node bench/run.mjs bench/startup.bench.ts [--runs N] [--pages N]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, preview } from 'vite';
import { launchChromium } from '../test/support/chromium.ts';
import { fmt, printTable, stats, type Row, type Stats } from './report.ts';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const RUNS = arg('runs', 10);
const PAGES = arg('pages', 3);
const began = performance.now();
const step = (what: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(1)}s] ${what}`);
const load0 = os.loadavg();

// ------------------------------------------------------------------ the runner

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('./bin/ltask.mjs', import.meta.resolve('@ltask-web/plugin-ltask/package.json')));
// Inside the repository, so the service's import of the package resolves.
const dir = join(root, '.scratch', 'startup');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'empty.lua'), '-- quits at once: a main that returns nil ends the run\n');
writeFileSync(
  join(dir, 'score.ts'),
  `import { defineService } from '@ltask-web/plugin-ltask/service';
export default defineService((ctx, start?: number) => {
  let total = start ?? 0;
  return {
    add(n: number) {
      total += n;
      return total;
    },
    bye() {
      ctx.quit();
    },
  };
});
`,
);
writeFileSync(
  join(dir, 'main.lua'),
  `local ltask = require "ltask"
local score = ltask.spawn("score", 10)
print(ltask.call(score, "add", 5), ltask.call(score, "add", 50))
ltask.send(score, "bye")
`,
);

/** Wall ms of `runs` runs of a command; throws when one fails or prints the wrong thing. */
function timeRuns(cmd: string, args: string[], runs: number, expect?: RegExp): Stats {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, BENCH_NO_RESPAWN: '' } });
    t.push(performance.now() - a);
    if (r.status !== 0 || (expect && !expect.test(r.stdout))) throw new Error(`[bench] ${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return stats(t);
}

step(`runner, empty main: node bin/ltask.mjs, ${RUNS} runs`);
const runnerEmpty = timeRuns(process.execPath, [cli, join(dir, 'empty.lua')], RUNS);
step(`runner, main with a TypeScript service: ${RUNS} runs`);
const runnerTs = timeRuns(process.execPath, [cli, join(dir, 'main.lua'), '--service', `score=${join(dir, 'score.ts')}`], RUNS, /15\s+65/);
const npxRuns = Math.max(1, Math.ceil(RUNS / 2));
step(`runner, empty main through npx ltask: ${npxRuns} runs`);
const runnerNpx = timeRuns('npx', ['ltask', join(dir, 'empty.lua')], npxRuns);

// ------------------------------------------------------------------ the demo

interface Boot {
  readyMs: number;
  replyMs: number;
  loadedMs: number;
  framesAtReply: number;
}

const browser = await launchChromium();
const browserVersion = browser.version();
async function boot(url: string): Promise<Boot> {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.loadedMs, null, { timeout: 120_000, polling: 100 });
    const d = await page.evaluate(() => ({ ...document.body.dataset }));
    if (d.loaded !== 'done') throw new Error(`[bench] the demo did not load: ${JSON.stringify(d)}`);
    return { readyMs: Number(d.runtimeReadyMs), replyMs: Number(d.firstReplyMs), loadedMs: Number(d.loadedMs), framesAtReply: Number(d.framesAtFirstReply) };
  } finally {
    await page.close();
  }
}
const pages = async (url: string, n: number) => {
  const r: Boot[] = [];
  for (let i = 0; i < n; i++) r.push(await boot(url));
  return r;
};

const demo: Record<string, Boot[]> = {};
const outDir = mkdtempSync(join(os.tmpdir(), 'ltask-startup-'));
try {
  step('demo: vite build');
  await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server = await preview({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  try {
    step(`demo: production build, ${PAGES} page loads`);
    demo.built = await pages(server.resolvedUrls!.local[0]!, PAGES);
  } finally {
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
  const dev = await createServer({ configFile: 'vite.config.ts', logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } });
  await dev.listen();
  try {
    const url = dev.resolvedUrls!.local[0]!;
    step(`demo: dev server, ${PAGES} page loads (the first transforms the modules)`);
    demo.dev = await pages(url, PAGES);
    step('demo: dev server, ?latency=300, one page load');
    demo.dev300 = await pages(new URL('?latency=300', url).href, 1);
  } finally {
    await dev.close();
  }
} finally {
  await browser.close();
  rmSync(outDir, { recursive: true, force: true });
}
step('done');

// ------------------------------------------------------------------ report

const range = (v: number[]) => `${fmt(Math.min(...v))}-${fmt(Math.max(...v))} (each: ${v.map(fmt).join(', ')})`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rows: Row[] = [
  { metric: 'runner, empty main (node bin/ltask.mjs) p50', value: runnerEmpty.p50, unit: 'ms', target: `min ${fmt(runnerEmpty.min)}, max ${fmt(runnerEmpty.max)}; <= 300 ms` },
  { metric: 'runner, main + a TypeScript service (tsx) p50', value: runnerTs.p50, unit: 'ms', baseline: runnerEmpty.p50, target: `min ${fmt(runnerTs.min)}, max ${fmt(runnerTs.max)}; baseline: the empty main` },
  { metric: 'runner, empty main through npx ltask p50', value: runnerNpx.p50, unit: 'ms', baseline: runnerEmpty.p50, target: `min ${fmt(runnerNpx.min)}, max ${fmt(runnerNpx.max)}; npx adds ${fmt(runnerNpx.p50 - runnerEmpty.p50)} ms` },
];
const place: Record<string, string> = { built: 'production build', dev: 'dev server', dev300: 'dev server, io latency 300 ms' };
for (const [k, v] of Object.entries(demo)) {
  rows.push(
    { metric: `demo (${place[k]}): LtaskPlugin start -> runtime ready, median`, value: median(v.map((b) => b.readyMs)), unit: 'ms', target: range(v.map((b) => b.readyMs)) },
    { metric: `demo (${place[k]}): -> first Lua reply, median`, value: median(v.map((b) => b.replyMs)), unit: 'ms', target: `${range(v.map((b) => b.replyMs))}${k === 'built' ? '; <= 300 ms' : ''}` },
    { metric: `demo (${place[k]}): -> loading screen done, median`, value: median(v.map((b) => b.loadedMs)), unit: 'ms', target: range(v.map((b) => b.loadedMs)) },
    { metric: `demo (${place[k]}): frames drawn before the first reply, median`, value: median(v.map((b) => b.framesAtReply)), unit: 'frames' },
  );
}
console.log();
printTable(rows, 'range / target');
const cpus = os.cpus();
const out = {
  date: new Date().toISOString(),
  node: process.version,
  browser: browserVersion,
  machine: { platform: os.platform(), release: os.release(), arch: os.arch(), cpu: cpus[0]?.model, cores: cpus.length, memGiB: os.totalmem() / 2 ** 30, loadavgBefore: load0, loadavgAfter: os.loadavg() },
  config: { runs: RUNS, npxRuns, pages: PAGES },
  durationS: (performance.now() - began) / 1000,
  rows,
  runner: { empty: runnerEmpty, typescript: runnerTs, npx: runnerNpx },
  demo,
};
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('startup.json', results), JSON.stringify(out, null, 2) + '\n');
console.log(`\nwrote bench/results/startup.json (${out.durationS.toFixed(1)} s; load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} after)`);
