// A worker that cannot load says why: the host fetches its script and names
// the cause (missing file, not JavaScript) instead of "script error".
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { serviceLogs } from '../../support/logs.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
});

const CALLER = `
local ltask = require "ltask"
local S = {}
function S.try(name) return ltask.native(name).anything() end
return S
`;

describe('worker load failures name their cause', () => {
  it('a carrier script that is missing (404) or not JavaScript', async () => {
    rt = await startRuntime({
      workers: 1,
      io: false,
      onLog: logs.onLog,
      sources: { 'service/caller.lua': CALLER },
      natives: {
        missing: { carrier: new URL('/no-such-carrier.js', location.href).href },
        icon: { carrier: new URL('/favicon.ico', location.href).href },
      },
    });
    const caller = await rt.spawn('caller');
    await expect(rt.call(caller, 'try', 'missing')).rejects.toThrow(/no-such-carrier\.js\) failed to load: the server answered 404/);
    await expect(rt.call(caller, 'try', 'icon')).rejects.toThrow(/favicon\.ico\) failed to load: it is served as "image\/[\w.+-]+", not JavaScript/);
    // The service and the runtime keep working.
    await expect(rt.call(caller, 'try', 'nope')).rejects.toThrow(/unknown native module "nope"/);
  });
});
