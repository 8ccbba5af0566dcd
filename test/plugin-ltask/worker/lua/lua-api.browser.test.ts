import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { ServiceLogs } from '../../../support/logs.ts';
import { LUA_SUITE } from './lua-suite.ts';

// The Lua suite on real Web Workers, scripts fetched from the dev server.
let rt: Runtime;
let suite: number;
/** Checked once, after the suite: the one error line is the log test's own (T.log in suite.lua). */
const logs = new ServiceLogs();

beforeAll(async () => {
  rt = await startRuntime({
    workers: 2,
    base: new URL('/', location.href).href,
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

describe('Lua service API (Web Workers)', () => {
  for (const name of LUA_SUITE) {
    it(name, async () => {
      expect(await rt.call(suite, name)).toBe(true);
    });
  }

  it('print reaches the page through the logger', () => {
    expect(logs.entries).toContainEqual(expect.objectContaining({ level: 'info', source: suite, label: 'suite', text: 'hello from print\t1\ttrue' }));
  });
});
