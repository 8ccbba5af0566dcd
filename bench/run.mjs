#!/usr/bin/env node
// Runs a TypeScript bench file under Node through tsx.
//   node bench/run.mjs bench/runtime.bench.ts [args...]
// The bench needs `globalThis.gc` (heap figures), so this launcher re-runs itself
// once with --expose-gc; worker_threads inherit the flag through execArgv.
// tsx is registered in this thread only (not via --import), so scheduler workers
// register it themselves exactly as they do in production (platform/boot.mjs).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/run.mjs <file.bench.ts> [args...]');
  process.exit(2);
}

if (typeof globalThis.gc !== 'function' && !process.env.BENCH_NO_RESPAWN) {
  // As `npx ltask` does for more than 4 workers: one V8 platform thread per core
  // (Node's default pool of 4 serves the GC of every worker thread).
  const pool = `--v8-pool-size=${Math.max(4, os.availableParallelism())}`;
  const r = spawnSync(process.execPath, ['--expose-gc', pool, ...process.execArgv, fileURLToPath(import.meta.url), file, ...rest], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_NO_RESPAWN: '1' },
  });
  process.exit(r.status ?? 1);
}

const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(resolve(file)).href);
