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

/** Message to bytes: `type:u8 pad:3 source:u32 dest:u32 session:i32 payload...`. */
export function frame(m: Msg): Uint8Array {
  const n = m.payload ? m.payload.length : 0;
  const out = new Uint8Array(HEADER + n);
  const dv = new DataView(out.buffer);
  out[0] = m.type;
  dv.setUint32(4, m.source, true);
  dv.setUint32(8, m.dest, true);
  dv.setInt32(12, m.session, true);
  if (n) out.set(m.payload!, HEADER);
  return out;
}

/** Bytes to message. The payload is a view into `b` (no copy). */
export function unframe(b: Uint8Array): Msg {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    type: b[0]!,
    source: dv.getUint32(4, true),
    dest: dv.getUint32(8, true),
    session: dv.getInt32(12, true),
    payload: b.length > HEADER ? b.subarray(HEADER) : null,
  };
}
