import { describe, expect, it } from 'vitest';
import fengari from 'fengari';
import { CodecError, decode, encode } from '@ltask-web/plugin-ltask/internal';
import { encodeLua, pushLua } from '../../../plugin-ltask/src/wire/codec/lua.ts';

const { lua, lauxlib, lualib, to_luastring } = fengari;

describe('codec (JS values)', () => {
  it('round-trips scalars, strings and special floats', () => {
    const values = [undefined, true, false, 0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1.5, -0, NaN, Infinity, -Infinity, '', 'héllo ☃', 'a'.repeat(300)];
    const out = decode(encode(values));
    expect(out).toHaveLength(values.length);
    out.forEach((v, i) => expect(Object.is(v, values[i]) || v === values[i]).toBe(true));
  });

  it('keeps arrays, objects, shared references and cycles', () => {
    const shared = { n: 1 };
    const root: Record<string, unknown> = { list: [1, 'two', [3]], a: shared, b: shared };
    root.self = root;
    const [out] = decode(encode([root])) as [Record<string, unknown>];
    expect(out.list).toEqual([1, 'two', [3]]);
    expect(out.a).toBe(out.b);
    expect(out.self).toBe(out);
  });

  it('moves bytes, typed arrays and ArrayBuffers with their kind', () => {
    const f32 = new Float32Array([1.5, -2]);
    const ab = new Uint8Array([9, 8, 7]).buffer;
    const [u8, f, b, i16] = decode(encode([new Uint8Array([0, 255, 7]), f32, ab, new Int16Array([-5])]));
    expect(u8).toEqual(new Uint8Array([0, 255, 7]));
    expect(f).toBeInstanceOf(Float32Array);
    expect(Array.from(f as Float32Array)).toEqual([1.5, -2]);
    expect(new Uint8Array(b as ArrayBuffer)).toEqual(new Uint8Array([9, 8, 7]));
    expect(Array.from(i16 as Int16Array)).toEqual([-5]);
  });

  it('refuses functions, symbols, bigints, deep and large values with clear errors', () => {
    expect(() => encode([() => 1])).toThrow(/cannot send a function/);
    expect(() => encode([Symbol('x')])).toThrow(/cannot send a symbol/);
    expect(() => encode([1n])).toThrow(/cannot send a bigint/);
    let deep: unknown[] = [];
    const top = deep;
    for (let i = 0; i < 100; i++) deep = (deep[0] = []) as unknown[];
    expect(() => encode([top])).toThrow(/nested deeper than 64/);
    expect(() => encode(['x'.repeat(2000)], 1000)).toThrow(CodecError);
    expect(() => encode(['x'.repeat(2000)], 1000)).toThrow(/over 1000 bytes/);
  });

  it('reports truncated or corrupt payloads', () => {
    const p = encode([{ a: 'long string value' }]);
    expect(() => decode(p.subarray(0, p.length - 3))).toThrow(/truncated payload/);
    const bad = p.slice();
    bad[2] = 99;
    expect(() => decode(bad)).toThrow(/unknown tag 99/);
  });

  it('keeps a leading UTF-8 BOM: byte strings stay byte-exact', () => {
    const L = lauxlib.luaL_newstate()!;
    lua.lua_pushstring(L, Uint8Array.of(0xef, 0xbb, 0xbf, 0x41));
    const [v] = decode(encodeLua(L, 1, 1));
    expect(v).toBe('\ufeffA');
    expect(new TextEncoder().encode(v as string)).toEqual(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41));
  });

  it('refuses nil and NaN table keys at the sender', () => {
    expect(() => encode([new Map([[NaN, 1]])])).toThrow(/table key cannot be NaN/);
    expect(() => encode([new Map([[undefined, 1]])])).toThrow(/table key cannot be undefined/);
  });

  it('"__proto__" is an ordinary key, never the prototype', () => {
    const L = lauxlib.luaL_newstate()!;
    expect(lauxlib.luaL_dostring(L, to_luastring('return { __proto__ = 1, x = 2 }'))).toBe(lua.LUA_OK);
    const [o] = decode(encodeLua(L, 1, 1)) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(o, '__proto__')?.value).toBe(1);
    expect(o.x).toBe(2);
  });

  it('numeric-looking keys stay exact: integers only within 32 bits, other strings as strings', () => {
    const L = lauxlib.luaL_newstate()!;
    lualib.luaL_openlibs(L);
    pushLua(L, encode([{ '-3000000000': 1, '2147483648': 2, '-5': 3, '007': 4 }]));
    lua.lua_setglobal(L, to_luastring('t'));
    const check = 'assert(t["-3000000000"] == 1); assert(t["2147483648"] == 2); assert(t[-5] == 3); assert(t["007"] == 4); return true';
    expect(lauxlib.luaL_dostring(L, to_luastring(check))).toBe(lua.LUA_OK);
    lua.lua_getglobal(L, to_luastring('t'));
    const [back] = decode(encodeLua(L, lua.lua_gettop(L), lua.lua_gettop(L))) as [Record<string, unknown>];
    expect(back).toEqual({ '-3000000000': 1, '2147483648': 2, '-5': 3, '007': 4 });
  });

  it('a payload with a NaN table key is refused as malformed, not pushed', () => {
    const bytes = encode([new Map([[1.5, 'x']])]);
    const at = bytes.findIndex((_, i) => bytes[i + 6] === 0xf8 && bytes[i + 7] === 0x3f && bytes[i] === 0);
    bytes[at + 7] = 0x7f; // 1.5 -> NaN
    const L = lauxlib.luaL_newstate()!;
    expect(() => pushLua(L, bytes)).toThrow(/table key is NaN/);
  });

  it('decodes invalid UTF-8 byte strings as Uint8Array', () => {
    const L = lauxlib.luaL_newstate()!;
    lua.lua_pushstring(L, Uint8Array.of(0xff, 0x00, 0x41));
    const [v] = decode(encodeLua(L, 1, 1));
    expect(v).toEqual(Uint8Array.of(0xff, 0x00, 0x41));
  });
});

describe('codec (Lua stack)', () => {
  const run = (code: string) => {
    const L = lauxlib.luaL_newstate()!;
    lualib.luaL_openlibs(L);
    expect(lauxlib.luaL_dostring(L, to_luastring(code))).toBe(lua.LUA_OK);
    return L;
  };

  it('Lua sequences arrive as arrays, other tables as objects, integers stay integers', () => {
    const L = run('return {1, 2, 3}, {x = 1, [2] = "b"}, 7, 7.5, "s", nil, true');
    const out = decode(encodeLua(L, 1, lua.lua_gettop(L)));
    expect(out).toEqual([[1, 2, 3], { x: 1, 2: 'b' }, 7, 7.5, 's', undefined, true]);
  });

  it('JS values pushed onto a Lua stack keep types, sharing and cycles', () => {
    const L = run('');
    const shared = [1];
    const o: Record<string, unknown> = { a: shared, b: shared, f: 0.25, i: 3, bytes: new Uint8Array([1, 2]) };
    o.self = o;
    expect(pushLua(L, encode([o]))).toBe(1);
    lua.lua_setglobal(L, to_luastring('o'));
    const check = 'assert(o.a == o.b); assert(o.self == o); assert(math.type(o.i) == "integer"); assert(o.f == 0.25); assert(o.bytes == "\\1\\2"); return true';
    expect(lauxlib.luaL_dostring(L, to_luastring(check))).toBe(lua.LUA_OK);
  });
});
