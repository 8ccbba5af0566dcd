#!/usr/bin/env node
// Scaling probe for bigger machines: 16 Lua client/server pairs making
// sequential calls at once (aggregate calls/s), and one pair alone (mean per
// call), on 1, 2, 4, 8... workers, in the two placements of bench:runtime
// ("split": the host spawns each server then its client; "parent": each client
// spawns its server). Plain JavaScript against the built package, so it runs
// on a machine with only node and the package's dependencies:
//   node --v8-pool-size=16 bench/scaling.mjs --workers 1,2,4,8,15 [--runtime DIR]
// DIR: a directory holding the package (package.json + dist/), default the
// installed @ltask-web/plugin-ltask. Writes bench/results/scaling-<cores>core.json
// (date, machine, flags, every figure), so a figure from a bigger machine can be
// cited from the file it came from.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { pairsRound, spawnPairs } from './pairs.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const dir = arg('--runtime', null);
const { startRuntime } = await import(dir ? pathToFileURL(resolve(dir, 'dist/index.js')).href : '@ltask-web/plugin-ltask');
const WORKERS = arg('--workers', '1,2').split(',').map(Number);
const src = (f) => readFileSync(new URL(`./services/${f}`, import.meta.url), 'utf8');
const sources = { 'service/echo.lua': src('echo.lua'), 'service/client.lua': src('client.lua') };
const PAIRS = 16;
const K = Number(arg('--calls', 4000));

async function run(workers, mode, pairsN) {
  const rt = await startRuntime({ workers, sources, io: false, onLog: (e) => e.level === 'error' && console.error(`[${e.label}] ${e.text}`) });
  try {
    const pairs = await spawnPairs(rt, mode, pairsN);
    await pairsRound(rt, pairs, Math.max(1000, Math.ceil(16000 / pairsN))); // warm-up: V8 compiles the hot paths meanwhile
    const t0 = performance.now();
    const r = await pairsRound(rt, pairs, K);
    const ms = performance.now() - t0;
    return { rate: (pairsN * K) / (ms / 1000), mean: r.map(([, total]) => (total / K) * 1e6).reduce((a, b) => a + b) / r.length };
  } finally {
    await rt.stop();
  }
}

console.log(`node ${process.version}, ${PAIRS} pairs x ${K} calls; flags: ${process.execArgv.join(' ') || '(none)'}`);
const load0 = os.loadavg();
const rows = [];
for (const mode of ['split', 'parent']) {
  for (const w of WORKERS) {
    const many = await run(w, mode, PAIRS);
    const one = await run(w, mode, 1);
    rows.push({ mode, workers: w, pairsRate: many.rate, onePairMeanUs: one.mean });
    console.log(`${mode.padEnd(6)} workers ${String(w).padStart(2)}: ${PAIRS} pairs ${Math.round(many.rate).toString().padStart(7)} calls/s; one pair ${one.mean.toFixed(1)} us/call`);
  }
}
const cpus = os.cpus();
const out = {
  date: new Date().toISOString(),
  node: process.version,
  flags: process.execArgv,
  runtime: dir ?? '@ltask-web/plugin-ltask (installed)',
  machine: { platform: os.platform(), release: os.release(), arch: os.arch(), cpu: cpus[0]?.model, cores: cpus.length, memGiB: os.totalmem() / 2 ** 30, loadavgBefore: load0, loadavgAfter: os.loadavg() },
  config: { pairs: PAIRS, calls: K, workers: WORKERS },
  rows,
};
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
const file = `scaling-${cpus.length}core.json`;
writeFileSync(new URL(file, results), JSON.stringify(out, null, 2) + '\n');
console.log(`wrote bench/results/${file}`);
