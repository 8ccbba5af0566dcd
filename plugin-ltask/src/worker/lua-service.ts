/**
 * A Lua service: one fengari state, the service library, and the primitives
 * (`core`) the library calls into.
 */
import fengari from 'fengari';
import { encode, encodeLua, pushLua } from '../codec/index.ts';
import { SERVICE_LUA } from '../lua/service.lua.ts';
import { MessageType, Receipt } from '../protocol.ts';
import type { Msg } from '../transport/index.ts';
import type { Scheduler } from './scheduler.ts';
import { HostedService } from './service.ts';
import type { SourceLoader } from './sources.ts';

const { lua, lauxlib, lualib, to_luastring } = fengari;
type L = unknown;

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

/** The Lua closure on top of the stack, as fengari represents it. */
const topClosure = (L: L) => {
  const s = L as { stack: { value: { p: unknown } }[]; top: number };
  return s.stack[s.top - 1]!.value;
};

function loadLibrary(L: L): void {
  if (libraryProto) {
    // A one-upvalue stub closure (its _ENV already set by lua_load) takes the shared code.
    lauxlib.luaL_loadbufferx(L, STUB, null, to_luastring('=[ltask service]'), to_luastring('t'));
    topClosure(L).p = libraryProto;
    return;
  }
  if (lauxlib.luaL_loadbufferx(L, to_luastring(SERVICE_LUA), null, to_luastring('=[ltask service]'), to_luastring('t')) !== lua.LUA_OK) {
    throw new Error(`[ltask] service library failed to load: ${topError(L)}`);
  }
  libraryProto = topClosure(L).p;
}

export class LuaService extends HostedService {
  readonly kind = 'lua' as const;
  private L: L;
  private dispatchRef = 0;
  private initRef = 0;
  private depth = 0;
  private enteredAt = 0;

  /**
   * Every 20,000 instructions (coroutines inherit the hook): a handler that has
   * run longer than `runawayMs` without yielding is stopped with an error, so
   * one runaway script cannot freeze the other services of its worker.
   */
  private readonly runawayHook = (L: L): void => {
    const ms = performance.now() - this.enteredAt;
    if (ms > this.sched.config.runawayMs) {
      lauxlib.luaL_error(L, to_luastring(`[ltask] runaway script: ran ${Math.round(ms)} ms without yielding (runawayMs ${this.sched.config.runawayMs})`));
    }
  };
  private callbacksRef = 0;
  private nextCallback = 0;
  /** Where the script came from and the spawn arguments: a hot reload restarts with them. */
  scriptPath = '';
  spawnArgs: Uint8Array | null = null;

  constructor(
    address: number,
    label: string,
    private readonly sched: Scheduler,
    private readonly sources: SourceLoader,
  ) {
    super(address, label);
    const L = (this.L = lauxlib.luaL_newstate());
    lualib.luaL_openlibs(L);
    lua.lua_createtable(L, 0, 0);
    this.callbacksRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.pushCore();
    loadLibrary(L);
    lua.lua_insert(L, -2);
    if (lua.lua_pcall(L, 1, 1, 0) !== lua.LUA_OK) throw new Error(`[ltask] service library failed: ${topError(L)}`);
    if (this.sched.config.runawayMs > 0) lua.lua_sethook(L, this.runawayHook, lua.LUA_MASKCOUNT, 20_000);
    lua.lua_getfield(L, -1, to_luastring('dispatch'));
    this.dispatchRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_getfield(L, -1, to_luastring('init'));
    this.initRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pop(L, 1);
  }

  /** Compiles the service script and runs its main chunk with the spawn arguments. */
  start(source: string, chunkname: string, spawn: Msg, args: Uint8Array | null): boolean {
    this.scriptPath = chunkname;
    this.spawnArgs = args;
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.initRef);
    if (lauxlib.luaL_loadbufferx(L, to_luastring(source), null, to_luastring('@' + chunkname), to_luastring('t')) !== lua.LUA_OK) {
      const err = topError(L);
      lua.lua_pop(L, 1);
      this.sched.send({ type: MessageType.ERROR, source: this.address, dest: spawn.source, session: spawn.session, payload: encode([err]) });
      return true;
    }
    lua.lua_pushinteger(L, spawn.source);
    lua.lua_pushinteger(L, spawn.session);
    const n = pushLua(L, args);
    return this.call(3 + n);
  }

  handle(m: Msg): boolean {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.dispatchRef);
    lua.lua_pushinteger(L, m.type);
    lua.lua_pushinteger(L, m.source);
    lua.lua_pushinteger(L, m.session);
    const n = pushLua(L, m.payload);
    return this.call(3 + n);
  }

  /** Calls the library function below `nargs` values; true when the service has ended. */
  private call(nargs: number): boolean {
    const L = this.L;
    const table = this.sched.table;
    if (this.depth !== 0 || !table.enter(this.address, this.sched.id)) {
      throw new Error(`[ltask] service ${this.address} re-entered: its VM is already running`);
    }
    this.depth++;
    this.enteredAt = performance.now();
    try {
      if (lua.lua_pcall(L, nargs, 1, 0) !== lua.LUA_OK) {
        this.sched.log('error', this.address, this.label, `[ltask] service library error: ${topError(L)}`);
        return true;
      }
      const ended = lua.lua_toboolean(L, -1);
      lua.lua_pop(L, 1);
      return ended;
    } finally {
      this.depth--;
      table.leave(this.address);
    }
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

  dispose(): void {
    this.L = null;
  }

  // ------------------------------------------------------------- core

  private pushCore(): void {
    const L = this.L;
    const sched = this.sched;
    const self = this.address;
    const fns: Record<string, (L: L) => number> = {
      send: (L) => {
        const dest = lauxlib.luaL_checkinteger(L, 1);
        const type = lauxlib.luaL_checkinteger(L, 2);
        const session = lauxlib.luaL_checkinteger(L, 3);
        let payload: Uint8Array;
        try {
          payload = encodeLua(L, 4, lua.lua_gettop(L), sched.config.maxMessageBytes);
        } catch (e) {
          // An error report must always get through: send it shortened.
          if (type !== MessageType.ERROR) return lauxlib.luaL_error(L, to_luastring((e as Error).message));
          const text = String(lua.lua_tojsstring(L, 4) ?? '(error)');
          payload = encode([`${text.slice(0, 512)}... (error text cut: ${(e as Error).message})`]);
        }
        lua.lua_pushinteger(L, sched.send({ type, source: self, dest, session, payload }));
        return 1;
      },
      timer: (L) => {
        const session = lauxlib.luaL_checkinteger(L, 1);
        const cs = lauxlib.luaL_optnumber(L, 2, 0);
        const fire = () => sched.deliver({ type: MessageType.RESPONSE, source: self, dest: self, session, payload: null });
        if (cs <= 0) fire();
        else setTimeout(fire, cs * 10);
        return 0;
      },
      load: (L) => {
        const kind = lua.lua_tojsstring(L, 1);
        const name = lua.lua_tojsstring(L, 2);
        const session = lauxlib.luaL_checkinteger(L, 3);
        this.sources.find(kind === 'lua' ? 'lua' : 'service', name).then(
          ({ source, path }) => sched.deliver({ type: MessageType.RESPONSE, source: self, dest: self, session, payload: encode([source, path]) }),
          (e: Error) => sched.deliver({ type: MessageType.ERROR, source: self, dest: self, session, payload: encode([e.message]) }),
        );
        return 0;
      },
      log: (L) => {
        sched.log(lua.lua_tojsstring(L, 1) === 'error' ? 'error' : 'info', self, this.label, lua.lua_tojsstring(L, 2) ?? '');
        return 0;
      },
      pack: (L) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeLua(L, 1, lua.lua_gettop(L), sched.config.maxMessageBytes);
        } catch (e) {
          return lauxlib.luaL_error(L, to_luastring((e as Error).message));
        }
        lua.lua_pushlstring(L, bytes, bytes.length);
        return 1;
      },
      unpack: (L) => {
        const s = lauxlib.luaL_checklstring(L, 1);
        try {
          return pushLua(L, s);
        } catch (e) {
          return lauxlib.luaL_error(L, to_luastring((e as Error).message));
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
        lua.lua_pushnumber(L, sched.table.cpu[self]! / 1000);
        return 1;
      },
      native: (L) => {
        const session = lauxlib.luaL_checkinteger(L, 1);
        const module = lua.lua_tojsstring(L, 2);
        const fn = lua.lua_tojsstring(L, 3);
        const parent = lauxlib.luaL_checkinteger(L, 4);
        const ids: number[] = [];
        let payload: Uint8Array;
        try {
          payload = encodeLua(L, 5, lua.lua_gettop(L), sched.config.maxMessageBytes, (L, idx) => {
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
          return lauxlib.luaL_error(L, to_luastring((e as Error).message));
        }
        sched.native.start(this, session, module, fn, payload, parent, () => this.releaseCallbacks(ids));
        return 0;
      },
      callback_return: (L) => {
        const callId = lauxlib.luaL_checkinteger(L, 1);
        const seq = lauxlib.luaL_checkinteger(L, 2);
        let ok = lua.lua_toboolean(L, 3);
        let payload: Uint8Array;
        if (ok) {
          try {
            payload = encodeLua(L, 4, lua.lua_gettop(L), sched.config.maxMessageBytes);
          } catch (e) {
            ok = false;
            payload = encode([`[ltask] the callback's results cannot cross: ${(e as Error).message}`]);
          }
        } else {
          payload = encode([lua.lua_tojsstring(L, 4) ?? 'error in callback']);
        }
        sched.native.callbackReturn(callId, seq, ok, payload);
        return 0;
      },
      violation: () => {
        sched.table.violation();
        return 0;
      },
      note: (L) => {
        sched.native.note(lauxlib.luaL_checkinteger(L, 1), lua.lua_tojsstring(L, 2) ?? '');
        return 0;
      },
      worker_id: (L) => {
        lua.lua_pushinteger(L, sched.id);
        return 1;
      },
    };
    lua.lua_createtable(L, 0, 24);
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
      CALLBACK: MessageType.CALLBACK,
      DONE: Receipt.DONE,
      DEAD: Receipt.DEAD,
      BUSY: Receipt.BUSY,
      self,
      start_time: startSeconds,
    };
    for (const [name, v] of Object.entries(ints)) {
      lua.lua_pushinteger(L, v);
      lua.lua_setfield(L, -2, to_luastring(name));
    }
    lua.lua_pushstring(L, to_luastring(this.label));
    lua.lua_setfield(L, -2, to_luastring('label'));
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.callbacksRef);
    lua.lua_setfield(L, -2, to_luastring('callbacks'));
  }
}
