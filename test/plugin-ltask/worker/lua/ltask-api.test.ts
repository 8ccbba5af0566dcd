// Every function of ltask's service API (lualib/service.lua) exists here, or
// raises an error that names it and says why; docs/lua-api.md lists each one.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { serviceLogs } from '../../../support/logs.ts';

/** ltask's `ltask.*` functions that a service script can call. */
const PRESENT = [
  'call', 'send', 'syscall', 'async', 'sleep', 'timeout', 'wait', 'multi_wait', 'wakeup', 'multi_wakeup', 'interrupt',
  'multi_interrupt', 'fork', 'current_session', 'no_response', 'spawn', 'spawn_service', 'uniqueservice', 'queryservice',
  'parallel', 'quit', 'dispatch', 'self', 'label', 'pack', 'unpack', 'now', 'counter', 'cpucost', 'worker_id',
  'worker_bind', 'thread_info', 'running', 'backtrace', 'debuglog', 'servicepath', 'mem_count',
];
/** ltask functions with no meaning here: each raises "ltask.<name> does not exist here: <why>". */
const MISSING = [
  'mainthread_run', 'signal_handler', 'idle_handler', 'eventinit', 'suspend', 'post_message', 'send_message', 'recv_message',
  'message_receipt', 'timer_add', 'pushlog', 'unpack_remove', 'remove',
];

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({ workers: 1, servicePath: 'test/fixtures/lua/?.lua', onLog: logs.onLog });
});
afterAll(() => rt?.stop());

describe("ltask's API", () => {
  it('every function exists; those with no meaning here raise an error that names them and says why', async () => {
    const addr = await rt.spawn('apinames');
    const r = await rt.call<Record<string, { type: string; missing?: string }>>(addr, 'probe', [...PRESENT, ...MISSING], MISSING);
    for (const name of PRESENT) expect(r[name]?.type, name).toBe('function');
    for (const name of MISSING) expect(r[name]?.missing, name).toMatch(new RegExp(`^ltask\\.${name} does not exist here: \\S+`));
    expect(await rt.call(1, 'servicepath', 'apinames')).toContain('apinames.lua');
  });

  it('docs/lua-api.md lists every one of them', () => {
    const doc = readFileSync(new URL('../../../../docs/lua-api.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('## Every ltask function, here'));
    for (const name of [...PRESENT, ...MISSING, 'mem_limit', 'tracelog', 'quit_ltask', 'send_retry', 'memory', 'collectgarbage']) {
      expect(table, name).toContain(`\`${name}`);
    }
  });
});
