/**
 * Fuzz targets of the ring framing (plugin-ltask/src/wire/transport/ring.ts,
 * frame.ts).
 *
 * - ring/one-thread: random programs of sends (sizes 0 to 3x the ring),
 *   reads, flushes, raw records written in fragments and counters started
 *   anywhere a ring's counters can be (a multiple of 4; near 2^31 and 2^32
 *   too, so they wrap): every message comes out
 *   whole, once, in order; a write that does not fit changes nothing; the
 *   ring is empty at the end.
 * - ring/two-threads: a producer and a consumer thread (ring.worker.ts) with
 *   a random seed (message sizes and bytes), count and ring size.
 * - ring/frame: random messages through frame -> unframe, and unframe of
 *   random bytes (never throws).
 */
import fc from 'fast-check';
import { frame, unframe } from '../../../plugin-ltask/src/wire/transport/frame.ts';
import { createRingBuffer, RingReader, RingSender, RingWriter } from '../../../plugin-ltask/src/wire/transport/ring.ts';
import { results, startThread } from '../wire/threads.ts';
import type { RingWorkerData, RingWorkerResult } from '../wire/ring.worker.ts';
import type { Target } from './target.ts';

type Op =
  | { op: 'send'; size: number }
  | { op: 'read'; n: number }
  | { op: 'flush' }
  /** A message written by hand as `parts` raw records (all but the last with `more`). */
  | { op: 'raw'; parts: number[] };

const op = (cap: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.oneof(fc.nat(64), fc.nat(cap), fc.nat(3 * cap), fc.constantFrom(0, 1, 3, 4, 5, cap / 4 - 4, cap / 4 - 3, cap - 4)).map((size): Op => ({ op: 'send', size })) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 8 }).map((n): Op => ({ op: 'read', n })) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: 'flush' }) },
    { weight: 1, arbitrary: fc.array(fc.nat(cap / 8), { minLength: 1, maxLength: 4 }).map((parts): Op => ({ op: 'raw', parts })) },
  );

export const ringProgram = fc
  .tuple(fc.constantFrom(1024, 2048, 4096), fc.oneof(fc.constant(0), fc.nat().map((n) => (n * 4) >>> 0), fc.constantFrom(0x7fffff00, 0xffffff00, 0xfffffffc, 0x80000000 - 4)))
  .chain(([cap, start]) => fc.tuple(fc.constant(cap), fc.constant(start), fc.array(op(cap), { minLength: 1, maxLength: 60 })));

/** Message `i` of `size` bytes: its index, then bytes that depend on both. */
function message(i: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (i * 31 + j * 7 + (j >>> 8)) & 255;
  if (size >= 4) new DataView(b.buffer).setUint32(0, i, true);
  return b;
}
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Runs a program; throws on the first message out of order, changed or lost. */
export function runRingProgram(cap: number, start: number, ops: Op[]): void {
  const sab = createRingBuffer(cap);
  const ctrl = new Int32Array(sab, 0, 2);
  Atomics.store(ctrl, 0, start | 0);
  Atomics.store(ctrl, 1, start | 0);
  const sender = new RingSender(sab);
  const raw = new RingWriter(sab); // used only while the sender has no backlog (one writer at a time)
  const reader = new RingReader(sab);
  const expected: Uint8Array[] = [];
  let next = 0;
  let sent = 0;
  const take = (m: Uint8Array | null): boolean => {
    if (!m) return false;
    const want = expected[next];
    if (!want) throw new Error(`read a message (${m.length} bytes) that was never sent (${next} read, ${expected.length} sent)`);
    if (!same(m, want)) throw new Error(`message #${next}: ${m.length} bytes, expected ${want.length}${m.length === want.length ? ' (bytes differ)' : ''}`);
    next++;
    return true;
  };
  for (const o of ops) {
    if (o.op === 'send') {
      const m = message(sent++, o.size);
      expected.push(m);
      sender.send(m);
    } else if (o.op === 'read') {
      for (let i = 0; i < o.n && take(reader.read()); i++);
    } else if (o.op === 'flush') sender.flush();
    else if (!sender.backlog) {
      // A message by hand, fragment by fragment; a fragment that does not fit leaves the ring as it was.
      const parts = o.parts.map((n, k) => message(sent * 1000 + k, n));
      const whole = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of parts) {
        whole.set(p, at);
        at += p.length;
      }
      const s = raw as unknown as { tail: number };
      // The raw writer's cached tail must follow the sender's writes (both write the same ring).
      s.tail = Atomics.load(ctrl, 1);
      let done = 0;
      for (let guard = 0; done < parts.length; guard++) {
        const before = Atomics.load(ctrl, 1);
        if (raw.write(parts[done]!, done < parts.length - 1)) done++;
        else {
          if (Atomics.load(ctrl, 1) !== before) throw new Error('a write that did not fit moved the tail');
          // Make room: read what is whole (a message in fragments stays in the reader until its last part).
          for (let i = 0; i < 4 && take(reader.read()); i++);
          if (guard > 10_000) throw new Error(`a ${parts[done]!.length}-byte fragment never fits a ${cap}-byte ring`);
        }
      }
      (sender.ring as unknown as { tail: number }).tail = Atomics.load(ctrl, 1);
      expected.push(whole);
      sent++;
    }
  }
  // Drain: everything sent comes out, then nothing more.
  for (let guard = 0; next < expected.length; guard++) {
    sender.flush();
    while (take(reader.read()));
    if (guard > 100_000) throw new Error(`only ${next} of ${expected.length} messages came out`);
  }
  if (reader.read() !== null || reader.pending()) throw new Error('the ring is not empty after the last message');
  if (sender.backlog) throw new Error('the sender still has a backlog');
}

export function ringTargets(): Target[] {
  return [
    {
      name: 'ring/one-thread',
      shortRuns: 400,
      property: () => fc.property(ringProgram, ([cap, start, ops]) => runRingProgram(cap, start, ops)),
    },
    {
      name: 'ring/two-threads',
      shortRuns: 1,
      property: () =>
        fc.asyncProperty(fc.integer({ min: 1, max: 0x7fffffff }), fc.integer({ min: 50, max: 400 }), fc.constantFrom(1024, 4096, 16384), async (seed, count, cap) => {
          const ring = createRingBuffer(cap);
          const ctl = new SharedArrayBuffer(8);
          const data = { ring, ctl, count, seed } satisfies Omit<RingWorkerData, 'role'>;
          const [p, c] = await results([
            startThread<RingWorkerResult>('ring.worker.ts', { ...data, role: 'producer' }),
            startThread<RingWorkerResult>('ring.worker.ts', { ...data, role: 'consumer' }),
          ]);
          if (p!.error || c!.error) throw new Error(`producer: ${p!.error ?? 'ok'}; consumer: ${c!.error ?? 'ok'}`);
          if (c!.done !== count || c!.extra !== null || c!.pendingAfter) throw new Error(`consumer took ${c!.done} of ${count}, extra ${c!.extra}, pending ${c!.pendingAfter}`);
        }),
    },
    {
      name: 'ring/frame',
      shortRuns: 300,
      property: () =>
        fc.property(
          fc.record({ type: fc.integer({ min: 0, max: 255 }), source: fc.nat({ max: 0xffffffff }), dest: fc.nat({ max: 0xffffffff }), session: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), payload: fc.option(fc.uint8Array({ minLength: 1, maxLength: 200 })) }),
          fc.uint8Array({ maxLength: 40 }),
          (m, junk) => {
            const back = unframe(frame(m));
            if (back.type !== m.type || back.source !== m.source || back.dest !== m.dest || back.session !== m.session) throw new Error('a header field changed');
            if ((back.payload === null) !== (m.payload === null) || (m.payload && !same(back.payload!, m.payload))) throw new Error('the payload changed');
            unframe(junk); // short or odd frames: fields from what is there, never a throw
          },
        ),
    },
  ];
}
