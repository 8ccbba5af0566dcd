/**
 * The standard libraries of a service's Lua state. The ones nearly every
 * script uses open at once; the others (math, os, io, utf8, debug, fengari)
 * are tables that fill themselves on first use. Each library costs its state
 * 6-16 KiB of heap (a closure and an interned name per function; measured
 * under Node 20), and most services never touch most of them: opening them
 * lazily takes an idle service from about 156 to about 100 KiB.
 *
 * A lazy library is a real table from the start (so `local m = math`,
 * `require "math"` and strict-mode globals work); its metatable opens the
 * library into it on the first read or `pairs`, then goes away.
 */
import fengari, { type LuaState } from 'fengari';

const { lua, lauxlib, lualib, to_luastring } = fengari;
type Open = (L: LuaState) => number;

const EAGER: [string, Open][] = [
  ['_G', lualib.luaopen_base],
  [lualib.LUA_LOADLIBNAME, lualib.luaopen_package],
  [lualib.LUA_COLIBNAME, lualib.luaopen_coroutine],
  [lualib.LUA_TABLIBNAME, lualib.luaopen_table],
  [lualib.LUA_STRLIBNAME, lualib.luaopen_string],
];

const LAZY: [string, Open][] = [
  [lualib.LUA_MATHLIBNAME, lualib.luaopen_math],
  [lualib.LUA_OSLIBNAME, lualib.luaopen_os],
  [lualib.LUA_UTF8LIBNAME, lualib.luaopen_utf8],
  [lualib.LUA_DBLIBNAME, lualib.luaopen_debug],
  [lualib.LUA_FENGARILIBNAME, lualib.luaopen_fengari],
  // fengari has io only where `process` exists (Node).
  ...(lualib.LUA_IOLIBNAME && lualib.luaopen_io ? [[lualib.LUA_IOLIBNAME, lualib.luaopen_io] as [string, Open]] : []),
];

/**
 * What a sandboxed service does without (the default; `trustedLua: true`
 * keeps everything): leaving the process, touching files and the environment,
 * loading native code, and removing the runaway hook.
 */
const DENIED: Record<string, string[]> = {
  _G: ['dofile', 'loadfile'],
  [lualib.LUA_OSLIBNAME]: ['exit', 'remove', 'rename', 'getenv', 'execute', 'tmpname', 'setlocale'],
  [lualib.LUA_LOADLIBNAME]: ['loadlib', 'searchpath', 'cpath'],
  [lualib.LUA_DBLIBNAME]: ['sethook'],
};

/** Removes a library's denied fields from the table at `idx`. */
function deny(L: LuaState, idx: number, name: string): void {
  const t = lua.lua_absindex(L, idx);
  for (const f of DENIED[name] ?? []) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, t, to_luastring(f));
  }
}

/** Opens the library whose (still empty) table is upvalue 1 into that table; removes its metatable. */
function filler(open: Open, name: string, sandbox: boolean): Open {
  return (L) => {
    const self = lua.lua_upvalueindex(1);
    if (lua.lua_getmetatable(L, self)) {
      lua.lua_pop(L, 1);
      lua.lua_pushnil(L);
      lua.lua_setmetatable(L, self);
      lua.lua_pushcfunction(L, open);
      lua.lua_call(L, 0, 1);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        lua.lua_pushvalue(L, -2);
        lua.lua_insert(L, -2);
        lua.lua_rawset(L, self);
      }
      lua.lua_pop(L, 1);
      if (sandbox) deny(L, self, name);
    }
    return 0;
  };
}

/**
 * Opens the standard libraries into a fresh state, the rarely used ones
 * lazily. `sandbox`: without `io` and the functions in DENIED, and `load`
 * takes text chunks only (a binary chunk can crash the VM).
 */
export function openLibraries(L: LuaState, sandbox = true): void {
  for (const [name, open] of EAGER) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    if (sandbox) deny(L, -1, name);
    lua.lua_pop(L, 1);
  }
  if (sandbox) textOnlyLoad(L);
  lauxlib.luaL_getsubtable(L, lua.LUA_REGISTRYINDEX, lauxlib.LUA_LOADED_TABLE);
  for (const [name, open] of LAZY) {
    if (sandbox && name === lualib.LUA_IOLIBNAME) continue;
    const key = to_luastring(name);
    lua.lua_createtable(L, 0, 0); // the library's table
    lua.lua_createtable(L, 0, 2); // its metatable
    // __index(t, k): fill t, then answer t[k].
    lua.lua_pushvalue(L, -2);
    lua.lua_pushcclosure(
      L,
      ((fill: Open) => (L: LuaState) => {
        fill(L);
        lua.lua_rawget(L, lua.lua_upvalueindex(1));
        return 1;
      })(filler(open, name, sandbox)),
      1,
    );
    lua.lua_setfield(L, -2, to_luastring('__index'));
    // __pairs(t): fill t, then iterate it.
    lua.lua_pushvalue(L, -2);
    lua.lua_pushcclosure(
      L,
      ((fill: Open) => (L: LuaState) => {
        fill(L);
        lua.lua_getglobal(L, to_luastring('next'));
        lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
        lua.lua_pushnil(L);
        return 3;
      })(filler(open, name, sandbox)),
      1,
    );
    lua.lua_setfield(L, -2, to_luastring('__pairs'));
    lua.lua_setmetatable(L, -2);
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, -3, key); // package.loaded[name]
    lua.lua_setglobal(L, key);
  }
  lua.lua_pop(L, 1);
}

/** Replaces `load` with one that refuses binary chunks (mode "t" always). */
function textOnlyLoad(L: LuaState): void {
  lua.lua_getglobal(L, to_luastring('load'));
  lua.lua_pushcclosure(
    L,
    (L: LuaState) => {
      lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
      lua.lua_insert(L, 1); // [load, chunk, name, mode, env]
      while (lua.lua_gettop(L) < 4) lua.lua_pushnil(L);
      lua.lua_pushstring(L, to_luastring('t'));
      lua.lua_replace(L, 4); // mode: text only
      lua.lua_call(L, lua.lua_gettop(L) - 1, lua.LUA_MULTRET);
      return lua.lua_gettop(L);
    },
    1,
  );
  lua.lua_setglobal(L, to_luastring('load'));
}
