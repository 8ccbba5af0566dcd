import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { serviceLogs } from '../support/logs.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
});

describe('runtime slice', () => {
  it('a Lua service on a worker answers the host', async () => {
    rt = await startRuntime({
      workers: 2,
      sources: { 'service/hello.lua': 'local name = ... ; return { hi = function(who) return "hi " .. who .. " from " .. name, 42 end }' },
      onLog: logs.onLog,
    });
    const addr = await rt.spawn('hello', 'lua');
    expect(addr).toBeGreaterThan(3);
    expect(await rt.callMulti(addr, 'hi', 'host')).toEqual(['hi host from lua', 42]);
  });
});
