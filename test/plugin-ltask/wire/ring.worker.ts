// One end of a ring on its own thread, for ring.test.ts: the producer sends
// `count` messages of pseudo-random sizes (some larger than the whole ring)
// through a RingSender; the consumer reads them with a RingReader and checks
// each one's index, size and every byte.
import { parentPort, workerData } from 'node:worker_threads';
import { RingReader, RingSender } from '../../../plugin-ltask/src/wire/transport/ring.ts';
import { hash32 } from './threads.ts';

export interface RingWorkerData {
  role: 'producer' | 'consumer';
  ring: SharedArrayBuffer;
  /** [0]: the producer has flushed everything; [1]: messages the consumer has checked. */
  ctl: SharedArrayBuffer;
  count: number;
  seed: number;
}

export interface RingWorkerResult {
  role: string;
  done: number;
  error: string | null;
  /** Producer: times a send or flush found the ring full. */
  fullHits: number;
  /** Producer: messages over one fragment (sent in pieces). */
  fragmented: number;
  /** Consumer: a message read after the last expected one (a duplicate), or null. */
  extra: number | null;
  pendingAfter: boolean;
}

/** Size of message `i`: mostly small, some medium, 1% larger than the ring (20 KB vs 4 KB). */
export function messageSize(i: number, seed: number): number {
  const r = hash32(i ^ Math.imul(seed, 0x9e3779b1));
  const bucket = r % 100;
  const x = r >>> 8;
  if (bucket < 90) return 4 + (x % 200);
  if (bucket < 99) return 4 + (x % 2000);
  return 4 + (x % 20_000);
}

/** Message `i`: its index (u32 LE), then bytes that depend on the index and position. */
export function message(i: number, seed: number): Uint8Array {
  const n = messageSize(i, seed);
  const b = new Uint8Array(n);
  new DataView(b.buffer).setUint32(0, i, true);
  const base = hash32(i + seed);
  for (let j = 4; j < n; j++) b[j] = (base + j * 131 + (j >>> 8)) & 255;
  return b;
}

function check(m: Uint8Array, i: number, seed: number): string | null {
  const n = messageSize(i, seed);
  if (m.length < 4) return `message #${i}: ${m.length} bytes, too short to hold an index`;
  const got = new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(0, true);
  if (got !== i) return `expected message #${i}, got #${got} (${m.length} bytes)`;
  if (m.length !== n) return `message #${i}: ${m.length} bytes, expected ${n}`;
  const base = hash32(i + seed);
  for (let j = 4; j < n; j++) {
    if (m[j] !== ((base + j * 131 + (j >>> 8)) & 255)) return `message #${i}: byte ${j} of ${n} is wrong`;
  }
  return null;
}

const nap = new Int32Array(new SharedArrayBuffer(4));
let spins = 0;
/** Lets the other thread run now and then (2 cores, and vitest around us). */
const pause = () => {
  if (++spins % 64 === 0) Atomics.wait(nap, 0, 0, 0.05);
};

const STALL_MS = 20_000;

function producer(d: RingWorkerData): RingWorkerResult {
  const ctl = new Int32Array(d.ctl);
  const sender = new RingSender(d.ring);
  let fullHits = 0;
  let fragmented = 0;
  const waitFlushed = (): string | null => {
    const t0 = performance.now();
    while (!sender.flush()) {
      fullHits++;
      pause();
      if (performance.now() - t0 > STALL_MS) return `producer stalled: ring full for ${STALL_MS} ms (consumer checked ${Atomics.load(ctl, 1)})`;
    }
    return null;
  };
  for (let i = 0; i < d.count; i++) {
    const m = message(i, d.seed);
    if (m.length > sender.ring.maxFragment) fragmented++;
    sender.send(m);
    if (!sender.backlog) continue;
    fullHits++;
    // Mostly keep going with a backlog (later messages queue behind it), sometimes wait.
    if (i % 4 === 0) {
      const e = waitFlushed();
      if (e) return { role: 'producer', done: i, error: e, fullHits, fragmented, extra: null, pendingAfter: false };
    } else sender.flush();
  }
  const e = waitFlushed();
  Atomics.store(ctl, 0, 1);
  return { role: 'producer', done: d.count, error: e, fullHits, fragmented, extra: null, pendingAfter: false };
}

function consumer(d: RingWorkerData): RingWorkerResult {
  const ctl = new Int32Array(d.ctl);
  const reader = new RingReader(d.ring);
  let next = 0;
  let error: string | null = null;
  let last = performance.now();
  while (next < d.count) {
    const m = reader.read();
    if (!m) {
      pause();
      if (performance.now() - last > STALL_MS) {
        error = `consumer stalled: nothing after message #${next - 1} for ${STALL_MS} ms`;
        break;
      }
      continue;
    }
    last = performance.now();
    error = check(m, next, d.seed);
    if (error) break;
    next++;
    Atomics.store(ctl, 1, next);
  }
  // Everything is in: once the producer has flushed, nothing more may arrive.
  const t0 = performance.now();
  while (!error && Atomics.load(ctl, 0) === 0 && performance.now() - t0 < STALL_MS) pause();
  const extra = reader.read();
  return { role: 'consumer', done: next, error, fullHits: 0, fragmented: 0, extra: extra ? extra.length : null, pendingAfter: reader.pending() };
}

const d = workerData as RingWorkerData & { entry?: string };
if (d && (d.role === 'producer' || d.role === 'consumer')) {
  parentPort!.postMessage(d.role === 'producer' ? producer(d) : consumer(d));
}
