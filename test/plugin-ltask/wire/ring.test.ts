// transport/ring.ts (the SPSC byte ring between workers) and transport/frame.ts
// (the byte frame of a service message).
import { describe, expect, it } from 'vitest';
import { frame, unframe, type Msg } from '../../../plugin-ltask/src/wire/transport/frame.ts';
import { createRingBuffer, RingReader, RingSender, RingWriter } from '../../../plugin-ltask/src/wire/transport/ring.ts';
import { results, startThread } from './threads.ts';
import { message, messageSize, type RingWorkerData, type RingWorkerResult } from './ring.worker.ts';

const DATA_OFFSET = 64;
const HEAD = 0;
const TAIL = 1;

const bytes = (n: number, salt = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + salt * 13 + 1) & 255);
const align4 = (n: number) => (n + 3) & ~3;
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function ring(capacity = 1024) {
  const sab = createRingBuffer(capacity);
  return { sab, w: new RingWriter(sab), r: new RingReader(sab) };
}

/**
 * Moves both counters (an empty ring) to `at`, as if that many bytes had gone
 * through, and returns fresh ends (each end caches the counters it read).
 */
function startAt(sab: SharedArrayBuffer, at: number): { w: RingWriter; r: RingReader } {
  const ctrl = new Int32Array(sab, 0, 2);
  Atomics.store(ctrl, HEAD, at | 0);
  Atomics.store(ctrl, TAIL, at | 0);
  return { w: new RingWriter(sab), r: new RingReader(sab) };
}

/** Reads until the ring has no whole message left. */
function readAll(r: RingReader): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let m = r.read(); m; m = r.read()) {
    out.push(m);
    if (out.length > 100_000) throw new Error('the ring never runs empty');
  }
  return out;
}

describe('frame / unframe (transport/frame.ts)', () => {
  it('lays out type:u8 pad:3 source:u32 dest:u32 session:i32 (little-endian), then the payload', () => {
    const b = frame({ type: 9, source: 0x01020304, dest: 0xa0b0c0d0, session: -2, payload: Uint8Array.of(7, 8, 9) });
    expect(Array.from(b)).toEqual([9, 0, 0, 0, 4, 3, 2, 1, 0xd0, 0xc0, 0xb0, 0xa0, 0xfe, 0xff, 0xff, 0xff, 7, 8, 9]);
  });

  it('round-trips every field, including extreme values', () => {
    const cases: Msg[] = [
      { type: 0, source: 0, dest: 0, session: 0, payload: null },
      { type: 255, source: 0xffffffff, dest: 0xffffffff, session: -(2 ** 31), payload: bytes(1) },
      { type: 2, source: 1, dest: 2 ** 31, session: 2 ** 31 - 1, payload: bytes(100_000) },
    ];
    for (const m of cases) {
      const back = unframe(frame(m));
      expect(back).toEqual(m);
    }
  });

  it('frames a message without payload as the 16-byte header, and reads it back with payload null', () => {
    const b = frame({ type: 1, source: 5, dest: 6, session: 7, payload: null });
    expect(b.length).toBe(16);
    expect(unframe(b).payload).toBeNull();
    // An empty payload is "no payload" too.
    const e = frame({ type: 1, source: 5, dest: 6, session: 7, payload: new Uint8Array(0) });
    expect(e.length).toBe(16);
    expect(unframe(e).payload).toBeNull();
  });

  it('copies the payload into the frame (the frame does not alias the caller\'s bytes)', () => {
    const payload = bytes(10);
    const b = frame({ type: 1, source: 1, dest: 2, session: 0, payload });
    payload[0] = 200;
    expect(b[16]).toBe(bytes(10)[0]);
  });

  it('unframe gives the payload as a view into its input (no copy), also for a view at an offset', () => {
    const inner = frame({ type: 3, source: 11, dest: 12, session: 13, payload: bytes(8) });
    const big = new Uint8Array(100);
    big.set(inner, 37);
    const view = big.subarray(37, 37 + inner.length);
    const m = unframe(view);
    expect(m).toEqual({ type: 3, source: 11, dest: 12, session: 13, payload: bytes(8) });
    expect(m.payload!.buffer).toBe(big.buffer);
    big[37 + 16] = 99;
    expect(m.payload![0]).toBe(99);
  });
});

describe('createRingBuffer', () => {
  it('rounds the capacity up to a power of two, at least 1024, after a 64-byte control block', () => {
    const data = (c: number) => createRingBuffer(c).byteLength - DATA_OFFSET;
    expect(data(0)).toBe(1024);
    expect(data(1)).toBe(1024);
    expect(data(1024)).toBe(1024);
    expect(data(1025)).toBe(2048);
    expect(data(5000)).toBe(8192);
    expect(data(65536)).toBe(65536);
    expect(createRingBuffer(100)).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('RingWriter / RingReader (one thread)', () => {
  it('starts empty: nothing pending, nothing to read, all of it free', () => {
    const { w, r } = ring();
    expect(r.pending()).toBe(false);
    expect(r.read()).toBeNull();
    expect(w.free()).toBe(1024);
    expect(w.cap).toBe(1024);
  });

  it('reads back what was written, in order, with exact sizes (0 to 9 bytes and larger)', () => {
    const { w, r } = ring();
    const sent = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 250].map((n) => bytes(n, n));
    for (const b of sent) expect(w.write(b)).toBe(true);
    expect(r.pending()).toBe(true);
    const got = readAll(r);
    expect(got).toEqual(sent);
    expect(r.pending()).toBe(false);
    expect(w.free()).toBe(1024);
  });

  it('takes 4 + the length rounded up to 4 bytes per record', () => {
    const { w, r } = ring();
    for (const [n, used] of [[0, 4], [1, 8], [4, 8], [5, 12], [8, 12], [13, 20]] as const) {
      const before = w.free();
      w.write(bytes(n));
      expect(before - w.free()).toBe(used);
    }
    readAll(r);
    expect(w.free()).toBe(1024);
  });

  it('copies on write and on read: later changes to either side do not leak', () => {
    const { w, r } = ring();
    const src = bytes(16);
    w.write(src);
    src.fill(0);
    const a = r.read()!;
    expect(a).toEqual(bytes(16));
    expect(a.buffer).not.toBeInstanceOf(SharedArrayBuffer); // a copy, not a view of the ring
    w.write(bytes(16, 5));
    expect(a).toEqual(bytes(16)); // the next write did not change the message already read
  });

  it('wraps a record whose bytes run past the end of the buffer', () => {
    const { sab } = ring();
    for (const start of [1024 - 8, 1024 - 4, 1024 - 12, 1024 - 100]) {
      const { w, r } = startAt(sab, start); // the next header is at `start`
      const b = bytes(37, start);
      expect(w.write(b)).toBe(true);
      expect(r.read()).toEqual(b);
      expect(r.read()).toBeNull();
    }
  });

  it('puts the bytes at the start when the header takes the last 4 bytes of the buffer', () => {
    const { sab } = ring();
    const { w, r } = startAt(sab, 1020);
    w.write(Uint8Array.of(1, 2, 3, 4, 5));
    const data = new Uint8Array(sab, DATA_OFFSET);
    expect(Array.from(data.subarray(0, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(r.read()).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
  });

  it('keeps every message whole through thousands of wrap-arounds with odd sizes', () => {
    const { w, r } = ring();
    const inFlight: Uint8Array[] = [];
    let written = 0;
    let checked = 0;
    let refused = 0;
    const take = (m: Uint8Array) => {
      const want = inFlight.shift();
      if (!want || !same(m, want)) throw new Error(`message ${checked} came back wrong`);
      checked++;
    };
    for (let round = 0; round < 30_000; round++) {
      const b = bytes((round * 37) % 300, round); // 0..299 bytes: every alignment
      if (w.write(b)) {
        inFlight.push(b);
        written++;
      } else refused++;
      // Read two rounds in three: the ring goes through every fill level.
      if (round % 3 !== 0) {
        const m = r.read();
        if (m) take(m);
      }
    }
    for (const m of readAll(r)) take(m);
    expect(inFlight).toEqual([]);
    expect(checked).toBe(written);
    expect(written * 150).toBeGreaterThan(1024 * 1000); // > 1000 times around the ring
    expect(refused).toBeGreaterThan(0); // and it was full at times
    expect(w.free()).toBe(1024);
  });

  it('fills to the last byte, then refuses even an empty record until the reader frees space', () => {
    const { w, r } = ring();
    const big = bytes(1020, 3);
    expect(w.write(big)).toBe(true);
    expect(w.free()).toBe(0);
    expect(w.write(new Uint8Array(0))).toBe(false);
    expect(r.read()).toEqual(big);
    expect(w.free()).toBe(1024);
    expect(w.write(new Uint8Array(0))).toBe(true);
  });

  it('back-pressure: a write that does not fit returns false and changes nothing', () => {
    const { w, r } = ring();
    const sent: Uint8Array[] = [];
    for (let i = 0; ; i++) {
      const b = bytes(100, i);
      if (!w.write(b)) break;
      sent.push(b);
    }
    expect(sent).toHaveLength(9); // 9 x 104 = 936; a 10th needs 104 > 88 free
    const free = w.free();
    const tail = Atomics.load(w.ctrl, TAIL);
    expect(w.write(bytes(100, 99))).toBe(false);
    expect(w.write(bytes(85))).toBe(false); // 4 + 88 > 88
    expect(Atomics.load(w.ctrl, TAIL)).toBe(tail);
    expect(w.free()).toBe(free);
    expect(w.write(bytes(84, 7))).toBe(true); // 4 + 84 = 88: exactly fits
    expect(w.free()).toBe(0);
    expect(r.read()).toEqual(sent[0]);
    expect(w.write(bytes(100, 42))).toBe(true); // room again
    expect(readAll(r)).toEqual([...sent.slice(1), bytes(84, 7), bytes(100, 42)]);
  });

  it('a record longer than the ring minus its header never fits', () => {
    const { w } = ring();
    expect(w.write(bytes(1021))).toBe(false);
    expect(w.free()).toBe(1024);
  });

  for (const [name, at] of [
    ['2^31 (the signed overflow)', 0x7fffff00],
    ['2^32 (back to 0)', -256],
  ] as const) {
    it(`keeps working when the counters wrap past ${name}`, () => {
      const { w, r } = startAt(ring().sab, at);
      const sent: Uint8Array[] = [];
      const got: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) {
        const b = bytes((i * 29) % 200, i);
        while (!w.write(b)) {
          const m = r.read();
          if (!m) throw new Error(`message ${i} does not fit an empty ring`);
          got.push(m);
        }
        sent.push(b);
        expect(w.free()).toBeGreaterThanOrEqual(0);
        expect(w.free()).toBeLessThanOrEqual(1024);
      }
      got.push(...readAll(r));
      expect(got).toEqual(sent);
      expect(w.free()).toBe(1024);
      // The counters really crossed the point.
      expect(Math.sign(Atomics.load(w.ctrl, TAIL))).not.toBe(Math.sign(at));
    });
  }

  it('reassembles fragments written with `more`, and frees their space before the last one arrives', () => {
    const { w, r } = ring();
    expect(w.write(bytes(200, 1), true)).toBe(true);
    expect(w.write(bytes(3, 2), true)).toBe(true);
    expect(r.pending()).toBe(true);
    expect(r.read()).toBeNull(); // not whole yet...
    expect(w.free()).toBe(1024); // ...but the fragments are taken, their space is free
    expect(r.pending()).toBe(false);
    expect(w.write(bytes(50, 3))).toBe(true);
    const whole = r.read()!;
    expect(whole).toEqual(Uint8Array.from([...bytes(200, 1), ...bytes(3, 2), ...bytes(50, 3)]));
    expect(r.read()).toBeNull();
    // The next message does not inherit any of those fragments.
    w.write(bytes(5, 9));
    expect(r.read()).toEqual(bytes(5, 9));
  });
});

describe('RingSender (one thread)', () => {
  it('writes a small message directly, with no backlog', () => {
    const { sab, r } = ring();
    const s = new RingSender(sab);
    s.send(bytes(10));
    expect(s.backlog).toBe(false);
    expect(r.read()).toEqual(bytes(10));
  });

  it('keeps fragments at most maxFragment bytes; any fragment fits an empty ring', () => {
    for (const cap of [1024, 4096, 65536]) {
      const s = new RingSender(createRingBuffer(cap));
      expect(s.ring.maxFragment).toBeGreaterThan(0);
      expect(4 + align4(s.ring.maxFragment)).toBeLessThanOrEqual(cap);
    }
  });

  it('splits a message many times larger than the ring into fragments and the reader reassembles it', () => {
    const { sab, r } = ring();
    const s = new RingSender(sab);
    const records: { len: number; more: boolean }[] = [];
    const write = s.ring.write.bind(s.ring);
    s.ring.write = (b: Uint8Array, more = false) => {
      const ok = write(b, more);
      if (ok) records.push({ len: b.length, more });
      return ok;
    };
    const big = bytes(10_000, 4); // the ring holds 1024
    s.send(big);
    expect(s.backlog).toBe(true); // it could not all go at once
    let got: Uint8Array | null = null;
    for (let i = 0; i < 1000 && !got; i++) {
      got = r.read();
      s.flush();
    }
    expect(got).toEqual(big);
    expect(s.backlog).toBe(false);
    const max = s.ring.maxFragment;
    expect(records.length).toBe(Math.ceil(10_000 / max));
    expect(records.every((f) => f.len <= max)).toBe(true);
    expect(records.slice(0, -1).every((f) => f.more && f.len === max)).toBe(true);
    expect(records.at(-1)!.more).toBe(false);
    expect(records.reduce((n, f) => n + f.len, 0)).toBe(10_000);
  });

  it('sends a message of exactly maxFragment bytes as one record, maxFragment + 1 as two', () => {
    const { sab, r } = ring();
    const s = new RingSender(sab);
    const max = s.ring.maxFragment;
    s.send(bytes(max, 1));
    expect(1024 - s.ring.free()).toBe(4 + align4(max));
    expect(r.read()).toEqual(bytes(max, 1));
    s.send(bytes(max + 1, 2));
    expect(1024 - s.ring.free()).toBe(4 + align4(max) + 4 + 4);
    expect(r.read()).toEqual(bytes(max + 1, 2));
  });

  it('back-pressure: queues what does not fit, keeps the order (a later small message never overtakes), flush() reports when empty', () => {
    const { sab, r } = ring();
    const s = new RingSender(sab);
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      const b = bytes(200, i);
      s.send(b); // 204 bytes a record: five fit (1020), the sixth waits
      sent.push(b);
    }
    expect(s.backlog).toBe(true);
    expect(s.ring.free()).toBe(4);
    // An empty message needs 4 bytes: it would fit, but it must wait behind the sixth.
    s.send(new Uint8Array(0));
    sent.push(new Uint8Array(0));
    expect(s.ring.free()).toBe(4);
    expect(s.flush()).toBe(false);
    const got: Uint8Array[] = [];
    for (let i = 0; i < 100 && got.length < sent.length; i++) {
      const m = r.read();
      if (m) got.push(m);
      s.flush();
    }
    expect(got).toEqual(sent);
    expect(s.flush()).toBe(true);
    expect(s.backlog).toBe(false);
  });

  it('a large message queued behind others stays whole and in its place', () => {
    const { sab, r } = ring();
    const s = new RingSender(sab);
    const sent = [bytes(900, 1), bytes(5000, 2), bytes(3, 3), bytes(2048, 4), bytes(0), bytes(251, 5)];
    for (const b of sent) s.send(b);
    const got: Uint8Array[] = [];
    for (let i = 0; i < 10_000 && got.length < sent.length; i++) {
      if (i % 2) s.flush();
      const m = r.read();
      if (m) got.push(m);
    }
    expect(got).toEqual(sent);
  });
});

describe('RingSender.abandon (the reader died)', () => {
  it('gives back, in order, what the reader had not taken: whole messages in the ring, then the outbox', () => {
    const sab = createRingBuffer(1024);
    const tx = new RingSender(sab);
    const rx = new RingReader(sab);
    const msgs = Array.from({ length: 40 }, (_, i) => new Uint8Array(60).fill(i));
    for (const m of msgs) tx.send(m);
    expect(tx.backlog).toBe(true); // 40 x 64 bytes do not fit in 1 KiB
    expect(rx.read()).toEqual(msgs[0]);
    expect(rx.read()).toEqual(msgs[1]);
    const left = tx.abandon();
    expect(left).toEqual(msgs.slice(2));
    expect(tx.backlog).toBe(false);
  });

  it('a message only partly written comes whole from the outbox', () => {
    const sab = createRingBuffer(1024);
    const tx = new RingSender(sab);
    const big = new Uint8Array(1500).map((_, i) => i & 0xff); // fragments: more than the ring holds
    tx.send(big);
    expect(tx.backlog).toBe(true);
    expect(tx.abandon()).toEqual([big]);
  });
});

describe('ring across two threads', () => {
  it('delivers 100,000 messages of random sizes (1% larger than the ring) with nothing lost, duplicated or reordered', { timeout: 120_000 }, async () => {
    const seed = (Math.random() * 2 ** 31) | 0;
    const count = 100_000;
    const data: Omit<RingWorkerData, 'role'> = { ring: createRingBuffer(4096), ctl: new SharedArrayBuffer(8), count, seed };
    // The messages really cover the cases: tiny, several fragments, larger than the ring.
    const sizes = Array.from({ length: count }, (_, i) => messageSize(i, seed));
    expect(sizes.filter((n) => n > 4096).length).toBeGreaterThan(100);
    expect(message(7, seed).length).toBe(sizes[7]);
    const [consumer, producer] = await results<RingWorkerResult>([
      startThread('ring.worker.ts', { ...data, role: 'consumer' }),
      startThread('ring.worker.ts', { ...data, role: 'producer' }),
    ]);
    const where = `(seed ${seed})`;
    expect(producer!.error, where).toBeNull();
    expect(consumer!.error, where).toBeNull();
    expect(producer!.done).toBe(count);
    expect(consumer!.done).toBe(count);
    expect(consumer!.extra, `a message after the last one ${where}`).toBeNull();
    expect(consumer!.pendingAfter).toBe(false);
    expect(producer!.fragmented).toBeGreaterThan(100);
    expect(producer!.fullHits, 'the ring was full at times (back-pressure was exercised)').toBeGreaterThan(0);
  });
});
