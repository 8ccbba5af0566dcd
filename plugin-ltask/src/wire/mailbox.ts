/**
 * A carrier's mailbox: one SharedArrayBuffer between a carrier (which may
 * block) and the home worker of the service it works for (which never blocks).
 *
 * Packets alternate: the carrier sends a callback request (or its final
 * result), the home worker answers a callback. A packet larger than the data
 * area goes in chunks; the receiver empties the box after each chunk and the
 * sender writes the next. The state word says who may read: the carrier waits
 * on it with `Atomics.wait`; the home worker is woken by its doorbell and polls.
 *
 * The carrier says in the nap word what it sleeps for, and the home worker
 * notifies only a carrier that sleeps for what it just did: a notify costs
 * the home a system call on its way back to the service, and a carrier woken
 * for nothing (its last packet taken while it waits for the next call, or its
 * callback taken while it waits for the answer) takes a core from the threads
 * it waits on.
 */

import { pollFor } from './transport/spin.ts';
import { sleepOn } from './transport/wait.ts';

const STATE = 0; // EMPTY | TO_HOME | TO_CARRIER
const KIND = 1;
const SEQ = 2;
const CHUNK = 3; // bytes in this chunk
const MORE = 4; // 1: further chunks follow
const CALL = 5; // the call this packet belongs to
const NAP = 6; // what a sleeping carrier waits for: Nap
const DATA = 64;

/** The nap word: why the carrier sleeps on the state word. */
export const Nap = {
  AWAKE: 0,
  /** For the box to empty (it sends). */
  EMPTY: 1,
  /** For a packet to it (an answer, a chunk, a call). */
  PACKET: 2,
} as const;

/** How long a carrier polls its mailbox before it sleeps. */
const SPIN_MS = 0.05;

export const EMPTY = 0;
export const TO_HOME = 1;
export const TO_CARRIER = 2;
/** One side is writing a chunk (claimed with compare-and-swap from EMPTY). */
export const CLAIMED = 3;

/** Packet kinds. */
export const Packet = {
  /** carrier → home: run callback (payload: encoded [cbRef, ...args]). */
  CALLBACK: 1,
  /** carrier → home: the call returned (payload: encoded results). */
  RESULT: 2,
  /** carrier → home: the call threw (payload: encoded [message]). */
  FAIL: 3,
  /** home → carrier: the callback returned (payload: encoded results). */
  RETURN: 4,
  /** home → carrier: the callback raised (payload: encoded [message]). */
  RAISE: 5,
  /** home → carrier: start a call (seq: the home worker; payload: encoded [fn, args]). */
  CALL: 6,
} as const;

export interface Received {
  kind: number;
  seq: number;
  call: number;
  bytes: Uint8Array;
}

/** Allocates a mailbox with `dataBytes` of room per chunk. */
export function createMailbox(dataBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(DATA + Math.max(1024, dataBytes));
}

class View {
  readonly i32: Int32Array;
  readonly data: Uint8Array;
  constructor(readonly sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, DATA / 4);
    this.data = new Uint8Array(sab, DATA);
  }

  protected write(kind: number, seq: number, call: number, bytes: Uint8Array, off: number): number {
    const n = Math.min(this.data.length, bytes.length - off);
    this.data.set(bytes.subarray(off, off + n));
    const i = this.i32;
    i[KIND] = kind;
    i[SEQ] = seq;
    i[CALL] = call;
    i[CHUNK] = n;
    i[MORE] = off + n < bytes.length ? 1 : 0;
    return n;
  }

  protected read(parts: Uint8Array[]): { done: boolean; kind: number; seq: number; call: number } {
    const i = this.i32;
    parts.push(this.data.slice(0, i[CHUNK]));
    return { done: i[MORE] === 0, kind: i[KIND]!, seq: i[SEQ]!, call: i[CALL]! };
  }
}

const join = (parts: Uint8Array[]): Uint8Array => {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** The carrier's end: blocking sends and receives. */
export class CarrierBox extends View {
  /** The worker of the service this carrier works for now. */
  home = 0;
  private readonly ringHome: () => void;

  constructor(
    sab: SharedArrayBuffer,
    /** Wakes a worker (its doorbell). */
    ring: (worker: number) => void,
  ) {
    super(sab);
    this.ringHome = () => ring(this.home);
  }

  /** True when a home worker has written the start of a call. */
  hasCall(): boolean {
    return Atomics.load(this.i32, STATE) === TO_CARRIER && this.i32[KIND] === Packet.CALL;
  }

  /** Reads a whole CALL packet (blocking for its further chunks); sets `home`. */
  takeCall(): Received {
    this.home = this.i32[SEQ]!;
    const call = this.i32[CALL]!;
    const parts: Uint8Array[] = [];
    for (;;) {
      const h = this.read(parts);
      Atomics.store(this.i32, STATE, EMPTY);
      if (h.done) return { kind: Packet.CALL, seq: h.seq, call, bytes: join(parts) };
      this.ringHome();
      this.waitFor(TO_CARRIER, Infinity, false);
    }
  }

  /** Sends a packet to the home worker, chunk by chunk. Returns false on timeout. */
  send(kind: number, seq: number, call: number, bytes: Uint8Array, deadline: number): boolean {
    let off = 0;
    do {
      do {
        if (!this.waitFor(EMPTY, deadline, true)) return false;
      } while (Atomics.compareExchange(this.i32, STATE, EMPTY, CLAIMED) !== EMPTY);
      off += this.write(kind, seq, call, bytes, off);
      Atomics.store(this.i32, STATE, TO_HOME);
      this.ringHome();
    } while (off < bytes.length);
    return true;
  }

  /**
   * Waits for the packet answering `seq`. Stale answers (to a callback that
   * already timed out) are dropped. Returns null on timeout.
   */
  receive(seq: number, deadline: number): Received | null {
    const parts: Uint8Array[] = [];
    for (;;) {
      if (!this.waitFor(TO_CARRIER, deadline, false)) return null;
      const h = this.read(parts);
      Atomics.store(this.i32, STATE, EMPTY);
      if (h.seq !== seq) {
        // A stale answer (its callback timed out): dropped, and the box is
        // empty again, so the home may write what it queued behind it.
        parts.length = 0;
        this.ringHome();
        continue;
      }
      if (!h.done) {
        this.ringHome(); // ask for the next chunk
        continue;
      }
      return { kind: h.kind, seq: h.seq, call: h.call, bytes: join(parts) };
    }
  }

  /**
   * Waits until the state is `want`. While sending, a stale answer sitting in
   * the box is dropped so the box can be used.
   */
  private waitFor(want: number, deadline: number, sending: boolean): boolean {
    for (;;) {
      const s = Atomics.load(this.i32, STATE);
      if (s === want) return true;
      if (sending && s === TO_CARRIER) {
        Atomics.store(this.i32, STATE, EMPTY);
        if (this.i32[MORE] === 1) this.ringHome();
        continue;
      }
      const t = performance.now();
      const left = deadline - t;
      if (left <= 0) return false;
      // Most answers come back within tens of microseconds: poll briefly before
      // sleeping, since a wake-up costs 20-50 us here. A carrier has nothing
      // else to do while it waits.
      if (pollFor(SPIN_MS, () => Atomics.load(this.i32, STATE) !== s)) continue;
      this.nap(want === EMPTY ? Nap.EMPTY : Nap.PACKET, s, left);
    }
  }

  /**
   * Sleeps while the state word is `state`, for at most `ms`, telling the home
   * what would wake it (a change that is not it goes unnotified: the carrier
   * sleeps on until its own, or `ms`).
   */
  nap(why: number, state: number, ms = Infinity): 'ok' | 'not-equal' | 'timed-out' {
    Atomics.store(this.i32, NAP, why);
    const r = Atomics.wait(this.i32, STATE, state, ms);
    Atomics.store(this.i32, NAP, Nap.AWAKE);
    return r;
  }

  /** {@link nap} on the event loop: `Atomics.waitAsync` (or its stand-in). */
  async napAsync(state: number): Promise<void> {
    Atomics.store(this.i32, NAP, Nap.PACKET);
    await sleepOn(this.i32, STATE, state);
    Atomics.store(this.i32, NAP, Nap.AWAKE);
  }

  /**
   * Waits until the home worker has taken the last packet. The carrier must not
   * report itself free before: the next call would reuse the box.
   */
  drained(): void {
    // Until home takes it the box says TO_HOME; after, it may already hold the next
    // call. Home usually takes it within microseconds: poll before sleeping.
    pollFor(SPIN_MS, () => Atomics.load(this.i32, STATE) !== TO_HOME);
    for (let s = Atomics.load(this.i32, STATE); s === TO_HOME; s = Atomics.load(this.i32, STATE)) this.nap(Nap.EMPTY, s);
  }
}

/** The home worker's end: never blocks; polled when its doorbell rings. */
export class HomeBox extends View {
  private inParts: Uint8Array[] = [];
  private inSeq = 0;
  private out: { kind: number; seq: number; call: number; bytes: Uint8Array; off: number }[] = [];

  /**
   * Takes what the carrier sent and pushes queued answers. Returns a whole
   * packet when one is complete.
   */
  poll(call: number): Received | null {
    const st = Atomics.load(this.i32, STATE);
    // A packet of another call (the carrier moved on) is not ours to take.
    if (st === TO_HOME && this.i32[CALL] === call) {
      // The rest of a packet whose send timed out never comes: a chunk of
      // another packet starts afresh instead of joining it.
      if (this.inParts.length > 0 && this.i32[SEQ] !== this.inSeq) this.inParts = [];
      this.inSeq = this.i32[SEQ]!;
      const h = this.read(this.inParts);
      Atomics.store(this.i32, STATE, EMPTY);
      // A carrier that waits for room (a chunked packet, a send behind a stale
      // answer) needs the notify; one that waits for an answer or a call does not.
      if (Atomics.load(this.i32, NAP) === Nap.EMPTY) Atomics.notify(this.i32, STATE);
      if (!h.done) return null;
      const bytes = join(this.inParts);
      this.inParts = [];
      return { kind: h.kind, seq: h.seq, call: h.call, bytes };
    }
    if (st === EMPTY) this.flush();
    return null;
  }

  /** Queues an answer for the carrier; written as soon as the box is free. */
  send(kind: number, seq: number, call: number, bytes: Uint8Array): void {
    this.out.push({ kind, seq, call, bytes, off: 0 });
    this.flush();
  }

  /** True when the carrier left a chunk to read, or an answer waits for room. */
  ready(): boolean {
    const st = Atomics.load(this.i32, STATE);
    return st === TO_HOME || (st === EMPTY && this.out.length > 0);
  }

  private flush(): void {
    const item = this.out[0];
    if (!item) return;
    if (Atomics.compareExchange(this.i32, STATE, EMPTY, CLAIMED) !== EMPTY) return;
    item.off += this.write(item.kind, item.seq, item.call, item.bytes, item.off);
    if (item.off >= item.bytes.length) this.out.shift();
    Atomics.store(this.i32, STATE, TO_CARRIER);
    // A carrier that polls sees it without a system call here.
    if (Atomics.load(this.i32, NAP) !== Nap.AWAKE) Atomics.notify(this.i32, STATE);
  }

  /** Drops queued answers (the call ended). */
  clear(): void {
    this.out = [];
    this.inParts = [];
  }
}
