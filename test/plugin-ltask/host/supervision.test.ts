/**
 * Supervision: a worker that crashes or freezes is replaced; its services are
 * dead and every call waiting on them, from the host or from any service,
 * fails with an error naming the service and the cause; the runtime goes on.
 */
import { describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { FIXTURES, runtimes } from '../../support/runtime.ts';
import { expectWorkerOneServes } from '../../support/supervision.ts';
import { expectCarrierGoesOn, forgetful, forgottenPromiseLine } from '../../support/rejection.ts';

const start = runtimes();
/** Service states (rt.state): a worker runs it now; it has ended. */
const RUNNING = 4;
const DEAD = 6;

/** The address `name` has once root has restarted it (polls: the restart is asynchronous). */
async function restarted(r: Runtime, name: string, old: number): Promise<number> {
  let addr = await r.queryService(name);
  for (let i = 0; addr === old && i < 100; i++) {
    await new Promise((res) => setTimeout(res, 20));
    addr = await r.queryService(name);
  }
  return addr;
}

/** How a call ended, within `ms`: its error's text, 'answered', or 'never settled' (a lost call fails the test here, not at its timeout). */
const outcome = (p: Promise<unknown>, ms: number): Promise<string> =>
  Promise.race([p.then(() => 'answered', (e: Error) => e.message), new Promise<string>((res) => setTimeout(res, ms, `never settled within ${ms} ms`))]);

const notExited = (r: Runtime, ms: number) => Promise.race([r.exited.then((e) => e), new Promise((res) => setTimeout(res, ms, 'running'))]);

/**
 * Services on worker 1 (the one that will die) with calls parked in them from
 * the host, a Lua service and a TypeScript service on worker 0; `kill` brings
 * worker 1 down. Every parked call must fail within `withinMs`, and worker 1
 * must serve again.
 */
async function dieAndRecover(r: Runtime, kill: (crasher: number) => Promise<unknown>, cause: RegExp, withinMs: number) {
  const crasher = await r.spawnService({ name: 'crasher', worker_id: 1 });
  const victim = await r.spawnService({ name: 'echo', worker_id: 1 });
  const lua = await r.spawnService({ name: 'echo', worker_id: 0 });
  const ts = await r.spawnService({ name: 'adder', worker_id: 0 });
  const dead = new RegExp(`\\{service:${victim}\\} is dead: worker 1 ${cause.source}`);
  start.logs.expectError(new RegExp(`\\[ltask\\] worker 1 ${cause.source}`)); // the supervisor reports the death
  // Each handler is attached before the death can answer it.
  const fromHost = expect(r.call(victim, 'sleep_then', 1000, 'never')).rejects.toThrow(dead);
  const fromLua = r.callMulti(lua, 'catch', victim, 'sleep_then', 1000, 'never');
  fromLua.catch(() => {}); // awaited below; handled now in case an earlier check fails first
  const fromTs = expect(r.call(ts, 'relay', victim, 'sleep_then', 1000, 'never')).rejects.toThrow(dead);
  await new Promise((res) => setTimeout(res, 100)); // the calls are parked in the victim
  const t0 = performance.now();
  void kill(crasher).catch(() => {});
  await fromHost;
  await fromTs;
  const [kind, , , text] = await fromLua;
  const elapsed = performance.now() - t0;
  expect(kind).toBe('string');
  expect(text).toMatch(dead);
  expect(elapsed).toBeLessThan(withinMs);
  // Dead for every sender from now on, and the runtime goes on.
  await expect(r.call(victim, 'echo', 1)).rejects.toThrow(/is dead/);
  expect(await notExited(r, 50)).toBe('running');
  // The replacement serves, both ways across workers.
  await expectWorkerOneServes(r, lua, ts);
  return elapsed;
}

describe('a worker that dies is replaced', () => {
  it('process.exit in a service: every waiting call fails at once, naming the service and the cause', async () => {
    const r = await start();
    await dieAndRecover(r, (c) => r.call(c, 'crash'), /failed: .*exited with code 3/, 1000);
  });

  it('an exception thrown outside any handler in a TypeScript service (from a timer)', async () => {
    const r = await start({ services: { ...FIXTURES.services, crasher: new URL('./fixtures/web-crasher.ts', import.meta.url).href } });
    await dieAndRecover(r, (c) => r.call(c, 'throwLater'), /failed: .*web-crasher: thrown outside any handler/, 1000);
  });

  it('a service that ended just before its worker died: calls still inside that worker fail too', async () => {
    const r = await start({ services: { ...FIXTURES.services, quitter: new URL('./fixtures/quitter.ts', import.meta.url).href } });
    await r.spawnService({ name: 'echo', worker_id: 0 }); // keeps the runtime up
    const q = await r.spawnService({ name: 'quitter', worker_id: 1 });
    const dead = new RegExp(`\\{service:${q}\\} is dead: worker 1 failed: .*exited with code 7`);
    start.logs.expectError(/\[ltask\] worker 1 failed: .*exited with code 7/); // the supervisor reports the death
    // One batch to worker 1 (the host posts once per turn): the second call
    // waits in the quitter's queue while the first quits it, and the answers
    // its end sends (not yet posted) die with the worker a moment later.
    const crash = outcome(r.call(q, 'quitThenCrash', 7, 300), 3000);
    const queued = outcome(r.call(q, 'echo', 'queued'), 3000);
    // Posted while the quitter runs: worker 1 never reads it (the soak's case;
    // a host too slow to post within the 300 ms is told `is dead` at once).
    while (r.state(q) !== RUNNING && r.state(q) !== DEAD) await new Promise((res) => setTimeout(res, 1));
    const unread = outcome(r.call(q, 'echo', 'unread'), 3000);
    // The quitter is dead when its worker dies, yet each call must still fail, naming the cause.
    expect(await crash).toMatch(dead);
    expect(await queued).toMatch(dead);
    expect(await unread).toMatch(/is dead/);
    expect(runtimeInternals(r).replacedWorkers).toBe(1);
    const fresh = await r.spawnService({ name: 'echo', worker_id: 1 });
    expect(await r.call(fresh, 'echo', 'after')).toBe('after');
  });

  it('worker 0 (root, logger, timer) is replaced too: root comes back with its registry, the runtime goes on', async () => {
    const r = await start();
    const keeper = await r.spawnService({ name: 'echo', worker_id: 1 }); // keeps the runtime up
    const named = await r.spawnService({ name: 'echo', unique: true, worker_id: 1, label: 'named-echo' });
    const supervised = await r.spawnService({ name: 'adder', unique: true, restart: 'restart', worker_id: 0 });
    const onZero = await r.spawnService({ name: 'echo', worker_id: 0 });
    const c = await r.spawnService({ name: 'crasher', worker_id: 0 });
    // The supervisor reports the death, root the restart of the supervised service.
    start.logs.expectError(/\[ltask\] worker 0 failed: .*exited with code 3/);
    start.logs.expectError(/\[root:1\] \[ltask\] adder \(\d+\) failed; restarting it: .*is dead: worker 0 failed/);
    const pending = expect(r.call(onZero, 'sleep_then', 1000, 'never')).rejects.toThrow(/is dead: worker 0 failed/);
    // A service on worker 1 asleep in the timer (on worker 0) is told too.
    const sleeper = r.callMulti(keeper, 'catch', onZero, 'sleep_then', 1000, 'never');
    await new Promise((res) => setTimeout(res, 100));
    await r.call(c, 'crash');
    await pending;
    expect((await sleeper)[3]).toMatch(/is dead: worker 0 failed/);
    expect(await notExited(r, 50)).toBe('running');
    // Root answers again, with what it knew: names, labels, local services.
    expect(await r.queryService('echo')).toBe(named);
    expect((await r.inspect()).find((x) => x.address === named)?.label).toBe('named-echo');
    const fresh = await r.spawn('echo');
    expect(await r.callMulti(fresh, 'sleep_then', 1, 'timer works')).toEqual(['timer works']);
    expect(await r.call(keeper, 'echo', 'alive')).toBe('alive');
    // The supervised service on worker 0 was restarted; the plain one stays dead.
    const again = await restarted(r, 'adder', supervised);
    expect(again).not.toBe(supervised);
    expect(await r.call(again, 'add', 2)).toBe(2);
    await expect(r.call(onZero, 'echo', 1)).rejects.toThrow(/is dead/);
    // io (a local service) serves from every worker, worker 0 included.
    const z = await r.spawnService({ name: 'echo', worker_id: 0 });
    expect(await r.call(z, 'echo', 'z')).toBe('z');
    expect(await r.queryService('io')).toBeGreaterThan(0);
  });
});

/**
 * Short enough for a quick test, long enough that a loaded CI machine (2
 * cores, three browsers beside) does not starve a healthy worker that long:
 * 400 ms did, once.
 */
const WATCHDOG = 1500;

describe('the watchdog', () => {
  it('a TypeScript handler that never returns: the worker is replaced after watchdogMs', async () => {
    const r = await start({ watchdogMs: WATCHDOG });
    const elapsed = await dieAndRecover(r, (c) => r.call(c, 'loop'), new RegExp(`stopped answering: .*watchdogMs ${WATCHDOG}`), 3 * WATCHDOG);
    expect(elapsed).toBeGreaterThanOrEqual(WATCHDOG);
  });

  it('a loop in a timer (no handler running)', async () => {
    const r = await start({ watchdogMs: WATCHDOG });
    await dieAndRecover(r, (c) => r.call(c, 'loopLater'), /stopped answering/, 3 * WATCHDOG);
  });

  it('a Lua library call that the instruction hook cannot interrupt', async () => {
    const r = await start({ watchdogMs: WATCHDOG });
    await dieAndRecover(r, async () => r.call(await r.spawnService({ name: 'echo', worker_id: 1 }), 'slow_find'), /stopped answering/, 3 * WATCHDOG);
  });

  it('an idle runtime is left alone', async () => {
    // An idle worker answers each ping after waking: on a machine whose cores are busy with
    // other work that wake-up was seen to take 1.8 s, so this watchdog allows 3 s, watched for 6 s.
    const r = await start({ watchdogMs: 2 * WATCHDOG });
    const s = await r.spawnService({ name: 'echo', worker_id: 1 });
    await new Promise((res) => setTimeout(res, 4 * WATCHDOG));
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
    expect(await r.call(s, 'echo', 1)).toBe(1);
  });
});

describe('an unhandled promise rejection in a TypeScript service', () => {
  it('is logged naming the worker, the service whose module its stack names, and the reason; the worker and every service on it go on', async () => {
    const r = await start();
    const crasher = await r.spawnService({ name: 'crasher', worker_id: 1 });
    const victim = await r.spawnService({ name: 'echo', worker_id: 1 });
    const ts = await r.spawnService({ name: 'adder', worker_id: 1 });
    const lua = await r.spawnService({ name: 'echo', worker_id: 0 });
    const line = forgottenPromiseLine(crasher, 'crasher.ts');
    start.logs.expectError(line); // twice: one line per forgotten promise
    // Calls waiting in services of worker 1, from the host and from worker 0.
    const fromHost = r.call(victim, 'sleep_then', 100, 'woke'); // 1 s
    const fromLua = r.callMulti(lua, 'catch', victim, 'sleep_then', 100, 'woke too');
    await new Promise((res) => setTimeout(res, 50));
    expect(await r.call(crasher, 'reject')).toBe(true);
    await start.logs.settle();
    expect(start.logs.errors().filter((l) => line.test(l))).toHaveLength(1);
    // Nothing died: the waiting calls are answered, the crasher itself serves on.
    expect(await fromHost).toBe('woke');
    expect(await fromLua).toEqual(['no error']);
    expect(await r.call(crasher, 'reject')).toBe(true);
    for (let i = 0; i < 100 && start.logs.errors().filter((l) => line.test(l)).length < 2; i++) await new Promise((res) => setTimeout(res, 20));
    expect(start.logs.errors().filter((l) => line.test(l))).toHaveLength(2);
    expect(await r.call(ts, 'relay', lua, 'echo', 'across')).toBe('across');
    expect(await r.call(victim, 'echo', 'still')).toBe('still');
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
  });

  it('a reason with no stack: the line is the worker\'s and lists its TypeScript services', async () => {
    const r = await start({ services: { ...FIXTURES.services, plain: new URL('./fixtures/web-crasher.ts', import.meta.url).href } });
    const ts = await r.spawnService({ name: 'adder', worker_id: 1 });
    const plain = await r.spawnService({ name: 'plain', worker_id: 1 });
    await r.spawnService({ name: 'adder', worker_id: 0 }); // not on worker 1: not listed
    start.logs.expectError(
      new RegExp(
        `^\\[ltask:0\\] \\[ltask\\] worker 1: an unhandled promise rejection, logged; the worker and its services go on ` +
          `\\(a promise with no catch in a TypeScript service on this worker: adder \\(${ts}\\), plain \\(${plain}\\)\\): web-crasher: a plain reason$`,
      ),
    );
    expect(await r.call(plain, 'rejectPlain')).toBe(true);
    await start.logs.settle();
    expect(await r.call(ts, 'add', 2)).toBe(2);
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
  });

  it("in a native module's function: its carrier goes on, with the module's state", async () => {
    await expectCarrierGoesOn(await start(forgetful(FIXTURES.services)), start.logs);
  });
});

describe('restart policies (root)', () => {
  it('"restart": a unique service whose worker died is started again; its name moves to the new instance', async () => {
    const r = await start();
    const crasher = await r.spawnService({ name: 'crasher', worker_id: 1 });
    const first = await r.spawnService({ name: 'echo', unique: true, restart: 'restart', worker_id: 1 });
    const plain = await r.spawnService({ name: 'echo', worker_id: 1 });
    expect(await r.queryService('echo')).toBe(first);
    // The supervisor reports the death, root the restart.
    start.logs.expectError(/\[ltask\] worker 1 failed: .*exited with code 3/);
    start.logs.expectError(/\[root:1\] \[ltask\] echo \(\d+\) failed; restarting it: .*is dead: worker 1 failed/);
    await r.call(crasher, 'crash');
    // queryservice waits for the new instance rather than answering a dead one.
    const again = await restarted(r, 'echo', first);
    expect(again).not.toBe(first);
    expect(await r.call(again, 'echo', 'back')).toBe('back');
    // Without a policy a service stays dead.
    await expect(r.call(plain, 'echo', 1)).rejects.toThrow(/is dead/);
    expect((await r.inspect()).filter((x) => x.label === 'echo')).toHaveLength(1);
  });

  it('a bad policy is refused before anything starts', async () => {
    const r = await start();
    await expect(r.spawnService({ name: 'echo', restart: 'always' as never })).rejects.toThrow(/restart must be "none", "restart" or "backoff"/);
    await expect(r.spawnService({ name: 'echo', runaway_ms: -1 })).rejects.toThrow(/runaway_ms must be/);
  });
});

describe('runaway limit per service', () => {
  it('runaway_ms overrides the runtime\'s runawayMs both ways', async () => {
    const r = await start({ runawayMs: 0 });
    const strict = await r.spawnService({ name: 'echo', runaway_ms: 300 });
    await expect(r.call(strict, 'forever')).rejects.toThrow(/runaway script: ran \d+ ms without yielding \(runawayMs 300\)/);
    const r2 = await start({ runawayMs: 200 });
    const lax = await r2.spawnService({ name: 'echo', runaway_ms: 0 });
    const loose = await r2.spawnService({ name: 'echo' });
    await expect(r2.call(loose, 'spin', 500)).rejects.toThrow(/runawayMs 200/);
    expect(await r2.call(lax, 'spin', 500)).toBe(true);
  });
});

// runawayMs 0: on a loaded machine the allocating loops and the walks that
// check them may run past the 2 s default, and this is about memory.
describe('memory limit per service', () => {
  // The limit is checked on a walk of the service's memory, at most 5% of its time: a handler
  // allocating fast runs a second or more before a check sees it (several on a loaded machine).
  // The watchdog, not tested here, is given room so that it does not end those handlers first,
  // and each test 60 s (allocation and the walks that check it slow down together under load).
  const MEMORY_ONLY = { runawayMs: 0, watchdogMs: 60_000 };
  it('a handler that allocates past mem_limit fails; the service carries on', async () => {
    const r = await start(MEMORY_ONLY);
    const s = await r.spawnService({ name: 'hog', mem_limit: 1024 * 1024 });
    const base = await r.call<number>(s, 'count');
    expect(base).toBeLessThan(1024 * 1024);
    await expect(r.call(s, 'temp', 600_000)).rejects.toThrow(/memory limit: service \d+ \(hog\) holds about [\d,]+ KiB, over its limit of 1,024 KiB/);
    expect(await r.call(s, 'echo', 'alive')).toBe('alive');
  }, 60_000);

  it('a service still over its limit after a message fails, and its restart policy applies', async () => {
    const r = await start(MEMORY_ONLY);
    const first = await r.spawnService({ name: 'hog', unique: true, restart: 'restart' });
    // The service dies over its limit, and root restarts it: both are reported.
    start.logs.expectError(/\[ltask\] service \d+ \(hog\) failed: Error: \[ltask\] memory limit/);
    start.logs.expectError(/\[root:1\] \[ltask\] hog \(\d+\) failed; restarting it: .*memory limit/);
    expect(await r.call(first, 'limit', 512 * 1024)).toBe(0);
    // Kept memory: the handler may finish before a check, but the service cannot keep it.
    await r.call(first, 'grow', 3000).catch((e: Error) => expect(e.message).toMatch(/memory limit/));
    // The check after a message runs at most every 50 ms (more often when the walk is slow):
    // a message within a few of those fails; 10 s bounds it on a loaded machine.
    let failure = '';
    for (const t0 = performance.now(); !failure && performance.now() - t0 < 10_000; ) {
      await new Promise((res) => setTimeout(res, 20));
      failure = await r.call(first, 'echo', 1).then(() => '', (e: Error) => e.message);
    }
    expect(failure).toMatch(/memory limit|is dead/);
    const again = await restarted(r, 'hog', first);
    expect(again).not.toBe(first);
    expect(await r.call(again, 'echo', 'fresh')).toBe('fresh');
  }, 60_000);

  it('the runtime-wide memLimit, and its errors at spawn', async () => {
    const r = await start({ ...MEMORY_ONLY, memLimit: 1024 * 1024 });
    const s = await r.spawn('hog');
    await expect(r.call(s, 'temp', 600_000)).rejects.toThrow(/over its limit of 1,024 KiB/);
    await expect(r.spawnService({ name: 'hog', mem_limit: -5 })).rejects.toThrow(/mem_limit must be a number of bytes/);
  }, 60_000);
});

describe('addresses', () => {
  it('rows are reused once every fresh one is taken, under new addresses: an old address stays dead', async () => {
    const r = await start({ maxServices: 16 });
    const seen = new Set<number>();
    await r.spawn('echo'); // keeps the runtime up (it ends with its last anonymous service)
    const first = await r.spawn('echo');
    expect(await r.call(first, 'echo', 'one')).toBe('one');
    await r.kill(first);
    // 100 spawn/quit cycles through 12 free rows: far past the table's size.
    let last = first;
    for (let i = 0; i < 100; i++) {
      last = await r.spawn('echo');
      expect(seen.has(last)).toBe(false);
      seen.add(last);
      expect(await r.call(last, 'echo', i)).toBe(i);
      if (i < 99) await r.kill(last);
    }
    expect(last & 0xffff).toBeLessThan(16);
    expect(last).toBeGreaterThan(0xffff); // a later generation
    // The first address is that of a row now in use by another service: still dead.
    await expect(r.call(first, 'echo', 'stale')).rejects.toThrow(/is dead/);
    const [kind, , , text] = await r.callMulti(last, 'catch', first, 'echo');
    expect([kind, text]).toEqual(['string', expect.stringMatching(/is dead/)]);
    expect(r.state(first)).toBe(DEAD);
  });

  it('a full table says so; maxServices is checked', async () => {
    await expect(startRuntime({ workers: 1, maxServices: 100_000 })).rejects.toThrow(/maxServices must be an integer from 5 to 65536/);
    const r = await start({ maxServices: 8 });
    const alive = [];
    for (let i = 0; i < 3; i++) alive.push(await r.spawn('echo'));
    await expect(r.spawn('echo')).rejects.toThrow(/service table full: 8 services alive at once/);
  });
});

describe('replacement after replacement', () => {
  it('12 worker crashes in a row: the runtime keeps serving and its shared memory stays flat', async () => {
    const r = await start();
    await r.spawnService({ name: 'echo', worker_id: 0 }); // keeps the runtime up
    const before = process.memoryUsage().arrayBuffers;
    start.logs.expectError(/\[ltask\] worker 1 failed: .*exited with code 3/); // twelve times: the supervisor reports each death
    for (let i = 0; i < 12; i++) {
      const c = await r.spawnService({ name: 'crasher', worker_id: 1 });
      await r.call(c, 'crash');
      while (runtimeInternals(r).replacedWorkers <= i) await new Promise((res) => setTimeout(res, 10));
    }
    const s = await r.spawnService({ name: 'echo', worker_id: 1 });
    expect(await r.call(s, 'echo', 'after 12')).toBe('after 12');
    // Each replacement allocates the same rings again (a doubling would reach gigabytes).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);
});
