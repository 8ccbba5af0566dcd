// What the fuzzers found, each kept as a test (the counterexample as fast-check
// shrank it, and what the code does now).
import { describe, expect, it } from 'vitest';
import fengari from 'fengari';
import { CodecError, decode, encode } from '../../../plugin-ltask/src/wire/codec/index.ts';
import { pushLua } from '../../../plugin-ltask/src/wire/codec/lua.ts';
import { startRuntime } from '@ltask-web/plugin-ltask';
import { stackSlots } from './codec.fuzz.ts';

const { lauxlib } = fengari;

describe('codec: found by codec/decode-random-bytes', () => {
  it('a 5-byte payload declaring 970,555 values is refused before the Lua stack grows (it grew to 1,000,000 slots)', () => {
    const L = lauxlib.luaL_newstate()!;
    const before = stackSlots(L);
    const bytes = Uint8Array.from([0, 187, 158, 59, 0]);
    expect(() => pushLua(L, bytes)).toThrow(/970555 values declared, 1 bytes left/);
    expect(stackSlots(L)).toBe(before);
    expect(() => decode(bytes)).toThrow(/970555 values declared/);
  });

  it('a table declaring more values than the bytes left is refused (JS and Lua)', () => {
    // One value: a table of 0x0fffffff array values and no pairs, then nothing.
    const bytes = Uint8Array.from([0, 1, 6, 0xff, 0xff, 0xff, 0x7f, 0]);
    expect(() => decode(bytes)).toThrow(CodecError);
    expect(() => pushLua(lauxlib.luaL_newstate()!, bytes)).toThrow(/values declared/);
  });

  it('a typed array whose byte length is not a multiple of its element size is a CodecError (was a RangeError)', () => {
    // { link = Int32Array of 5 bytes } (kind 5), shrunk from a mutated payload.
    const bytes = Uint8Array.from([0, 1, 6, 0, 1, 9, 5, 5, 1, 108, 105, 110, 107, 7, 0]);
    expect(() => decode(bytes)).toThrow(CodecError);
    expect(() => decode(bytes)).toThrow(/5 bytes for typed array kind 5/);
  });

  it('tables nested 30,000 deep are a CodecError, not a JS stack overflow (RangeError)', () => {
    const depth = 30_000;
    const bytes = new Uint8Array(2 + depth * 3 + 1);
    bytes[1] = 1;
    for (let i = 0; i < depth; i++) bytes.set([6, 1, 0], 2 + i * 3);
    expect(() => decode(bytes)).toThrow(/nested deeper than 64 levels/);
    expect(() => pushLua(lauxlib.luaL_newstate()!, bytes)).toThrow(/nested deeper than 64 levels/);
  });
});

describe('codec: found by codec/js-roundtrip', () => {
  it('a table key with its own toString field arrives as "[object Object]" (String(key) threw a TypeError)', () => {
    const [o] = decode(encode([new Map([[{ toString: -0 }, 1]])])) as [Record<string, unknown>];
    expect(o).toEqual({ '[object Object]': 1 });
  });

  it('a table key whose toString is a callback of the caller is never called', () => {
    let called = 0;
    // A payload with { [ { toString = <callback 7> } ] = true }, decoded with callbacks (as a carrier does).
    const payload = encode([new Map([[{ toString: () => 0 }, true]])], undefined, () => 7);
    const [o] = decode(payload, () => () => ++called) as [Record<string, unknown>];
    expect(called).toBe(0);
    expect(o).toEqual({ '[object Object]': true });
  });
});

describe('Lua API: found by lua-api/random-args', () => {
  it('ltask.spawn_service() without its table raises a Lua error that says so (was a JS TypeError from root)', async () => {
    const rt = await startRuntime({ workers: 1, sources: { 'service/spawns.lua': 'local ltask = require "ltask"\nreturn { try = function(...) return pcall(ltask.spawn_service, ...) end }' } });
    try {
      const s = await rt.spawn('spawns');
      for (const arg of [undefined, 7, 'name']) {
        const [ok, err] = await rt.callMulti(s, 'try', arg);
        expect(ok).toBe(false);
        expect(String(err)).toMatch(/spawn_service needs a table like \{ name = "x" \}, got (nil|number|string)/);
        expect(String(err)).not.toMatch(/TypeError/);
      }
    } finally {
      await rt.stop();
    }
  });

  it('ltask.sleep of 36 days does not wake at once (a timer past 2^31 - 1 ms fired after 1 ms, with a TimeoutOverflowWarning)', async () => {
    const src = [
      'local ltask = require "ltask"',
      'local woke = false',
      'ltask.fork(function() ltask.sleep(310738760) woke = true end)',
      'return { woke = function() ltask.sleep(30) return woke end }',
    ].join('\n');
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on('warning', onWarning);
    const rt = await startRuntime({ workers: 1, sources: { 'service/sleeper.lua': src } });
    try {
      const s = await rt.spawn('sleeper');
      expect(await rt.call(s, 'woke')).toBe(false);
      expect(await rt.call(s, 'woke')).toBe(false);
    } finally {
      process.off('warning', onWarning);
      await rt.stop();
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
