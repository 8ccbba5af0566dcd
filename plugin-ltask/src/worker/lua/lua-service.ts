/**
 * A Lua service: one fengari state, the service library (`lua/service.lua`),
 * and the primitives (`core`) the library calls into.
 *
 * The coroutines are driven from here. A request takes a pooled Lua thread,
 * gets the library's `request` entry and the decoded arguments pushed straight
 * onto that thread's stack, and is resumed; when the handler returns, its
 * results are encoded from the thread's stack and sent. A blocking call
 * (`ltask.call`, `sleep`, native calls, `wait`...) is a core function that
 * posts its message, records which thread waits on which session, and yields;
 * the answer resumes that thread directly. Per message that is one
 * `lua_resume` and no Lua-side dispatch: a coroutine yields (a JS throw in
 * fengari) only when it really waits.
 */
import fengari from 'fengari';
import { decode, encode, encodeLua, pushLua } from '../../wire/codec/index.ts';
import SERVICE_LUA from './service.lua?raw';
import { Address, MessageType, Receipt } from '../../wire/protocol.ts';
import type { Msg } from '../../wire/transport/index.ts';
import type { Scheduler } from '../scheduler.ts';
import { openLibraries } from './libs.ts';
import { HostedService } from '../service.ts';
import type { SourceLoader } from '../sources.ts';

const { lua, lauxlib, to_luastring, to_jsstring } = fengari;
/** A fengari lua_State: the main state or one of its threads. */
type L = { readonly __luaState?: never } & object;

const startSeconds = Math.floor(Date.now() / 1000);
const startCounter = performance.now();

/** Lua error message at the top of the stack, as a JS string. */
function topError(L: L): string {
  const v = lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 1);
  return v ?? '(error object is not a string)';
}

/**
 * The library compiled once per worker and shared by every Lua service on it.
 * A compiled function (fengari's Proto: code, constants, nested prototypes) is
 * immutable, so states can share it: each service gets a fresh closure over
 * the shared Proto with its own _ENV. Compiling per service cost 3.3 ms and
 * about 340 KiB of heap each (measured under Node 20); sharing costs neither.
 */
let libraryProto: unknown = null;
const STUB = to_luastring('return');
const LIBRARY_NAME = to_luastring('=[ltask service]');

/** The Lua closure on top of the stack, as fengari represents it. */
const topClosure = (L: L) => {
  const s = L as unknown as { stack: { value: { p: unknown } }[]; top: number };
  return s.stack[s.top - 1]!.value;
};

function loadLibrary(L: L): void {
  if (libraryProto) {
    // A one-upvalue stub closure (its _ENV already set by lua_load) takes the shared code.
    lauxlib.luaL_loadbufferx(L, STUB, null, LIBRARY_NAME, to_luastring('t'));
    topClosure(L).p = libraryProto;
    return;
  }
  if (lauxlib.luaL_loadbufferx(L, to_luastring(SERVICE_LUA), null, LIBRARY_NAME, to_luastring('t')) !== lua.LUA_OK) {
    throw new Error(`[ltask] service library failed to load: ${topError(L)}`);
  }
  libraryProto = topClosure(L).p;
}

/** What a coroutine runs for, which decides where its results go. */
const enum Job {
  /** A request or system message: results answer `from`/`session`. */
  REQUEST,
  /** The main chunk: results answer root's spawn. */
  INIT,
  /** A native call's callback: results go back to the carrier. */
  CALLBACK,
  /** fork, timeout, async answers: results are dropped, errors logged. */
  TASK,
}

/** One Lua thread and what it is doing. Pooled: a finished thread is reused. */
interface Co {
  L: L;
  job: Job;
  /** The request this coroutine answers (session 0: none, or answered). */
  from: number;
  session: number;
  /** CALLBACK: the native call and the callback's sequence number. */
  callId: number;
  seq: number;
  /** While it waits on a call: the service that will answer (a death there fails the call). */
  dest: number;
}

/** A waiting session answered by the library's `async` entry (ltask.async requests). */
const ASYNC = 'async';
/** A waiting session whose coroutine has not started yet (ltask.timeout). */
interface Deferred {
  start: Co;
  nargs: number;
}

const POOL_MAX = 64;

export class LuaService extends HostedService {
  readonly kind = 'lua' as const;
  private L: L | null;
  /** The library's entry functions, by registry reference. */
  private readonly entries: Record<'request' | 'system' | 'init' | 'async' | 'memory', number>;
  private callbacksRef = 0;
  private nextCallback = 0;
  private nextSession = 1;
  private enteredAt = 0;
  /** The coroutine being resumed right now. */
  private current: Co | null = null;
  private readonly pool: Co[] = [];
  /** Sessions this service waits on: the coroutine to resume, or where the answer goes. */
  private readonly waiting = new Map<number, Co | Deferred | typeof ASYNC>();
  /** Where the `ltask.request` sessions still waiting went (a coroutine's call keeps it in `Co.dest`). */
  private readonly requestedOf = new Map<number, number>();
  /** The callback ids a native call (by session) holds: released with its answer. */
  private readonly nativeCallbacks = new Map<number, number[]>();
  /** Coroutines to resume after the current one (fork, wakeup): thread and argument count. */
  private wakeups: { co: Co; nargs: number }[] = [];
  /** Requests being answered: they get "has quit" if the service quits first. */
  private readonly answering = new Set<Co>();
  /** While the main chunk runs, requests wait here (unless it registered handlers). */
  private pending: Msg[] | null = null;
  private serving = false;
  private ended = false;

  /**
   * Every 20,000 instructions (threads inherit the hook): a handler that has
   * run longer than `runawayMs` without yielding is stopped with an error, so
   * one runaway script cannot freeze the other services of its worker.
   */
  private readonly runawayHook = (L: L): void => {
    const ms = performance.now() - this.enteredAt;
    if (this.runawayMs > 0 && ms > this.runawayMs) {
      lauxlib.luaL_error(L, to_luastring(`[ltask] runaway script: ran ${Math.round(ms)} ms without yielding (runawayMs ${this.runawayMs})`));
    }
    const over = this.overLimit(L, true);
    if (over) lauxlib.luaL_error(L, to_luastring(over));
  };

  /** The memory limit in estimated bytes (0: none): `mem_limit` at spawn, or `ltask.mem_limit`. */
  memLimit: number;
  /**
   * When the next memory check may run: the walk costs, so it runs at most
   * 1/20 of the time. Inside a handler the clock is the service's running
   * time (its idle time does not count: a long handler is checked while it
   * runs); after a message, wall-clock time (an idle service is checked again
   * when its next message ends).
   */
  private memCheckAt = 0;
  private memRunCheckAt = 0;
  private leftAt = 0;

  /** Walks the service's memory (throttled) and says why it is over its limit, or null. */
  private overLimit(L: L, running: boolean): string | null {
    if (this.memLimit <= 0) return null;
    const t0 = performance.now();
    if (t0 < (running ? this.memRunCheckAt : this.memCheckAt)) return null;
    this.memCheckAt = this.memRunCheckAt = Infinity; // no check inside the check
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.entries.memory);
    const bytes = lua.lua_pcall(L, 0, 1, 0) === lua.LUA_OK ? lua.lua_tonumber(L, -1) : 0;
    lua.lua_pop(L, 1);
    const t1 = performance.now();
    this.memCheckAt = this.memRunCheckAt = t1 + Math.max(50, (t1 - t0) * 20);
    if (bytes <= this.memLimit) return null;
    const kib = (n: number) => Math.round(n / 1024).toLocaleString('en-US');
    return `[ltask] memory limit: service ${this.address} (${this.label}) holds about ${kib(bytes)} KiB, over its limit of ${kib(this.memLimit)} KiB (mem_count's estimate)`;
  }
  /** Where the script came from and the spawn arguments: a hot reload restarts with them. */
  scriptPath = '';
  spawnArgs: Uint8Array | null = null;

  constructor(
    address: number,
    label: string,
    private readonly sched: Scheduler,
    private readonly sources: SourceLoader,
    /** A handler that runs longer without yielding is stopped (0: never). */
    readonly runawayMs: number,
    memLimit = 0,
  ) {
    super(address, label);
    this.memLimit = memLimit;
    const L = (this.L = lauxlib.luaL_newstate() as L);
    openLibraries(L, !this.sched.config.trustedLua);
    lua.lua_createtable(L, 0, 0);
    this.callbacksRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    loadLibrary(L);
    this.pushCore();
    if (lua.lua_pcall(L, 1, 1, 0) !== lua.LUA_OK) throw new Error(`[ltask] service library failed: ${topError(L)}`);
    const ref = (name: string) => {
      lua.lua_getfield(L, -1, to_luastring(name));
      return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    };
    this.entries = { request: ref('request'), system: ref('system'), init: ref('init'), async: ref('async'), memory: ref('memory') };
    lua.lua_pop(L, 1);
    // Always set (threads inherit it at creation, and ltask.mem_limit may come later); it costs one call per 20,000 instructions.
    lua.lua_sethook(L, this.runawayHook, lua.LUA_MASKCOUNT, 20_000);
  }

  /** Compiles the service script and runs its main chunk with the spawn arguments. */
  start(source: string, chunkname: string, spawn: Msg, args: Uint8Array | null): boolean {
    this.scriptPath = chunkname;
    this.spawnArgs = args;
    const co = this.take(Job.INIT, spawn.source, spawn.session);
    const T = co.L;
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, this.entries.init);
    if (lauxlib.luaL_loadbufferx(T, to_luastring(source), null, to_luastring('@' + chunkname), to_luastring('t')) !== lua.LUA_OK) {
      const err = topError(T);
      this.sched.send({ type: MessageType.ERROR, source: this.address, dest: spawn.source, session: spawn.session, payload: encode([err]) });
      return true;
    }
    this.pending = [];
    return this.enter(() => this.resume(co, 1 + pushLua(T, args)));
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
    const limited = this.memLimit > 0;
    // The memory check's budget counts the service's running time, not its idle time.
    if (limited) this.memRunCheckAt += this.enteredAt - this.leftAt;
    try {
      f();
      this.runWakeups();
      // Over its memory limit after a message (a handler that stopped on the
      // limit may have left it full): the service fails, like a crash.
      const over = this.ended || !this.L ? null : this.overLimit(this.L, false);
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
        return this.callback(m);
    }
  }

  /** Starts a coroutine on a library entry with the message's values as arguments. */
  private startWith(entry: number, job: Job, m: Msg): void {
    if (this.ended) {
      if (m.session !== 0) this.answer(m.source, m.session, MessageType.ERROR, encode([`{service:${this.address}} has quit`]));
      return;
    }
    const co = this.take(job, m.source, m.session);
    lua.lua_rawgeti(co.L, lua.LUA_REGISTRYINDEX, entry);
    const n = this.push(co, m.payload);
    if (n >= 0) return this.resume(co, n);
    this.discard(co);
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
      this.releaseCallbacks(callbacks);
    }
    const ok = m.type === MessageType.RESPONSE;
    if (w === ASYNC) {
      const co = this.take(Job.TASK, 0, 0);
      lua.lua_rawgeti(co.L, lua.LUA_REGISTRYINDEX, this.entries.async);
      lua.lua_pushinteger(co.L, m.session);
      lua.lua_pushboolean(co.L, ok);
      const n = this.push(co, m.payload);
      if (n >= 0) this.resume(co, 2 + n);
      else this.discard(co);
    } else if ('start' in w) {
      this.resume(w.start, w.nargs);
    } else {
      const base = lua.lua_gettop(w.L);
      lua.lua_pushboolean(w.L, ok);
      let n = this.push(w, m.payload);
      if (n < 0) {
        // The answer cannot be read: the waiting call raises that instead.
        lua.lua_settop(w.L, base + 1);
        lua.lua_pushboolean(w.L, false);
        lua.lua_replace(w.L, base + 1);
        lua.lua_pushstring(w.L, to_luastring(`[ltask] malformed answer: ${this.malformed}`));
        n = 1;
      }
      this.resume(w, 1 + n);
    }
  }

  /** A native call's callback: runs the Lua function registered under the payload's first value. */
  private callback(m: Msg): void {
    const co = this.take(Job.CALLBACK, 0, 0);
    co.callId = m.source;
    co.seq = m.session;
    const T = co.L;
    lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, this.callbacksRef);
    const n = this.push(co, m.payload);
    if (n >= 0) lua.lua_rawgeti(T, 1, lua.lua_tointeger(T, 2));
    if (n < 0 || lua.lua_type(T, -1) !== lua.LUA_TFUNCTION) {
      const text = n < 0 ? `[ltask] malformed callback arguments: ${this.malformed}` : '[ltask] the callback of this native call is gone';
      this.discard(co);
      this.callbackReturn(m.source, m.session, false, encode([text]));
      return;
    }
    lua.lua_replace(T, 1);
    lua.lua_remove(T, 2);
    this.resume(co, n - 1);
  }

  /** Why the last payload could not be pushed. */
  private malformed = '';

  /** Pushes a payload's values onto a coroutine's stack: how many, or -1 when it is malformed. */
  private push(co: Co, payload: Uint8Array | null): number {
    try {
      return pushLua(co.L, payload);
    } catch (e) {
      this.malformed = (e as Error).message;
      return -1;
    }
  }

  // ------------------------------------------------------------- coroutines

  private take(job: Job, from: number, session: number): Co {
    let co = this.pool.pop();
    if (!co) {
      const T = lua.lua_newthread(this.L) as L;
      lua.lua_pop(this.L, 1);
      co = { L: T, job, from, session, callId: 0, seq: 0, dest: 0 };
    } else {
      co.job = job;
      co.from = from;
      co.session = session;
    }
    if (session !== 0) this.answering.add(co);
    return co;
  }

  /** Drops a coroutine that never ran (its stack may be broken). */
  private discard(co: Co): void {
    this.answering.delete(co);
  }

  private release(co: Co): void {
    co.callId = 0;
    co.session = 0;
    if (this.pool.length < POOL_MAX) this.pool.push(co);
  }

  /**
   * The coroutine the runtime resumed, in which a core function runs now. A
   * blocking call made inside a user's coroutine yields through the library's
   * `coroutine.resume` up to that one, and the answer resumes that one: the
   * values flow back down (see lua/service.lua).
   */
  private outer(): Co {
    if (!this.current) throw new Error('[ltask] a core function ran outside a resume');
    return this.current;
  }

  /** Threads blocked in `ltask.wait`, by the coroutine the runtime resumes to wake them. */
  private readonly blockedIn = new Map<L, Co>();

  /** Resumes a coroutine with `nargs` values on its stack and routes what comes out. */
  private resume(co: Co, nargs: number): void {
    if (this.current) this.sched.table.violation();
    this.current = co;
    const T = co.L;
    this.blocked = false;
    const status = lua.lua_resume(T, this.L, nargs);
    this.current = null;
    if (status === lua.LUA_YIELD) {
      if (this.blocked) return;
      // Only a blocking ltask function may suspend a coroutine the runtime runs.
      lua.lua_pushstring(T, to_luastring('coroutine.yield() outside a coroutine of your own: a handler, fork or callback may block only in ltask functions'));
      this.failed(co);
      return;
    }
    if (status === lua.LUA_OK) {
      this.finished(co);
      lua.lua_settop(T, 0);
      this.release(co);
      return;
    }
    this.failed(co);
  }

  /** A coroutine returned: its results are on its stack. */
  private finished(co: Co): void {
    const T = co.L;
    if (co.job === Job.INIT) this.initDone();
    switch (co.job) {
      case Job.INIT:
      case Job.REQUEST: {
        this.answering.delete(co);
        if (co.session === 0) return;
        let payload: Uint8Array;
        try {
          payload = encodeLua(T, 1, lua.lua_gettop(T), this.sched.config.maxMessageBytes);
        } catch (e) {
          this.answer(co.from, co.session, MessageType.ERROR, encode([`${(e as Error).message}\n\t(service ${this.address} ${this.label})`]));
          return;
        }
        this.answer(co.from, co.session, MessageType.RESPONSE, payload);
        return;
      }
      case Job.CALLBACK: {
        let ok = true;
        let payload: Uint8Array;
        try {
          payload = encodeLua(T, 1, lua.lua_gettop(T), this.sched.config.maxMessageBytes);
        } catch (e) {
          ok = false;
          payload = encode([`[ltask] the callback's results cannot cross: ${(e as Error).message}`]);
        }
        this.callbackReturn(co.callId, co.seq, ok, payload);
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
  private failed(co: Co): void {
    const T = co.L;
    const L = this.L!;
    // A dead thread has no stack room left: read its error on the main state.
    lua.lua_xmove(T, L, 1);
    const v = lua.lua_gettop(L);
    const type = lua.lua_type(L, v);
    let msg: string;
    if (type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER) {
      msg = lua.lua_tojsstring(L, v) as string;
    } else if (lauxlib.luaL_callmeta(L, v, to_luastring('__tostring'))) {
      msg = lua.lua_tojsstring(L, -1) ?? '(error object)';
      lua.lua_pop(L, 1);
    } else {
      msg = `(error object is a ${to_jsstring(lua.lua_typename(L, type))} value)`;
    }
    if (co.job === Job.CALLBACK) {
      lua.lua_settop(L, v - 1);
      this.callbackReturn(co.callId, co.seq, false, encode([msg]));
      return;
    }
    lauxlib.luaL_traceback(L, T, null, 0);
    const tb = lua.lua_tojsstring(L, -1) as string;
    lua.lua_pop(L, 1);
    // "file:line: message" -> "message", when file:line is where the traceback starts.
    const where = type === lua.LUA_TSTRING ? /^([^\n]*?:\d+): /.exec(msg) : null;
    if (where && tb.includes(`\n\t${where[1]}:`)) msg = msg.slice(where[0].length);
    const text = `${msg}\n${tb}\n\t(service ${this.address} ${this.label})`;
    let payload: Uint8Array;
    if (type === lua.LUA_TSTRING) payload = encode([text]);
    else {
      lua.lua_pushstring(L, to_luastring(text));
      lua.lua_insert(L, v);
      try {
        payload = encodeLua(L, v, v + 1, this.sched.config.maxMessageBytes);
      } catch (e) {
        payload = encode([`${msg} (the error object cannot cross services: ${(e as Error).message})\n${tb}\n\t(service ${this.address} ${this.label})`]);
      }
    }
    lua.lua_settop(L, v - 1);
    if (co.job === Job.INIT) {
      this.initDone();
      this.ended = true;
    }
    this.answering.delete(co);
    if (co.session !== 0) this.answer(co.from, co.session, MessageType.ERROR, payload);
    else this.sched.log('error', this.address, this.label, text);
  }

  /** The main chunk ended: requests that waited for it run next, in order. */
  private initDone(): void {
    this.replay = this.pending;
    this.pending = null;
  }
  private replay: Msg[] | null = null;

  /** Runs the coroutines woken meanwhile (fork, wakeup), then requests that waited for the main chunk. */
  private runWakeups(): void {
    const w = this.wakeups;
    for (let i = 0; i < w.length; i++) this.resume(w[i]!.co, w[i]!.nargs);
    w.length = 0;
    const q = this.replay;
    if (!q) return;
    this.replay = null;
    for (const m of q) {
      this.dispatch(m);
      this.runWakeups();
    }
  }

  private answer(dest: number, session: number, type: number, payload: Uint8Array): void {
    this.sched.send({ type, source: this.address, dest, session, payload });
  }

  /** A callback's results (or error text), back to the native call that asked for it. */
  private callbackReturn(callId: number, seq: number, ok: boolean, payload: Uint8Array): void {
    this.notes.delete(callId);
    this.sched.send({ type: ok ? MessageType.CALLBACK_RETURN : MessageType.CALLBACK_ERROR, source: this.address, dest: callId, session: seq, payload });
  }

  /** `system traceback`: where each waiting coroutine stands. */
  private traceback(): string {
    const out: string[] = [];
    for (const [session, w] of this.waiting) {
      if (w === ASYNC || 'start' in w) continue;
      // On the waiting thread itself: fengari's traceback of another thread
      // fails an assertion when it names a function.
      lauxlib.luaL_traceback(w.L, w.L, to_luastring(`session ${session}`), 0);
      out.push(lua.lua_tojsstring(w.L, -1));
      lua.lua_pop(w.L, 1);
    }
    return out.join('\n');
  }

  /** Forgets the Lua functions a finished native call could have called back. */
  private releaseCallbacks(ids: number[]): void {
    const L = this.L;
    if (!L || ids.length === 0) return;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.callbacksRef);
    for (const id of ids) {
      lua.lua_pushnil(L);
      lua.lua_rawseti(L, -2, id);
    }
    lua.lua_pop(L, 1);
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
    this.notes.delete(callId);
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
    // Requests still being answered (running, or parked in a coroutine) get the reason too.
    for (const co of this.answering) {
      if (co.session !== 0) this.answer(co.from, co.session, MessageType.ERROR, encode([reason]));
      co.session = 0;
    }
    this.answering.clear();
    this.waiting.clear();
    this.requestedOf.clear();
    this.blockedIn.clear();
    this.pool.length = 0;
    this.L = null;
  }

  // ------------------------------------------------------------- core

  private newSession(): number {
    const session = this.nextSession++;
    if (this.nextSession >= 0x7fffffff) this.nextSession = 1;
    return session;
  }

  /**
   * Records that the running coroutine waits on `session`, answered by
   * service `dest` (0: none); `what` is shown by introspection while a
   * callback waits.
   */
  private wait(session: number, what: string, dest = 0): void {
    const co = this.outer();
    this.blocked = true;
    co.dest = dest;
    this.waiting.set(session, co);
    if (co.callId) this.notes.set(co.callId, what);
  }
  /** Set by the blocking core functions during a resume. */
  private blocked = false;

  /** Sends a message to this service itself, now or after `ms`. */
  private toSelf(type: number, session: number, payload: Uint8Array | null, ms = 0): void {
    const m: Msg = { type, source: this.address, dest: this.address, session, payload };
    if (ms <= 0) this.sched.deliver(m);
    else setTimeout(() => this.sched.deliver(m), ms);
  }

  private pushCore(): void {
    const L = this.L!;
    const sched = this.sched;
    const self = this.address;
    const max = sched.config.maxMessageBytes;
    const raise = (L: L, text: string): number => lauxlib.luaL_error(L, to_luastring(text));
    const yieldable = (L: L, what: string) => {
      if (!lua.lua_isyieldable(L)) raise(L, `ltask.${what} must run in a service coroutine (a request, fork or init)`);
    };
    const encodeArgs = (L: L, first: number): Uint8Array => {
      try {
        return encodeLua(L, first, lua.lua_gettop(L), max);
      } catch (e) {
        raise(L, (e as Error).message);
        throw e;
      }
    };
    const post = (L: L, dest: number, session: number): number => sched.send({ type: MessageType.REQUEST, source: self, dest, session, payload: encodeArgs(L, 2) });
    const fns: Record<string, (L: L) => number> = {
      call: (L) => {
        yieldable(L, 'call');
        const dest = lauxlib.luaL_checkinteger(L, 1);
        const session = this.newSession();
        const r = post(L, dest, session);
        if (r !== Receipt.DONE) {
          lua.lua_pushnil(L);
          lua.lua_pushinteger(L, r);
          return 2;
        }
        this.wait(session, `callback waits for a call to service ${dest} "${lua.lua_tojsstring(L, 2) ?? ''}"`, dest);
        return lua.lua_yield(L, 0);
      },
      syscall: (L) => {
        yieldable(L, 'syscall');
        const dest = lauxlib.luaL_checkinteger(L, 1);
        const session = this.newSession();
        const r = sched.send({ type: MessageType.SYSTEM, source: self, dest, session, payload: encodeArgs(L, 2) });
        if (r !== Receipt.DONE) {
          lua.lua_pushnil(L);
          lua.lua_pushinteger(L, r);
          return 2;
        }
        this.wait(session, `callback waits for a system call to service ${dest}`, dest);
        return lua.lua_yield(L, 0);
      },
      running: (L) => {
        const co = this.outer();
        lua.lua_pushthread(co.L);
        if (co.L !== L) lua.lua_xmove(co.L, L, 1);
        return 1;
      },
      threads: (L) => {
        // The coroutines only the runtime holds (running, waiting, woken): for the memory estimate.
        const all = new Set<L>();
        if (this.current) all.add(this.current.L);
        for (const w of this.waiting.values()) if (w !== ASYNC) all.add('start' in w ? w.start.L : w.L);
        for (const T of this.blockedIn.keys()) all.add(T);
        lua.lua_createtable(L, all.size, 0);
        let i = 0;
        for (const T of all) {
          lua.lua_pushthread(T);
          if (T !== L) lua.lua_xmove(T, L, 1);
          lua.lua_rawseti(L, -2, ++i);
        }
        return 1;
      },
      backtrace: (L) => {
        lua.lua_pushstring(L, to_luastring(this.traceback()));
        return 1;
      },
      send: (L) => {
        const r = post(L, lauxlib.luaL_checkinteger(L, 1), 0);
        if (r === Receipt.DONE) lua.lua_pushboolean(L, true);
        else lua.lua_pushinteger(L, r);
        return 1;
      },
      request: (L) => {
        const session = this.newSession();
        const r = post(L, lauxlib.luaL_checkinteger(L, 1), session);
        if (r !== Receipt.DONE) {
          lua.lua_pushnil(L);
          lua.lua_pushinteger(L, r);
          return 2;
        }
        this.waiting.set(session, ASYNC);
        this.requestedOf.set(session, lauxlib.luaL_checkinteger(L, 1));
        lua.lua_pushinteger(L, session);
        return 1;
      },
      respond: (L) => {
        const dest = lauxlib.luaL_checkinteger(L, 1);
        const session = lauxlib.luaL_checkinteger(L, 2);
        this.answer(dest, session, MessageType.RESPONSE, encodeArgs(L, 3));
        return 0;
      },
      session: (L) => {
        const co = this.outer();
        if (co.job !== Job.REQUEST && co.job !== Job.INIT) return 0;
        lua.lua_pushinteger(L, co.from);
        lua.lua_pushinteger(L, co.session);
        return 2;
      },
      no_response: () => {
        const co = this.current;
        if (co) {
          co.session = 0;
          this.answering.delete(co);
        }
        return 0;
      },
      sleep: (L) => {
        yieldable(L, 'sleep');
        const cs = lauxlib.luaL_optnumber(L, 1, 0);
        const session = this.newSession();
        this.wait(session, `callback sleeps ${cs} cs`);
        this.toSelf(MessageType.RESPONSE, session, null, cs * 10);
        return lua.lua_yield(L, 0);
      },
      timeout: (L) => {
        const cs = lauxlib.luaL_checknumber(L, 1);
        lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
        const co = this.take(Job.TASK, 0, 0);
        lua.lua_xmove(L, co.L, 1);
        const session = this.newSession();
        this.waiting.set(session, { start: co, nargs: 0 });
        this.toSelf(MessageType.RESPONSE, session, null, cs * 10);
        return 0;
      },
      fork: (L) => {
        lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION);
        const n = lua.lua_gettop(L);
        const co = this.take(Job.TASK, 0, 0);
        lua.lua_xmove(L, co.L, n);
        this.wakeups.push({ co, nargs: n - 1 });
        lua.lua_pushthread(co.L);
        lua.lua_xmove(co.L, L, 1);
        return 1;
      },
      wait: (L) => {
        yieldable(L, 'wait');
        const co = this.outer();
        this.blocked = true;
        this.blockedIn.set(L, co);
        if (co.callId) this.notes.set(co.callId, 'callback waits for a wakeup');
        return lua.lua_yield(L, 0);
      },
      wakeup: (L) => {
        const T = lua.lua_tothread(L, 1) as L | null;
        const co = T && this.blockedIn.get(T);
        if (!T || !co) return raise(L, 'ltask.wakeup: that coroutine does not wait');
        this.blockedIn.delete(T);
        const n = lua.lua_gettop(L) - 1;
        lua.lua_xmove(L, co.L, n);
        this.wakeups.push({ co, nargs: n });
        return 0;
      },
      load: (L) => {
        yieldable(L, 'require');
        const kind = lua.lua_tojsstring(L, 1);
        const name = lua.lua_tojsstring(L, 2) ?? '';
        const session = this.newSession();
        this.wait(session, `callback loads ${name}`);
        this.sources.find(kind === 'lua' ? 'lua' : 'service', name).then(
          ({ source, path }) => this.toSelf(MessageType.RESPONSE, session, encode([source, path])),
          (e: Error) => this.toSelf(MessageType.ERROR, session, encode([e.message])),
        );
        return lua.lua_yield(L, 0);
      },
      native: (L) => {
        yieldable(L, 'native');
        const module = lua.lua_tojsstring(L, 1);
        const fn = lua.lua_tojsstring(L, 2);
        const ids: number[] = [];
        // The payload is [parent call, module, fn, ...args], encoded once: the carrier decodes it.
        lua.lua_pushinteger(L, this.outer().callId);
        lua.lua_insert(L, 1);
        let payload: Uint8Array;
        try {
          payload = encodeLua(L, 1, lua.lua_gettop(L), max, (L, idx) => {
            const id = ++this.nextCallback;
            lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.callbacksRef);
            lua.lua_pushvalue(L, idx < 0 ? idx - 1 : idx);
            lua.lua_rawseti(L, -2, id);
            lua.lua_pop(L, 1);
            ids.push(id);
            return id;
          });
        } catch (e) {
          this.releaseCallbacks(ids);
          return raise(L, (e as Error).message);
        }
        const session = this.newSession();
        this.wait(session, `callback waits for native ${module}.${fn}`);
        if (ids.length) this.nativeCallbacks.set(session, ids);
        sched.send({ type: MessageType.NATIVE_CALL, source: self, dest: 0, session, payload });
        return lua.lua_yield(L, 0);
      },
      serving: () => {
        this.serving = true;
        return 0;
      },
      mem_limit: (L) => {
        const prev = this.memLimit;
        const n = lauxlib.luaL_checknumber(L, 1);
        if (!(n >= 0)) raise(L, 'ltask.mem_limit: bytes >= 0 (0: no limit)');
        this.memLimit = n;
        // Checked at the next hook or message end; idle time counts from now.
        this.memCheckAt = this.memRunCheckAt = 0;
        this.leftAt = this.enteredAt;
        lua.lua_pushnumber(L, prev);
        return 1;
      },
      quit: () => {
        // Requests this service was still answering get an error, not silence.
        for (const co of this.answering) {
          if (co.session !== 0) this.answer(co.from, co.session, MessageType.ERROR, encode([`Service has been quit. {service:${self}}`]));
          co.session = 0;
        }
        this.answering.clear();
        this.ended = true;
        return 0;
      },
      log: (L) => {
        sched.log(lua.lua_tojsstring(L, 1) === 'error' ? 'error' : 'info', self, this.label, lua.lua_tojsstring(L, 2) ?? '');
        return 0;
      },
      pack: (L) => {
        const bytes = encodeArgs(L, 1);
        lua.lua_pushlstring(L, bytes, bytes.length);
        return 1;
      },
      unpack: (L) => {
        const s = lauxlib.luaL_checklstring(L, 1);
        try {
          return pushLua(L, s);
        } catch (e) {
          return raise(L, (e as Error).message);
        }
      },
      now: (L) => {
        const cs = Math.floor(Date.now() / 10);
        lua.lua_pushinteger(L, Math.floor(cs / 100));
        lua.lua_pushnumber(L, cs);
        return 2;
      },
      counter: (L) => {
        lua.lua_pushnumber(L, (performance.now() - startCounter) / 1000);
        return 1;
      },
      cpucost: (L) => {
        lua.lua_pushnumber(L, sched.table.cpuMs(self) / 1000);
        return 1;
      },
      worker_id: (L) => {
        lua.lua_pushinteger(L, sched.id);
        return 1;
      },
    };
    lua.lua_createtable(L, 0, 40);
    for (const [name, f] of Object.entries(fns)) {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, to_luastring(name));
    }
    const ints: Record<string, number> = {
      REQUEST: MessageType.REQUEST,
      RESPONSE: MessageType.RESPONSE,
      ERROR: MessageType.ERROR,
      SYSTEM: MessageType.SYSTEM,
      SIGNAL: MessageType.SIGNAL,
      DONE: Receipt.DONE,
      DEAD: Receipt.DEAD,
      BUSY: Receipt.BUSY,
      ROOT: Address.ROOT,
      self,
      start_time: startSeconds,
    };
    for (const [name, v] of Object.entries(ints)) {
      lua.lua_pushinteger(L, v);
      lua.lua_setfield(L, -2, to_luastring(name));
    }
    lua.lua_pushstring(L, to_luastring(this.label));
    lua.lua_setfield(L, -2, to_luastring('label'));
  }
}
