/**
 * Services' world writes: a service's {@link CommandBuffer} (its own memory,
 * until the step ends), and the command ring of its worker that a committed
 * step is copied into as one record (single producer: the worker; single
 * consumer: the App). A record is `[words, source, ...commands]`; a negative
 * first word pads the ring's end.
 */
import { Op, R, type Ring } from './layout.ts';

/** A growable list of command words. */
export class CommandBuffer {
  words = new Float64Array(256);
  length = 0;
  /** A write went past `limit`: the step's writes are dropped whole when it ends. */
  overflowed = false;

  /** @param limit the most words one step may write (half its worker's ring) */
  constructor(private readonly limit = Infinity) {}

  private room(n: number): void {
    if (this.length + n > this.limit) {
      this.overflowed = true;
      throw new Error(`[world] one step wrote more than ${this.limit} command words (a step may write half its worker's command ring): its writes are dropped; write less per step, or raise world.ringWords`);
    }
    if (this.length + n <= this.words.length) return;
    let size = this.words.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Float64Array(size);
    next.set(this.words.subarray(0, this.length));
    this.words = next;
  }

  set(id: number, comp: number, field: number, value: number): void {
    this.room(3);
    const w = this.words;
    const n = this.length;
    w[n] = Op.SET + comp * 256 + field * 65536;
    w[n + 1] = id;
    w[n + 2] = value;
    this.length = n + 3;
  }

  /** A whole or partial component: `values` in the order of the bits of `mask`. */
  setMany(id: number, comp: number, mask: number, values: ArrayLike<number>, count: number): void {
    this.room(3 + count);
    const w = this.words;
    const n = this.length;
    w[n] = Op.SETC + comp * 256 + count * 65536;
    w[n + 1] = id;
    w[n + 2] = mask;
    for (let i = 0; i < count; i++) w[n + 3 + i] = values[i]!;
    this.length = n + 3 + count;
  }

  /** `[op|a|b, id]`: spawn (a = prefab + 1), despawn, remove (a = component), listen (a = kind, id = on). */
  pair(op: number, a: number, id: number): void {
    this.room(2);
    this.words[this.length] = op + a * 256;
    this.words[this.length + 1] = id;
    this.length += 2;
  }

  emit(kind: number, bytes: Uint8Array): void {
    const n = Math.ceil(bytes.length / 8);
    this.room(2 + n);
    this.words[this.length] = Op.EMIT + kind * 256;
    this.words[this.length + 1] = bytes.length;
    const start = this.length + 2;
    this.words.fill(0, start, start + n);
    new Uint8Array(this.words.buffer, this.words.byteOffset + start * 8, bytes.length).set(bytes);
    this.length = start + n;
  }

  /** Drops what was written after `mark` (a run that failed). */
  truncate(mark: number): void {
    if (mark < this.length) this.length = mark;
  }

  clear(): void {
    this.length = 0;
    this.overflowed = false;
  }
}

/** The words of the ring free for the producer. */
function free(ring: Ring): number {
  const cap = ring.words.length;
  const head = Atomics.load(ring.head, R.HEAD);
  const tail = ring.head[R.TAIL]!;
  return cap - 1 - ((tail - head + cap) % cap);
}

/**
 * Copies `buf` into the ring as one record from `source`. False when the
 * ring has no room for it now (the caller keeps it and tries again later).
 */
export function commitTo(ring: Ring, source: number, buf: Float64Array, length: number): boolean {
  const cap = ring.words.length;
  const need = length + 2;
  let tail = ring.head[R.TAIL]!;
  const toEnd = cap - tail;
  const wrap = need > toEnd;
  if (free(ring) < need + (wrap ? toEnd : 0)) return false;
  const w = ring.words;
  if (wrap) {
    w[tail] = -toEnd;
    tail = 0;
  }
  w[tail] = need;
  w[tail + 1] = source;
  w.set(buf.subarray(0, length), tail + 2);
  tail = (tail + need) % cap;
  Atomics.store(ring.head, R.TAIL, tail);
  return true;
}

/**
 * Reads every record committed so far: `each(source, words, start, end)` for
 * the commands of one record (`words[start..end)`), in commit order.
 */
export function drainRing(ring: Ring, each: (source: number, words: Float64Array, start: number, end: number) => void): number {
  const cap = ring.words.length;
  const tail = Atomics.load(ring.head, R.TAIL);
  let head = ring.head[R.HEAD]!;
  let records = 0;
  const w = ring.words;
  while (head !== tail) {
    const n = w[head]!;
    if (n < 0) {
      head = (head - n) % cap;
      continue;
    }
    each(w[head + 1]!, w, head + 2, head + n);
    records++;
    head = (head + n) % cap;
  }
  Atomics.store(ring.head, R.HEAD, head);
  return records;
}
