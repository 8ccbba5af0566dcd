import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { ServiceLogs } from '../../../support/logs.ts';
import { LUA_SUITE as TESTS } from './lua-suite.ts';

// The same Lua suite runs in Chromium (lua-api.browser.test.ts).
let rt: Runtime;
let suite: number;
/** Checked once, after the suite: the one error line is the log test's own (T.log in suite.lua). */
const logs = new ServiceLogs();

beforeAll(async () => {
  rt = await startRuntime({
    workers: 2,
    servicePath: 'test/fixtures/lua/?.lua',
    luaPath: 'test/fixtures/lua/?.lua;test/plugin-ltask/compat/programs/?.lua',
    onLog: logs.onLog,
  });
  suite = await rt.spawn('suite');
});
afterAll(async () => {
  // Serial: no VM entered twice, no coroutine resumed inside another, in the whole suite.
  expect(rt.serialViolations).toBe(0);
  await rt?.stop();
  logs.expectError(/^\[suite:\d+\] an error line$/);
  logs.check();
});


describe('Lua service API (worker_threads)', () => {
  it('lists every test of the suite', async () => {
    expect((await rt.call<string[]>(suite, 'list')).sort()).toEqual([...TESTS].sort());
  });

  for (const name of TESTS) {
    it(name, async () => {
      expect(await rt.call(suite, name)).toBe(true);
    });
  }

  it('print and ltask.log reach the logger with the service label', () => {
    expect(logs.entries).toContainEqual(expect.objectContaining({ level: 'info', source: suite, label: 'suite', text: 'hello from print\t1\ttrue' }));
    expect(logs.entries).toContainEqual(expect.objectContaining({ level: 'error', label: 'suite', text: 'an error line' }));
  });

  it("S.quit runs on the system's quit request only (root's kill), not when a service quits itself", () => {
    expect(logs.entries.filter((e) => e.text === 'echo S.quit ran')).toHaveLength(1);
  });
});
