import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type LogEntry, type Runtime } from '@ltask-web/plugin-ltask';
import { LUA_SUITE } from './lua-suite.ts';

// The Lua suite on real Web Workers, scripts fetched from the dev server.
let rt: Runtime;
let suite: number;
const logs: LogEntry[] = [];

beforeAll(async () => {
  rt = await startRuntime({
    workers: 2,
    base: new URL('/', location.href).href,
    servicePath: 'test/fixtures/lua/?.lua',
    luaPath: 'test/fixtures/lua/?.lua;test/plugin-ltask/compat/programs/?.lua',
    onLog: (e) => logs.push(e),
  });
  suite = await rt.spawn('suite');
});
afterAll(async () => {
  // Serial: no VM entered twice, no coroutine resumed inside another, in the whole suite.
  expect(rt.serialViolations).toBe(0);
  await rt?.stop();
});

describe('Lua service API (Web Workers)', () => {
  for (const name of LUA_SUITE) {
    it(name, async () => {
      expect(await rt.call(suite, name)).toBe(true);
    });
  }

  it('print reaches the page through the logger', () => {
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', source: suite, label: 'suite', text: 'hello from print\t1\ttrue' }));
  });
});
