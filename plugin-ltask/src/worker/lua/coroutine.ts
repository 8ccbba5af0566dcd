/**
 * The coroutines of a Lua service: its pool of Lua threads, resuming one, and
 * where a thread's results or error go when it stops.
 *
 * A request, a system message, a callback or a fork runs in a pooled thread
 * that the runtime resumes itself. A blocking core function records what the
 * thread waits on ({@link waitOn}) and yields; the answer resumes that same
 * thread. Per message that is one `lua_resume` and no Lua-side dispatch: a
 * coroutine yields (a JS throw in fengari) only when it really waits. This is
 * the message path, so nothing here allocates per message beyond the payloads.
 */
import fengari, { type LuaState } from 'fengari';
import { encode, encodeLua, pushLua } from '../../wire/codec/index.ts';
import { MessageType } from '../../wire/protocol.ts';
import { Job, type Co, type LuaServiceState } from './state.ts';

const { lua, lauxlib, to_luastring, to_jsstring } = fengari;

const POOL_MAX = 64;

/** A thread from the pool (or a new one) for `job`; one that answers a request is tracked until it does. */
export function take(svc: LuaServiceState, job: Job, from: number, session: number): Co {
  let co = svc.pool.pop();
  if (!co) {
    // A service takes threads only while its state is open (it is null once disposed).
    const L = svc.L!;
    const T = lua.lua_newthread(L);
    lua.lua_pop(L, 1);
    co = { L: T, job, from, session, callId: 0, seq: 0, dest: 0 };
  } else {
    co.job = job;
    co.from = from;
    co.session = session;
  }
  if (session !== 0) svc.answering.add(co);
  return co;
}

/** Drops a coroutine that never ran (its stack may be broken). */
export function discard(svc: LuaServiceState, co: Co): void {
  svc.answering.delete(co);
}

function release(svc: LuaServiceState, co: Co): void {
  co.callId = 0;
  co.session = 0;
  if (svc.pool.length < POOL_MAX) svc.pool.push(co);
}

/**
 * The coroutine the runtime resumed, in which a core function runs now. A
 * blocking call made inside a user's coroutine yields through the library's
 * `coroutine.resume` up to that one, and the answer resumes that one: the
 * values flow back down (see service.lua).
 */
export function outer(svc: LuaServiceState): Co {
  if (!svc.current) throw new Error('[ltask] a core function ran outside a resume');
  return svc.current;
}

/**
 * Records that the running coroutine waits on `session`, answered by service
 * `dest` (0: none), and returns it: the caller notes what it waits on when it
 * is a native call's callback (introspection), then yields.
 */
export function waitOn(svc: LuaServiceState, session: number, dest: number): Co {
  const co = outer(svc);
  svc.blocked = true;
  co.dest = dest;
  svc.waiting.set(session, co);
  return co;
}

/** Pushes a payload's values onto a coroutine's stack: how many, or -1 when it is malformed (why: `svc.malformed`). */
export function pushPayload(svc: LuaServiceState, co: Co, payload: Uint8Array | null): number {
  try {
    const n = pushLua(co.L, payload);
    // The runaway limit is for the service's own code: a large message's decoding (seconds for
    // 200,000 rows) does not count against it.
    if (payload && payload.length >= 1 << 16) svc.enteredAt = performance.now();
    return n;
  } catch (e) {
    svc.malformed = (e as Error).message;
    return -1;
  }
}

/** Resumes a coroutine with `nargs` values on its stack and routes what comes out. */
export function resume(svc: LuaServiceState, co: Co, nargs: number): void {
  if (svc.current) svc.sched.table.violation();
  svc.current = co;
  const T = co.L;
  svc.blocked = false;
  // What the service wrote to the world before this run: a run that fails drops what it wrote.
  const mark = svc.world ? svc.world.buffer.length : 0;
  const status = lua.lua_resume(T, svc.L, nargs);
  svc.current = null;
  if (status !== lua.LUA_OK && status !== lua.LUA_YIELD && svc.world) svc.world.buffer.truncate(mark);
  if (status === lua.LUA_YIELD) {
    if (svc.blocked) return;
    // Only a blocking ltask function may suspend a coroutine the runtime runs.
    lua.lua_pushstring(T, to_luastring('coroutine.yield() outside a coroutine of your own: a handler, fork or callback may block only in ltask functions'));
    failed(svc, co);
    return;
  }
  if (status === lua.LUA_OK) {
    finished(svc, co);
    lua.lua_settop(T, 0);
    release(svc, co);
    return;
  }
  failed(svc, co);
}

/** A coroutine returned: its results are on its stack. */
function finished(svc: LuaServiceState, co: Co): void {
  const T = co.L;
  if (co.job === Job.INIT) initDone(svc);
  switch (co.job) {
    case Job.INIT:
    case Job.REQUEST: {
      svc.answering.delete(co);
      if (co.session === 0) return;
      let payload: Uint8Array;
      try {
        payload = encodeLua(T, 1, lua.lua_gettop(T), svc.sched.config.maxMessageBytes);
      } catch (e) {
        svc.answer(co.from, co.session, MessageType.ERROR, encode([`${(e as Error).message}\n\t(service ${svc.address} ${svc.label})`]));
        return;
      }
      svc.answer(co.from, co.session, MessageType.RESPONSE, payload);
      return;
    }
    case Job.CALLBACK: {
      let ok = true;
      let payload: Uint8Array;
      try {
        payload = encodeLua(T, 1, lua.lua_gettop(T), svc.sched.config.maxMessageBytes);
      } catch (e) {
        ok = false;
        payload = encode([`[ltask] the callback's results cannot cross: ${(e as Error).message}`]);
      }
      callbackReturn(svc, co.callId, co.seq, ok, payload);
      return;
    }
    case Job.TASK:
      return;
  }
}

/**
 * A coroutine raised an error: its value is on top of its stack, which is
 * kept for the traceback. The caller gets an ERROR payload `[text, value]`:
 * the text is the message and the traceback (a string's `file:line:` prefix
 * moves into the traceback, as ltask does); the value is the error object
 * itself when it is not a string and can cross (a table arrives equal).
 */
function failed(svc: LuaServiceState, co: Co): void {
  const T = co.L;
  const L = svc.L!;
  // A dead thread has no stack room left: read its error on the main state.
  lua.lua_xmove(T, L, 1);
  const v = lua.lua_gettop(L);
  const type = lua.lua_type(L, v);
  const msg = errorMessage(L, v, type);
  if (co.job === Job.CALLBACK) {
    lua.lua_settop(L, v - 1);
    callbackReturn(svc, co.callId, co.seq, false, encode([msg]));
    return;
  }
  lauxlib.luaL_traceback(L, T, null, 0);
  const tb = lua.lua_tojsstring(L, -1) ?? '';
  lua.lua_pop(L, 1);
  // "file:line: message" -> "message", when file:line is where the traceback starts.
  const where = type === lua.LUA_TSTRING ? /^([^\n]*?:\d+): /.exec(msg) : null;
  const shown = where && tb.includes(`\n\t${where[1]}:`) ? msg.slice(where[0].length) : msg;
  const text = `${shown}\n${tb}\n\t(service ${svc.address} ${svc.label})`;
  let payload: Uint8Array;
  if (type === lua.LUA_TSTRING) payload = encode([text]);
  else {
    lua.lua_pushstring(L, to_luastring(text));
    lua.lua_insert(L, v);
    try {
      payload = encodeLua(L, v, v + 1, svc.sched.config.maxMessageBytes);
    } catch (e) {
      payload = encode([`${shown} (the error object cannot cross services: ${(e as Error).message})\n${tb}\n\t(service ${svc.address} ${svc.label})`]);
    }
  }
  lua.lua_settop(L, v - 1);
  if (co.job === Job.INIT) {
    initDone(svc);
    svc.ended = true;
  }
  svc.answering.delete(co);
  if (co.session !== 0) svc.answer(co.from, co.session, MessageType.ERROR, payload);
  else svc.sched.log('error', svc.address, svc.label, text);
}

/** The error value at `v` (of Lua type `type`) as text: a string or number, its `__tostring`, or its type. */
function errorMessage(L: LuaState, v: number, type: number): string {
  if (type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER) return lua.lua_tojsstring(L, v) ?? '';
  if (lauxlib.luaL_callmeta(L, v, to_luastring('__tostring'))) {
    const msg = lua.lua_tojsstring(L, -1) ?? '(error object)';
    lua.lua_pop(L, 1);
    return msg;
  }
  return `(error object is a ${to_jsstring(lua.lua_typename(L, type))} value)`;
}

/** The main chunk ended: requests that waited for it run next, in order. */
function initDone(svc: LuaServiceState): void {
  svc.replay = svc.pending;
  svc.pending = null;
}

/** A callback's results (or error text), back to the native call that asked for it. */
export function callbackReturn(svc: LuaServiceState, callId: number, seq: number, ok: boolean, payload: Uint8Array): void {
  svc.notes.delete(callId);
  svc.sched.send({ type: ok ? MessageType.CALLBACK_RETURN : MessageType.CALLBACK_ERROR, source: svc.address, dest: callId, session: seq, payload });
}
