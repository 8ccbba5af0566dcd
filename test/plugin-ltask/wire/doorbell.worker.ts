// One side of the doorbell protocol on its own thread, for doorbell.test.ts.
// The producer writes `count` messages into a ring, pausing now and then, and
// calls ServiceTable.nudge after each (it rings only when the consumer sleeps).
// The consumer reads until empty, then sleeps exactly as a scheduler worker
// does: set its sleeping flag, look at the ring once more, wait on its bell.
// A wait that times out while a message sits in the ring is a lost wake-up.
import { parentPort, workerData } from 'node:worker_threads';
import { ServiceTable } from '../../../plugin-ltask/src/wire/table.ts';
import { RingReader, RingWriter } from '../../../plugin-ltask/src/wire/transport/ring.ts';

export interface DoorbellData {
  role: 'producer' | 'consumer';
  table: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  count: number;
  /** The consumer's worker id (its bell and flag in the table). */
  worker: number;
}

export interface DoorbellResult {
  role: string;
  got: number;
  sleeps: number;
  lost: number;
  error: string | null;
}

const d = workerData as DoorbellData;
const table = new ServiceTable(d.table);
const i32 = table.i32;
const out: DoorbellResult = { role: d.role, got: 0, sleeps: 0, lost: 0, error: null };

if (d.role === 'producer') {
  const w = new RingWriter(d.ring);
  const b = new Uint8Array(8);
  for (let i = 0; i < d.count; i++) {
    new DataView(b.buffer).setUint32(0, i, true);
    while (!w.write(b)) table.nudge(d.worker);
    table.nudge(d.worker);
    // Pauses of every length around the consumer's decision to sleep.
    if (i % 7 === 0) {
      const until = performance.now() + ((i * 37) % 200) / 1000;
      while (performance.now() < until);
    }
  }
} else {
  const r = new RingReader(d.ring);
  const bell = table.bell(d.worker);
  const flag = table.sleeping(d.worker);
  while (out.got < d.count) {
    for (let m = r.read(); m; m = r.read()) {
      const i = new DataView(m.buffer, m.byteOffset).getUint32(0, true);
      if (i !== out.got) {
        out.error = `expected message ${out.got}, got ${i}`;
        break;
      }
      out.got++;
    }
    if (out.error || out.got >= d.count) break;
    const seen = Atomics.load(i32, bell);
    Atomics.store(i32, flag, 1);
    if (r.pending()) {
      Atomics.store(i32, flag, 0);
      continue;
    }
    out.sleeps++;
    // A producer descheduled between its write and its nudge could fake a loss: 1 s is far beyond that.
    if (Atomics.wait(i32, bell, seen, 1000) === 'timed-out' && r.pending() && ++out.lost >= 3) break;
    if (Atomics.load(i32, flag) !== 0) Atomics.store(i32, flag, 0);
  }
}
parentPort!.postMessage(out);
