/**
 * A Lua service: one fengari state running the service library
 * (`service.lua`) over the core primitives, fed one message at a time by its
 * scheduler.
 *
 * This file holds the service's entry points: what each kind of message does
 * (a request or system message starts a coroutine, an answer resumes the one
 * that waits on it, a callback runs for a native call), and how the service
 * ends. Its state is declared in state.ts; the work is split by job beside
 * it: coroutine.ts drives the Lua threads, core-table.ts lists the primitives
 * the library calls into (core.ts, core-tasks.ts, native.ts, limits.ts),
 * library.ts loads the library compiled once per worker.
 */
import fengari, { type LuaState } from 'fengari';
import { decode, encode, pushLua } from '../../wire/codec/index.ts';
import { MessageType } from '../../wire/protocol.ts';
import type { Msg } from '../../wire/transport/index.ts';
import { pushCore } from './core-table.ts';
import { discard, pushPayload, resume, take } from './coroutine.ts';
import { topError, loadLibrary } from './library.ts';
import { openLibraries } from './libs.ts';
import { HOOK_COUNT, memEnter, overLimit, runaway } from './limits.ts';
import { releaseCallbacks, runCallback } from './native.ts';
import { ASYNC, Job, LuaServiceState, type Entry, type LuaServiceOptions } from './state.ts';

const { lua, lauxlib, to_luastring } = fengari;

/**
 * A Lua service: the state declared in {@link LuaServiceState}, with its
 * constructor (a fresh VM running the library) and its entry points.
 */
export class LuaService extends LuaServiceState {
  constructor(o: LuaServiceOptions) {
    super(o);
    const L = lauxlib.luaL_newstate();
    if (!L) throw new Error('[ltask] service library failed: no Lua state');
    this.L = L;
    openLibraries(L, !o.sched.config.trustedLua);
    lua.lua_createtable(L, 0, 0);
    this.callbacksRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    loadLibrary(L);
    pushCore(this, L);
    if (lua.lua_pcall(L, 1, 1, 0) !== lua.LUA_OK) throw new Error(`[ltask] service library failed: ${topError(L)}`);
    this.entries = { request: entryRef(L, 'request'), system: entryRef(L, 'system'), init: entryRef(L, 'init'), async: entryRef(L, 'async'), tick: entryRef(L, 'tick') };
    lua.lua_pop(L, 1);
    // Always set (threads inherit it at creation, and ltask.mem_limit may come later).
    lua.lua_sethook(L, (T: LuaState) => runaway(this, T), lua.LUA_MASKCOUNT, HOOK_COUNT);
  }

  /** Compiles the service script and runs its main chunk with the spawn arguments. */
  start(source: string, chunkname: string, spawn: Msg, args: Uint8Array | null): boolean {
    this.scriptPath = chunkname;
    this.spawnArgs = args;
    const co = take(this, Job.INIT, spawn.source, spawn.session);
    const T = co.L;
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, this.entries.init);
    if (lauxlib.luaL_loadbufferx(T, to_luastring(source), null, to_luastring('@' + chunkname), to_luastring('t')) !== lua.LUA_OK) {
      const err = topError(T);
      this.sched.send({ type: MessageType.ERROR, source: this.address, dest: spawn.source, session: spawn.session, payload: encode([err]) });
      return true;
    }
    this.pending = [];
    return this.enter(() => resume(this, co, 1 + pushLua(T, args)));
  }

  handle(m: Msg): boolean {
    return this.enter(() => this.dispatch(m));
  }

  /** Runs `f` with this service's VM marked as running (serial execution). */
  private enter(f: () => void): boolean {
    const table = this.sched.table;
    if (!table.enter(this.address, this.sched.id)) {
      throw new Error(`[ltask] service ${this.address} re-entered: its VM is already running`);
    }
    this.enteredAt = performance.now();
    memEnter(this);
    const limited = this.memLimit > 0;
    // The memory check's budget counts the service's running time, not its idle time.
    if (limited) this.memRunCheckAt += this.enteredAt - this.leftAt;
    try {
      f();
      this.runWakeups();
      // Over its memory limit after a message (a handler that stopped on the
      // limit may have left it full): the service fails, like a crash.
      const over = this.ended || !this.L ? null : overLimit(this, this.L, false);
      if (over) throw new Error(over);
    } finally {
      table.leave(this.address);
      if (limited) this.leftAt = performance.now();
    }
    return this.ended;
  }

  private dispatch(m: Msg): void {
    switch (m.type) {
      case MessageType.REQUEST:
        if (this.pending && !this.serving) return void this.pending.push(m);
        return this.startWith(this.entries.request, Job.REQUEST, m);
      case MessageType.SYSTEM: {
        if (this.pending) return void this.pending.push(m);
        const [cmd] = decode(m.payload);
        if (cmd === 'traceback') return this.answer(m.source, m.session, MessageType.RESPONSE, encode([this.traceback()]));
        return this.startWith(this.entries.system, Job.REQUEST, m);
      }
      case MessageType.RESPONSE:
      case MessageType.ERROR:
        return this.answered(m);
      case MessageType.CALLBACK:
        return runCallback(this, m);
      case MessageType.TICK:
        return this.tick();
    }
  }

  /** A world tick: the library's `tick` entry with the game time since the last one (none while paused). */
  private tick(): void {
    if (this.ended || !this.world) return;
    const t = this.world.home.beginTick(this.world);
    if (!t) return;
    const co = take(this, Job.TASK, 0, 0);
    lua.lua_rawgeti(co.L, lua.LUA_REGISTRYINDEX, this.entries.tick);
    lua.lua_pushnumber(co.L, t.dt);
    lua.lua_pushnumber(co.L, t.clock.elapsed);
    lua.lua_pushinteger(co.L, t.clock.frame);
    resume(this, co, 3);
  }

  /** Starts a coroutine on a library entry with the message's values as arguments. */
  private startWith(entry: number, job: Job, m: Msg): void {
    if (this.ended) {
      if (m.session !== 0) this.answer(m.source, m.session, MessageType.ERROR, encode([`{service:${this.address}} has quit`]));
      return;
    }
    const co = take(this, job, m.source, m.session);
    lua.lua_rawgeti(co.L, lua.LUA_REGISTRYINDEX, entry);
    const n = pushPayload(this, co, m.payload);
    if (n >= 0) return resume(this, co, n);
    discard(this, co);
    if (m.session !== 0) this.answer(m.source, m.session, MessageType.ERROR, encode([`[ltask] malformed request to service ${this.address}: ${this.malformed}`]));
  }

  /** An answer to one of this service's sessions. */
  private answered(m: Msg): void {
    const w = this.waiting.get(m.session);
    if (w === undefined) return;
    this.waiting.delete(m.session);
    if (w === ASYNC) this.requestedOf.delete(m.session);
    const callbacks = this.nativeCallbacks.get(m.session);
    if (callbacks) {
      this.nativeCallbacks.delete(m.session);
      releaseCallbacks(this, callbacks);
    }
    const ok = m.type === MessageType.RESPONSE;
    if (w === ASYNC) {
      const co = take(this, Job.TASK, 0, 0);
      lua.lua_rawgeti(co.L, lua.LUA_REGISTRYINDEX, this.entries.async);
      lua.lua_pushinteger(co.L, m.session);
      lua.lua_pushboolean(co.L, ok);
      const n = pushPayload(this, co, m.payload);
      if (n >= 0) resume(this, co, 2 + n);
      else discard(this, co);
    } else if ('start' in w) {
      resume(this, w.start, w.nargs);
    } else {
      const base = lua.lua_gettop(w.L);
      lua.lua_pushboolean(w.L, ok);
      let n = pushPayload(this, w, m.payload);
      if (n < 0) {
        // The answer cannot be read: the waiting call raises that instead.
        lua.lua_settop(w.L, base + 1);
        lua.lua_pushboolean(w.L, false);
        lua.lua_replace(w.L, base + 1);
        lua.lua_pushstring(w.L, to_luastring(`[ltask] malformed answer: ${this.malformed}`));
        n = 1;
      }
      resume(this, w, 1 + n);
    }
  }

  /** Runs the coroutines woken meanwhile (fork, wakeup), then requests that waited for the main chunk. */
  private runWakeups(): void {
    const w = this.wakeups;
    for (let i = 0; i < w.length; i++) resume(this, w[i]!.co, w[i]!.nargs);
    w.length = 0;
    const q = this.replay;
    if (!q) return;
    this.replay = null;
    for (const m of q) {
      this.dispatch(m);
      this.runWakeups();
    }
  }

  answer(dest: number, session: number, type: number, payload: Uint8Array): void {
    this.sched.send({ type, source: this.address, dest, session, payload });
  }

  answerAll(text: string): void {
    for (const co of this.answering) {
      if (co.session !== 0) this.answer(co.from, co.session, MessageType.ERROR, encode([text]));
      co.session = 0;
    }
    this.answering.clear();
  }

  traceback(): string {
    const out: string[] = [];
    for (const [session, w] of this.waiting) {
      if (w === ASYNC || 'start' in w) continue;
      // On the waiting thread itself: fengari's traceback of another thread
      // fails an assertion when it names a function.
      lauxlib.luaL_traceback(w.L, w.L, to_luastring(`session ${session}`), 0);
      out.push(lua.lua_tojsstring(w.L, -1) ?? '');
      lua.lua_pop(w.L, 1);
    }
    return out.join('\n');
  }

  /**
   * The native call `callId` ended while callbacks of it still waited here
   * (the carrier gave up on them): they are dropped, not resumed (whatever
   * they return has nowhere to go), so they do not stay parked for good.
   */
  override callEnded(callId: number): void {
    for (const [session, w] of this.waiting) {
      if (typeof w === 'object' && 'L' in w && w.callId === callId) this.waiting.delete(session);
    }
    for (const [T, co] of this.blockedIn) if (co.callId === callId) this.blockedIn.delete(T);
    super.callEnded(callId);
  }

  peersDied(dead: ReadonlySet<number>, text: (addr: number) => string): void {
    for (const [session, w] of this.waiting) {
      const dest = w === ASYNC ? this.requestedOf.get(session) : 'L' in w ? w.dest : 0;
      if (dest && dead.has(dest)) this.sched.deliver({ type: MessageType.ERROR, source: dest, dest: this.address, session, payload: encode([text(dest)]) });
    }
  }

  dispose(reason: string): void {
    for (const m of this.pending ?? []) this.sched.bounce(m, reason);
    this.pending = null;
    this.answerAll(reason);
    this.waiting.clear();
    this.requestedOf.clear();
    this.blockedIn.clear();
    this.pool.length = 0;
    this.L = null;
  }
}

/** A registry reference to the field `name` of the table on top of `L`. */
function entryRef(L: LuaState, name: Entry): number {
  lua.lua_getfield(L, -1, to_luastring(name));
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}
