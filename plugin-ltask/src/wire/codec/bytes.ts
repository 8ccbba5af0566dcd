/**
 * Bytes and text of values that crossed from Lua, for native module authors
 * and the host: a Lua string arrives as a JS string when it is valid UTF-8
 * and as a Uint8Array otherwise (see js.ts `decode`).
 */
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/**
 * Bytes of a value that crossed from Lua: a Lua string arrives as a JS string when
 * it is valid UTF-8 (re-encoding it gives back the exact bytes) and as a Uint8Array
 * otherwise. ArrayBuffers and typed arrays are viewed as bytes.
 */
export function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return utf8.encode(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`[ltask] expected bytes (a string or Uint8Array), got ${v === null ? 'null' : typeof v}`);
}

/** Text of a value that crossed from Lua (UTF-8 decoded when it is bytes). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  return utf8d.decode(asBytes(v));
}
