/**
 * The core primitives that carry messages (call, syscall, send, request,
 * respond, the request's own session) and values (pack, unpack, log, clocks),
 * with the argument helpers every primitive shares.
 *
 * A primitive is a Lua C function of one service: it takes that service and
 * the calling thread, as ltask's C functions take their service from an
 * upvalue, and returns how many results it pushed. They are named as ltask's
 * service.c names them, `l` + the name they have in the `core` table; the one
 * list of them all is in core-table.ts.
 */
import fengari, { type LuaState } from 'fengari';
import { encodeLua, pushLua } from '../../wire/codec/index.ts';
import { MessageType, Receipt } from '../../wire/protocol.ts';
import { outer, waitOn } from './coroutine.ts';
import { ASYNC, Job, type LuaServiceState } from './state.ts';

const { lua, lauxlib, to_luastring } = fengari;

/** A function of the `core` table: the service, the calling thread; returns how many results it pushed. */
export type Primitive = (svc: LuaServiceState, L: LuaState) => number;

/** When this worker started, for `now` (whole seconds) and `counter` (its origin). */
export const startSeconds = Math.floor(Date.now() / 1000);
const startCounter = performance.now();

// ------------------------------------------------------------- helpers

const AS_IS = to_luastring('%s');

/** Raises a Lua error with `text`, as it is (not a format: it may hold a `%`). fengari throws: it does not return. */
export function raise(L: LuaState, text: string): never {
  return lauxlib.luaL_error(L, AS_IS, to_luastring(text));
}

/** Raises unless `L` can yield to the runtime: `ltask.<what>` blocks. */
export function yieldable(L: LuaState, what: string): void {
  if (!lua.lua_isyieldable(L)) raise(L, `ltask.${what} must run in a service coroutine (a request, fork or init)`);
}

/** The values from `first` to the top as one payload; raises why when they cannot cross. */
export function encodeArgs(svc: LuaServiceState, L: LuaState, first: number): Uint8Array {
  try {
    return encodeLua(L, first, lua.lua_gettop(L), svc.sched.config.maxMessageBytes);
  } catch (e) {
    return raise(L, (e as Error).message);
  }
}

/** A new session number of this service (wraps before 2^31). */
export function newSession(svc: LuaServiceState): number {
  const session = svc.nextSession++;
  if (svc.nextSession >= 0x7fffffff) svc.nextSession = 1;
  return session;
}

/** Sends a message of `type` from this service with the arguments from 2 on as its payload. */
function sendArgs(svc: LuaServiceState, L: LuaState, type: number, dest: number, session: number): Receipt {
  return svc.sched.send({ type, source: svc.address, dest, session, payload: encodeArgs(svc, L, 2) });
}

/** What a primitive returns when its message was not sent: nil and the receipt (DEAD or BUSY). */
function notSent(L: LuaState, receipt: Receipt): number {
  lua.lua_pushnil(L);
  lua.lua_pushinteger(L, receipt);
  return 2;
}

// ------------------------------------------------------------- messages

/** call and syscall: a REQUEST or SYSTEM message to `dest`; the coroutine waits for the answer. */
function callWith(svc: LuaServiceState, L: LuaState, type: typeof MessageType.REQUEST | typeof MessageType.SYSTEM): number {
  const request = type === MessageType.REQUEST;
  yieldable(L, request ? 'call' : 'syscall');
  const dest = lauxlib.luaL_checkinteger(L, 1);
  const session = newSession(svc);
  const r = sendArgs(svc, L, type, dest, session);
  if (r !== Receipt.DONE) return notSent(L, r);
  const co = waitOn(svc, session, dest);
  if (co.callId) {
    const what = request ? `a call to service ${dest} "${lua.lua_tojsstring(L, 2) ?? ''}"` : `a system call to service ${dest}`;
    svc.notes.set(co.callId, `callback waits for ${what}`);
  }
  return lua.lua_yield(L, 0);
}

/** `core.call(addr, ...)`: a request; yields until the answer (or nil, receipt). */
export function lcall(svc: LuaServiceState, L: LuaState): number {
  return callWith(svc, L, MessageType.REQUEST);
}

/** `core.syscall(addr, ...)`: a system message; yields until the answer (or nil, receipt). */
export function lsyscall(svc: LuaServiceState, L: LuaState): number {
  return callWith(svc, L, MessageType.SYSTEM);
}

/** `core.send(addr, ...)`: a request with no answer; true, or the receipt. */
export function lsend(svc: LuaServiceState, L: LuaState): number {
  const r = sendArgs(svc, L, MessageType.REQUEST, lauxlib.luaL_checkinteger(L, 1), 0);
  if (r === Receipt.DONE) lua.lua_pushboolean(L, true);
  else lua.lua_pushinteger(L, r);
  return 1;
}

/** `core.request(addr, ...)`: a request whose answer goes to the library's `async` entry; its session. */
export function lrequest(svc: LuaServiceState, L: LuaState): number {
  const session = newSession(svc);
  const dest = lauxlib.luaL_checkinteger(L, 1);
  const r = sendArgs(svc, L, MessageType.REQUEST, dest, session);
  if (r !== Receipt.DONE) return notSent(L, r);
  svc.waiting.set(session, ASYNC);
  svc.requestedOf.set(session, dest);
  lua.lua_pushinteger(L, session);
  return 1;
}

/** `core.respond(from, session, ...)`: answers a request later (ltask.response). */
export function lrespond(svc: LuaServiceState, L: LuaState): number {
  const dest = lauxlib.luaL_checkinteger(L, 1);
  const session = lauxlib.luaL_checkinteger(L, 2);
  svc.answer(dest, session, MessageType.RESPONSE, encodeArgs(svc, L, 3));
  return 0;
}

/** `core.session()`: the sender and session of the request being answered (nothing outside one). */
export function lsession(svc: LuaServiceState, L: LuaState): number {
  const co = outer(svc);
  if (co.job !== Job.REQUEST && co.job !== Job.INIT) return 0;
  lua.lua_pushinteger(L, co.from);
  lua.lua_pushinteger(L, co.session);
  return 2;
}

/** `core.no_response()`: the running request answers later, or never. */
export function lnoResponse(svc: LuaServiceState): number {
  const co = svc.current;
  if (co) {
    co.session = 0;
    svc.answering.delete(co);
  }
  return 0;
}

// ------------------------------------------------------------- values

/** `core.log(level, text)`. */
export function llog(svc: LuaServiceState, L: LuaState): number {
  svc.sched.log(lua.lua_tojsstring(L, 1) === 'error' ? 'error' : 'info', svc.address, svc.label, lua.lua_tojsstring(L, 2) ?? '');
  return 0;
}

/** `core.pack(...)`: the values as a message payload string. */
export function lpack(svc: LuaServiceState, L: LuaState): number {
  const bytes = encodeArgs(svc, L, 1);
  lua.lua_pushlstring(L, bytes, bytes.length);
  return 1;
}

/** `core.unpack(s)`: the values of a payload string. */
export function lunpack(_svc: LuaServiceState, L: LuaState): number {
  const s = lauxlib.luaL_checklstring(L, 1);
  try {
    return pushLua(L, s);
  } catch (e) {
    return raise(L, (e as Error).message);
  }
}

/** `core.now()`: whole seconds and centiseconds since the epoch. */
export function lnow(_svc: LuaServiceState, L: LuaState): number {
  const cs = Math.floor(Date.now() / 10);
  lua.lua_pushinteger(L, Math.floor(cs / 100));
  lua.lua_pushnumber(L, cs);
  return 2;
}

/** `core.counter()`: seconds since the worker started (high resolution). */
export function lcounter(_svc: LuaServiceState, L: LuaState): number {
  lua.lua_pushnumber(L, (performance.now() - startCounter) / 1000);
  return 1;
}

/** `core.cpucost()`: the seconds this service has run. */
export function lcpucost(svc: LuaServiceState, L: LuaState): number {
  lua.lua_pushnumber(L, svc.sched.table.cpuMs(svc.address) / 1000);
  return 1;
}

/** `core.worker_id()`. */
export function lworkerId(svc: LuaServiceState, L: LuaState): number {
  lua.lua_pushinteger(L, svc.sched.id);
  return 1;
}
