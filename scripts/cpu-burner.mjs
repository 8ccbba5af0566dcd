#!/usr/bin/env node
// Keeps the machine's cores busy, as other work on a user's laptop does, to
// check that the test suite holds on a busy machine.
//
//   node scripts/cpu-burner.mjs                  burn every core until Ctrl-C
//   node scripts/cpu-burner.mjs --threads 2      burn two threads
//   node scripts/cpu-burner.mjs -- npm test      run a command while burning; exit with its status
//
// Each thread spins on arithmetic at normal priority; the burner stops with
// the command (or on SIGINT / SIGTERM), leaving nothing behind.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const command = dash < 0 ? [] : argv.slice(dash + 1);
const t = own.indexOf('--threads');
const threads = t >= 0 ? Number(own[t + 1]) : availableParallelism();
if (!Number.isInteger(threads) || threads < 1) {
  console.error(`cpu-burner: --threads wants a whole number >= 1 (got ${own[t + 1]})`);
  process.exit(2);
}

const SPIN = 'let x = 0; for (;;) { for (let i = 0; i < 1e7; i++) x = (x * 1103515245 + 12345) | 0; }';
const workers = Array.from({ length: threads }, () => new Worker(SPIN, { eval: true }));
console.error(`cpu-burner: ${threads} busy thread${threads === 1 ? '' : 's'} (${availableParallelism()} cores)`);

const stop = (code) => {
  for (const w of workers) void w.terminate();
  process.exit(code);
};
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));

if (command.length > 0) {
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', shell: process.platform === 'win32' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    console.error(`cpu-burner: cannot run ${command.join(' ')}: ${e.message}`);
    stop(127);
  });
  child.on('exit', (code, signal) => stop(code ?? (signal ? 128 : 1)));
}
