/**
 * The soak: many services, many calls, and faults thrown in while they run:
 * services killed, workers crashed, loaders suspended in native calls whose
 * synchronous reads go through io. Every call the host makes must settle,
 * answered (with the value sent) or with an error: `lost` counts the calls
 * that never settle, `hangs` the ones that took longer than `hangMs`.
 *
 * Used by `npm run soak` (bench/soak.bench.ts) and, short, by `npm test`
 * (test/plugin-ltask/host/soak.test.ts).
 */
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { probeNatives, PROBE_NATIVE } from '@ltask-web/plugin-ltask/testing';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { prng } from '../../scripts/prng.mjs';

export interface SoakOptions {
  services: number;
  messages: number;
  workers: number;
  /** Calls in flight at once. */
  window: number;
  /** One fault every this many calls (a kill, then a worker crash, then a loader, in turn; a crash waits for the last one's repair). */
  faultEvery: number;
  /** A call that takes longer counts as a hang. */
  hangMs: number;
  /** Files the loaders read through io (relative to the working directory). */
  paths: string[];
  seed: number;
  /** Progress lines (every 10%). */
  progress?: (line: string) => void;
}

export interface SoakReport {
  sent: number;
  answered: number;
  errored: number;
  /** Answers that did not carry the value sent (must be 0). */
  wrong: number;
  lost: number;
  hangs: number;
  kills: number;
  crashes: number;
  loads: number;
  replacedWorkers: number;
  serialViolations: number;
  seconds: number;
  /** Host heap and the process's resident set (workers included), MiB: with the services spawned, and after the calls. */
  memory: { heapBefore: number; heapAfter: number; rssBefore: number; rssAfter: number };
  /** The run could not go on (no service left, or no call settling): a failure. */
  stalled?: boolean;
  /** The runtime's last error lines, when the run stalled. */
  logs?: string[];
  /** What the calls that never settled were (the first 20). */
  unsettled?: string[];
  /** The calls that settled but took longer than `hangMs`: what each was, how long, how it ended (the first 20). */
  late?: string[];
  /** Error texts seen, with counts (the causes a caller was told). */
  errors: Record<string, number>;
}

const SOAK_SERVICE = `
local ltask = require "ltask"
local io = ltask.queryservice "io"
local S = {}
function S.echo(v) return v end
-- Through a second service: a kill or a crash there reaches this caller as an error.
function S.relay(to, v) return ltask.call(to, "echo", v) end
function S.nap(v) ltask.sleep(1) return v end
-- A loader: a native call that suspends on synchronous reads served by io.
function S.load(paths, v)
  local probe = ltask.native "${PROBE_NATIVE}"
  probe.load(paths, { read = function(p) return ltask.call(io, "read", p) end })
  return v
end
return S
`;

const mib = (n: number) => Math.round((n / 1048576) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc;

/** Normalises an error text to its cause (numbers out), for the error table. */
const cause = (e: unknown) =>
  String(e instanceof Error ? e.message : e)
    .split('\n')[0]!
    .replace(/\{service:\d+\}/g, '{service:N}')
    .replace(/\d+/g, 'N')
    .slice(0, 120);

export async function soak(o: SoakOptions): Promise<SoakReport> {
  const logs: string[] = [];
  const rt: Runtime = await startRuntime({
    workers: o.workers,
    sources: { 'service/soak.lua': SOAK_SERVICE },
    services: { crasher: new URL('./crasher.ts', import.meta.url).href },
    natives: probeNatives(),
    // The runtime's error lines, the last few kept for a report that failed.
    onLog: (e) => {
      if (e.level !== 'error' && !e.text.startsWith('[ltask]')) return;
      logs.push(e.text.slice(0, 300));
      if (logs.length > 12) logs.shift();
    },
  });
  // Which worker a service is on, and the replacements, read without a message.
  const internals = runtimeInternals(rt);
  const rnd = prng(o.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const report: SoakReport = {
    sent: 0, answered: 0, errored: 0, wrong: 0, lost: 0, hangs: 0, kills: 0, crashes: 0, loads: 0,
    replacedWorkers: 0, serialViolations: 0, seconds: 0,
    memory: { heapBefore: 0, heapAfter: 0, rssBefore: 0, rssAfter: 0 },
    errors: {},
  };
  const t0 = performance.now();
  let stopped = false;
  try {
    // One anonymous service nobody kills keeps the runtime up (it ends with its last one).
    await rt.spawn('soak');
    const pool: number[] = [];
    for (let i = 0; i < o.services; i++) pool.push(await rt.spawn('soak'));
    gc?.();
    const m0 = process.memoryUsage();
    report.memory.heapBefore = mib(m0.heapUsed);
    report.memory.rssBefore = mib(m0.rss);
    /** The driver's own calls (spawn, kill, crash) must settle too: counted like the others. */
    let controlPending = 0;
    /** A call that took longer than `hangMs` counts as a hang, and the report says what it was. */
    const lateCheck = (call: string, started: number, ended: string) => {
      const ms = performance.now() - started;
      if (ms <= o.hangMs) return;
      report.hangs++;
      if ((report.late ??= []).length < 20) report.late.push(`${call}: ${(ms / 1000).toFixed(1)} s, ${ended}`);
    };
    const unsettled = new Map<object, string>();
    const control = <T>(p: Promise<T>, what: string): Promise<T> => {
      const started = performance.now();
      controlPending++;
      const key = {};
      unsettled.set(key, what);
      const done = () => {
        unsettled.delete(key);
        controlPending--;
        lateCheck(what, started, 'settled');
      };
      p.then(done, done);
      return p;
    };
    /** Dead services leave the pool at once; fresh ones join it as they start. */
    let missing = 0;
    let repairing = false;
    const repair = async () => {
      for (let i = pool.length - 1; i >= 0; i--) {
        if (rt.state(pool[i]!) === 6) {
          pool[i] = pool[pool.length - 1]!;
          pool.pop();
          missing++;
        }
      }
      if (repairing) return;
      repairing = true;
      while (missing > 0 && !stopped) {
        // 32 at a time: a crash takes a whole worker's share of the pool.
        const batch = Math.min(32, missing);
        missing -= batch;
        const got = await Promise.allSettled(Array.from({ length: batch }, () => control(rt.spawn('soak'), 'spawn soak')));
        for (const g of got) {
          if (g.status === 'fulfilled') {
            if (typeof g.value === 'number' && g.value > 0) pool.push(g.value);
            else report.wrong++;
          } else {
            // Root itself may be down (worker 0 being replaced): try again soon.
            missing++;
            const c = `spawn: ${cause(g.reason)}`;
            report.errors[c] = (report.errors[c] ?? 0) + 1;
          }
        }
        if (got.some((g) => g.status === 'rejected')) await new Promise((r) => setTimeout(r, 50));
      }
      repairing = false;
    };
    const pending = new Map<number, number>(); // call number -> start time
    const what = new Map<number, string>();
    let inFlight = 0;
    let wake: (() => void) | null = null;
    const settle = (id: number, ok: boolean, v: unknown, want: number, err?: unknown) => {
      const started = pending.get(id)!;
      lateCheck(what.get(id) ?? `call ${id}`, started, ok ? 'answered' : `failed: ${cause(err)}`);
      pending.delete(id);
      what.delete(id);
      if (!ok) {
        report.errored++;
        const c = cause(err);
        if (c.includes('is dead')) void repair(); // the driver notices dead services and replaces them
        report.errors[c] = (report.errors[c] ?? 0) + 1;
      } else if (v === want) report.answered++;
      else report.wrong++;
      inFlight--;
      wake?.();
    };
    let crashing = false;
    const fault = (n: number) => {
      void repair();
      const kind = n % 3;
      if (kind === 0) {
        report.kills++;
        if (pool.length === 0) return;
        const victim = pick(pool);
        void control(rt.kill(victim), `kill ${victim}`).catch(() => {}).then(repair);
      } else if (kind === 1) {
        // Any worker: worker 0's death takes root, logger and timer with it.
        // One crash at a time, and only while services live elsewhere: losing
        // every anonymous service ends the runtime by ltask's rule (not a failure).
        const w = Math.floor(rnd() * o.workers);
        if (crashing || !pool.some((a) => internals.table.worker(a) !== w && rt.state(a) !== 6)) return;
        crashing = true;
        report.crashes++;
        void control(rt.spawnService({ name: 'crasher', worker_id: w }), `spawn crasher on worker ${w}`)
          .then((c) => control(rt.call(c, 'crash'), `crash worker ${w}`))
          .catch(() => {})
          .then(() => new Promise((r) => setTimeout(r, 100)))
          .then(repair)
          .finally(() => (crashing = false));
      } else if (pool.length > 0) {
        report.loads++;
        issue('load');
      }
    };
    const issue = (kind?: string) => {
      const id = report.sent++;
      const want = id;
      const target = pick(pool);
      const r = rnd();
      const call =
        kind === 'load'
          ? rt.call(target, 'load', o.paths, want)
          : r < 0.5
            ? rt.call(target, 'echo', want)
            : r < 0.9
              ? rt.call(target, 'relay', pick(pool), want)
              : rt.call(target, 'nap', want);
      pending.set(id, performance.now());
      what.set(id, `${kind ?? (r < 0.5 ? 'echo' : r < 0.9 ? 'relay' : 'nap')} to ${target} (worker ${internals.table.worker(target)}, state ${rt.state(target)})`);
      inFlight++;
      call.then(
        (v) => settle(id, true, v, want),
        (e) => settle(id, false, undefined, want, e),
      );
    };
    let nextReport = o.messages / 10;
    /** Waits for `ready`, but not past the hang limit: a stalled run ends and reports what never settled. */
    const stalled = async (ready: () => boolean) => {
      const until = performance.now() + 2 * o.hangMs;
      while (!ready()) {
        if (performance.now() > until) return true;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
        wake = null;
      }
      return false;
    };
    while (report.sent < o.messages) {
      // After a crash the calls wait for the pool to be half back (thousands of
      // calls on a few services would only measure their queues).
      if (await stalled(() => pool.length >= o.services / 2)) {
        o.progress?.(`stalled: no service left in the pool (a spawn never settled); ${controlPending} driver calls waiting`);
        report.stalled = true;
        report.logs = [...logs];
        break;
      }
      while (inFlight < o.window && report.sent < o.messages && pool.length > 0) {
        if (report.sent > 0 && report.sent % o.faultEvery === 0) fault(report.sent / o.faultEvery);
        issue();
      }
      const before = inFlight;
      if (await stalled(() => inFlight < before)) {
        o.progress?.(`stalled: ${inFlight} calls in flight, none settled for ${(2 * o.hangMs) / 1000} s`);
        report.stalled = true;
        break;
      }
      if (report.sent >= nextReport) {
        nextReport += o.messages / 10;
        o.progress?.(`${report.sent} sent, ${report.answered} answered, ${report.errored} errored, ${inFlight} in flight, pool ${pool.length} (+${missing} coming), ${internals.replacedWorkers} workers replaced, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
    // Every call must settle: wait for the last ones, up to twice the hang limit.
    const until = performance.now() + 2 * o.hangMs;
    while ((pending.size > 0 || controlPending > 0) && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    report.lost = pending.size + controlPending;
    report.unsettled = [...what.values(), ...unsettled.values()].slice(0, 20);
    report.hangs += pending.size + controlPending;
    if (report.lost > 0 || report.hangs > 0) report.logs = [...logs];
    report.replacedWorkers = internals.replacedWorkers;
    report.serialViolations = rt.serialViolations;
    report.seconds = Math.round((performance.now() - t0) / 100) / 10;
    gc?.();
    const m1 = process.memoryUsage();
    report.memory.heapAfter = mib(m1.heapUsed);
    report.memory.rssAfter = mib(m1.rss);
  } finally {
    stopped = true;
    await rt.stop();
  }
  return report;
}
