/**
 * `npm run bench:startup`: start-up times.
 *
 * - The runner: `node <package>/bin/ltask.mjs main.lua` (the built package, as
 *   `npx ltask` runs it) for a main that quits at once, and for the main of
 *   docs/typescript-services.md that spawns a TypeScript service (loaded through
 *   tsx), calls it twice and ends; the empty main through `npx ltask` too.
 *   Wall time from spawn to exit, `--runs` times each (default 10; npx 5).
 * - The demo: page start (the navigation's time origin) to the first Lua
 *   reply (`hello.greet`) and to the first native result (`levels.worlds`,
 *   SQLite on a carrier), and `LtaskPlugin` start to runtime ready, to the
 *   first Lua reply and to the end of the loading screen
 *   (`document.body.dataset`), in headless Chromium on the production build
 *   (vite build + vite preview) and on the dev server, io latency 0; the dev
 *   server at `?latency=300` once more. `--pages` loads each (default 3); the
 *   first dev-server load also transforms the modules.
 * - The idle-page baseline, in the same build and the same run: the demo's
 *   runtime, services and first requests in an App that draws nothing
 *   (bench/startup/idle.html), so its main thread is free. Its loads alternate
 *   with the demo's.
 *
 * - `npx ltask` on a main that spawns a Lua service, calls it, then calls a
 *   native module (.mjs): ms from the process's spawn to the line that prints
 *   the first Lua reply and to the one that prints the native result, with
 *   `node -e 0` (a process start that runs nothing) as the baseline.
 *
 * `--before REF` also builds the demo and the idle page at commit REF (a git
 *   worktree under .scratch/, its packages' sources, this checkout's dependencies)
 *   and loads them in the same run, in turn with this build's: the rows marked
 *   "before" and "after" compare the two on the same machine at the same time.
 *
 * `--only runner|first|built|dev` runs one part. Prints a table; writes
 * bench/results/startup.json.
 *   node bench/run.mjs bench/startup.bench.ts [--runs N] [--pages N] [--only PART]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1]! : null;
const part = (p: string) => ONLY === null || ONLY === p;
const beforeAt = process.argv.indexOf('--before');
const BEFORE = beforeAt >= 0 ? process.argv[beforeAt + 1]! : null;
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

writeFileSync(join(dir, 'hello.lua'), 'local ltask = require "ltask"\nlocal S = {}\nfunction S.greet(who) return "hello " .. who end\nfunction S.bye() ltask.quit() end\nreturn S\n');
writeFileSync(join(dir, 'echo.mjs'), "export default { name: 'echo', instances: 'single', functions: { echo: (v) => v } };\n");
writeFileSync(
  join(dir, 'first.lua'),
  `local ltask = require "ltask"
local hello = ltask.spawn "hello"
print("reply", ltask.call(hello, "greet", "runner"))
print("native", ltask.native("echo").echo(42))
ltask.send(hello, "bye")
`,
);

/**
 * `runs` runs of a command: ms from spawn to each stdout line that starts with
 * one of `marks`, and to the exit. Throws when one fails or a mark is missing.
 */
async function markRuns(cmd: string, args: string[], runs: number, marks: string[]): Promise<Record<string, Stats>> {
  const t: Record<string, number[]> = { exit: [] };
  for (const m of marks) t[m] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, BENCH_NO_RESPAWN: '' } });
    const seen: Record<string, number> = {};
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const at = performance.now() - a;
      out += d;
      for (const m of marks) if (seen[m] === undefined && out.split('\n').some((l) => l.startsWith(m))) seen[m] = at;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    t.exit!.push(performance.now() - a);
    if (code !== 0 || marks.some((m) => seen[m] === undefined)) throw new Error(`[bench] ${cmd} ${args.join(' ')} failed (exit ${code}):\n${out}\n${err}`);
    for (const m of marks) t[m]!.push(seen[m]!);
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)]));
}

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

const npxRuns = Math.max(1, Math.ceil(RUNS / 2));
let runner: { empty: Stats; typescript: Stats; npx: Stats } | null = null;
let first: { node: Stats; npx: Record<string, Stats> } | null = null;
if (part('first')) {
  // The same process start as the runner's, with nothing to run: what no runtime change can cut.
  step(`npx ltask, start -> first Lua reply and first native result: ${npxRuns} runs, node -e 0 as baseline`);
  const node = timeRuns(process.execPath, ['-e', '0'], npxRuns);
  const npx = await markRuns('npx', ['ltask', join(dir, 'first.lua'), '--path', `${dir}/?.lua`, '--native', join(dir, 'echo.mjs')], npxRuns, ['reply', 'native']);
  first = { node, npx };
}
if (part('runner')) {
  step(`runner, empty main: node bin/ltask.mjs, ${RUNS} runs`);
  const empty = timeRuns(process.execPath, [cli, join(dir, 'empty.lua')], RUNS);
  step(`runner, main with a TypeScript service: ${RUNS} runs`);
  const typescript = timeRuns(process.execPath, [cli, join(dir, 'main.lua'), '--service', `score=${join(dir, 'score.ts')}`], RUNS, /15\s+65/);
  step(`runner, empty main through npx ltask: ${npxRuns} runs`);
  const npx = timeRuns('npx', ['ltask', join(dir, 'empty.lua')], npxRuns);
  runner = { empty, typescript, npx };
}

// ------------------------------------------------------------------ the demo

interface Boot {
  /** From `LtaskPlugin`'s start. */
  readyMs: number;
  replyMs: number;
  loadedMs: number;
  framesAtReply: number;
  /** From page start (the time origin). */
  readyAt: number;
  replyAt: number;
  nativeAt: number;
}

const browser = await launchChromium();
const browserVersion = browser.version();
async function boot(url: string): Promise<Boot> {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.loaded || document.body.dataset.error, null, { timeout: 120_000, polling: 50 });
    // The demo notes its first native result on the frame after it arrives.
    await page.waitForFunction(() => document.body.dataset.firstNativeAt || document.body.dataset.error, null, { timeout: 10_000, polling: 50 });
    const d = await page.evaluate(() => ({ ...document.body.dataset }));
    if (d.loaded !== 'done') throw new Error(`[bench] ${url} did not load: ${JSON.stringify(d)}`);
    const n = (k: string) => (d[k] === undefined ? NaN : Number(d[k]));
    return {
      readyMs: n('runtimeReadyMs'), replyMs: n('firstReplyMs'), loadedMs: n('loadedMs'), framesAtReply: n('framesAtFirstReply'),
      readyAt: n('runtimeReadyAt'), replyAt: n('firstReplyAt'), nativeAt: n('firstNativeAt'),
    };
  } finally {
    await page.close();
  }
}
const pages = async (url: string, n: number) => {
  const r: Boot[] = [];
  for (let i = 0; i < n; i++) r.push(await boot(url));
  return r;
};
/** `n` loads of each page, one after the other in turn (the machine's load changes alike for both). */
const alternate = async (a: string, b: string, n: number) => {
  const r: [Boot[], Boot[]] = [[], []];
  for (let i = 0; i < n; i++) {
    r[0].push(await boot(a));
    r[1].push(await boot(b));
  }
  return r;
};

const demo: Record<string, Boot[]> = {};

/** vite build of the demo and the idle page of the checkout at `dir`. */
async function buildPages(dir: string, out: string): Promise<void> {
  await build({
    root: dir, configFile: join(dir, 'vite.config.ts'), logLevel: 'error',
    build: { outDir: out, emptyOutDir: true, rolldownOptions: { input: { idle: join(dir, 'bench/startup/idle.html') } } },
  });
}

/** vite preview of a build (the ltask() plugin's isolation headers). */
const serve = (out: string) => preview({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir: out }, preview: { port: 0, host: '127.0.0.1' } });

/**
 * The build of commit `ref`: a worktree under .scratch/ whose node_modules
 * links this checkout's dependencies but its own packages (their sources;
 * the vite plugin and the packages' dist/ are this checkout's).
 */
async function buildBefore(ref: string): Promise<string> {
  const tree = join(root, '.scratch', 'startup-before');
  if (!existsSync(tree)) spawnSync('git', ['worktree', 'add', '--detach', tree, ref], { cwd: root, stdio: 'ignore' });
  const co = spawnSync('git', ['checkout', '--detach', '--force', ref], { cwd: tree, encoding: 'utf8' });
  if (co.status !== 0) throw new Error(`[bench] --before ${ref}: ${co.stderr}`);
  const nm = join(tree, 'node_modules');
  if (!existsSync(nm)) {
    mkdirSync(join(nm, '@ltask-web'), { recursive: true });
    for (const e of readdirSync(join(root, 'node_modules'))) if (e !== '@ltask-web') symlinkSync(join(root, 'node_modules', e), join(nm, e));
    for (const p of ['engine', 'plugin-ltask']) {
      symlinkSync(join(tree, p), join(nm, '@ltask-web', p));
      if (!existsSync(join(tree, p, 'dist'))) symlinkSync(join(root, p, 'dist'), join(tree, p, 'dist'));
    }
  }
  const out = join(os.tmpdir(), `ltask-startup-before-${process.pid}`);
  step(`demo: vite build at ${ref}`);
  await buildPages(tree, out);
  return out;
}
const outDir = mkdtempSync(join(os.tmpdir(), 'ltask-startup-'));
try {
  if (part('built')) {
    step('demo: vite build (the demo and the idle page)');
    await buildPages(root, outDir);
    const server = await serve(outDir);
    const before = BEFORE ? await serve(await buildBefore(BEFORE)) : null;
    try {
      const url = server.resolvedUrls!.local[0]!;
      const idle = (u: string) => new URL('bench/startup/idle.html', u).href;
      if (before) {
        const old = before.resolvedUrls!.local[0]!;
        step(`demo: production build at ${BEFORE} and now, ${PAGES} page loads each of the demo and the idle page, in turn`);
        for (let i = 0; i < PAGES; i++) {
          for (const [k, u] of [['beforeBuilt', old], ['built', url], ['beforeIdle', idle(old)], ['idle', idle(url)]] as const) (demo[k] ??= []).push(await boot(u));
        }
      } else {
        step(`demo: production build, ${PAGES} page loads each of the demo and the idle page`);
        [demo.built, demo.idle] = await alternate(url, idle(url), PAGES);
      }
    } finally {
      for (const s of [server, before]) if (s) await new Promise<void>((r) => s.httpServer.close(() => r()));
    }
  }
  if (part('dev')) {
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
  }
} finally {
  await browser.close();
  rmSync(outDir, { recursive: true, force: true });
}
step('done');

// ------------------------------------------------------------------ report

const range = (v: number[]) => `${fmt(Math.min(...v))}-${fmt(Math.max(...v))} (each: ${v.map(fmt).join(', ')})`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rows: Row[] = [];
if (runner) {
  const { empty, typescript, npx } = runner;
  rows.push(
    { metric: 'runner, empty main (node bin/ltask.mjs) p50', value: empty.p50, unit: 'ms', target: `min ${fmt(empty.min)}, max ${fmt(empty.max)}; <= 300 ms` },
    { metric: 'runner, main + a TypeScript service (tsx) p50', value: typescript.p50, unit: 'ms', baseline: empty.p50, target: `min ${fmt(typescript.min)}, max ${fmt(typescript.max)}; baseline: the empty main` },
    { metric: 'runner, empty main through npx ltask p50', value: npx.p50, unit: 'ms', baseline: empty.p50, target: `min ${fmt(npx.min)}, max ${fmt(npx.max)}; npx adds ${fmt(npx.p50 - empty.p50)} ms` },
  );
}
if (first) {
  const { node, npx } = first;
  rows.push(
    { metric: 'node -e 0 (a process start, nothing run) p50', value: node.p50, unit: 'ms', target: `min ${fmt(node.min)}, max ${fmt(node.max)}` },
    { metric: 'npx ltask: process start -> first Lua reply p50', value: npx.reply!.p50, unit: 'ms', baseline: node.p50, target: `min ${fmt(npx.reply!.min)}, max ${fmt(npx.reply!.max)}; baseline: node -e 0` },
    { metric: 'npx ltask: process start -> first native result p50', value: npx.native!.p50, unit: 'ms', baseline: node.p50, target: `min ${fmt(npx.native!.min)}, max ${fmt(npx.native!.max)}; baseline: node -e 0` },
  );
}
const place: Record<string, string> = { built: 'production build', beforeBuilt: `production build at ${BEFORE}`, dev: 'dev server', dev300: 'dev server, io latency 300 ms' };
if (demo.beforeBuilt && demo.beforeIdle) {
  for (const [what, key] of [['page start -> first Lua reply', 'replyAt'], ['page start -> first native result', 'nativeAt']] as const) {
    for (const [page, was, now] of [['idle page', demo.beforeIdle, demo.idle!], ['demo', demo.beforeBuilt, demo.built!]] as const) {
      const [vb, va] = [was.map((x) => x[key]), now.map((x) => x[key])];
      rows.push({ metric: `${page}, after (this build): ${what}, median`, value: median(va), unit: 'ms', baseline: median(vb), target: `${range(va)}; baseline: the same at ${BEFORE}, ${range(vb)}` });
    }
  }
}
if (demo.built && demo.idle) {
  const [b, i] = [demo.built, demo.idle];
  for (const [what, key, target] of [
    ['page start -> first Lua reply', 'replyAt', '; <= 250 ms'],
    ['page start -> first native result', 'nativeAt', ''],
    ['page start -> runtime ready', 'readyAt', ''],
  ] as const) {
    const vb = b.map((x) => x[key]);
    const vi = i.map((x) => x[key]);
    rows.push(
      { metric: `idle page (main thread free): ${what}, median`, value: median(vi), unit: 'ms', target: range(vi) },
      { metric: `demo (production build): ${what}, median`, value: median(vb), unit: 'ms', baseline: median(vi), target: `${range(vb)}; baseline: the idle page${target}` },
    );
  }
}
for (const [k, v] of Object.entries(demo)) {
  if (k === 'idle' || k === 'beforeIdle') continue;
  rows.push(
    { metric: `demo (${place[k]}): LtaskPlugin start -> runtime ready, median`, value: median(v.map((b) => b.readyMs)), unit: 'ms', target: range(v.map((b) => b.readyMs)) },
    { metric: `demo (${place[k]}): -> first Lua reply, median`, value: median(v.map((b) => b.replyMs)), unit: 'ms', target: range(v.map((b) => b.replyMs)) },
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
  config: { runs: RUNS, npxRuns, pages: PAGES, only: ONLY, before: BEFORE },
  durationS: (performance.now() - began) / 1000,
  rows,
  runner,
  first,
  demo,
};
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('startup.json', results), JSON.stringify(out, null, 2) + '\n');
console.log(`\nwrote bench/results/startup.json (${out.durationS.toFixed(1)} s; load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} after)`);
