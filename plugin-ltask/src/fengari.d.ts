/**
 * Types for the part of fengari's C-like API the runtime uses (fengari ships
 * none). Lua strings are byte arrays (`Uint8Array`); a `lua_State` is opaque.
 * Declaring them lets the compiler and the linter check every call into the
 * VM, the hot path of every Lua message.
 */
declare module 'fengari' {
  /** A Lua state or thread (`lua_State*`). */
  export type LuaState = object;
  /** A Lua string: its bytes. */
  export type LuaString = Uint8Array;
  /** A function callable from Lua (`lua_CFunction`): returns how many results it pushed. */
  export type LuaCFunction = (L: LuaState) => number;
  /** A debug hook (`lua_Hook`). */
  export type LuaHook = (L: LuaState, ar: unknown) => void;
  type Str = LuaString | string;

  export interface Lua {
    readonly LUA_OK: number;
    readonly LUA_YIELD: number;
    readonly LUA_MULTRET: number;
    readonly LUA_REGISTRYINDEX: number;
    readonly LUA_MASKCOUNT: number;
    readonly LUA_TNONE: number;
    readonly LUA_TNIL: number;
    readonly LUA_TBOOLEAN: number;
    readonly LUA_TNUMBER: number;
    readonly LUA_TSTRING: number;
    readonly LUA_TTABLE: number;
    readonly LUA_TFUNCTION: number;
    lua_absindex(L: LuaState, idx: number): number;
    lua_call(L: LuaState, nargs: number, nresults: number): void;
    lua_checkstack(L: LuaState, n: number): boolean;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_getfield(L: LuaState, idx: number, k: Str): number;
    lua_getglobal(L: LuaState, name: Str): number;
    lua_getmetatable(L: LuaState, idx: number): boolean;
    lua_gettop(L: LuaState): number;
    lua_insert(L: LuaState, idx: number): void;
    lua_isinteger(L: LuaState, idx: number): boolean;
    lua_isyieldable(L: LuaState): boolean;
    lua_newthread(L: LuaState): LuaState;
    lua_next(L: LuaState, idx: number): number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_pop(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, b: boolean | number): void;
    lua_pushcclosure(L: LuaState, fn: LuaCFunction, n: number): void;
    lua_pushcfunction(L: LuaState, fn: LuaCFunction): void;
    lua_pushinteger(L: LuaState, n: number): void;
    lua_pushlstring(L: LuaState, s: Str, len: number): void;
    lua_pushnil(L: LuaState): void;
    lua_pushnumber(L: LuaState, n: number): void;
    /** Pushes nil for null or undefined. Returns the interned copy of the string (for nil, what it was given). */
    lua_pushstring(L: LuaState, s: Str | null | undefined): LuaString | null | undefined;
    lua_pushthread(L: LuaState): boolean;
    lua_pushvalue(L: LuaState, idx: number): void;
    lua_rawget(L: LuaState, idx: number): number;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawlen(L: LuaState, idx: number): number;
    lua_rawset(L: LuaState, idx: number): void;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
    lua_remove(L: LuaState, idx: number): void;
    lua_replace(L: LuaState, idx: number): void;
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
    lua_setfield(L: LuaState, idx: number, k: Str): void;
    lua_setglobal(L: LuaState, name: Str): void;
    lua_sethook(L: LuaState, f: LuaHook | null, mask: number, count: number): void;
    lua_setmetatable(L: LuaState, idx: number): boolean;
    lua_settop(L: LuaState, idx: number): void;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_tointeger(L: LuaState, idx: number): number;
    /** null when the value is neither a string nor a number. */
    lua_tojsstring(L: LuaState, idx: number): string | null;
    /** null when the value is neither a string nor a number. */
    lua_tolstring(L: LuaState, idx: number): LuaString | null;
    lua_tonumber(L: LuaState, idx: number): number;
    lua_topointer(L: LuaState, idx: number): unknown;
    /** null when the value is not a thread. */
    lua_tothread(L: LuaState, idx: number): LuaState | null;
    lua_type(L: LuaState, idx: number): number;
    lua_typename(L: LuaState, t: number): LuaString;
    lua_upvalueindex(i: number): number;
    lua_xmove(from: LuaState, to: LuaState, n: number): void;
    /** Throws the yield up to the resume (from a C function: it does not return). */
    lua_yield(L: LuaState, nresults: number): never;
  }

  export interface Lauxlib {
    readonly LUA_LOADED_TABLE: LuaString;
    luaL_callmeta(L: LuaState, obj: number, e: Str): boolean;
    luaL_checkinteger(L: LuaState, arg: number): number;
    luaL_checklstring(L: LuaState, arg: number): LuaString;
    luaL_checknumber(L: LuaState, arg: number): number;
    luaL_checktype(L: LuaState, arg: number, t: number): void;
    luaL_dostring(L: LuaState, s: LuaString): number;
    /** Raises a Lua error: `fmt` is a format (`%s`, `%d`...), so it throws and never returns. */
    luaL_error(L: LuaState, fmt: Str, ...args: unknown[]): never;
    luaL_getsubtable(L: LuaState, idx: number, fname: Str): boolean;
    /** `size` is ignored (the whole buffer is read); `buff` must be bytes. */
    luaL_loadbufferx(L: LuaState, buff: LuaString, size: number | null, name: Str | null, mode: Str | null): number;
    /** null when the state cannot be set up. */
    luaL_newstate(): LuaState | null;
    luaL_optnumber(L: LuaState, arg: number, def: number): number;
    luaL_ref(L: LuaState, t: number): number;
    luaL_requiref(L: LuaState, modname: Str, openf: LuaCFunction, glb: boolean | number): void;
    luaL_traceback(L: LuaState, L1: LuaState, msg: Str | null, level: number): void;
  }

  export interface Lualib {
    readonly LUA_COLIBNAME: string;
    readonly LUA_DBLIBNAME: string;
    readonly LUA_FENGARILIBNAME: string;
    /** Only where `process` exists (Node). */
    readonly LUA_IOLIBNAME?: string;
    readonly LUA_LOADLIBNAME: string;
    readonly LUA_MATHLIBNAME: string;
    readonly LUA_OSLIBNAME: string;
    readonly LUA_STRLIBNAME: string;
    readonly LUA_TABLIBNAME: string;
    readonly LUA_UTF8LIBNAME: string;
    luaL_openlibs(L: LuaState): void;
    luaopen_base: LuaCFunction;
    luaopen_coroutine: LuaCFunction;
    luaopen_debug: LuaCFunction;
    luaopen_fengari: LuaCFunction;
    /** Only where `process` exists (Node). */
    luaopen_io?: LuaCFunction;
    luaopen_math: LuaCFunction;
    luaopen_os: LuaCFunction;
    luaopen_package: LuaCFunction;
    luaopen_string: LuaCFunction;
    luaopen_table: LuaCFunction;
    luaopen_utf8: LuaCFunction;
  }

  const fengari: {
    readonly lua: Lua;
    readonly lauxlib: Lauxlib;
    readonly lualib: Lualib;
    // Free functions (they use no `this`): typed as properties, so they can be destructured.
    readonly to_luastring: (s: string, cache?: boolean) => LuaString;
    readonly to_jsstring: (s: LuaString, from?: number, to?: number, replacement_char?: boolean) => string;
  };
  export default fengari;
}
