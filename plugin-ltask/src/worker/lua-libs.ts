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
import fengari from 'fengari';

const { lua, lauxlib, lualib, to_luastring } = fengari;
type L = unknown;
type Open = (L: L) => number;

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
  ...(lualib.luaopen_io ? [[lualib.LUA_IOLIBNAME, lualib.luaopen_io] as [string, Open]] : []),
];

/** Opens the library whose (still empty) table is upvalue 1 into that table; removes its metatable. */
function filler(open: Open): Open {
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
    }
    return 0;
  };
}

/** Opens the standard libraries into a fresh state, the rarely used ones lazily. */
export function openLibraries(L: L): void {
  for (const [name, open] of EAGER) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  lauxlib.luaL_getsubtable(L, lua.LUA_REGISTRYINDEX, lauxlib.LUA_LOADED_TABLE);
  for (const [name, open] of LAZY) {
    const key = to_luastring(name);
    lua.lua_createtable(L, 0, 0); // the library's table
    lua.lua_createtable(L, 0, 2); // its metatable
    // __index(t, k): fill t, then answer t[k].
    lua.lua_pushvalue(L, -2);
    lua.lua_pushcclosure(
      L,
      ((fill: Open) => (L: L) => {
        fill(L);
        lua.lua_rawget(L, lua.lua_upvalueindex(1));
        return 1;
      })(filler(open)),
      1,
    );
    lua.lua_setfield(L, -2, to_luastring('__index'));
    // __pairs(t): fill t, then iterate it.
    lua.lua_pushvalue(L, -2);
    lua.lua_pushcclosure(
      L,
      ((fill: Open) => (L: L) => {
        fill(L);
        lua.lua_getglobal(L, to_luastring('next'));
        lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
        lua.lua_pushnil(L);
        return 3;
      })(filler(open)),
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
