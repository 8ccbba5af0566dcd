#!/usr/bin/env node
// The headless runner: `ltask <main.lua> [options]` (`ltask --help` lists them).
//
// - Installed package, or this repository after a build: runs the built
//   ../dist/entries/cli.js; no tsx at run time.
// - This repository without a build (or with LTASK_FROM_SOURCE=1): runs the
//   TypeScript sources through tsx. The sources must resolve the package's
//   "ltask-source" condition in every thread (`#platform` and `#spawn` would
//   otherwise point into dist/), and worker threads take it from the process's
//   command line only, so the runner restarts itself once as
//   `node --conditions=ltask-source ltask.mjs ...`, which registers tsx.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const DIST = new URL('../dist/entries/cli.js', import.meta.url);
const SOURCE = new URL('../src/entries/cli.ts', import.meta.url);
const fail = (text) => {
  process.stderr.write(`ltask: ${text}\n`);
  process.exit(1);
};
const run = async (url) => {
  let runner;
  try {
    runner = await import(url.href);
  } catch (e) {
    fail(`cannot load the runner ${fileURLToPath(url)}:\n${e?.stack ?? e}`);
  }
  process.exitCode = await runner.main(process.argv.slice(2));
};

// True when this process resolves the package's imports to the sources.
const sourceCondition = () => {
  try {
    return import.meta.resolve('#platform').endsWith('.ts');
  } catch {
    return false; // dist/platform/node.js, which is missing
  }
};

/** Runs this script again in a child node with `flags`, passing signals on and its exit code back. */
const restart = (flags) => {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Pass signals on, so that stopping this process stops the run.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (sig) => child.kill(sig);
  for (const s of signals) process.on(s, forward);
  child.on('error', (e) => fail(`cannot start ${process.execPath}: ${e.message}`));
  // If whoever started us goes away (a signal to npx ends npm, not us), stop the child too.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) child.kill('SIGTERM');
  }, 250);
  orphanWatch.unref();
  child.on('exit', (code, signal) => {
    clearInterval(orphanWatch);
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
};

/**
 * V8 runs every thread's garbage-collection and compile tasks on one pool, 4
 * threads in Node by default: with more scheduler workers than that, workers
 * queue for it (16 Lua pairs on 8 workers of a 16-core machine: 117-137k
 * calls/s with the default pool, 182-205k with --v8-pool-size=16). So a run
 * with more than 4 workers restarts once with a pool of one thread per core.
 */
const poolFlags = () => {
  if (process.execArgv.some((a) => a.startsWith('--v8-pool-size'))) return [];
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const workers = i < 0 ? cores - 1 : Number(argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]);
  return Number.isFinite(workers) && workers > 4 ? [`--v8-pool-size=${Math.max(cores, 4)}`] : [];
};

const fromSource = process.env.LTASK_FROM_SOURCE === '1' || !existsSync(DIST);
if (!fromSource) {
  const flags = poolFlags();
  if (flags.length) restart(flags);
  else await run(DIST);
} else if (!existsSync(SOURCE)) {
  fail(
    existsSync(DIST)
      ? `LTASK_FROM_SOURCE=1, but this package has no TypeScript sources (${fileURLToPath(SOURCE)}): unset it to run the built runner`
      : `the package is not built: ${fileURLToPath(DIST)} is missing (reinstall it, or run \`npm run build -w plugin-ltask\` in its repository)`,
  );
} else if (sourceCondition()) {
  // The restarted process (or one started with the condition by hand).
  if (!process.execArgv.some((a) => a.includes('tsx'))) {
    try {
      (await import('tsx/esm/api')).register();
    } catch {
      fail('running the TypeScript sources needs tsx (npm i -D tsx), or build the package: npm run build -w plugin-ltask');
    }
  }
  await run(SOURCE);
} else {
  try {
    import.meta.resolve('tsx/esm/api');
  } catch {
    fail(
      `${fileURLToPath(DIST)} is missing and tsx is not installed to run the TypeScript sources: ` +
        'build the package (npm run build -w plugin-ltask) or install tsx (npm i -D tsx)',
    );
  }
  // The restarted process registers tsx itself (the workers, through
  // src/platform/boot.mjs): cheaper than `--import tsx`, which every worker
  // thread would inherit and run a second time.
  restart([...poolFlags(), '--conditions=ltask-source']);
}
