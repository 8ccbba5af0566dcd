#!/usr/bin/env node
// Before and after in one run: `npm run bench:compare -- <git-ref> [rounds]`.
//
// Checks out <git-ref> into .scratch/compare/<sha> (npm ci there the first
// time), then runs `bench/runtime.bench.ts` in that tree and in this one,
// alternating, `rounds` times each (default 2), so both see the same machine.
// Prints every figure of the runtime bench with the median of each side, the
// ratio after/before, and the spread of each side's own rounds: a figure is
// called worse only when the change is beyond both spreads (noise on a shared
// machine moves single runs by 10-30%). Writes bench/results/compare.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [ref, roundsArg] = process.argv.slice(2);
if (!ref) {
  console.error('usage: npm run bench:compare -- <git-ref> [rounds]');
  process.exit(2);
}
const rounds = Math.max(1, Number(roundsArg ?? 2));
const here = resolve(import.meta.dirname, '..');
const git = (...a) => execFileSync('git', a, { cwd: here, encoding: 'utf8' }).trim();
const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
const there = join(here, '.scratch', 'compare', sha.slice(0, 12));

if (!existsSync(join(there, 'package.json'))) {
  mkdirSync(join(here, '.scratch', 'compare'), { recursive: true });
  console.log(`checking out ${ref} (${sha.slice(0, 12)}) into ${there}`);
  git('worktree', 'add', '--detach', '-f', there, sha);
}
if (!existsSync(join(there, 'node_modules'))) {
  console.log(`npm ci in ${there} (once)`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: there, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The runner figures (`npx ltask`) use each tree's dist/: build this one as it is now.
spawnSync('npm', ['run', 'build:packages', '--silent'], { cwd: here, stdio: 'inherit' });

const RESULT = 'bench/results/runtime.json';
/** One bench run in `tree`; its rows by metric. The tree's committed result file is restored after. */
function runOnce(tree, label, i) {
  console.log(`\n--- ${label}, round ${i + 1} of ${rounds} ---`);
  const keep = readFileSync(join(tree, RESULT));
  const r = spawnSync(process.execPath, ['bench/run.mjs', 'bench/runtime.bench.ts'], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`the runtime bench failed in ${tree} (exit ${r.status})`);
  const out = JSON.parse(readFileSync(join(tree, RESULT), 'utf8'));
  writeFileSync(join(tree, RESULT), keep);
  return new Map(out.rows.filter((row) => Number.isFinite(row.value)).map((row) => [row.metric, row]));
}

const before = [];
const after = [];
for (let i = 0; i < rounds; i++) {
  before.push(runOnce(there, `before (${ref})`, i));
  after.push(runOnce(here, 'after (this tree)', i));
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (v) => (Math.max(...v) - Math.min(...v)) / median(v);
/** Whether a larger value is better: rates and throughputs are, times and sizes are not. */
const higherIsBetter = (unit) => /\/s\b|calls\/s|msgs\/s/.test(unit);
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

const rows = [];
for (const metric of after[0].keys()) {
  const b = before.map((m) => m.get(metric)?.value).filter((v) => v !== undefined);
  const a = after.map((m) => m.get(metric)?.value).filter((v) => v !== undefined);
  if (b.length === 0 || a.length === 0) continue;
  const unit = after[0].get(metric).unit;
  const mb = median(b);
  const ma = median(a);
  const ratio = ma / mb;
  const noise = Math.max(spread(a), spread(b), 0.1);
  const worse = higherIsBetter(unit) ? ratio < 1 - noise : ratio > 1 + noise;
  // The baseline and floor rows time plain worker_threads, not the runtime: how much the
  // machine itself moved between the two sides, never a verdict on the change.
  const reference = metric.startsWith('baseline') || metric.startsWith('floor');
  rows.push({ metric, unit, before: mb, after: ma, ratio, noise, verdict: reference ? '(machine)' : worse ? 'WORSE' : '' });
}

const head = ['metric', 'before', 'after', 'unit', 'after/before', 'noise', ''];
const cells = rows.map((r) => [r.metric, fmt(r.before), fmt(r.after), r.unit, r.ratio.toFixed(2) + 'x', '±' + (r.noise * 100).toFixed(0) + '%', r.verdict]);
const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => '| ' + c.map((x, i) => x.padEnd(width[i])).join(' | ') + ' |';
console.log(`\nruntime bench, ${rounds} round(s) each side, medians; before = ${ref} (${sha.slice(0, 12)})`);
console.log(line(head));
console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const c of cells) console.log(line(c));
const worse = rows.filter((r) => r.verdict === 'WORSE');
console.log(worse.length ? `\n${worse.length} figure(s) worse beyond noise` : '\nno figure worse beyond noise');
mkdirSync(join(here, 'bench', 'results'), { recursive: true });
writeFileSync(join(here, 'bench', 'results', 'compare.json'), JSON.stringify({ date: new Date().toISOString(), ref, sha, rounds, rows }, null, 2) + '\n');
