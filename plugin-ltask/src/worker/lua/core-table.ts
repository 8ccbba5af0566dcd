/**
 * The `core` table the service library (`service.lua`) is given: every
 * primitive by name in one list, as ltask's `luaopen_ltask` lists its C
 * functions in one `luaL_Reg`, and the constants the library reads once.
 *
 * The list is the whole surface between the library and the runtime: a
 * primitive not named here does not exist for Lua.
 */
import fengari, { type LuaState } from 'fengari';
import { Address, MessageType, Receipt } from '../../wire/protocol.ts';
import * as core from './core.ts';
import * as tasks from './core-tasks.ts';
import { lmemCount, lmemLimit } from './limits.ts';
import { lnative } from './native.ts';
import type { LuaServiceState } from './state.ts';
import { WORLD_CORE } from './world.ts';

const { lua, to_luastring } = fengari;

/** The primitives, by their name in the `core` table. */
const CORE: Readonly<Record<string, core.Primitive>> = {
  // messages (core.ts)
  call: core.lcall,
  syscall: core.lsyscall,
  send: core.lsend,
  request: core.lrequest,
  respond: core.lrespond,
  session: core.lsession,
  no_response: core.lnoResponse,
  // coroutines and the service's course (core-tasks.ts)
  running: tasks.lrunning,
  backtrace: tasks.lbacktrace,
  sleep: tasks.lsleep,
  timeout: tasks.ltimeout,
  fork: tasks.lfork,
  wait: tasks.lwait,
  wakeup: tasks.lwakeup,
  load: tasks.lload,
  serving: tasks.lserving,
  quit: tasks.lquit,
  // native calls (native.ts) and limits (limits.ts)
  native: lnative,
  mem_limit: lmemLimit,
  mem_count: lmemCount,
  // values and clocks (core.ts)
  log: core.llog,
  pack: core.lpack,
  unpack: core.lunpack,
  now: core.lnow,
  counter: core.lcounter,
  cpucost: core.lcpucost,
  worker_id: core.lworkerId,
  // the App's world (world.ts)
  ...WORLD_CORE,
};

/** Integer constants of the `core` table, the same for every service (`self` is added per service). */
const INTEGERS: Readonly<Record<string, number>> = {
  REQUEST: MessageType.REQUEST,
  RESPONSE: MessageType.RESPONSE,
  ERROR: MessageType.ERROR,
  SYSTEM: MessageType.SYSTEM,
  SIGNAL: MessageType.SIGNAL,
  DONE: Receipt.DONE,
  DEAD: Receipt.DEAD,
  BUSY: Receipt.BUSY,
  ROOT: Address.ROOT,
  start_time: core.startSeconds,
};

/** Pushes the `core` table of `svc` onto `L`: each primitive bound to the service, the constants, `self` and `label`. */
export function pushCore(svc: LuaServiceState, L: LuaState): void {
  lua.lua_createtable(L, 0, 40);
  for (const [name, f] of Object.entries(CORE)) {
    lua.lua_pushcfunction(L, (T: LuaState) => f(svc, T));
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  for (const [name, v] of Object.entries(INTEGERS)) {
    lua.lua_pushinteger(L, v);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  lua.lua_pushinteger(L, svc.address);
  lua.lua_setfield(L, -2, to_luastring('self'));
  lua.lua_pushstring(L, to_luastring(svc.label));
  lua.lua_setfield(L, -2, to_luastring('label'));
}
