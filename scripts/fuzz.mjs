#!/usr/bin/env node
// The long fuzz runs: every target of test/plugin-ltask/fuzz/ (the same
// properties as the short runs in `npm test`) for a chosen time.
//
//   npm run fuzz -- [--time <seconds>] [--seed <n>] [--only <name part>]
//
// The time is shared by the targets (each gets an equal part). Within its part
// a target runs rounds of fast-check: round i uses seed `seed + i`, so a run is
// repeatable from its seed. It prints, per target, the rounds, executions and
// findings (each with its seed, path and shrunk counterexample: replay one with
// `FUZZ_SEED=<seed> npx vitest run test/plugin-ltask/fuzz/<area>.test.ts`, or
// fast-check's { seed, path }). Exits 1 when something was found.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const time = Number(opt('time', '60'));
const seed = Number(opt('seed', String((Math.random() * 0x7fffffff) | 0))) | 0;
const only = opt('only', '');
if (!(time > 0) || args.includes('--help')) {
  console.log('usage: npm run fuzz -- [--time <seconds>] [--seed <n>] [--only <name part>]');
  process.exit(args.includes('--help') ? 0 : 2);
}

const { register } = await import('tsx/esm/api');
register();
const fc = (await import('fast-check')).default;
const { allTargets } = await import(pathToFileURL(resolve('test/plugin-ltask/fuzz/targets.ts')).href);

const targets = allTargets().filter((t) => t.name.includes(only));
if (targets.length === 0) {
  console.error(`no target matches "${only}"`);
  process.exit(2);
}
const share = (time * 1000) / targets.length;
console.log(`fuzz: ${targets.length} targets, ${time} s in all (${(share / 1000).toFixed(1)} s each), seed ${seed}`);

let found = 0;
const summary = [];
for (const t of targets) {
  const t0 = performance.now();
  await t.setup?.();
  const end = t0 + share;
  let runs = 0;
  let rounds = 0;
  const findings = new Map(); // error text -> first report
  try {
    while (performance.now() < end) {
      const s = (seed + rounds) | 0;
      rounds++;
      const left = Math.max(1, Math.round(end - performance.now()));
      const params = { seed: s, numRuns: 1_000_000_000, interruptAfterTimeLimit: left, markInterruptAsFailure: false };
      const p = t.property();
      const d = p.isAsync() ? await fc.check(p, params) : fc.check(p, params);
      runs += d.numRuns;
      // (A round the time limit ended before its first run reports failed with no counterexample.)
      if (d.failed && d.counterexample !== null) {
        const why = String(d.errorInstance?.message ?? d.error ?? 'failed').split('\n')[0].slice(0, 300);
        if (!findings.has(why)) {
          findings.set(why, `seed ${d.seed}, path "${d.counterexamplePath}": ${why}\n      counterexample: ${fc.stringify(d.counterexample).slice(0, 600)}`);
        }
      }
    }
  } finally {
    await t.teardown?.();
  }
  const secs = (performance.now() - t0) / 1000;
  found += findings.size;
  summary.push({ target: t.name, rounds, executions: runs, seconds: Number(secs.toFixed(1)), findings: findings.size });
  console.log(`${t.name}: ${runs} executions in ${rounds} rounds, ${secs.toFixed(1)} s, ${findings.size} findings`);
  for (const f of findings.values()) console.log(`  - ${f}`);
}
console.log(`fuzz: seed ${seed}, ${summary.reduce((a, s) => a + s.executions, 0)} executions, ${found} findings`);
console.table(summary);
process.exit(found ? 1 : 0);
