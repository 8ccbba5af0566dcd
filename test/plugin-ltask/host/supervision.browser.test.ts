/**
 * Supervision with Web Workers in a real page (Chromium, Firefox, WebKit): a
 * scheduler worker that crashes, closes itself or freezes is replaced (a
 * forgotten promise is logged and ends nothing, as in Node), a
 * carrier that dies inside a native call and one that runs past its time are
 * given up on. Each time the callers are answered with an error naming the
 * cause, the services on the other worker keep answering, and the page keeps
 * rendering frames while it happens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '@ltask-web/plugin-ltask';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { frameGaps } from '../../support/frames.ts';
import { serviceLogs } from '../../support/logs.ts';
import { expectWorkerOneServes } from '../../support/supervision.ts';
import { expectCarrierGoesOn, forgetful, forgottenPromiseLine } from '../../support/rejection.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterEach(async () => {
  if (rt) {
    await logs.settle(); // the declared lines, before the stop
    expect(rt.serialViolations).toBe(0);
    await rt.stop();
  }
  rt = null;
});

const start = async (o: RuntimeOptions = {}) =>
  (rt = await startRuntime({
    workers: 2,
    base: new URL('/', location.href).href,
    servicePath: 'test/fixtures/lua/?.lua',
    services: {
      adder: new URL('../../fixtures/ts/adder.ts', import.meta.url).href,
      crasher: new URL('./fixtures/web-crasher.ts', import.meta.url).href,
    },
    natives: { concat: new URL('../../fixtures/native/concat.ts', import.meta.url).href },
    onLog: logs.onLog,
    ...o,
  }));

/**
 * Short enough for a quick test, long enough that a busy 2-core machine (a
 * browser, its workers and the test runner) does not starve a healthy worker
 * that long.
 */
const WATCHDOG = 1500;

/**
 * A bound no call should come near: a call still unsettled then was lost, and
 * the test says so rather than running into its own timeout.
 */
const LOST_MS = 20_000;

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** How a call ended: its error's text, 'answered', or 'never settled' within `LOST_MS`. */
const outcome = (p: Promise<unknown>): Promise<string> =>
  Promise.race([p.then(() => 'answered', (e: Error) => e.message), pause(LOST_MS).then(() => `never settled within ${LOST_MS} ms`)]);

/**
 * While `fault` settles, a service on worker 0 is called again and again
 * (each must answer) and the page's frames are counted, until four frames
 * after it. Returns the fault's outcome, the calls answered meanwhile and the
 * frames.
 */
async function through<T>(fault: Promise<T>, bystander: { r: Runtime; address: number }) {
  const frames = frameGaps();
  frames.start();
  let settled = false;
  const done = fault.finally(() => (settled = true));
  let answered = 0;
  while (!settled) {
    expect(await bystander.r.call(bystander.address, 'echo', answered)).toBe(answered);
    answered++;
    await pause(10);
  }
  const value = await done;
  // Four frames after it too (a fault may settle within one): the page renders on.
  const frame = () => new Promise((res) => requestAnimationFrame(res));
  await Promise.race([frame().then(frame).then(frame).then(frame), pause(LOST_MS)]);
  return { value, answered, frames: frames.stop() };
}

/**
 * Services on worker 1 (the one that will go) with calls parked in them from
 * the host, a Lua service and a TypeScript service on worker 0; `kill` brings
 * worker 1 down. Every parked call fails naming the cause, worker 0 answers
 * all along, the page renders, and worker 1 serves again.
 */
async function workerFault(r: Runtime, kill: (crasher: number) => Promise<unknown>, cause: RegExp) {
  const crasher = await r.spawnService({ name: 'crasher', worker_id: 1 });
  const victim = await r.spawnService({ name: 'echo', worker_id: 1 });
  const lua = await r.spawnService({ name: 'echo', worker_id: 0 });
  const ts = await r.spawnService({ name: 'adder', worker_id: 0 });
  const dead = new RegExp(`\\{service:${victim}\\} is dead: worker 1 ${cause.source}`);
  logs.expectError(new RegExp(`\\[ltask\\] worker 1 ${cause.source}`)); // the supervisor reports the death
  const fromHost = outcome(r.call(victim, 'sleep_then', 1000, 'never'));
  const fromLua = outcome(r.callMulti(lua, 'catch', victim, 'sleep_then', 1000, 'never').then((v) => Promise.reject(new Error(String(v[3])))));
  const fromTs = outcome(r.call(ts, 'relay', victim, 'sleep_then', 1000, 'never'));
  await pause(100); // the calls are parked in the victim
  void kill(crasher).catch(() => {});
  const { value, answered, frames } = await through(Promise.all([fromHost, fromLua, fromTs]), { r, address: lua });
  for (const text of value) expect(text).toMatch(dead);
  expect(answered).toBeGreaterThan(0);
  // Frames kept coming: a main thread that waited on the worker would show a gap
  // as long as the fault (watchdogMs for a frozen one). A busy machine stretches
  // the intervals between frames, not that far.
  expect(frames.frames).toBeGreaterThanOrEqual(4);
  expect(frames.maxGapMs).toBeLessThan(WATCHDOG);
  // Dead for every sender from now on, and the runtime goes on.
  await expect(r.call(victim, 'echo', 1)).rejects.toThrow(/is dead/);
  // The replacement serves, both ways across workers.
  await expectWorkerOneServes(r, lua, ts);
}

describe('a scheduler worker that dies is replaced (Web Workers)', () => {
  it('an exception thrown outside any handler (the worker\'s error event)', async () => {
    const r = await start();
    await workerFault(r, (c) => r.call(c, 'throwLater'), /failed: .*thrown outside any handler/);
  });

  it('Node-only code (process.exit) in a running service: named as its own error, not as a bundling problem', async () => {
    const r = await start();
    // V8 and SpiderMonkey: "process is not defined"; JavaScriptCore: "Can't find variable: process".
    // The hint for a bundle whose fengari reads process.env at load would come after it.
    await workerFault(r, (c) => r.call(c, 'nodeExit'), /failed: [^;]*(process is not defined|Can't find variable: process)(?!\. fengari)/);
  });

  it('a worker that closes itself (self.close(): the browser tells the page nothing)', async () => {
    const r = await start();
    await workerFault(r, (c) => r.call(c, 'closeLater'), /failed: worker ltask-[\w-]+ closed itself \(close\(\) was called in it\)/);
  });
});

describe('an unhandled promise rejection in a TypeScript service (Web Workers)', () => {
  it('is logged with its reason, as in Node; the worker and every service on it go on', async () => {
    const r = await start();
    const crasher = await r.spawnService({ name: 'crasher', worker_id: 1 });
    const victim = await r.spawnService({ name: 'echo', worker_id: 1 });
    const lua = await r.spawnService({ name: 'echo', worker_id: 0 });
    const line = forgottenPromiseLine(crasher, 'web-crasher.ts');
    logs.expectError(line);
    const fromHost = r.call(victim, 'sleep_then', 100, 'woke'); // 1 s
    const fromLua = r.callMulti(lua, 'catch', victim, 'sleep_then', 100, 'woke too');
    await pause(50);
    const { value, answered } = await through(r.call(crasher, 'reject'), { r, address: lua });
    expect(value).toBe(true);
    expect(answered).toBeGreaterThan(0);
    await logs.settle();
    expect(logs.errors().filter((l) => line.test(l))).toHaveLength(1);
    // Nothing died: the waiting calls are answered, the crasher serves on, nothing was replaced.
    expect(await fromHost).toBe('woke');
    expect(await fromLua).toEqual(['no error']);
    expect(await r.call(crasher, 'reject')).toBe(true);
    expect(await r.call(victim, 'echo', 'still')).toBe('still');
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
  });

  it("in a native module's function: its carrier goes on, with the module's state, as in Node", async () => {
    await expectCarrierGoesOn(await start(forgetful({})), logs);
  });
});

describe('the watchdog (Web Workers)', () => {
  it('a TypeScript handler that never returns: the worker is replaced after watchdogMs', async () => {
    const r = await start({ watchdogMs: WATCHDOG, runawayMs: 0 });
    await workerFault(r, (c) => r.call(c, 'loop'), new RegExp(`stopped answering: .*watchdogMs ${WATCHDOG}`));
  });

  it('a Lua library call that the instruction hook cannot interrupt', async () => {
    const r = await start({ watchdogMs: WATCHDOG, runawayMs: 0 });
    await workerFault(r, async () => r.call(await r.spawnService({ name: 'echo', worker_id: 1 }), 'slow_find'), /stopped answering/);
  });
});

describe('native calls fail at their call site (Web Workers)', () => {
  /** A Lua service that calls the native module, and one on the other worker that must keep answering. */
  async function natives(o: RuntimeOptions = {}) {
    const r = await start(o);
    const user = await r.spawnService({ name: 'native_user', worker_id: 1 });
    const bystander = await r.spawnService({ name: 'echo', worker_id: 0 });
    expect(await r.call(user, 'work', 0, 'warm')).toBe('warm'); // a carrier is up
    return { r, user, bystander };
  }

  async function fault(o: RuntimeOptions, call: (r: Runtime, user: number) => Promise<unknown>, cause: RegExp) {
    const { r, user, bystander } = await natives(o);
    const { value, answered, frames } = await through(outcome(call(r, user)), { r, address: bystander });
    expect(value).toMatch(cause);
    expect(answered).toBeGreaterThan(0);
    // Frames kept coming (the main thread never waits on a carrier).
    expect(frames.frames).toBeGreaterThanOrEqual(4);
    expect(frames.maxGapMs).toBeLessThan(WATCHDOG);
    // The calling service goes on, and a next native call finds a working carrier.
    expect(await r.call(user, 'ping', 'alive')).toBe('alive');
    expect(await r.call(user, 'concat', { a: 'a', b: 'b', c: 'c' })).toBe('abc');
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
  }

  it('a carrier that closes itself inside a call: the caller hears of it, the next call gets a fresh carrier', async () => {
    await fault({}, (r, s) => r.call(s, 'crash'), /native concat: carrier \d+ failed: worker ltask-carrier-concat-\d+ closed itself/);
  });

  it("a library's exception: a Lua error at the call site, the carrier stays", async () => {
    await fault({}, (r, s) => r.call(s, 'boom'), /concat exploded: bad asset/);
  });

  it('a call that runs past nativeCallTimeoutMs: its carrier is replaced', async () => {
    await fault({ nativeCallTimeoutMs: 1000 }, (r, s) => r.call(s, 'work', 60_000, 'never'), /native concat\.work ran longer than 1000 ms \(nativeCallTimeoutMs\)/);
  });

  it('a callback that runs past callbackTimeoutMs', async () => {
    await fault({ callbackTimeoutMs: 300 }, (r, s) => r.call(s, 'hang', 100), /callback timed out after 300 ms \(native concat\.call\)/);
  });
});
