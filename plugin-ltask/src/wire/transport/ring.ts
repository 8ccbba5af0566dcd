/**
 * A single-producer single-consumer byte ring over a SharedArrayBuffer.
 *
 * Records are 4-byte aligned: a `u32` header (length, top bit = "more fragments
 * follow") and the bytes, which may wrap around the end. The producer publishes
 * with an atomic store of `tail`, the consumer frees space with a store of `head`;
 * both counters grow freely and wrap at 2^32 (the capacity is a power of two).
 * Each end keeps its own counter locally and caches the other's, reading the
 * shared word only when the cache says "full" (writer) or "empty" (reader): the
 * other thread writes that cache line all the time, so every read of it costs.
 */

const HEAD = 0;
const TAIL = 1;
const DATA_OFFSET = 64; // keep the counters on their own cache line
const MORE = 0x80000000;

/** Bytes a ring of `capacity` needs. */
const ringBytes = (capacity: number): number => DATA_OFFSET + capacity;

/** Allocates the shared memory of a ring. `capacity` is rounded up to a power of two. */
export function createRingBuffer(capacity: number): SharedArrayBuffer {
  let cap = 1024;
  while (cap < capacity) cap *= 2;
  return new SharedArrayBuffer(ringBytes(cap));
}

const align4 = (n: number): number => (n + 3) & ~3;

/** The shared state both ends map. */
class RingView {
  readonly ctrl: Int32Array;
  readonly data: Uint8Array;
  readonly cap: number;
  readonly mask: number;
  readonly dv: DataView;
  constructor(readonly sab: SharedArrayBuffer) {
    this.ctrl = new Int32Array(sab, 0, 2);
    this.data = new Uint8Array(sab, DATA_OFFSET);
    this.dv = new DataView(sab, DATA_OFFSET);
    this.cap = this.data.length;
    this.mask = this.cap - 1;
  }
}

/** The writing end. */
export class RingWriter extends RingView {
  /** Largest fragment written in one record. */
  readonly maxFragment: number;
  private tail: number;
  private head: number;
  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.maxFragment = Math.max(64, (this.cap >>> 2) - 4);
    this.tail = Atomics.load(this.ctrl, TAIL);
    this.head = Atomics.load(this.ctrl, HEAD);
  }

  /** Free bytes right now. */
  free(): number {
    this.head = Atomics.load(this.ctrl, HEAD);
    return this.cap - ((this.tail - this.head) >>> 0);
  }

  /**
   * Writes one record (one fragment). Returns false when it does not fit now.
   * `more` marks that further fragments of the same message follow.
   */
  write(bytes: Uint8Array, more = false): boolean {
    const len = bytes.length;
    const need = 4 + align4(len);
    const tail = this.tail;
    if (this.cap - ((tail - this.head) >>> 0) < need) {
      this.head = Atomics.load(this.ctrl, HEAD);
      if (this.cap - ((tail - this.head) >>> 0) < need) return false;
    }
    const at = tail & this.mask;
    this.dv.setUint32(at, (len | (more ? MORE : 0)) >>> 0, true);
    const p = (at + 4) & this.mask;
    const first = Math.min(len, this.cap - p);
    this.data.set(first === len ? bytes : bytes.subarray(0, first), p);
    if (first < len) this.data.set(bytes.subarray(first), 0);
    this.tail = (tail + need) | 0;
    Atomics.store(this.ctrl, TAIL, this.tail);
    return true;
  }
}

/** The reading end. Reassembles fragmented messages. */
export class RingReader extends RingView {
  private parts: Uint8Array[] = [];
  private head: number;
  private tail: number;
  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.head = Atomics.load(this.ctrl, HEAD);
    this.tail = Atomics.load(this.ctrl, TAIL);
  }

  /** True when a record is waiting. */
  pending(): boolean {
    if (this.tail !== this.head) return true;
    this.tail = Atomics.load(this.ctrl, TAIL);
    return this.tail !== this.head;
  }

  /** The next whole message, or null when none is complete. */
  read(): Uint8Array | null {
    for (;;) {
      const head = this.head;
      if (this.tail === head) {
        this.tail = Atomics.load(this.ctrl, TAIL);
        if (this.tail === head) return null;
      }
      const at = head & this.mask;
      const word = this.dv.getUint32(at, true);
      const len = word & ~MORE;
      const p = (at + 4) & this.mask;
      const out = new Uint8Array(len);
      const first = Math.min(len, this.cap - p);
      out.set(this.data.subarray(p, p + first));
      if (first < len) out.set(this.data.subarray(0, len - first), first);
      this.head = (head + 4 + align4(len)) | 0;
      Atomics.store(this.ctrl, HEAD, this.head);
      if (word & MORE) {
        this.parts.push(out);
        continue;
      }
      if (this.parts.length === 0) return out;
      this.parts.push(out);
      let total = 0;
      for (const part of this.parts) total += part.length;
      const whole = new Uint8Array(total);
      let o = 0;
      for (const part of this.parts) {
        whole.set(part, o);
        o += part.length;
      }
      this.parts = [];
      return whole;
    }
  }
}

/**
 * A writer with an outbox: messages that do not fit now wait, in order, and are
 * flushed by `flush()`. Large messages go as fragments of at most `maxFragment`.
 */
export class RingSender {
  readonly ring: RingWriter;
  private outbox: { bytes: Uint8Array; off: number }[] = [];
  constructor(sab: SharedArrayBuffer) {
    this.ring = new RingWriter(sab);
  }

  /** True when messages wait in the outbox. */
  get backlog(): boolean {
    return this.outbox.length > 0;
  }

  send(bytes: Uint8Array): void {
    if (this.outbox.length === 0 && bytes.length <= this.ring.maxFragment && this.ring.write(bytes)) return;
    this.outbox.push({ bytes, off: 0 });
    this.flush();
  }

  /**
   * The reader has died: every whole message it had not taken yet, in order
   * (those still in the ring, then the outbox). A message the reader had
   * begun to take is lost; one only partly written comes whole from the outbox.
   */
  abandon(): Uint8Array[] {
    const r = new RingReader(this.ring.sab);
    const out: Uint8Array[] = [];
    for (let b = r.read(); b; b = r.read()) out.push(b);
    for (const item of this.outbox) out.push(item.bytes);
    this.outbox = [];
    return out;
  }

  /** Writes what fits from the outbox. Returns true when the outbox is empty. */
  flush(): boolean {
    const ring = this.ring;
    while (this.outbox.length > 0) {
      const item = this.outbox[0]!;
      const rest = item.bytes.length - item.off;
      const n = Math.min(rest, ring.maxFragment);
      const more = n < rest;
      if (!ring.write(item.bytes.subarray(item.off, item.off + n), more)) return false;
      item.off += n;
      if (!more) this.outbox.shift();
    }
    return true;
  }
}
