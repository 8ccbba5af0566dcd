/**
 * The world's primitives for Lua (`core.world_*`): by index, so the `world`
 * module (service.lua) resolves names once in Lua tables and each call is one
 * JavaScript function over the shared snapshot or the service's command buffer.
 */
import fengari, { type LuaState } from 'fengari';
import { worldOf, type WorkerWorld, type ServiceWorld } from '../world.ts';
import { despawnEntity, emitEvent, hasComponent, listen, queryMask, readField, removeComponent, writeComponent, writeField } from '../world-ops.ts';
import { encodeArgs, raise, type Primitive } from './core.ts';
import type { LuaServiceState } from './state.ts';
import type { ComponentSchema } from '../../wire/world/layout.ts';

const { lua, lauxlib, to_luastring } = fengari;

type Bound = (svc: LuaServiceState, home: WorkerWorld, w: ServiceWorld, L: LuaState) => number;

/** A primitive over the service's world: a JavaScript error becomes a Lua error. */
function bound(f: Bound): Primitive {
  return (svc, L) => {
    let r: number;
    try {
      const w = worldOf(svc.sched.world, svc);
      r = f(svc, w.home, w, L);
    } catch (e) {
      return raise(L, (e as Error).message);
    }
    return r;
  };
}

const id = (L: LuaState, i: number): number => lauxlib.luaL_checkinteger(L, i);

/** Pushes `{ [name] = index }` for a list of names. */
function pushIndex(L: LuaState, names: readonly string[]): void {
  lua.lua_createtable(L, 0, names.length);
  names.forEach((n, i) => {
    lua.lua_pushinteger(L, i);
    lua.lua_setfield(L, -2, to_luastring(n));
  });
}

/**
 * `core.world_schema()`: `{ components = { [name] = { index, fields = { [f] = i }, list = { f... } } },
 * prefabs, events_in, events_out }` (each `{ [name] = index }`), or nil when the runtime shares no world.
 */
const schema: Primitive = (svc, L) => {
  const home = svc.sched.world;
  if (!home) return 0;
  const s = home.mem.schema;
  lua.lua_createtable(L, 0, 4);
  lua.lua_createtable(L, 0, s.components.length);
  s.components.forEach((c, i) => {
    lua.lua_createtable(L, 0, 3);
    lua.lua_pushinteger(L, i);
    lua.lua_setfield(L, -2, to_luastring('index'));
    pushIndex(L, c.fields.map((f) => f.name));
    lua.lua_setfield(L, -2, to_luastring('fields'));
    lua.lua_createtable(L, c.fields.length, 0);
    c.fields.forEach((f, j) => {
      lua.lua_pushstring(L, to_luastring(f.name));
      lua.lua_rawseti(L, -2, j + 1);
    });
    lua.lua_setfield(L, -2, to_luastring('list'));
    lua.lua_setfield(L, -2, to_luastring(c.name));
  });
  lua.lua_setfield(L, -2, to_luastring('components'));
  for (const [key, names] of [['prefabs', s.prefabs], ['events_in', s.eventsIn], ['events_out', s.eventsOut]] as const) {
    pushIndex(L, names);
    lua.lua_setfield(L, -2, to_luastring(key));
  }
  return 1;
};

/** `core.world_get(id, c, f)`: the field, or nothing. */
const get = bound((_s, home, _w, L) => {
  const v = readField(home, id(L, 1), id(L, 2), id(L, 3));
  if (v === undefined) return 0;
  lua.lua_pushnumber(L, v);
  return 1;
});

/** Per component: its field names as Lua strings, and its field indices by name (made once per worker). */
interface FieldNames {
  readonly lua: Uint8Array[];
  readonly index: Map<string, number>;
}
const fieldNames = new WeakMap<ComponentSchema, FieldNames>();

function namesOf(comp: ComponentSchema): FieldNames {
  let n = fieldNames.get(comp);
  if (!n) {
    n = { lua: comp.fields.map((f) => to_luastring(f.name)), index: new Map(comp.fields.map((f, i) => [f.name, i])) };
    fieldNames.set(comp, n);
  }
  return n;
}

/** `core.world_getc(id, c)`: the component as a table `{ [field] = value }`, or nothing. */
const getc = bound((_s, home, _w, L) => {
  const snap = home.snapshot();
  const c = id(L, 2);
  const i = snap ? home.indexIn(snap, id(L, 1)) : -1;
  if (!snap || i < 0 || (snap.mask[i]! & (1 << c)) === 0) return 0;
  const cols = snap.columns[c]!;
  const names = namesOf(home.mem.schema.components[c]!).lua;
  lua.lua_createtable(L, 0, cols.length);
  for (let f = 0; f < cols.length; f++) {
    lua.lua_pushnumber(L, cols[f]![i]!);
    lua.lua_setfield(L, -2, names[f]!);
  }
  return 1;
});

/** `core.world_set(id, c, f, v)` */
const set = bound((_s, home, w, L) => {
  writeField(home, w, id(L, 1), id(L, 2), id(L, 3), lauxlib.luaL_checknumber(L, 4));
  return 0;
});

const byField: number[] = [];
const scratch: number[] = [];

/** `core.world_setc(id, c, values)`: every field named in the table `values` (one pass over it). */
const setc = bound((_s, home, w, L) => {
  const c = id(L, 2);
  lauxlib.luaL_checktype(L, 3, lua.LUA_TTABLE);
  const comp = home.mem.schema.components[c]!;
  const index = namesOf(comp).index;
  let mask = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 3) !== 0) {
    const name = lua.lua_type(L, -2) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -2) : null;
    const f = name === null ? undefined : index.get(name);
    if (f === undefined) {
      const what = name === null ? `[${fengari.to_jsstring(lua.lua_typename(L, lua.lua_type(L, -2)))}]` : JSON.stringify(name);
      lua.lua_pop(L, 2);
      throw new Error(`[world] unknown field ${what} of ${comp.name}; it has ${comp.fields.map((x) => x.name).join(', ')}`);
    }
    const t = lua.lua_type(L, -1);
    if (t !== lua.LUA_TNUMBER) throw new Error(`[world] ${comp.name}.${name!} takes a number, got ${fengari.to_jsstring(lua.lua_typename(L, t))}`);
    byField[f] = lua.lua_tonumber(L, -1);
    mask |= 1 << f;
    lua.lua_pop(L, 1);
  }
  let n = 0;
  for (let f = 0; f < comp.fields.length; f++) if (mask & (1 << f)) scratch[n++] = byField[f]!;
  writeComponent(home, w, id(L, 1), c, mask, scratch, n);
  return 0;
});

/** `core.world_spawn(prefab)`: a new entity's id (prefab -1: none). */
const spawn = bound((_s, home, w, L) => {
  lua.lua_pushinteger(L, home.reserve(w, id(L, 1)));
  return 1;
});

const despawn = bound((_s, home, w, L) => (despawnEntity(home, w, id(L, 1)), 0));
const remove = bound((_s, home, w, L) => (removeComponent(home, w, id(L, 1), id(L, 2)), 0));

/** `core.world_has(id, c)`: whether it is alive (c = -1) or has the component. */
const has = bound((_s, home, _w, L) => {
  lua.lua_pushboolean(L, hasComponent(home, lauxlib.luaL_checknumber(L, 1), id(L, 2)));
  return 1;
});

/** `core.world_query(mask)`: a list of ids. */
const query = bound((_s, home, _w, L) => {
  const ids = queryMask(home, id(L, 1));
  lua.lua_createtable(L, ids.length, 0);
  for (let k = 0; k < ids.length; k++) {
    lua.lua_pushinteger(L, ids[k]!);
    lua.lua_rawseti(L, -2, k + 1);
  }
  return 1;
});

/** `core.world_emit(kind, value)` */
const emit = bound((svc, home, w, L) => (emitEvent(home, w, id(L, 1), encodeArgs(svc, L, 2)), 0));
const listenTo = bound((_s, home, w, L) => (listen(home, w, id(L, 1)), 0));
const ticks = bound((_s, home, w) => (home.startTicks(w), 0));

/** `core.world_time()`: frame, elapsed, delta, paused, scale, fixed step; nothing before the first frame. */
const time = bound((_s, home, _w, L) => {
  const c = home.clock();
  if (!c) return 0;
  lua.lua_pushinteger(L, c.frame);
  lua.lua_pushnumber(L, c.elapsed);
  lua.lua_pushnumber(L, c.delta);
  lua.lua_pushboolean(L, c.paused);
  lua.lua_pushnumber(L, c.scale);
  lua.lua_pushnumber(L, c.fixedStep);
  return 6;
});

/** The world's primitives, by their name in the `core` table. */
export const WORLD_CORE: Readonly<Record<string, Primitive>> = {
  world_schema: schema,
  world_get: get,
  world_getc: getc,
  world_set: set,
  world_setc: setc,
  world_spawn: spawn,
  world_despawn: despawn,
  world_remove: remove,
  world_has: has,
  world_query: query,
  world_emit: emit,
  world_listen: listenTo,
  world_ticks: ticks,
  world_time: time,
};
