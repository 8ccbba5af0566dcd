/** Runtimes for the Node tests, over the Lua and TypeScript fixtures; each test's are stopped after it. */
import { afterEach, expect } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '@ltask-web/plugin-ltask';

export const FIXTURES = {
  servicePath: 'test/fixtures/lua/?.lua',
  luaPath: 'test/fixtures/lua/?.lua',
  services: {
    adder: new URL('../fixtures/ts/adder.ts', import.meta.url).href,
    crasher: new URL('../fixtures/ts/crasher.ts', import.meta.url).href,
    heap: new URL('../fixtures/ts/heap.ts', import.meta.url).href,
  },
  onLog: () => {},
} satisfies RuntimeOptions;

/**
 * Returns `start(options)`: a runtime with 2 workers over the fixtures. After
 * each test, every runtime it started is checked for serial-execution
 * violations (there must be none) and stopped.
 */
export function runtimes(): (o?: RuntimeOptions) => Promise<Runtime> {
  const live: Runtime[] = [];
  afterEach(async () => {
    for (const r of live.splice(0)) {
      expect(r.serialViolations).toBe(0);
      await r.stop();
    }
  });
  return async (o = {}) => {
    const r = await startRuntime({ workers: 2, ...FIXTURES, ...o });
    live.push(r);
    return r;
  };
}
