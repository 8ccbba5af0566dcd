/** A service message, and its byte frame for rings and postMessage batches. */

/** One message between services. `payload` is a codec payload, or null for none. */
export interface Msg {
  type: number;
  source: number;
  dest: number;
  session: number;
  payload: Uint8Array | null;
}

const HEADER = 16;

const put32 = (o: Uint8Array, at: number, v: number): void => {
  o[at] = v;
  o[at + 1] = v >>> 8;
  o[at + 2] = v >>> 16;
  o[at + 3] = v >>> 24;
};
const get32 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);

/**
 * Message to bytes: `type:u8 pad:3 source:u32 dest:u32 session:i32 payload...`.
 * Plain byte stores: a DataView per message cost more than the rest of the frame.
 */
export function frame(m: Msg): Uint8Array {
  const n = m.payload ? m.payload.length : 0;
  const out = new Uint8Array(HEADER + n);
  out[0] = m.type;
  put32(out, 4, m.source);
  put32(out, 8, m.dest);
  put32(out, 12, m.session);
  if (n) out.set(m.payload!, HEADER);
  return out;
}

/** Bytes to message. The payload is a view into `b` (no copy). */
export function unframe(b: Uint8Array): Msg {
  return {
    type: b[0]!,
    source: get32(b, 4) >>> 0,
    dest: get32(b, 8) >>> 0,
    session: get32(b, 12),
    payload: b.length > HEADER ? b.subarray(HEADER) : null,
  };
}
