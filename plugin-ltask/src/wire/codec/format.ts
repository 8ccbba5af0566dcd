/**
 * The payload format shared by the JS and Lua sides of the codec.
 *
 * A payload is `flags:u8`, `count:varint`, then `count` values. A value is a tag
 * byte and its body. Tables carry their array part and hash part separately, so a
 * Lua sequence stays a sequence; a table seen before is a `REF` to its index in
 * first-seen order, so shared references and cycles survive (as ltask's
 * serializer does).
 */

export const Tag = {
  NIL: 0,
  FALSE: 1,
  TRUE: 2,
  /** 32-bit signed integer (fengari's integer width). */
  INT: 3,
  FLOAT: 4,
  /** A Lua string / JS string: raw bytes (JS strings as UTF-8). */
  STRING: 5,
  /** `narr:varint nhash:varint`, `narr` values, then `nhash` key/value pairs. */
  TABLE: 6,
  /** A table already sent in this payload: `index:varint`. */
  REF: 7,
  /** A Uint8Array (a byte string on the Lua side). */
  BYTES: 8,
  /** A typed array or ArrayBuffer: `kind:u8 byteLength:varint` bytes. */
  TYPED: 9,
  /** A function passed to a native call: `id:varint` (see native/). */
  CALLBACK: 10,
} as const;

/** Payload flag: the payload holds REF tags, so the decoder must remember tables. */
export const FLAG_REFS = 1;

/** Nesting limit for tables. */
export const MAX_DEPTH = 64;

/** Default size limit of one encoded payload. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

type TypedCtor = { new (b: ArrayBuffer): ArrayBufferView; readonly BYTES_PER_ELEMENT?: number };

/** TYPED kinds, by index. Kind 0 is a bare ArrayBuffer. */
export const TYPED_KINDS: (TypedCtor | null)[] = [
  null,
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
];

/** Errors raised by the codec; the message starts with `[ltask]`. */
export class CodecError extends Error {
  override name = 'CodecError';
}

const utf8enc = new TextEncoder();
// ignoreBOM: a byte string that starts with EF BB BF keeps those bytes (asset bytes are exact).
const utf8dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A growable byte buffer. One instance is reused per thread. */
export class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  pos = 0;
  limit = DEFAULT_MAX_BYTES;

  reset(limit: number): void {
    this.pos = 0;
    this.limit = limit;
  }

  reserve(n: number): void {
    const need = this.pos + n;
    if (need > this.limit) {
      throw new CodecError(`[ltask] value too large to send: over ${this.limit} bytes (maxMessageBytes)`);
    }
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(Math.min(size, Math.max(need, this.limit)));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.reserve(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    // Short ASCII strings are the common case (handler names, keys).
    const n = s.length;
    if (n < 128) {
      this.reserve(n + 1);
      const start = this.pos;
      this.buf[this.pos++] = n;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[this.pos++] = c;
      }
      if (i === n) return;
      this.pos = start;
    }
    const encoded = utf8enc.encode(s);
    this.bytes(encoded);
  }

  /** A copy of what was written. */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads a payload. */
export class Reader {
  pos = 0;
  /** Made on the first float: a DataView per payload cost more than decoding a small one. */
  private view: DataView | null = null;
  constructor(readonly buf: Uint8Array) {}

  u8(): number {
    if (this.pos >= this.buf.length) throw new CodecError('[ltask] truncated payload');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      v |= (b & 0x7f) << shift;
      if (b < 0x80) return v >>> 0;
      shift += 7;
      if (shift > 28) throw new CodecError('[ltask] malformed varint in payload');
    }
  }

  i32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  f64(): number {
    this.need(8);
    const b = this.buf;
    this.view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Steps over the next `n` bytes and gives their offset in `buf` (no view made). */
  skip(n: number): number {
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return p;
  }

  /** A view (no copy) of the next `n` bytes. */
  span(n: number): Uint8Array {
    this.need(n);
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /**
   * A declared number of values (a payload's, or a table's array values plus
   * twice its pairs): refused when the bytes left could not hold them (every value takes at least one byte), so
   * nothing is allocated for a count the payload cannot back.
   */
  count(n: number): number {
    if (n > this.buf.length - this.pos) throw new CodecError(`[ltask] malformed payload: ${n} values declared, ${this.buf.length - this.pos} bytes left`);
    return n;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new CodecError('[ltask] truncated payload');
  }
}

/** Bytes to a JS string: UTF-8 when valid, otherwise the bytes themselves. */
export function bytesToJs(b: Uint8Array): string | Uint8Array {
  const n = b.length;
  if (n < 64) {
    let ascii = true;
    for (let i = 0; i < n; i++) if (b[i]! >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  try {
    return utf8dec.decode(b);
  } catch {
    return b.slice();
  }
}

/** The kind index of a typed array / ArrayBuffer, or -1. */
export function typedKind(v: object): number {
  if (v instanceof ArrayBuffer) return 0;
  for (let k = 1; k < TYPED_KINDS.length; k++) if (v instanceof (TYPED_KINDS[k] as unknown as typeof Object)) return k;
  return -1;
}
