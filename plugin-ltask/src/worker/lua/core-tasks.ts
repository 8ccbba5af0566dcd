/**
 * The core primitives that start, park and wake the service's coroutines
 * (fork, timeout, sleep, wait, wakeup, load), that look at them (running,
 * threads, backtrace), and that change the service's course (serving, quit).
 *
 * Kept apart from core.ts, the primitives that carry messages: these are the
 * ones that act on the service's own threads and timers. Named and shaped as
 * there (see core.ts); listed in core-table.ts.
 */
import fengari, { type LuaState } from 'fengari';
import { encode } from '../../wire/codec/index.ts';
import { MessageType } from '../../wire/protocol.ts';
import type { Msg } from '../../wire/transport/index.ts';
import { outer, take, waitOn } from './coroutine.ts';
import { newSession, raise, yieldable } from './core.ts';
import { Job, type LuaServiceState } from './state.ts';

const { lua, lauxlib, to_luastring } = fengari;

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sends a message to the service itself, now or after `ms` (a delay past a timer's range in several timers). */
function toSelf(svc: LuaServiceState, type: number, session: number, payload: Uint8Array | null, ms = 0): void {
  const m: Msg = { type, source: svc.address, dest: svc.address, session, payload };
  if (ms <= 0) svc.sched.deliver(m);
  else later(ms, () => svc.sched.deliver(m));
}

/** Calls `f` after `ms`, however long (Infinity: never). */
function later(ms: number, f: () => void): void {
  if (ms === Infinity) return;
  if (ms > MAX_TIMER_MS) setTimeout(() => later(ms - MAX_TIMER_MS, f), MAX_TIMER_MS);
  else setTimeout(f, ms);
}

/** `core.running()`: the coroutine the runtime resumed (the one a blocking call suspends). */
export function lrunning(svc: LuaServiceState, L: LuaState): number {
  const co = outer(svc);
  lua.lua_pushthread(co.L);
  if (co.L !== L) lua.lua_xmove(co.L, L, 1);
  return 1;
}

/** `core.backtrace()`: where each waiting coroutine stands. */
export function lbacktrace(svc: LuaServiceState, L: LuaState): number {
  lua.lua_pushstring(L, to_luastring(svc.traceback()));
  return 1;
}

/** `core.sleep(cs)`: the coroutine waits `cs` centiseconds. */
export function lsleep(svc: LuaServiceState, L: LuaState): number {
  yieldable(L, 'sleep');
  const cs = lauxlib.luaL_optnumber(L, 1, 0);
  const session = newSession(svc);
  const co = waitOn(svc, session, 0);
  if (co.callId) svc.notes.set(co.callId, `callback sleeps ${cs} cs`);
  toSelf(svc, MessageType.RESPONSE, session, null, cs * 10);
  return lua.lua_yield(L, 0);
}

/** `core.timeout(cs, f)`: runs `f` in a new coroutine after `cs` centiseconds. */
export function ltimeout(svc: LuaServiceState, L: LuaState): number {
  const cs = lauxlib.luaL_checknumber(L, 1);
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
  const co = take(svc, Job.TASK, 0, 0);
  lua.lua_xmove(L, co.L, 1);
  const session = newSession(svc);
  svc.waiting.set(session, { start: co, nargs: 0 });
  toSelf(svc, MessageType.RESPONSE, session, null, cs * 10);
  return 0;
}

/** `core.fork(f, ...)`: runs `f(...)` in a new coroutine once the current one yields or ends; that coroutine. */
export function lfork(svc: LuaServiceState, L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION);
  const n = lua.lua_gettop(L);
  const co = take(svc, Job.TASK, 0, 0);
  lua.lua_xmove(L, co.L, n);
  svc.wakeups.push({ co, nargs: n - 1 });
  lua.lua_pushthread(co.L);
  lua.lua_xmove(co.L, L, 1);
  return 1;
}

/** `core.wait()`: the coroutine waits until `core.wakeup` names it. */
export function lwait(svc: LuaServiceState, L: LuaState): number {
  yieldable(L, 'wait');
  const co = outer(svc);
  svc.blocked = true;
  svc.blockedIn.set(L, co);
  if (co.callId) svc.notes.set(co.callId, 'callback waits for a wakeup');
  return lua.lua_yield(L, 0);
}

/** `core.wakeup(co, ...)`: resumes a waiting coroutine with the values, after the current one. */
export function lwakeup(svc: LuaServiceState, L: LuaState): number {
  const T = lua.lua_tothread(L, 1);
  const co = T && svc.blockedIn.get(T);
  if (!T || !co) return raise(L, 'ltask.wakeup: that coroutine does not wait');
  svc.blockedIn.delete(T);
  const n = lua.lua_gettop(L) - 1;
  lua.lua_xmove(L, co.L, n);
  svc.wakeups.push({ co, nargs: n });
  return 0;
}

/** `core.load(kind, name)`: the source and path of a Lua module or service script; the coroutine waits for it. */
export function lload(svc: LuaServiceState, L: LuaState): number {
  yieldable(L, 'require');
  const kind = lua.lua_tojsstring(L, 1);
  const name = lua.lua_tojsstring(L, 2) ?? '';
  const session = newSession(svc);
  const co = waitOn(svc, session, 0);
  if (co.callId) svc.notes.set(co.callId, `callback loads ${name}`);
  svc.sources.find(kind === 'lua' ? 'lua' : 'service', name).then(
    ({ source, path }) => toSelf(svc, MessageType.RESPONSE, session, encode([source, path])),
    (e: Error) => toSelf(svc, MessageType.ERROR, session, encode([e.message])),
  );
  return lua.lua_yield(L, 0);
}

/** `core.serving()`: the main chunk registered its handlers: requests run before it ends. */
export function lserving(svc: LuaServiceState): number {
  svc.serving = true;
  return 0;
}

/** `core.quit()`: the service ends; requests it was still answering get an error, not silence. */
export function lquit(svc: LuaServiceState): number {
  svc.answerAll(`Service has been quit. {service:${svc.address}}`);
  svc.ended = true;
  return 0;
}
