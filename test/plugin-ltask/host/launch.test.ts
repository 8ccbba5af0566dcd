/**
 * The runtime's start without host turns between its steps (host/runtime.ts
 * `launchRuntime`): the runtime is usable before it is up, workers may be
 * started ahead, root's `unique_call` answers a call to a name that is not
 * resolved yet, and a start that fails fails what was asked meanwhile with
 * its cause.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { launchRuntime, prestartWorkers, type Launch } from '../../../plugin-ltask/src/host/runtime.ts';
import { ExitSignal } from '../../../plugin-ltask/src/platform/types.ts';
import type { WorkerHandle } from '../../../plugin-ltask/src/platform/types.ts';
import { FIXTURES } from '../../support/runtime.ts';

const launched: Launch[] = [];
const launch = (...a: Parameters<typeof launchRuntime>) => {
  const l = launchRuntime(...a);
  launched.push(l);
  return l;
};
afterEach(async () => {
  await Promise.all(launched.splice(0).map((l) => l.ready.then((rt) => rt.stop(), () => {})));
});

const HELLO = 'local ltask = require "ltask"\nlocal S = {}\nfunction S.greet(who) return "hi " .. who, ltask.self() end\nreturn S\n';

describe('launchRuntime', () => {
  it('takes calls before it is up: a spawn asked in the same turn as the start is answered, and the runtime is ready', async () => {
    const l = launch({ ...FIXTURES, workers: 2, sources: { 'test/fixtures/lua/greeter.lua': HELLO } });
    // Asked before any worker has loaded: the messages wait in the workers' ports.
    const addr = l.runtime.uniqueService('greeter');
    const [rt, a] = await Promise.all([l.ready, addr]);
    expect(rt).toBe(l.runtime);
    expect(await rt.callMulti(a, 'greet', 'you')).toEqual(['hi you', a]);
    // io is up with the start, as startRuntime promised before.
    expect(await rt.queryService('io')).toBeGreaterThan(0);
  });

  it("root's unique_call starts a service by name and answers with every value of its call", async () => {
    const l = launch({ ...FIXTURES, workers: 2, sources: { 'test/fixtures/lua/greeter.lua': HELLO } });
    const values = await l.runtime.call<unknown[]>(1, 'unique_call', 'greeter', 'greet', 'root');
    const addr = await l.runtime.queryService('greeter');
    expect(values).toEqual(['hi root', addr]);
    // The same unique service the next time, not a second one.
    expect(await l.runtime.call<unknown[]>(1, 'unique_call', 'greeter', 'greet', 'again')).toEqual(['hi again', addr]);
    await expect(l.runtime.call(1, 'unique_call', 'no_such_service', 'greet')).rejects.toThrow(/no_such_service/);
  });

  it('runs on workers started ahead, and terminates the extra ones', async () => {
    const ahead = prestartWorkers(3);
    const ended: string[] = [];
    ahead[2]!.onExit((why) => ended.push(why));
    const l = launch({ ...FIXTURES, workers: 2 }, ahead);
    const rt = await l.ready;
    const a = await rt.spawn('echo');
    expect(await rt.callMulti(a, 'echo', 1, 'two')).toEqual([1, 'two']);
    expect(rt.workerCount).toBe(2);
    // terminate() silences the exit signal: the third worker is stopped without a report.
    expect(ended).toEqual([]);
  });

  it('a worker that cannot start fails the start with its cause, and what was asked meanwhile with it', async () => {
    const broken: WorkerHandle = {
      postMessage: () => {},
      listen: () => () => {},
      onExit: (h) => exit.on(h),
      terminate: () => Promise.resolve(),
    };
    const exit = new ExitSignal();
    // It failed before the runtime listened: the signal remembers why.
    exit.fire('worker ltask-worker-0 failed: Cannot find module');
    const l = launch({ ...FIXTURES, workers: 1 }, [broken]);
    const asked = l.runtime.spawn('echo');
    await expect(l.ready).rejects.toThrow(/ltask-worker-0 failed: Cannot find module/);
    await expect(asked).rejects.toThrow(/ltask-worker-0 failed: Cannot find module/);
  });
});

describe('ExitSignal', () => {
  it('a handler added after it fired hears the reason; none after silence()', () => {
    const s = new ExitSignal();
    s.fire('gone');
    s.fire('again');
    const heard: string[] = [];
    s.on((r) => heard.push(r));
    expect(heard).toEqual(['gone']);
    const quiet = new ExitSignal();
    quiet.silence();
    quiet.fire('stopped');
    quiet.on((r) => heard.push(r));
    expect(heard).toEqual(['gone']);
  });
});
