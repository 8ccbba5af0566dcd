// The carrier's end of a mailbox on its own thread, for mailbox.test.ts (the
// test's thread plays the home worker). Rings go to `bell[worker]`.
import { parentPort, workerData } from 'node:worker_threads';
import { CarrierBox, Packet, TO_CARRIER } from '../../../plugin-ltask/src/wire/mailbox.ts';
import { hash32 } from './threads.ts';

export interface MailboxWorkerData {
  scenario: 'echo' | 'stale-send' | 'stale-receive' | 'drained';
  box: SharedArrayBuffer;
  bell: SharedArrayBuffer;
  dataBytes: number;
  count: number;
  seed: number;
}

export interface MailboxWorkerResult {
  done: number;
  errors: string[];
  /** What the carrier saw: [what, value] pairs, in order. */
  log: [string, unknown][];
}

/** Payload `k`: `n` bytes that depend on k and position. */
export function pattern(k: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  const base = hash32(k);
  for (let j = 0; j < n; j++) b[j] = (base + j * 31 + (j >>> 8)) & 255;
  return b;
}

/** Size of callback `k`'s payload: 0 to 4 mailboxes' worth. */
export const sizeOf = (k: number, seed: number, dataBytes: number): number => hash32(k * 7 + seed) % (4 * dataBytes + 1);

/** The home's answer to a callback: its bytes reversed. */
export const answer = (b: Uint8Array): Uint8Array => b.slice().reverse();

export const CALL_ID = 0x02000007;
export const HOME_WORKER = 2;

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function run(d: MailboxWorkerData): MailboxWorkerResult {
  const bell = new Int32Array(d.bell);
  const box = new CarrierBox(d.box, (w) => {
    Atomics.add(bell, w, 1);
    Atomics.notify(bell, w);
  });
  const errors: string[] = [];
  const log: [string, unknown][] = [];
  const fail = (e: string) => {
    if (errors.length < 20) errors.push(e);
  };
  const soon = (ms: number) => performance.now() + ms;
  const waitState = (want: number, ms: number) => {
    const end = soon(ms);
    for (let s = Atomics.load(box.i32, 0); s !== want && performance.now() < end; s = Atomics.load(box.i32, 0)) Atomics.wait(box.i32, 0, s, 10);
    return Atomics.load(box.i32, 0) === want;
  };
  let done = 0;

  switch (d.scenario) {
    case 'echo': {
      // The home starts the call by writing it into the box (several chunks).
      const t0 = performance.now();
      while (!box.hasCall()) {
        if (performance.now() - t0 > 10_000) return { done, errors: ['no CALL packet within 10 s'], log };
        Atomics.wait(box.i32, 0, Atomics.load(box.i32, 0), 10);
      }
      const c = box.takeCall();
      if (c.kind !== Packet.CALL || c.seq !== HOME_WORKER || c.call !== CALL_ID || box.home !== HOME_WORKER) {
        fail(`CALL packet: kind ${c.kind} seq ${c.seq} call ${c.call}, home ${box.home}`);
      }
      if (!same(c.bytes, pattern(0, Math.floor(3.5 * d.dataBytes)))) fail(`CALL payload of ${c.bytes.length} bytes is wrong`);
      for (let k = 1; k <= d.count; k++) {
        const payload = pattern(k, sizeOf(k, d.seed, d.dataBytes));
        if (!box.send(Packet.CALLBACK, k, CALL_ID, payload, soon(10_000))) {
          fail(`callback ${k}: send timed out`);
          break;
        }
        const r = box.receive(k, soon(10_000));
        if (!r) {
          fail(`callback ${k}: no answer within 10 s`);
          break;
        }
        const kind = k % 7 === 0 ? Packet.RAISE : Packet.RETURN;
        if (r.kind !== kind || r.seq !== k || r.call !== CALL_ID) fail(`callback ${k}: got kind ${r.kind} seq ${r.seq} call ${r.call}`);
        else if (!same(r.bytes, answer(payload))) fail(`callback ${k}: answer of ${r.bytes.length} bytes (sent ${payload.length}) is wrong`);
        done = k;
      }
      box.send(Packet.RESULT, d.count + 1, CALL_ID, pattern(-1, Math.floor(2.5 * d.dataBytes)), Infinity);
      box.drained();
      break;
    }
    case 'stale-send':
    case 'stale-receive': {
      box.home = HOME_WORKER;
      box.send(Packet.CALLBACK, 1, CALL_ID, pattern(1, 10), soon(10_000));
      const first = box.receive(1, soon(50)); // the home answers late: this times out
      log.push(['first', first]);
      if (d.scenario === 'stale-send') {
        // The late answer lands in the box while the carrier has moved on;
        // sending the next callback must drop it.
        log.push(['stale arrived', waitState(TO_CARRIER, 5000)]);
      }
      if (!box.send(Packet.CALLBACK, 2, CALL_ID, pattern(2, 20), soon(10_000))) fail('callback 2: send timed out');
      const second = box.receive(2, soon(10_000));
      log.push(['second', second && { kind: second.kind, seq: second.seq, call: second.call, ok: same(second.bytes, answer(pattern(2, 20))) }]);
      box.send(Packet.RESULT, 3, CALL_ID, new Uint8Array(0), Infinity);
      box.drained();
      done = 1;
      break;
    }
    case 'drained': {
      box.home = HOME_WORKER;
      box.send(Packet.RESULT, 1, CALL_ID, pattern(5, 100), Infinity);
      // Signal "sent", then block until the home took it.
      Atomics.store(bell, 3, 1);
      box.drained();
      done = 1;
      break;
    }
  }
  return { done, errors, log };
}

const d = workerData as MailboxWorkerData | null;
if (d && typeof d.scenario === 'string') parentPort!.postMessage(run(d));
