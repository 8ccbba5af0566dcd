/** Encoding and decoding of JS values (TypeScript services, the host, carriers). */
import { CodecError, DEFAULT_MAX_BYTES, FLAG_REFS, MAX_DEPTH, Reader, Tag, TYPED_KINDS, Writer, bytesToJs, typedKind } from './format.ts';
import { beginValues, countValue } from './progress.ts';
import { INTERN_BYTES, INTERN_FROM, INTERN_SLOTS, ShortStrings } from './intern.ts';

const writer = new Writer();
const INT_KEY = /^(?:0|-?[1-9][0-9]{0,9})$/;

// One encode at a time per thread (encode never calls back into itself), so
// its state lives here rather than in closures made per message.
let fnRef: ((f: (...a: unknown[]) => unknown) => number) | undefined;
let seen: Map<object, number> | null = null; // made on the first table: most messages have none
let refs = false;

/**
 * Encodes a list of values (the arguments or results of a message).
 * @throws CodecError for functions, symbols, bigints, over-deep or over-large values.
 */
export function encode(
  values: readonly unknown[],
  maxBytes = DEFAULT_MAX_BYTES,
  /** Native calls only: turns a JS function into a callback id. */
  toCallback?: (f: (...a: unknown[]) => unknown) => number,
): Uint8Array {
  writer.reset(maxBytes);
  writer.u8(0);
  writer.varint(values.length);
  fnRef = toCallback;
  seen = null;
  refs = false;
  beginValues();
  try {
    for (let i = 0; i < values.length; i++) encodeValue(values[i], 0);
  } finally {
    fnRef = undefined;
    seen = null;
  }
  if (refs) writer.buf[0] = FLAG_REFS;
  return writer.take();
}

function encodeValue(v: unknown, depth: number): void {
  const w = writer;
  countValue();
  switch (typeof v) {
    case 'undefined':
      w.u8(Tag.NIL);
      return;
    case 'boolean':
      w.u8(v ? Tag.TRUE : Tag.FALSE);
      return;
    case 'number':
      if ((v | 0) === v && !Object.is(v, -0)) {
        w.u8(Tag.INT);
        w.i32(v);
      } else {
        w.u8(Tag.FLOAT);
        w.f64(v);
      }
      return;
    case 'string':
      w.u8(Tag.STRING);
      w.string(v);
      return;
    case 'object':
      if (v === null) w.u8(Tag.NIL);
      else encodeObject(v, depth);
      return;
    case 'function':
      if (!fnRef) throw new CodecError('[ltask] cannot send a function');
      w.u8(Tag.CALLBACK);
      w.varint(fnRef(v as (...a: unknown[]) => unknown));
      return;
    default:
      throw new CodecError(`[ltask] cannot send a ${typeof v}`);
  }
}

/** A reference to a value already written, bytes, or a table. */
function encodeObject(v: object, depth: number): void {
  const w = writer;
  const ref = seen?.get(v);
  if (ref !== undefined) {
    refs = true;
    w.u8(Tag.REF);
    w.varint(ref);
    return;
  }
  if (v instanceof Uint8Array) {
    w.u8(Tag.BYTES);
    w.bytes(v);
    return;
  }
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
    const kind = typedKind(v);
    const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    w.u8(Tag.TYPED);
    w.u8(kind);
    w.bytes(bytes);
    return;
  }
  if (depth >= MAX_DEPTH) throw new CodecError(`[ltask] value nested deeper than ${MAX_DEPTH} levels`);
  seen ??= new Map();
  seen.set(v, seen.size);
  w.u8(Tag.TABLE);
  if (Array.isArray(v)) {
    w.varint(v.length);
    w.varint(0);
    for (let i = 0; i < v.length; i++) encodeValue(v[i], depth + 1);
  } else if (v instanceof Map) encodeMap(v, depth);
  else encodeRecord(v as Record<string, unknown>, depth);
}

function encodeMap(v: Map<unknown, unknown>, depth: number): void {
  writer.varint(0);
  writer.varint(v.size);
  for (const [k, x] of v) {
    // Lua refuses them as table keys (a NaN key used to end the receiving service).
    if (k === undefined || k === null || Number.isNaN(k)) throw new CodecError(`[ltask] a table key cannot be ${String(k)} (a Map key of the value sent)`);
    encodeValue(k, depth + 1);
    encodeValue(x, depth + 1);
  }
}

function encodeRecord(v: Record<string, unknown>, depth: number): void {
  const w = writer;
  const keys = Object.keys(v);
  w.varint(0);
  w.varint(keys.length);
  for (const k of keys) {
    // Integer-like keys go back as integers, so Lua tables round-trip.
    const c = k.charCodeAt(0);
    const n = ((c >= 48 && c <= 57) || c === 45) && INT_KEY.test(k) ? Number(k) : NaN;
    if (n >= -0x80000000 && n <= 0x7fffffff) {
      w.u8(Tag.INT);
      w.i32(n);
    } else {
      w.u8(Tag.STRING);
      w.string(k);
    }
    encodeValue(v[k], depth + 1);
  }
}

const shorts = new ShortStrings();
const shortStr: (string | Uint8Array)[] = new Array<string | Uint8Array>(INTERN_SLOTS).fill('');

/** A short string of a large payload (see intern.ts). */
function shortString(r: Reader, len: number): string | Uint8Array {
  const p = r.skip(len);
  const b = r.buf;
  const slot = shorts.find(b, p, len);
  // A string is shared; bytes (not UTF-8) are copied, as each is its own array.
  if (slot >= 0) {
    const known = shortStr[slot];
    return typeof known === 'string' ? known : b.slice(p, p + len);
  }
  const s = bytesToJs(b.subarray(p, p + len));
  shorts.keep(~slot, p, len);
  shortStr[~slot] = s;
  return s;
}

/**
 * Decodes a payload into a list of values. Lua sequences become arrays, other
 * tables plain objects (keys as strings), strings become JS strings when they are
 * valid UTF-8 and Uint8Array otherwise.
 */
/**
 * A decoded table key as an object key: String(k), except that a table gives
 * its kind ("[object Object]"), never what its own `toString` field says (that
 * field may be a number, or a callback of the caller).
 */
const keyString = (k: unknown): string => (typeof k === 'object' && k !== null && !ArrayBuffer.isView(k) ? Object.prototype.toString.call(k) : String(k));

/** The first `count` values of a payload (the rest is not read). */
export const peek = (payload: Uint8Array | null | undefined, count: number): unknown[] => decode(payload, undefined, count);

/** A TYPED value: an ArrayBuffer (kind 0) or a typed array of its kind. */
function typedValue(r: Reader): unknown {
  const kind = r.u8();
  const bytes = r.span(r.varint()).slice();
  if (kind === 0) return bytes.buffer;
  const Ctor = TYPED_KINDS[kind];
  if (!Ctor) throw new CodecError(`[ltask] unknown typed array kind ${kind}`);
  if (bytes.length % (Ctor.BYTES_PER_ELEMENT ?? 1) !== 0) throw new CodecError(`[ltask] malformed payload: ${bytes.length} bytes for typed array kind ${kind}`);
  return new Ctor(bytes.buffer);
}

/** Sets `o[k]` to the next value (read after the key, in payload order). */
function setKey(o: Record<string, unknown>, k: unknown, value: () => unknown): void {
  const key = k instanceof Uint8Array ? (bytesToJs(k) as string) : keyString(k);
  // "__proto__" is an ordinary key here, never the object's prototype.
  if (key === '__proto__') Object.defineProperty(o, key, { value: value(), enumerable: true, writable: true, configurable: true });
  else o[key] = value();
}

export function decode(
  payload: Uint8Array | null | undefined,
  /** Carriers only: makes the synchronous function standing for callback `id`. */
  callback?: (id: number) => unknown,
  /** Decode only the first `limit` values. */
  limit = Infinity,
): unknown[] {
  if (!payload || payload.length === 0) return [];
  const r = new Reader(payload);
  r.u8();
  const n = Math.min(r.count(r.varint()), limit);
  const tables: object[] = [];
  const short = payload.length >= INTERN_FROM;
  if (short) shorts.begin();
  beginValues();
  let depth = 0;
  const value = (): unknown => {
    const tag = r.u8();
    countValue();
    switch (tag) {
      case Tag.NIL:
        return undefined;
      case Tag.FALSE:
        return false;
      case Tag.TRUE:
        return true;
      case Tag.INT:
        return r.i32();
      case Tag.FLOAT:
        return r.f64();
      case Tag.STRING: {
        const len = r.varint();
        return short && len <= INTERN_BYTES ? shortString(r, len) : bytesToJs(r.span(len));
      }
      case Tag.BYTES:
        return r.span(r.varint()).slice();
      case Tag.TYPED:
        return typedValue(r);
      case Tag.CALLBACK: {
        const id = r.varint();
        if (!callback) throw new CodecError('[ltask] a function arrived where none can be called');
        return callback(id);
      }
      case Tag.REF: {
        const t = tables[r.varint()];
        if (!t) throw new CodecError('[ltask] malformed payload: bad table reference');
        return t;
      }
      case Tag.TABLE: {
        const narr = r.varint();
        const nhash = r.varint();
        r.count(narr + 2 * nhash);
        // As deep as the encoders send, no deeper (a payload of nested tables must not exhaust the JS stack).
        if (depth >= MAX_DEPTH) throw new CodecError(`[ltask] value nested deeper than ${MAX_DEPTH} levels`);
        depth++;
        if (nhash === 0 && narr > 0) {
          const a: unknown[] = new Array(narr);
          tables.push(a);
          for (let i = 0; i < narr; i++) a[i] = value();
          depth--;
          return a;
        }
        const o: Record<string, unknown> = {};
        tables.push(o);
        for (let i = 1; i <= narr; i++) o[i] = value();
        for (let i = 0; i < nhash; i++) setKey(o, value(), value);
        depth--;
        return o;
      }
      default:
        throw new CodecError(`[ltask] malformed payload: unknown tag ${tag}`);
    }
  };
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = value();
  return out;
}
