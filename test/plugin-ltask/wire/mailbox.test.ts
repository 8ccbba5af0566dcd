// native/mailbox.ts: the box between a carrier (blocks) and the home worker of
// the service it works for (never blocks, acts when its doorbell rings).
import { describe, expect, it } from 'vitest';
import {
  CarrierBox,
  CLAIMED,
  createMailbox,
  EMPTY,
  HomeBox,
  Packet,
  TO_CARRIER,
  TO_HOME,
  type Received,
} from '../../../plugin-ltask/src/wire/mailbox.ts';
import { startThread, results } from './threads.ts';
import { answer, CALL_ID, HOME_WORKER, pattern, sizeOf, type MailboxWorkerData, type MailboxWorkerResult } from './mailbox.worker.ts';

const DATA = 64;
const BOX = 1024; // the smallest data area: payloads over it go in chunks
const CALL = 7;

const state = (sab: SharedArrayBuffer) => Atomics.load(new Int32Array(sab), 0);
const bytes = (n: number, salt = 0) => pattern(salt, n);

/**
 * Both ends on this thread. The doorbell models the home worker: when it rings,
 * the home polls the box, and keeps polling while `ready()` says there is
 * something to do; otherwise it sleeps (does nothing until the next ring).
 * `auto: false` models a home that is busy: rings are only counted.
 */
function loopback(opts: { call?: number; dataBytes?: number; auto?: boolean } = {}) {
  const call = opts.call ?? CALL;
  const sab = createMailbox(opts.dataBytes ?? BOX);
  const home = new HomeBox(sab);
  const got: Received[] = [];
  const rings: number[] = [];
  const io = { auto: opts.auto ?? true };
  const serve = () => {
    for (;;) {
      const r = home.poll(call);
      if (r) got.push(r);
      else if (!home.ready()) break;
    }
  };
  const carrier = new CarrierBox(sab, (w) => {
    rings.push(w);
    if (io.auto) serve();
  });
  return { sab, home, carrier, got, rings, serve, io };
}

/**
 * A deadline 2 s away. Tests on one thread never pass Infinity: a protocol
 * that forgets a ring must fail the test, not block this thread for ever.
 */
const soon = () => performance.now() + 2000;

/** Milliseconds `f` took, and what it returned. */
function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

describe('mailbox: layout and constants', () => {
  it('allocates 64 header bytes and a data area of at least 1024 bytes', () => {
    expect(createMailbox(0).byteLength).toBe(DATA + 1024);
    expect(createMailbox(1024).byteLength).toBe(DATA + 1024);
    expect(createMailbox(5000).byteLength).toBe(DATA + 5000);
    expect(createMailbox(10)).toBeInstanceOf(SharedArrayBuffer);
  });

  it('has distinct states and distinct packet kinds; a new box is EMPTY', () => {
    expect(new Set([EMPTY, TO_HOME, TO_CARRIER, CLAIMED]).size).toBe(4);
    expect(EMPTY).toBe(0); // a fresh SharedArrayBuffer is zeroed
    expect(new Set(Object.values(Packet)).size).toBe(Object.keys(Packet).length);
    expect(state(createMailbox(0))).toBe(EMPTY);
  });
});

describe('mailbox: carrier → home packets', () => {
  it('delivers a packet with its kind, seq, call and bytes, and rings the home worker', () => {
    const { carrier, got, rings, sab } = loopback();
    carrier.home = 3;
    expect(carrier.send(Packet.CALLBACK, 1, CALL, bytes(100), soon())).toBe(true);
    expect(got).toEqual([{ kind: Packet.CALLBACK, seq: 1, call: CALL, bytes: bytes(100) }]);
    expect(rings).toEqual([3]);
    expect(state(sab)).toBe(EMPTY);
  });

  it('a one-chunk send returns at once; the packet waits in the box (TO_HOME) until the home polls', () => {
    const { carrier, home, got, sab } = loopback({ auto: false });
    expect(carrier.send(Packet.RESULT, 4, CALL, bytes(10), performance.now() + 1000)).toBe(true);
    expect(state(sab)).toBe(TO_HOME);
    expect(home.ready()).toBe(true);
    expect(got).toEqual([]);
    const r = home.poll(CALL);
    expect(r).toEqual({ kind: Packet.RESULT, seq: 4, call: CALL, bytes: bytes(10) });
    expect(state(sab)).toBe(EMPTY);
    expect(home.ready()).toBe(false);
    expect(home.poll(CALL)).toBeNull();
  });

  it('a packet of another call is not taken (the carrier moved on to another home)', () => {
    const { carrier, home, sab } = loopback({ auto: false });
    carrier.send(Packet.RESULT, 1, 99, bytes(10), soon());
    expect(home.poll(CALL)).toBeNull();
    expect(state(sab)).toBe(TO_HOME);
    const other = new HomeBox(sab);
    expect(other.poll(99)).toEqual({ kind: Packet.RESULT, seq: 1, call: 99, bytes: bytes(10) });
  });

  it('sends an empty payload as one packet with no bytes', () => {
    const { carrier, got, rings } = loopback();
    expect(carrier.send(Packet.RESULT, 2, CALL, new Uint8Array(0), soon())).toBe(true);
    expect(got).toEqual([{ kind: Packet.RESULT, seq: 2, call: CALL, bytes: new Uint8Array(0) }]);
    expect(rings).toHaveLength(1);
  });

  for (const [n, chunks] of [
    [BOX, 1],
    [BOX + 1, 2],
    [2 * BOX, 2],
    [Math.floor(3.5 * BOX), 4],
    [20 * BOX + 17, 21],
  ] as const) {
    it(`splits ${n} bytes into ${chunks} chunk(s) and the home reassembles one packet`, () => {
      const { carrier, got, rings } = loopback();
      expect(carrier.send(Packet.CALLBACK, 5, CALL, bytes(n, n), soon())).toBe(true);
      expect(got).toHaveLength(1);
      expect(got[0]).toEqual({ kind: Packet.CALLBACK, seq: 5, call: CALL, bytes: bytes(n, n) });
      expect(rings).toHaveLength(chunks); // one ring per chunk
    });
  }

  it('uses the whole data area of a larger box for each chunk', () => {
    const { carrier, got, rings } = loopback({ dataBytes: 5000 });
    carrier.send(Packet.CALLBACK, 1, CALL, bytes(12_000), soon());
    expect(rings).toHaveLength(3);
    expect(got[0]!.bytes).toEqual(bytes(12_000));
  });

  it('several packets in a row arrive whole and in order', () => {
    const { carrier, got } = loopback();
    const sizes = [0, 1, 1023, 1024, 1025, 5000, 3];
    sizes.forEach((n, i) => expect(carrier.send(Packet.CALLBACK, i + 1, CALL, bytes(n, i), soon())).toBe(true));
    expect(got.map((r) => [r.seq, r.bytes])).toEqual(sizes.map((n, i) => [i + 1, bytes(n, i)]));
  });
});

describe('mailbox: home → carrier packets', () => {
  it('writes an answer at once when the box is empty, and the carrier receives it', () => {
    const { carrier, home, sab } = loopback();
    home.send(Packet.RETURN, 1, CALL, bytes(50));
    expect(state(sab)).toBe(TO_CARRIER);
    expect(home.ready()).toBe(false); // nothing for the home to do now
    expect(carrier.receive(1, performance.now() + 1000)).toEqual({ kind: Packet.RETURN, seq: 1, call: CALL, bytes: bytes(50) });
    expect(state(sab)).toBe(EMPTY);
  });

  it('reassembles a chunked answer; the carrier rings for each further chunk', () => {
    const { carrier, home, rings } = loopback();
    carrier.home = 5;
    const big = bytes(Math.floor(4.2 * BOX), 9);
    home.send(Packet.RAISE, 3, CALL, big);
    const r = carrier.receive(3, performance.now() + 1000);
    expect(r).toEqual({ kind: Packet.RAISE, seq: 3, call: CALL, bytes: big });
    expect(rings).toEqual([5, 5, 5, 5]); // 5 chunks: a ring after each of the first 4
  });

  it('queues an answer while the box is busy and writes it once the box is free', () => {
    const { carrier, home, sab } = loopback({ auto: false });
    carrier.send(Packet.CALLBACK, 1, CALL, bytes(10), soon()); // sits in the box
    home.send(Packet.RETURN, 1, CALL, bytes(20, 1));
    expect(state(sab)).toBe(TO_HOME); // not overwritten
    expect(home.ready()).toBe(true);
    expect(home.poll(CALL)!.kind).toBe(Packet.CALLBACK);
    expect(home.ready()).toBe(true); // box empty, an answer waits
    expect(home.poll(CALL)).toBeNull(); // writes it
    expect(state(sab)).toBe(TO_CARRIER);
    expect(carrier.receive(1, performance.now() + 1000)!.bytes).toEqual(bytes(20, 1));
  });

  it('answers go out in the order they were queued', () => {
    const { carrier, home } = loopback();
    home.send(Packet.RETURN, 1, CALL, bytes(3000, 1));
    home.send(Packet.RETURN, 2, CALL, bytes(10, 2));
    expect(carrier.receive(1, performance.now() + 1000)!.bytes).toEqual(bytes(3000, 1));
    expect(home.ready()).toBe(true); // a later poll writes the second
    home.poll(CALL);
    expect(carrier.receive(2, performance.now() + 1000)!.bytes).toEqual(bytes(10, 2));
  });

  it('clear() drops queued answers: nothing is written after it', () => {
    const { carrier, home, sab } = loopback({ auto: false });
    carrier.send(Packet.CALLBACK, 1, CALL, bytes(10), soon());
    home.send(Packet.RETURN, 1, CALL, bytes(3000));
    home.poll(CALL); // takes the callback; the answer still waits
    home.clear();
    expect(home.ready()).toBe(false);
    expect(home.poll(CALL)).toBeNull();
    expect(state(sab)).toBe(EMPTY);
  });
});

describe('mailbox: starting a call (CALL packets)', () => {
  it('hasCall() is true only for a CALL packet addressed to the carrier', () => {
    const { carrier, home, sab } = loopback({ auto: false });
    expect(carrier.hasCall()).toBe(false);
    home.send(Packet.RETURN, 1, CALL, bytes(5));
    expect(state(sab)).toBe(TO_CARRIER);
    expect(carrier.hasCall()).toBe(false);
    carrier.receive(1, performance.now() + 100);
    carrier.send(Packet.CALLBACK, 1, CALL, bytes(5), soon());
    expect(carrier.hasCall()).toBe(false); // TO_HOME
  });

  it('takeCall() reads the call, learns its home worker from seq, and empties the box', () => {
    const { carrier, home, sab } = loopback({ auto: false });
    home.send(Packet.CALL, 4, 0x04000001, bytes(200));
    expect(carrier.hasCall()).toBe(true);
    expect(carrier.takeCall()).toEqual({ kind: Packet.CALL, seq: 4, call: 0x04000001, bytes: bytes(200) });
    expect(carrier.home).toBe(4);
    expect(state(sab)).toBe(EMPTY);
  });
  // A chunked CALL (takeCall() waits for its further chunks without a deadline)
  // is covered on two threads below, where a missing ring cannot block this one.
});

describe('mailbox: stale answers', () => {
  it('receive() drops an answer to an older callback (also a chunked one) and returns only its own', () => {
    const { carrier, home, sab } = loopback();
    home.send(Packet.RETURN, 1, CALL, bytes(Math.floor(2.5 * BOX), 1)); // stale: callback 1 timed out
    // Callback 2 is waiting. The stale answer is consumed, never returned.
    const [r, ms] = timed(() => carrier.receive(2, performance.now() + 50));
    expect(r).toBeNull();
    expect(ms).toBeGreaterThanOrEqual(45);
    expect(state(sab)).toBe(EMPTY);
    expect(home.ready()).toBe(false); // all three chunks were asked for and dropped
    home.send(Packet.RETURN, 2, CALL, bytes(30, 2));
    expect(carrier.receive(2, performance.now() + 1000)).toEqual({ kind: Packet.RETURN, seq: 2, call: CALL, bytes: bytes(30, 2) });
  });

  it('send() drops a stale answer sitting in the box (also the rest of a chunked one) and sends its packet', () => {
    const { carrier, home, got, sab } = loopback();
    home.send(Packet.RETURN, 1, CALL, bytes(Math.floor(2.5 * BOX), 1)); // stale, first chunk in the box
    expect(state(sab)).toBe(TO_CARRIER);
    expect(carrier.send(Packet.CALLBACK, 2, CALL, bytes(10, 2), performance.now() + 1000)).toBe(true);
    expect(got).toEqual([{ kind: Packet.CALLBACK, seq: 2, call: CALL, bytes: bytes(10, 2) }]);
    expect(home.ready()).toBe(false); // nothing of the stale answer is left to write
    // The next receive sees only the fresh answer.
    home.send(Packet.RETURN, 2, CALL, bytes(40, 3));
    expect(carrier.receive(2, performance.now() + 1000)!.bytes).toEqual(bytes(40, 3));
  });

  it('receive() drops a stale answer and rings the home, so the fresh answer queued behind it is written', () => {
    // The home answered callback 1 too late (the carrier gave up on it) and then
    // callback 2 in time: answer 1 is in the box, answer 2 waits in the home's
    // queue. The home worker now sleeps (ready() is false: the box is full) and
    // only wakes on its doorbell. receive(2) drops answer 1, leaving the box
    // EMPTY, and must ring so the home writes answer 2 (it used to ring only
    // when the dropped packet had more chunks, and the carrier timed out).
    const { carrier, home } = loopback();
    home.send(Packet.RETURN, 1, CALL, bytes(10, 1));
    home.send(Packet.RETURN, 2, CALL, bytes(10, 2));
    expect(home.ready()).toBe(false); // the home worker sleeps: the box is full
    const r = carrier.receive(2, performance.now() + 100);
    expect(r).toEqual({ kind: Packet.RETURN, seq: 2, call: CALL, bytes: bytes(10, 2) });
  });
});

describe('mailbox: deadlines', () => {
  it('receive() returns null at its deadline when no answer comes', () => {
    const { carrier } = loopback();
    const [r, ms] = timed(() => carrier.receive(1, performance.now() + 40));
    expect(r).toBeNull();
    expect(ms).toBeGreaterThanOrEqual(39);
    expect(ms).toBeLessThan(2000);
  });

  it('send() returns false at its deadline when the box stays full, and leaves the box as it was', () => {
    const { carrier, home, sab } = loopback({ auto: false });
    carrier.send(Packet.CALLBACK, 1, CALL, bytes(10, 1), soon()); // the home never takes it
    const [ok, ms] = timed(() => carrier.send(Packet.CALLBACK, 2, CALL, bytes(10, 2), performance.now() + 40));
    expect(ok).toBe(false);
    expect(ms).toBeGreaterThanOrEqual(39);
    expect(ms).toBeLessThan(2000);
    expect(state(sab)).toBe(TO_HOME);
    expect(home.poll(CALL)).toEqual({ kind: Packet.CALLBACK, seq: 1, call: CALL, bytes: bytes(10, 1) });
  });

  it('a chunked send() times out between chunks when the home stops taking them', () => {
    const { carrier } = loopback({ auto: false });
    const [ok, ms] = timed(() => carrier.send(Packet.CALLBACK, 1, CALL, bytes(3 * BOX), performance.now() + 40));
    expect(ok).toBe(false);
    expect(ms).toBeGreaterThanOrEqual(39);
  });

  it('a deadline in the past still takes an answer that is already there, and times out at once otherwise', () => {
    const { carrier, home } = loopback();
    const [none, ms] = timed(() => carrier.receive(1, performance.now() - 1));
    expect(none).toBeNull();
    expect(ms).toBeLessThan(20);
    home.send(Packet.RETURN, 1, CALL, bytes(5));
    expect(carrier.receive(1, performance.now() - 1)!.bytes).toEqual(bytes(5));
  });

  it('after a chunked send() timed out, the chunk it left behind is not glued onto the next packet', () => {
    // A callback's arguments span 3 chunks. The home takes chunk 1, then is busy
    // past the callback's deadline: send() returns false with chunk 2 in the box.
    // The carrier gives up on the callback and ends the call (carrier-core sends
    // FAIL or RESULT). The home, free again, takes chunk 2 ("more follow") and
    // then the FAIL packet: the FAIL packet arrives alone (it used to arrive as
    // chunk 1 + chunk 2 + the FAIL bytes, 2060 bytes instead of 12).
    const sab = createMailbox(BOX);
    const home = new HomeBox(sab);
    let homeTakes = 1;
    const carrier = new CarrierBox(sab, () => {
      if (homeTakes-- > 0) home.poll(CALL); // takes chunk 1, then is busy
    });
    expect(carrier.send(Packet.CALLBACK, 1, CALL, bytes(3 * BOX, 1), performance.now() + 30)).toBe(false); // timed out...
    expect(state(sab)).toBe(TO_HOME); // ...with chunk 2 in the box
    expect(home.poll(CALL)).toBeNull(); // the home is back: takes chunk 2
    const fail = bytes(12, 2);
    expect(carrier.send(Packet.FAIL, 2, CALL, fail, performance.now() + 1000)).toBe(true);
    expect(home.poll(CALL)).toEqual({ kind: Packet.FAIL, seq: 2, call: CALL, bytes: fail });
  });
});

// ----------------------------------------------------------------- threads

/**
 * The home worker on this thread: polls the box when its doorbell (bell[HOME_WORKER])
 * rings, and keeps polling while ready(). `tickMs` bounds each sleep; sleeps that
 * end by time and not by a ring are counted (a protocol that forgets a ring shows
 * up there).
 */
async function serveHome(
  home: HomeBox,
  bell: Int32Array,
  onPacket: (r: Received, home: HomeBox) => void,
  until: () => boolean,
  tickMs = 2000,
  maxTimeouts = Infinity,
): Promise<{ timeouts: number }> {
  let timeouts = 0;
  const t0 = performance.now();
  while (!until()) {
    if (performance.now() - t0 > 110_000) throw new Error('home: gave up after 110 s');
    const seen = Atomics.load(bell, HOME_WORKER);
    for (let r = home.poll(CALL_ID); r; r = home.poll(CALL_ID)) onPacket(r, home);
    if (until()) break;
    if (home.ready()) {
      await new Promise((f) => setImmediate(f));
      continue;
    }
    const w = Atomics.waitAsync(bell, HOME_WORKER, seen, tickMs);
    const v = w.async ? await w.value : w.value;
    if (v === 'timed-out' && ++timeouts > maxTimeouts) throw new Error(`home: woken ${timeouts} time(s) by its timeout, not by a ring`);
  }
  return { timeouts };
}

function carrierThread(scenario: MailboxWorkerData['scenario'], count = 0, limitMs = 25_000) {
  const data: MailboxWorkerData = {
    scenario,
    box: createMailbox(BOX),
    bell: new SharedArrayBuffer(16),
    dataBytes: BOX,
    count,
    seed: (Math.random() * 2 ** 31) | 0,
  };
  const thread = startThread<MailboxWorkerResult>('mailbox.worker.ts', { ...data });
  let finished = false;
  const result = results([thread], limitMs).then(
    ([r]) => ((finished = true), r!),
    (e: unknown) => {
      finished = true;
      throw e;
    },
  );
  return {
    data,
    bell: new Int32Array(data.bell),
    result,
    finished: () => finished,
    /** The carrier's result and the home's; a failing home ends the carrier at once. */
    both<H>(home: Promise<H>): Promise<[MailboxWorkerResult, H]> {
      return Promise.all([result, home.catch((e: unknown) => ((finished = true), void thread.worker.terminate(), Promise.reject(e)))]);
    },
  };
}

describe('mailbox across threads (carrier on a worker, home here)', () => {
  it('2,000 callbacks of 0 to 4 boxes each way, both chunked; the home is only ever woken by rings', { timeout: 120_000 }, async () => {
    const t = carrierThread('echo', 2000, 100_000);
    const home = new HomeBox(t.data.box);
    // The home starts the call: the CALL packet's first chunk goes into the box now.
    home.send(Packet.CALL, HOME_WORKER, CALL_ID, pattern(0, Math.floor(3.5 * BOX)));
    let final: Received | null = null;
    const callbacks: number[] = [];
    const served = serveHome(
      home,
      t.bell,
      (r, h) => {
        if (r.kind === Packet.CALLBACK) {
          callbacks.push(r.seq);
          const want = pattern(r.seq, sizeOf(r.seq, t.data.seed, BOX));
          // Answer with the bytes reversed (what the carrier checks); a wrong
          // payload here gets an empty answer, which the carrier reports.
          const ok = r.call === CALL_ID && r.bytes.length === want.length && r.bytes.every((v, i) => v === want[i]);
          h.send(r.seq % 7 === 0 ? Packet.RAISE : Packet.RETURN, r.seq, CALL_ID, ok ? answer(r.bytes) : new Uint8Array(0));
        } else final = r;
      },
      () => final !== null || t.finished(),
      5000,
      0,
    );
    const [out, { timeouts }] = await t.both(served);
    expect(out.errors).toEqual([]);
    expect(out.done).toBe(2000);
    expect(callbacks).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(final).toEqual({ kind: Packet.RESULT, seq: 2001, call: CALL_ID, bytes: pattern(-1, Math.floor(2.5 * BOX)) });
    expect(timeouts).toBe(0);
    // Sizes covered: empty, one chunk, several chunks.
    const sizes = Array.from({ length: 2000 }, (_, i) => sizeOf(i + 1, t.data.seed, BOX));
    expect(sizes.some((n) => n > 3 * BOX)).toBe(true);
    expect(sizes.some((n) => n <= BOX)).toBe(true);
  });

  it('send() drops a late answer that landed in the box after receive() timed out', { timeout: 30_000 }, async () => {
    const t = carrierThread('stale-send');
    const home = new HomeBox(t.data.box);
    let final: Received | null = null;
    const served = serveHome(
      home,
      t.bell,
      (r, h) => {
        if (r.kind !== Packet.CALLBACK) final = r;
        else if (r.seq === 1) setTimeout(() => h.send(Packet.RETURN, 1, CALL_ID, pattern(99, 10)), 150);
        else h.send(Packet.RETURN, r.seq, CALL_ID, answer(r.bytes));
      },
      () => final !== null || t.finished(),
      20,
    );
    const [out] = await t.both(served);
    expect(out.errors).toEqual([]);
    expect(out.log).toEqual([
      ['first', null],
      ['stale arrived', true],
      ['second', { kind: Packet.RETURN, seq: 2, call: CALL_ID, ok: true }],
    ]);
    expect(final).toMatchObject({ kind: Packet.RESULT, seq: 3 });
  });

  it('receive() drops a late chunked answer that arrives while it waits for the next one', { timeout: 30_000 }, async () => {
    const t = carrierThread('stale-receive');
    const home = new HomeBox(t.data.box);
    let final: Received | null = null;
    let stale = false;
    let fresh: (() => void) | null = null;
    const served = serveHome(
      home,
      t.bell,
      (r, h) => {
        if (r.kind !== Packet.CALLBACK) final = r;
        else if (r.seq === 2) {
          // Callback 1's answer comes only now (3 chunks), then callback 2's
          // once the carrier has dropped all of the stale one.
          h.send(Packet.RETURN, 1, CALL_ID, pattern(98, Math.floor(2.5 * BOX)));
          stale = true;
          fresh = () => h.send(Packet.RETURN, 2, CALL_ID, answer(r.bytes));
        }
      },
      () => {
        if (stale && fresh && !home.ready() && Atomics.load(new Int32Array(t.data.box), 0) === EMPTY) {
          fresh();
          fresh = null;
        }
        return final !== null || t.finished();
      },
      5,
    );
    const [out] = await t.both(served);
    expect(out.errors).toEqual([]);
    expect(out.log).toEqual([
      ['first', null],
      ['second', { kind: Packet.RETURN, seq: 2, call: CALL_ID, ok: true }],
    ]);
    expect(final).toMatchObject({ kind: Packet.RESULT, seq: 3 });
  });

  it('drained() blocks the carrier until the home has taken its last packet', { timeout: 30_000 }, async () => {
    const t = carrierThread('drained');
    const t0 = performance.now();
    while (Atomics.load(t.bell, 3) === 0 && performance.now() - t0 < 10_000) await new Promise((f) => setTimeout(f, 5));
    expect(state(t.data.box)).toBe(TO_HOME);
    await new Promise((f) => setTimeout(f, 150));
    expect(t.finished()).toBe(false); // still blocked in drained()
    const home = new HomeBox(t.data.box);
    expect(home.poll(CALL_ID)).toMatchObject({ kind: Packet.RESULT, seq: 1 });
    const out = await t.result;
    expect(out).toMatchObject({ done: 1, errors: [] });
  });
});
