/** Encoding Lua stack values to payloads and pushing payloads onto a Lua stack. */
import fengari, { type LuaState } from 'fengari';
import { CodecError, DEFAULT_MAX_BYTES, FLAG_REFS, MAX_DEPTH, Reader, Tag, Writer } from './format.ts';
import { beginValues, countValue } from './progress.ts';
import { INTERN_BYTES, INTERN_FROM, INTERN_SLOTS, ShortStrings } from './intern.ts';

const { lua } = fengari;

const writer = new Writer();

// One encode at a time per thread, so its state lives here rather than in
// closures made per message.
let fnRef: ((L: LuaState, idx: number) => number) | undefined;
let seen: Map<unknown, number> | null = null; // made on the first table
let refs = false;

/**
 * Encodes the Lua values at stack slots `first..last` (absolute indices).
 * @throws CodecError for functions, coroutines, userdata, over-deep or over-large values.
 */
export function encodeLua(
  L: LuaState,
  first: number,
  last: number,
  maxBytes = DEFAULT_MAX_BYTES,
  /** Native calls only: turns a Lua function into a callback id. */
  toCallback?: (L: LuaState, idx: number) => number,
): Uint8Array {
  writer.reset(maxBytes);
  writer.u8(0);
  writer.varint(Math.max(0, last - first + 1));
  fnRef = toCallback;
  seen = null;
  refs = false;
  beginValues();
  try {
    for (let i = first; i <= last; i++) encodeSlot(L, i, 0);
  } finally {
    fnRef = undefined;
    seen = null;
  }
  if (refs) writer.buf[0] = FLAG_REFS;
  return writer.take();
}

function encodeSlot(L: LuaState, idx: number, depth: number): void {
  const w = writer;
  countValue();
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL:
    case lua.LUA_TNONE:
      w.u8(Tag.NIL);
      return;
    case lua.LUA_TBOOLEAN:
      w.u8(lua.lua_toboolean(L, idx) ? Tag.TRUE : Tag.FALSE);
      return;
    case lua.LUA_TNUMBER:
      if (lua.lua_isinteger(L, idx)) {
        w.u8(Tag.INT);
        w.i32(lua.lua_tointeger(L, idx));
      } else {
        w.u8(Tag.FLOAT);
        w.f64(lua.lua_tonumber(L, idx));
      }
      return;
    case lua.LUA_TSTRING:
      w.u8(Tag.STRING);
      w.bytes(lua.lua_tolstring(L, idx)!); // a string: never null
      return;
    case lua.LUA_TTABLE:
      encodeTable(L, idx, depth);
      return;
    case lua.LUA_TFUNCTION:
      if (!fnRef) throw new CodecError('[ltask] cannot send a function');
      w.u8(Tag.CALLBACK);
      w.varint(fnRef(L, idx));
      return;
    default:
      throw new CodecError(`[ltask] cannot send a ${lua.lua_typename(L, lua.lua_type(L, idx)) ? fengari.to_jsstring(lua.lua_typename(L, lua.lua_type(L, idx))) : 'value'}`);
  }
}

/** A table: a reference to one already written, or its array part then its hash part. */
function encodeTable(L: LuaState, idx: number, depth: number): void {
  const w = writer;
  const ptr = lua.lua_topointer(L, idx);
  const ref = seen?.get(ptr);
  if (ref !== undefined) {
    refs = true;
    w.u8(Tag.REF);
    w.varint(ref);
    return;
  }
  if (depth >= MAX_DEPTH) throw new CodecError(`[ltask] value nested deeper than ${MAX_DEPTH} levels`);
  seen ??= new Map();
  seen.set(ptr, seen.size);
  if (!lua.lua_checkstack(L, 4)) throw new CodecError('[ltask] Lua stack overflow while packing');
  const narr = lua.lua_rawlen(L, idx);
  w.u8(Tag.TABLE);
  w.varint(narr);
  // The hash part's size is known once it is walked: one byte is kept for it
  // (a table of fewer than 128 pairs) and the pairs move up if it needs more.
  const at = w.pos;
  w.u8(0);
  for (let i = 1; i <= narr; i++) {
    lua.lua_rawgeti(L, idx, i);
    encodeSlot(L, lua.lua_gettop(L), depth + 1);
    lua.lua_pop(L, 1);
  }
  let nhash = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    const top = lua.lua_gettop(L);
    if (!isArrayKey(L, top - 1, narr)) {
      nhash++;
      encodeSlot(L, top - 1, depth + 1);
      encodeSlot(L, top, depth + 1);
    }
    lua.lua_pop(L, 1);
  }
  if (nhash < 0x80) {
    w.buf[at] = nhash;
    return;
  }
  const end = w.pos;
  w.varint(nhash); // makes room, and finds the varint's size
  const size = w.pos - end;
  w.buf.copyWithin(at + size, at + 1, end);
  w.pos = at;
  w.varint(nhash);
  w.pos = end + size - 1;
}

function isArrayKey(L: LuaState, idx: number, narr: number): boolean {
  if (narr === 0 || !lua.lua_isinteger(L, idx)) return false;
  const k = lua.lua_tointeger(L, idx);
  return k >= 1 && k <= narr;
}

/**
 * Pushes the values of a payload onto the Lua stack and returns how many.
 * Strings and BYTES become Lua strings; typed arrays and ArrayBuffers become byte strings.
 */
export function pushLua(L: LuaState, payload: Uint8Array | null | undefined): number {
  if (!payload || payload.length === 0) return 0;
  const r = new Reader(payload);
  const flags = r.u8();
  const n = r.count(r.varint());
  if (!lua.lua_checkstack(L, n + 8)) throw new CodecError(`[ltask] too many values for the Lua stack (${n})`);
  reader = r;
  refsIdx = 0;
  nrefs = 0;
  internIdx = 0;
  beginValues();
  if (flags & FLAG_REFS) {
    lua.lua_createtable(L, 8, 0);
    refsIdx = lua.lua_gettop(L);
  }
  if (payload.length >= INTERN_FROM) {
    lua.lua_createtable(L, INTERN_SLOTS, 0);
    internIdx = lua.lua_gettop(L);
    shorts.begin();
  }
  for (let i = 0; i < n; i++) pushValue(L, 0);
  if (internIdx) lua.lua_remove(L, internIdx);
  if (refsIdx) lua.lua_remove(L, refsIdx);
  return n;
}

// One push at a time per thread: the payload being read and the slot of its
// table of references (0: the payload has no references).
let reader: Reader;
let refsIdx = 0;
let nrefs = 0;

// Short strings of a large payload are interned (see intern.ts); the Lua
// strings are held by slot in a table on the stack (0: the payload is small).
let internIdx = 0;
const shorts = new ShortStrings();

function pushString(L: LuaState, r: Reader, len: number): void {
  if (!internIdx || len > INTERN_BYTES) {
    lua.lua_pushlstring(L, r.span(len), len);
    return;
  }
  const p = r.skip(len);
  const b = r.buf;
  const slot = shorts.find(b, p, len);
  if (slot >= 0) {
    lua.lua_rawgeti(L, internIdx, slot + 1);
    return;
  }
  lua.lua_pushlstring(L, b.subarray(p, p + len), len);
  lua.lua_pushvalue(L, -1);
  lua.lua_rawseti(L, internIdx, ~slot + 1);
  shorts.keep(~slot, p, len);
}

function pushValue(L: LuaState, depth: number): void {
  const r = reader;
  const tag = r.u8();
  countValue();
  switch (tag) {
    case Tag.NIL:
      lua.lua_pushnil(L);
      return;
    case Tag.FALSE:
      lua.lua_pushboolean(L, false);
      return;
    case Tag.TRUE:
      lua.lua_pushboolean(L, true);
      return;
    case Tag.INT:
      lua.lua_pushinteger(L, r.i32());
      return;
    case Tag.FLOAT:
      lua.lua_pushnumber(L, r.f64());
      return;
    case Tag.STRING:
    case Tag.BYTES:
      pushString(L, r, r.varint());
      return;
    case Tag.TYPED: {
      r.u8(); // the kind: Lua gets the bytes
      const len = r.varint();
      lua.lua_pushlstring(L, r.span(len), len);
      return;
    }
    case Tag.REF: {
      const i = r.varint();
      if (!refsIdx || i >= nrefs) throw new CodecError('[ltask] malformed payload: bad table reference');
      lua.lua_rawgeti(L, refsIdx, i + 1);
      return;
    }
    case Tag.TABLE:
      pushTable(L, depth);
      return;
    default:
      throw new CodecError(`[ltask] malformed payload: unknown tag ${tag}`);
  }
}

function pushTable(L: LuaState, depth: number): void {
  if (depth >= MAX_DEPTH) throw new CodecError(`[ltask] value nested deeper than ${MAX_DEPTH} levels`);
  if (!lua.lua_checkstack(L, 4)) throw new CodecError('[ltask] Lua stack overflow while unpacking');
  const narr = reader.varint();
  const nhash = reader.varint();
  reader.count(narr + 2 * nhash);
  lua.lua_createtable(L, narr, nhash);
  if (refsIdx) {
    lua.lua_pushvalue(L, -1);
    lua.lua_rawseti(L, refsIdx, ++nrefs);
  }
  for (let i = 1; i <= narr; i++) {
    pushValue(L, depth + 1);
    lua.lua_rawseti(L, -2, i);
  }
  for (let i = 0; i < nhash; i++) {
    pushValue(L, depth + 1);
    pushValue(L, depth + 1);
    if (lua.lua_type(L, -2) === lua.LUA_TNIL) {
      lua.lua_pop(L, 2);
      continue;
    }
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER && Number.isNaN(lua.lua_tonumber(L, -2))) {
      // A NaN key would make Lua raise outside any protected call (the service's end).
      lua.lua_pop(L, 2);
      throw new CodecError('[ltask] malformed payload: a table key is NaN');
    }
    lua.lua_rawset(L, -3);
  }
}
