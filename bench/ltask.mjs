#!/usr/bin/env node
// Native ltask (C) against this runtime, in one run: `npm run bench:ltask -- --ltask DIR`.
//
// Builds ltask.so from an ltask source tree (https://github.com/cloudwu/ltask)
// with the C compiler and Lua 5.4 headers found here, then runs the same Lua
// programs under both, alternating, `--rounds` times (default 3):
//   - bench/services/pingpong.lua (the user ping-pong of bench:runtime): 20,000
//     sequential calls, 20,000 sends acknowledged every 1,000, 200 async
//     requests; 2 workers;
//   - bench/services/pairs_main.lua: 16 client/server pairs making 4,000
//     sequential calls each at once; on each of `--workers` (default 2, 4, 8...
//     up to the cores less one).
// Native ltask runs under `lua5.4 scripts/ltask-compat/launch.lua`; this runtime under
// its runner (`node plugin-ltask/bin/ltask.mjs` from the built package). Prints
// the medians, every round and the ratio, and writes
// bench/results/native-ltask.json (date, machine, compiler, flags, the ltask
// commit when DIR is a git checkout, every round).
//
// Needs: cc (or gcc), lua5.4 and its headers (Debian: apt-get install gcc
// lua5.4 liblua5.4-dev; LUAINC=-I<dir> elsewhere), and the ltask sources,
// which are not in this repository and which this script does not download.
// Without one of them it says what is missing and exits with code 2.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(import.meta.dirname, '..');
const RESULT = join(here, 'bench', 'results', 'native-ltask.json');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const rounds = Math.max(1, Number(arg('--rounds', 3)));
/** Default: 2, 4, 8... up to the cores less one (native ltask's default), at least 2. One worker is left
 *  out: native ltask with one worker ran 16 pairs at under 1,000 calls/s here (about 90 s a round). */
const defaultWorkers = () => {
  const top = Math.max(2, os.availableParallelism() - 1);
  const list = [];
  for (let w = 2; w < top; w *= 2) list.push(w);
  return [...list, top].join(',');
};
const workersList = arg('--workers', defaultWorkers()).split(',').map(Number);
const cflags = arg('--cflags', '-O2 -Wall');
const luaInc = process.env.LUAINC ?? '-I/usr/include/lua5.4';

const lastResult = () => {
  try {
    const r = JSON.parse(readFileSync(RESULT, 'utf8'));
    return `the last committed result is bench/results/native-ltask.json, measured ${r.date} on ${r.machine.cores} cores (${r.machine.cpu}), ltask ${r.ltask.commit}`;
  } catch {
    return 'no result is committed yet';
  }
};
const fail = (why) => {
  console.error(`[bench:ltask] native ltask not run: ${why}\n[bench:ltask] ${lastResult()}.`);
  process.exit(2);
};

// ------------------------------------------------------------------ what this machine has

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const cc = which('cc') || which('gcc');
const lua = which('lua5.4');
const dir = arg('--ltask', process.env.LTASK_DIR);
if (!dir) {
  fail(
    'no ltask source tree given. The ltask C sources are not in this repository and this script downloads nothing ' +
      '(CI reaches only the npm registry and Debian packages). Run it where a copy is at hand: ' +
      'git clone https://github.com/cloudwu/ltask DIR, then npm run bench:ltask -- --ltask DIR',
  );
}
const ltaskDir = resolve(dir);
if (!existsSync(join(ltaskDir, 'src', 'ltask.c')) || !existsSync(join(ltaskDir, 'lualib', 'bootstrap.lua'))) fail(`${ltaskDir} is not an ltask source tree (no src/ltask.c, lualib/bootstrap.lua)`);
if (!cc) fail('no C compiler (cc or gcc) on PATH; Debian: apt-get install gcc');
if (!lua) fail('no lua5.4 on PATH; Debian: apt-get install lua5.4 liblua5.4-dev');
const incDir = luaInc.replace(/^-I/, '');
if (!existsSync(join(incDir, 'lua.h'))) fail(`no lua.h in ${incDir}; Debian: apt-get install liblua5.4-dev, or set LUAINC=-I<dir with lua.h>`);

// ------------------------------------------------------------------ build

const git = (...a) => {
  try {
    return execFileSync('git', ['-C', ltaskDir, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
};
const commit = git('rev-parse', 'HEAD');
const makefile = existsSync(join(ltaskDir, 'Makefile')) ? readFileSync(join(ltaskDir, 'Makefile'), 'utf8') : '';
// The sources its Makefile lists (SRCS), else every .c under src/.
const listed = [...makefile.matchAll(/\bsrc\/[\w-]+\.c\b/g)].map((m) => m[0]);
const srcs = listed.length ? [...new Set(listed)] : readdirSync(join(ltaskDir, 'src')).filter((f) => f.endsWith('.c')).map((f) => `src/${f}`);
const soDir = mkdtempSync(join(os.tmpdir(), 'native-ltask-'));
const build = [...cflags.split(/\s+/).filter(Boolean), '--shared', '-fPIC', luaInc, '-Isrc', '-o', join(soDir, 'ltask.so'), ...srcs, '-lpthread'];
console.error(`[bench:ltask] building ltask ${commit.slice(0, 12)}: ${cc} ${build.join(' ')}`);
const b = spawnSync(cc, build, { cwd: ltaskDir, encoding: 'utf8' });
if (b.status !== 0) fail(`the build failed (exit ${b.status}):\n${b.stderr}`);

// ------------------------------------------------------------------ runs

const services = join(here, 'bench', 'services');
const cli = fileURLToPath(new URL('./bin/ltask.mjs', import.meta.resolve('@ltask-web/plugin-ltask/package.json')));

/** One program under one runtime; the numbers its line prints, by name. */
function run(which, main, workers) {
  const r =
    which === 'native'
      ? spawnSync(lua, [join(here, 'scripts', 'ltask-compat', 'launch.lua'), ltaskDir, services, main, String(workers), soDir], { encoding: 'utf8', timeout: 120_000 })
      : spawnSync(process.execPath, [cli, join(services, `${main}.lua`), '--workers', String(workers), '--timeout', '120000'], { encoding: 'utf8' });
  const line = /(pingpong|pairs) ((?:\w+=[\d.]+ ?)+)/.exec(r.stdout);
  if (r.status !== 0 || !line) throw new Error(`[bench:ltask] ${main} under ${which} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return Object.fromEntries(line[2].trim().split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
}

const load0 = os.loadavg();
const began = performance.now();
/** Per figure: { native: [...rounds], runtime: [...rounds] }. */
const figures = {};
const put = (key, side, v) => ((figures[key] ??= { native: [], runtime: [] })[side].push(v));
for (let i = 0; i < rounds; i++) {
  console.error(`[bench:ltask] round ${i + 1} of ${rounds}`);
  for (const side of ['native', 'runtime']) {
    const p = run(side, 'pingpong', 2);
    put('pingpong call, mean (us)', side, p.calls_us);
    put('pingpong 20,000 sends + acks (ms)', side, p.sends_s * 1000);
    put('pingpong 200 async requests (ms)', side, p.async_ms);
    for (const w of workersList) put(`16 pairs x 4,000 calls, ${w} worker(s) (calls/s)`, side, run(side, 'pairs_main', w).calls_s);
  }
}

const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const rows = Object.entries(figures).map(([figure, r]) => ({ figure, native: median(r.native), runtime: median(r.runtime), ratio: median(r.runtime) / median(r.native), rounds: r }));

const head = ['figure', 'native ltask', 'this runtime', 'runtime / native', 'rounds (native | runtime)'];
const cells = rows.map((r) => [r.figure, fmt(r.native), fmt(r.runtime), r.ratio.toFixed(2) + 'x', `${r.rounds.native.map(fmt).join(', ')} | ${r.rounds.runtime.map(fmt).join(', ')}`]);
const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => '| ' + c.map((x, i) => x.padEnd(width[i])).join(' | ') + ' |';
console.log(`\nnative ltask ${commit.slice(0, 12)} (${cc}, ${cflags}) against this runtime, ${rounds} round(s) each, alternating; medians`);
console.log(line(head));
console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const c of cells) console.log(line(c));

const cpus = os.cpus();
const version = (cmd, ...a) => spawnSync(cmd, a, { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() || spawnSync(cmd, a, { encoding: 'utf8' }).stderr.split('\n')[0]?.trim();
const out = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { platform: os.platform(), release: os.release(), arch: os.arch(), cpu: cpus[0]?.model, cores: cpus.length, memGiB: os.totalmem() / 2 ** 30, loadavgBefore: load0, loadavgAfter: os.loadavg() },
  ltask: { commit, cc: version(cc, '--version'), cflags, luaInc, lua: version(lua, '-v'), sources: srcs },
  config: { rounds, workers: workersList, pingpongWorkers: 2, programs: ['bench/services/pingpong.lua', 'bench/services/pairs_main.lua'] },
  durationS: (performance.now() - began) / 1000,
  rows,
};
mkdirSync(join(here, 'bench', 'results'), { recursive: true });
writeFileSync(RESULT, JSON.stringify(out, null, 2) + '\n');
console.log(`\nwrote bench/results/native-ltask.json (${out.durationS.toFixed(1)} s; load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} after)`);
