/**
 * Runtimes for the Node tests, over the Lua and TypeScript fixtures; each
 * test's are stopped after it, and their service error logs checked
 * (logs.ts: a test declares the error lines it expects with
 * `start.logs.expectError(pattern)`).
 */
import { afterEach, expect } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '@ltask-web/plugin-ltask';
import { serviceLogs, type ServiceLogs } from './logs.ts';

export const FIXTURES = {
  servicePath: 'test/fixtures/lua/?.lua',
  luaPath: 'test/fixtures/lua/?.lua',
  services: {
    adder: new URL('../fixtures/ts/adder.ts', import.meta.url).href,
    crasher: new URL('../fixtures/ts/crasher.ts', import.meta.url).href,
    heap: new URL('../fixtures/ts/heap.ts', import.meta.url).href,
  },
} satisfies RuntimeOptions;

export type StartRuntime = ((o?: RuntimeOptions) => Promise<Runtime>) & {
  /** The service logs of this test's runtimes, checked after it once they have stopped. */
  readonly logs: ServiceLogs;
};

/**
 * Returns `start(options)`: a runtime with 2 workers over the fixtures. After
 * each test, every runtime it started is checked for serial-execution
 * violations (there must be none) and stopped, then its service logs are
 * checked: an error line the test did not declare fails it.
 */
export function runtimes(): StartRuntime {
  const logs = serviceLogs(); // registered first: its check runs after the stop below
  const live: Runtime[] = [];
  afterEach(async () => {
    if (live.length) await logs.settle(); // the declared lines, before the stop
    for (const r of live.splice(0)) {
      expect(r.serialViolations).toBe(0);
      await r.stop();
    }
  });
  const start = async (o: RuntimeOptions = {}) => {
    const own = o.onLog;
    const r = await startRuntime({ workers: 2, ...FIXTURES, ...o, onLog: own ? (e) => (logs.onLog(e), own(e)) : logs.onLog });
    live.push(r);
    return r;
  };
  return Object.assign(start, { logs });
}
