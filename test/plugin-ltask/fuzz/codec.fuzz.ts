/**
 * Fuzz targets of the payload codec (plugin-ltask/src/wire/codec/).
 *
 * - decode-random-bytes: random bytes and mutated real payloads, into `decode`
 *   (JS) and `pushLua` (a real fengari state): a result or a CodecError, never
 *   another exception, and no allocation a payload's size cannot back (the Lua
 *   stack never grows past what the payload's bytes could fill).
 * - js-roundtrip: random JS values (nested objects, arrays, Maps, shared
 *   references and cycles, strings with lone surrogates and odd code points,
 *   -0, NaN, typed arrays) through encode -> decode come back as the codec
 *   promises (see `sameAsSent`).
 * - lua-roundtrip: random Lua values built in a real fengari state (tables with
 *   integer, float, string and boolean keys, 32-bit integers, floats, byte
 *   strings, nested and shared tables) through encodeLua -> pushLua are equal
 *   in Lua (same types, integer/float subtype, sharing); through JS and back
 *   (encodeLua -> decode -> encode -> pushLua) equal up to what JS cannot hold.
 */
import fc from 'fast-check';
import fengari, { type LuaState } from 'fengari';
import { CodecError, decode, encode } from '../../../plugin-ltask/src/wire/codec/index.ts';
import { encodeLua, pushLua } from '../../../plugin-ltask/src/wire/codec/lua.ts';
import type { Target } from './target.ts';

const { lua, lauxlib, lualib, to_luastring } = fengari;

// ------------------------------------------------------------ JS values

const TYPED = [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];

/** Strings: ASCII, any UTF-16 unit (lone surrogates too), any code point, and long ones. */
const jsString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', '\ufeff', '\0', '-0', '007', '2147483648', '-2147483648', '4294967296'),
  fc.integer({ min: 100, max: 3000 }).map((n) => 'x'.repeat(n)),
);

const jsNumber = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MIN_VALUE, -Number.MAX_VALUE),
);

const typedArray = fc.tuple(fc.integer({ min: 0, max: TYPED.length }), fc.uint8Array({ maxLength: 64 }), fc.nat(7)).map(([k, raw, skip]) => {
  if (k === TYPED.length) return raw.buffer.slice(0); // a bare ArrayBuffer
  const C = TYPED[k]!;
  const n = Math.floor(raw.length / C.BYTES_PER_ELEMENT);
  const buf = new ArrayBuffer((n + skip) * C.BYTES_PER_ELEMENT);
  new Uint8Array(buf, skip * C.BYTES_PER_ELEMENT).set(raw.subarray(0, n * C.BYTES_PER_ELEMENT));
  return new C(buf, skip * C.BYTES_PER_ELEMENT, n); // a view at an offset: only its bytes go
});

const jsLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, null, true, false), weight: 2 },
  { arbitrary: jsNumber, weight: 4 },
  { arbitrary: jsString, weight: 4 },
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 1 },
  { arbitrary: typedArray, weight: 1 },
);

const { jsValue } = fc.letrec<{ jsValue: unknown; table: unknown }>((tie) => ({
  jsValue: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsLeaf, tie('table')),
  table: fc.oneof(
    fc.array(tie('jsValue'), { maxLength: 6 }),
    fc.dictionary(jsString, tie('jsValue'), { maxKeys: 6 }),
    // Map keys: distinct as strings (they arrive as an object's keys).
    fc.uniqueArray(fc.tuple(fc.oneof(jsString, fc.integer(), fc.constantFrom(true, false, 1.5)), tie('jsValue')), { maxLength: 5, selector: ([k]) => String(k) }).map((e) => new Map(e)),
    // A table as a key (Lua allows it; JS gets a string for it).
    fc.tuple(fc.dictionary(jsString, jsLeaf, { maxKeys: 3 }), tie('jsValue')).map(([k, v]) => new Map([[k, v]])),
  ),
}));

/** Tables of a value, in first-seen order (for adding shared references and cycles). */
function tablesOf(v: unknown, out: object[] = [], seen = new Set<object>()): object[] {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || seen.has(v)) return out;
  seen.add(v);
  out.push(v);
  const children = v instanceof Map ? [...v.values()] : Object.values(v);
  for (const c of children) tablesOf(c, out, seen);
  return out;
}

/** A random JS value with some of its tables referenced again elsewhere (sharing, cycles). */
export const jsValues = fc.tuple(fc.array(jsValue, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat(), jsString), { maxLength: 3 })).map(([values, links]) => {
  const tables = tablesOf(values);
  for (const [from, to, key] of links) {
    if (tables.length === 0) break;
    const a = tables[from % tables.length]!;
    const b = tables[to % tables.length]!;
    if (Array.isArray(a)) a.push(b);
    else if (a instanceof Map) a.set(`${key}\u0001link`, b);
    else Object.defineProperty(a, key, { value: b, enumerable: true, writable: true, configurable: true });
  }
  return values;
});

const show = (v: unknown): string => {
  try {
    return fc.stringify(v);
  } catch {
    return String(v);
  }
};

/** The object key a Map key arrives as: String(key), and a table's kind for a table (never its own toString). */
const keyString = (k: unknown): string => (typeof k === 'object' && k !== null && !ArrayBuffer.isView(k) ? Object.prototype.toString.call(k) : String(k));

/**
 * Whether `got` (decoded) is what the codec promises for `sent`: the same
 * value, except that null arrives as undefined, a string (value or key) as its
 * well-formed form (a lone surrogate becomes U+FFFD: UTF-8 cannot carry it), an empty
 * array as an empty object (a Lua table has no way to say which), a Map as
 * an object keyed by `keyString(key)`, a typed-array view as a fresh array of its
 * bytes. Tables seen twice are the same decoded table (sharing, cycles).
 * Returns a description of the first difference, or null.
 */
export function sameAsSent(sent: unknown, got: unknown, pairs = new Map<object, unknown>(), at = '$'): string | null {
  if (sent === null || sent === undefined) return got === undefined ? null : `${at}: ${show(got)}, expected undefined`;
  if (typeof sent === 'number') return Object.is(sent, got) ? null : `${at}: ${show(got)}, expected ${show(sent)}`;
  if (typeof sent === 'string') return got === sent.toWellFormed() ? null : `${at}: ${show(got)}, expected ${show(sent.toWellFormed())}`;
  if (typeof sent !== 'object') return got === sent ? null : `${at}: ${show(got)}, expected ${show(sent)}`;
  if (ArrayBuffer.isView(sent) || sent instanceof ArrayBuffer) {
    const kind = sent instanceof ArrayBuffer ? ArrayBuffer : sent.constructor;
    if (!(got instanceof kind) || (got as object).constructor !== kind) return `${at}: a ${(got as object)?.constructor?.name}, expected a ${kind.name}`;
    const bytes = (x: ArrayBuffer | ArrayBufferView) => (x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    const a = bytes(sent);
    const b = bytes(got as ArrayBuffer | ArrayBufferView);
    return a.length === b.length && a.every((x, i) => x === b[i]) ? null : `${at}: bytes differ`;
  }
  if (pairs.has(sent)) return pairs.get(sent) === got ? null : `${at}: a table sent twice arrived as two tables`;
  if (typeof got !== 'object' || got === null) return `${at}: ${show(got)}, expected a table`;
  pairs.set(sent, got);
  if (Array.isArray(sent) && sent.length > 0) {
    if (!Array.isArray(got) || got.length !== sent.length) return `${at}: ${show(got)}, expected an array of ${sent.length}`;
    for (let i = 0; i < sent.length; i++) {
      const d = sameAsSent(sent[i], got[i], pairs, `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  // Keys as they arrive: strings well-formed (two keys may become one: the later wins).
  const entries = [...new Map<string, unknown>((sent instanceof Map ? [...sent] : Object.entries(sent)).map(([k, v]) => [keyString(k).toWellFormed(), v]))];
  const keys = Object.keys(got);
  if (Array.isArray(got) || Object.getPrototypeOf(got) !== Object.prototype) return `${at}: not a plain object`;
  if (keys.length !== entries.length) return `${at}: keys ${show(keys)}, expected ${show(entries.map(([k]) => k))}`;
  for (const [k, v] of entries) {
    if (!Object.prototype.hasOwnProperty.call(got, k)) return `${at}: key ${show(k)} missing`;
    const d = sameAsSent(v, (got as Record<string, unknown>)[k], pairs, `${at}[${show(k)}]`);
    if (d) return d;
  }
  return null;
}

// ------------------------------------------------------------ Lua values

/** A Lua value to build: a scalar, a byte string, a table (array part, hash part) or a reference to a table built before. */
type LuaSpec =
  | { t: 'nil' | 'true' | 'false' }
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'str'; v: Uint8Array }
  | { t: 'table'; arr: LuaSpec[]; hash: [LuaSpec, LuaSpec][] }
  | { t: 'ref'; i: number };

const luaInt = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31))).map((v): LuaSpec => ({ t: 'int', v }));
const luaFloat = fc.oneof(fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 1.5, 2 ** 31, 2 ** 53)).map((v): LuaSpec => ({ t: 'float', v }));
const utf8 = new TextEncoder();
const luaStr = fc
  .oneof(fc.uint8Array({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => utf8.encode(s)), fc.constantFrom(utf8.encode('__proto__'), Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)))
  .map((v): LuaSpec => ({ t: 'str', v }));
const luaLeaf = fc.oneof(fc.constantFrom<LuaSpec>({ t: 'nil' }, { t: 'true' }, { t: 'false' }), luaInt, luaFloat, luaStr, fc.nat(20).map((i): LuaSpec => ({ t: 'ref', i })));
/** Keys: integers (also ones that continue the array part), floats (not NaN), strings, booleans, tables. */
const luaKey = fc.oneof(
  luaInt,
  fc.integer({ min: 1, max: 8 }).map((v): LuaSpec => ({ t: 'int', v })),
  luaFloat.filter((k) => !Number.isNaN((k as { v: number }).v)),
  luaStr,
  fc.constantFrom<LuaSpec>({ t: 'true' }, { t: 'false' }),
  fc.nat(20).map((i): LuaSpec => ({ t: 'ref', i })),
);
const { luaValue } = fc.letrec<{ luaValue: LuaSpec; luaTable: LuaSpec }>((tie) => ({
  luaValue: fc.oneof({ depthSize: 'small', withCrossShrink: true }, luaLeaf, tie('luaTable')),
  luaTable: fc
    .tuple(fc.array(tie('luaValue'), { maxLength: 6 }), fc.array(fc.tuple(luaKey, tie('luaValue')), { maxLength: 6 }))
    .map(([arr, hash]): LuaSpec => ({ t: 'table', arr, hash })),
}));
export const luaValues = fc.array(luaValue, { minLength: 1, maxLength: 4 });

const BUILT = to_luastring('fuzz_built');

/** Starts a value: its tables are kept, in the order built, in the global `fuzz_built` (references pick among them). */
function startBuild(L: LuaState): { n: number } {
  lua.lua_createtable(L, 0, 0);
  lua.lua_setglobal(L, BUILT);
  return { n: 0 };
}

/** Pushes a spec's value. */
function build(L: LuaState, s: LuaSpec, tables: { n: number }): void {
  switch (s.t) {
    case 'nil':
      return lua.lua_pushnil(L);
    case 'true':
    case 'false':
      return lua.lua_pushboolean(L, s.t === 'true');
    case 'int':
      return lua.lua_pushinteger(L, s.v);
    case 'float':
      return lua.lua_pushnumber(L, s.v);
    case 'str':
      return void lua.lua_pushlstring(L, s.v, s.v.length);
    case 'ref':
      if (tables.n === 0) return lua.lua_pushnil(L);
      lua.lua_getglobal(L, BUILT);
      lua.lua_rawgeti(L, -1, (s.i % tables.n) + 1);
      return lua.lua_remove(L, -2);
    case 'table': {
      lua.lua_createtable(L, 0, 0);
      lua.lua_getglobal(L, BUILT);
      lua.lua_pushvalue(L, -2);
      lua.lua_rawseti(L, -2, ++tables.n);
      lua.lua_pop(L, 1);
      s.arr.forEach((v, i) => {
        build(L, v, tables);
        lua.lua_rawseti(L, -2, i + 1);
      });
      for (const [k, v] of s.hash) {
        build(L, k, tables);
        if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
          lua.lua_pop(L, 1);
          continue;
        }
        build(L, v, tables);
        lua.lua_rawset(L, -3);
      }
      return;
    }
  }
}

/**
 * Lua's side of the check: `same(a, b, loose)` compares two values deeply,
 * with tables matched one to one (sharing and cycles kept). Strict: numbers
 * keep their subtype, NaN equals NaN, -0 is not 0. Loose (through JS): numbers
 * compare by value (JS has one number type), and keys compare as JS turns
 * them into object keys.
 */
const SAME_LUA = `
local function num_eq(a, b, loose)
  if a ~= a then return b ~= b end
  if a ~= b then return false end
  if a == 0 and 1/a ~= 1/b then return false end
  return loose or math.type(a) == math.type(b)
end
local same
local function key_of(k)
  if type(k) == "number" and math.type(k) == "integer" then return k end
  if type(k) == "number" and k == math.floor(k) and k >= -2^31 and k < 2^31 then return math.tointeger(k) end
  return tostring(k)
end
function same(a, b, loose, pairs, path)
  if type(a) ~= type(b) then return false, path .. ": " .. type(b) .. ", expected " .. type(a) end
  if type(a) == "number" then
    if num_eq(a, b, loose) then return true end
    return false, path .. ": " .. tostring(b) .. " (" .. math.type(b) .. "), expected " .. tostring(a) .. " (" .. math.type(a) .. ")"
  end
  if type(a) ~= "table" then
    if a == b then return true end
    return false, path .. ": " .. tostring(b) .. ", expected " .. tostring(a)
  end
  if pairs[a] ~= nil then
    if pairs[a] == b then return true end
    return false, path .. ": a table seen twice arrived as two tables"
  end
  pairs[a] = b
  if not loose then
    -- Table keys: matched in order (the payload keeps the order next() gave).
    local ka, kb = {}, {}
    for k in next, a do if type(k) == "table" then ka[#ka + 1] = k end end
    for k in next, b do if type(k) == "table" then kb[#kb + 1] = k end end
    if #ka ~= #kb then return false, path .. ": " .. #kb .. " table keys, expected " .. #ka end
    for i = 1, #ka do
      local ok, why = same(ka[i], kb[i], loose, pairs, path .. "<key " .. i .. ">")
      if not ok then return false, why end
    end
  end
  local n = 0
  for k, v in next, a do
    n = n + 1
    local kb = k
    if loose then kb = key_of(k) end
    if type(k) == "table" and not loose then kb = pairs[k] end
    local ok, why = same(v, rawget(b, kb), loose, pairs, path .. "[" .. tostring(k) .. "]")
    if not ok then return false, why end
  end
  local m = 0
  for _ in next, b do m = m + 1 end
  if m ~= n then return false, path .. ": " .. m .. " keys, expected " .. n end
  return true
end
return same
`;

export function newLuaState(): { L: LuaState; same: number } {
  const L = lauxlib.luaL_newstate()!;
  lualib.luaL_openlibs(L);
  if (lauxlib.luaL_dostring(L, to_luastring(SAME_LUA)) !== lua.LUA_OK) {
    throw new Error(`SAME_LUA: ${lua.lua_tojsstring(L, -1)}`);
  }
  return { L, same: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
}

/** Calls `same(a, b, loose)` on stack slots `a` and `b`: null when equal, else the difference. */
function sameInLua(L: LuaState, same: number, a: number, b: number, loose: boolean): string | null {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, same);
  lua.lua_pushvalue(L, a);
  lua.lua_pushvalue(L, b);
  lua.lua_pushboolean(L, loose);
  lua.lua_createtable(L, 0, 0);
  lua.lua_pushstring(L, to_luastring('$'));
  if (lua.lua_pcall(L, 5, 2, 0) !== lua.LUA_OK) return `same() raised: ${lua.lua_tojsstring(L, -1)}`;
  const ok = lua.lua_toboolean(L, -2);
  const why = ok ? null : lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 2);
  return why;
}

/** Keys JS can hold as object keys without loss: valid UTF-8 strings and 32-bit integers. */
function jsSafeKeys(s: LuaSpec): LuaSpec {
  if (s.t !== 'table') return s;
  const hash = s.hash
    .filter(([k]) => k.t === 'int' || (k.t === 'str' && isUtf8(k.v) && !looksLikeNumber(k.v)))
    .map(([k, v]): [LuaSpec, LuaSpec] => [k, jsSafeKeys(v)]);
  return { t: 'table', arr: s.arr.map(jsSafeKeys), hash };
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function isUtf8(b: Uint8Array): boolean {
  try {
    strictUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}
/** "12" as a key comes back from JS as the integer 12. */
const looksLikeNumber = (b: Uint8Array) => /^(?:0|-?[1-9][0-9]{0,9})$/.test(String.fromCharCode(...b));

// ------------------------------------------------------------ targets

const isCodecError = (e: unknown) => e instanceof CodecError;

/** A byte edit of a payload: set a byte, cut it short, insert bytes, or repeat a stretch. */
const mutation = fc.oneof(
  fc.tuple(fc.constant('set' as const), fc.nat(), fc.integer({ min: 0, max: 255 })),
  fc.tuple(fc.constant('cut' as const), fc.nat(), fc.constant(0)),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.constantFrom(0x00, 0x06, 0x07, 0x09, 0x7f, 0x80, 0xff)),
  fc.tuple(fc.constant('repeat' as const), fc.nat(), fc.nat(16)),
);
type Mutation = [string, number, number];

function mutate(b: Uint8Array, edits: Mutation[]): Uint8Array {
  let out = b.slice();
  for (const [op, at, x] of edits) {
    const i = out.length ? at % out.length : 0;
    if (op === 'set' && out.length) out[i] = x;
    else if (op === 'cut') out = out.slice(0, i);
    else if (op === 'insert') out = Uint8Array.from([...out.subarray(0, i), x, ...out.subarray(i)]);
    else if (op === 'repeat') out = Uint8Array.from([...out.subarray(0, i + x), ...out.subarray(i, i + x), ...out.subarray(i + x)]);
  }
  return out;
}

/** Random bytes, payload-shaped bytes (a valid header, then anything) and mutated real payloads. */
export const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(fc.constantFrom(0, 1), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([flag, rest]) => Uint8Array.from([flag, ...rest])),
  // A real payload cut short anywhere (every length check at the end of a value).
  fc.tuple(jsValues, fc.nat()).map(([v, at]) => {
    try {
      const p = encode(v);
      return p.subarray(0, at % p.length);
    } catch {
      return Uint8Array.of(0, 1, 0);
    }
  }),
  // Tables nested deeper than any stack: a table of one table of one table...
  fc.integer({ min: 60, max: 30_000 }).map((depth) => {
    const b = new Uint8Array(2 + depth * 3 + 1);
    b[1] = 1;
    for (let i = 0; i < depth; i++) b.set([6, 1, 0], 2 + i * 3);
    return b; // the innermost table's one value is the final 0 (nil)
  }),
  fc.tuple(jsValues, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([v, edits]) => {
    try {
      return mutate(encode(v), edits as Mutation[]);
    } catch {
      return Uint8Array.of(0, 1, 0);
    }
  }),
);

/** The slots of a state's stack (fengari's array: what the state has allocated). */
export const stackSlots = (L: LuaState): number => (L as unknown as { stack: unknown[] }).stack.length;

/** Stack slots a payload of `n` bytes may fill at most (one value per byte), and some room. */
const stackBound = (n: number) => 2 * n + 200;

export function codecTargets(): Target[] {
  let lstate: { L: LuaState; same: number } | undefined;
  const state = () => (lstate ??= newLuaState());
  return [
    {
      name: 'codec/decode-random-bytes',
      shortRuns: 300,
      property: () =>
        fc.property(hostileBytes, (bytes) => {
          for (const cb of [undefined, () => () => 0]) {
            try {
              decode(bytes, cb);
            } catch (e) {
              if (!isCodecError(e)) throw new Error(`decode threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
            }
          }
          const { L } = state();
          const top = lua.lua_gettop(L);
          const stackBefore = stackSlots(L);
          try {
            pushLua(L, bytes);
          } catch (e) {
            if (!isCodecError(e)) throw new Error(`pushLua threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
          }
          const grown = stackSlots(L);
          lua.lua_settop(L, top);
          if (grown > Math.max(stackBefore, stackBound(bytes.length))) {
            throw new Error(`pushLua grew the Lua stack to ${grown} slots for a payload of ${bytes.length} bytes`);
          }
        }),
    },
    {
      name: 'codec/js-roundtrip',
      shortRuns: 300,
      property: () =>
        fc.property(jsValues, (values) => {
          let out: unknown[];
          try {
            out = decode(encode(values));
          } catch (e) {
            throw new Error(`encode/decode threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
          }
          const pairs = new Map<object, unknown>();
          if (out.length !== values.length) throw new Error(`${out.length} values, expected ${values.length}`);
          values.forEach((v, i) => {
            const d = sameAsSent(v, out[i], pairs, `$${i}`);
            if (d) throw new Error(d);
          });
          // Bigints, symbols and functions are refused with a CodecError, wherever they are.
          for (const bad of [1n, Symbol('s'), () => 0]) {
            try {
              encode([...values, [bad]]);
              throw new Error(`encode took a ${typeof bad}`);
            } catch (e) {
              if (!isCodecError(e)) throw e;
            }
          }
        }),
    },
    {
      name: 'codec/lua-roundtrip',
      shortRuns: 100,
      property: () =>
        fc.property(luaValues, (specs) => {
          const { L, same } = state();
          const base = lua.lua_gettop(L);
          try {
            let tables = startBuild(L);
            for (const s of specs) build(L, s, tables);
            const n = specs.length;
            const payload = encodeLua(L, base + 1, base + n);
            if (pushLua(L, payload) !== n) throw new Error('pushLua: wrong count');
            for (let i = 1; i <= n; i++) {
              const d = sameInLua(L, same, base + i, base + n + i, false);
              if (d) throw new Error(`Lua -> Lua: ${d}`);
            }
            // Through JS: keys JS can hold, numbers by value.
            lua.lua_settop(L, base);
            tables = startBuild(L);
            for (const s of specs) build(L, jsSafeKeys(s), tables);
            const back = encode(decode(encodeLua(L, base + 1, base + n)));
            pushLua(L, back);
            for (let i = 1; i <= n; i++) {
              const d = sameInLua(L, same, base + i, base + n + i, true);
              if (d) throw new Error(`Lua -> JS -> Lua: ${d}`);
            }
          } finally {
            lua.lua_settop(L, base);
          }
        }),
    },
  ];
}
