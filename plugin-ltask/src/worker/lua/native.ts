/**
 * A Lua service's side of native calls: `core.native` sends the call (a Lua
 * function among its arguments becomes a callback id), a CALLBACK message runs
 * that function in a coroutine of its own, and the call's answer forgets the
 * callbacks it held.
 *
 * The callbacks live in one Lua table (by id) in the registry, so the carrier
 * only ever names them by number. Their results go back through
 * `callbackReturn` (coroutine.ts), where every coroutine's results go.
 */
import fengari, { type LuaState } from 'fengari';
import { encode, encodeLua } from '../../wire/codec/index.ts';
import { MessageType } from '../../wire/protocol.ts';
import type { Msg } from '../../wire/transport/index.ts';
import { callbackReturn, discard, outer, pushPayload, resume, take, waitOn } from './coroutine.ts';
import { newSession, raise, yieldable } from './core.ts';
import { Job, type LuaServiceState } from './state.ts';

const { lua } = fengari;

/**
 * `core.native(module, fn, ...)`: calls a native module's function on a
 * carrier; the coroutine waits for its result, and the call's callbacks run
 * here meanwhile.
 */
export function lnative(svc: LuaServiceState, L: LuaState): number {
  yieldable(L, 'native');
  const module = lua.lua_tojsstring(L, 1);
  const fn = lua.lua_tojsstring(L, 2);
  const ids: number[] = [];
  // The payload is [parent call, module, fn, ...args], encoded once: the carrier decodes it.
  lua.lua_pushinteger(L, outer(svc).callId);
  lua.lua_insert(L, 1);
  let payload: Uint8Array;
  try {
    payload = encodeLua(L, 1, lua.lua_gettop(L), svc.sched.config.maxMessageBytes, (L, idx) => {
      const id = ++svc.nextCallback;
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, svc.callbacksRef);
      lua.lua_pushvalue(L, idx < 0 ? idx - 1 : idx);
      lua.lua_rawseti(L, -2, id);
      lua.lua_pop(L, 1);
      ids.push(id);
      return id;
    });
  } catch (e) {
    releaseCallbacks(svc, ids);
    return raise(L, (e as Error).message);
  }
  const session = newSession(svc);
  const co = waitOn(svc, session, 0);
  if (co.callId) svc.notes.set(co.callId, `callback waits for native ${module}.${fn}`);
  if (ids.length) svc.nativeCallbacks.set(session, ids);
  svc.sched.send({ type: MessageType.NATIVE_CALL, source: svc.address, dest: 0, session, payload });
  return lua.lua_yield(L, 0);
}

/** A native call's callback: runs the Lua function registered under the payload's first value. */
export function runCallback(svc: LuaServiceState, m: Msg): void {
  const co = take(svc, Job.CALLBACK, 0, 0);
  co.callId = m.source;
  co.seq = m.session;
  const T = co.L;
  lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, svc.callbacksRef);
  const n = pushPayload(svc, co, m.payload);
  if (n >= 0) lua.lua_rawgeti(T, 1, lua.lua_tointeger(T, 2));
  if (n < 0 || lua.lua_type(T, -1) !== lua.LUA_TFUNCTION) {
    const text = n < 0 ? `[ltask] malformed callback arguments: ${svc.malformed}` : '[ltask] the callback of this native call is gone';
    discard(svc, co);
    callbackReturn(svc, m.source, m.session, false, encode([text]));
    return;
  }
  lua.lua_replace(T, 1);
  lua.lua_remove(T, 2);
  resume(svc, co, n - 1);
}

/** Forgets the Lua functions a finished native call could have called back. */
export function releaseCallbacks(svc: LuaServiceState, ids: number[]): void {
  const L = svc.L;
  if (!L || ids.length === 0) return;
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, svc.callbacksRef);
  for (const id of ids) {
    lua.lua_pushnil(L);
    lua.lua_rawseti(L, -2, id);
  }
  lua.lua_pop(L, 1);
}
