// native/slots.ts: the carrier table homes claim idle carriers from.
import { describe, expect, it } from 'vitest';
import { CarrierSlots, MAX_CARRIERS, MAX_MODULES, SlotState, callWorker } from '../../../plugin-ltask/src/wire/slots.ts';
import { results, startThread } from './threads.ts';
import { callIdOf, type SlotsWorkerData, type SlotsWorkerResult } from './slots.worker.ts';

describe('CarrierSlots (one thread)', () => {
  it('starts with every slot NONE, no call, and nothing waiting', () => {
    const t = CarrierSlots.create();
    expect(t.sab).toBeInstanceOf(SharedArrayBuffer);
    for (const s of [0, 1, 100, MAX_CARRIERS - 1]) {
      expect(t.state(s)).toBe(SlotState.NONE);
      expect(t.call(s)).toBe(0);
    }
    for (let m = 0; m < MAX_MODULES; m++) expect(t.waiting(m)).toBe(0);
  });

  it('claims only a FREE slot: not NONE, BUSY or OFF', () => {
    const t = CarrierSlots.create();
    expect(t.claim(3, 11, 0)).toBe(false); // NONE: never started
    expect(t.state(3)).toBe(SlotState.NONE);
    expect(t.call(3)).toBe(0);
    t.setState(3, SlotState.OFF);
    expect(t.claim(3, 11, 0)).toBe(false);
    expect(t.state(3)).toBe(SlotState.OFF);
    t.setState(3, SlotState.FREE);
    expect(t.claim(3, 11, 0)).toBe(true);
    expect(t.state(3)).toBe(SlotState.BUSY);
    expect(t.call(3)).toBe(11);
  });

  it('a claimed slot cannot be claimed again until released, and the loser does not overwrite the call', () => {
    const t = CarrierSlots.create();
    t.setState(0, SlotState.FREE);
    expect(t.claim(0, 1, 0)).toBe(true);
    expect(t.claim(0, 2, 0)).toBe(false);
    expect(t.call(0)).toBe(1);
    expect(t.state(0)).toBe(SlotState.BUSY);
    t.release(0);
    expect(t.state(0)).toBe(SlotState.FREE);
    expect(t.call(0)).toBe(0);
    expect(t.claim(0, 2, 0)).toBe(true);
    expect(t.call(0)).toBe(2);
  });

  it('release makes the slot FREE with no call, even from OFF (the host stops carriers with setState)', () => {
    const t = CarrierSlots.create();
    t.setState(9, SlotState.FREE);
    t.claim(9, 5, 0);
    t.setState(9, SlotState.OFF);
    expect(t.claim(9, 6, 0)).toBe(false);
    expect(t.call(9)).toBe(5);
    t.release(9);
    expect(t.state(9)).toBe(SlotState.FREE);
    expect(t.call(9)).toBe(0);
  });

  it('keeps slots independent of each other and of the module fields and waiting counters', () => {
    const t = CarrierSlots.create();
    for (let s = 0; s < MAX_CARRIERS; s++) t.setState(s, SlotState.FREE);
    for (let s = 0; s < MAX_CARRIERS; s += 2) expect(t.claim(s, s + 1, 0)).toBe(true);
    for (let s = 0; s < MAX_CARRIERS; s++) t.setModule(s, MAX_MODULES - 1);
    for (let m = 0; m < MAX_MODULES; m++) t.setWaiting(m, 1000 + m);
    for (let s = 0; s < MAX_CARRIERS; s++) {
      if (s % 2 === 0) {
        expect(t.state(s)).toBe(SlotState.BUSY);
        expect(t.call(s)).toBe(s + 1);
      } else {
        expect(t.state(s)).toBe(SlotState.FREE);
        expect(t.call(s)).toBe(0);
      }
    }
    for (let m = 0; m < MAX_MODULES; m++) expect(t.waiting(m)).toBe(1000 + m);
    t.setWaiting(5, 0);
    expect(t.waiting(5)).toBe(0);
    expect(t.waiting(4)).toBe(1004);
    expect(t.waiting(6)).toBe(1006);
  });

  it('a claim with an older generation fails and leaves the slot FREE for the holder of the new one', () => {
    const t = CarrierSlots.create();
    expect(t.nextGen(4)).toBe(1);
    t.setState(4, SlotState.FREE);
    expect(t.claim(4, 7, 0)).toBe(false); // knows the carrier the slot had before
    expect(t.state(4)).toBe(SlotState.FREE);
    expect(t.call(4)).toBe(0);
    expect(t.claim(4, 8, 1)).toBe(true);
    expect(t.call(4)).toBe(8);
    expect(t.gen(4)).toBe(1);
  });

  it('is shared: a second CarrierSlots over the same memory sees the same table', () => {
    const a = CarrierSlots.create();
    const b = new CarrierSlots(a.sab);
    a.setState(7, SlotState.FREE);
    expect(b.claim(7, 42, 0)).toBe(true);
    expect(a.claim(7, 43, 0)).toBe(false);
    expect(a.call(7)).toBe(42);
    a.setWaiting(2, 3);
    expect(b.waiting(2)).toBe(3);
  });

  it('callWorker gives back the worker of a call id made the way homes make them', () => {
    for (const w of [0, 1, 2, 31, 32, 63]) {
      for (const n of [1, 2, 0x7fffff, 0xffffff]) {
        const id = callIdOf(w, n);
        expect(id).toBeGreaterThan(0); // a positive int32: storable in the table as is
        expect(callWorker(id)).toBe(w);
        const t = CarrierSlots.create();
        t.setState(0, SlotState.FREE);
        t.claim(0, id, 0);
        expect(callWorker(t.call(0))).toBe(w);
      }
    }
  });
});

describe('CarrierSlots across threads', () => {
  it('a claim race: 4 threads claim the same free slots 3,000 times over; each wins exactly once, no slot is ever owned twice', { timeout: 120_000 }, async () => {
    const workers = 4;
    const rounds = 3000;
    const nslots = 8;
    const churn = 100_000;
    const sab = (ints: number) => new SharedArrayBuffer(ints * 4);
    const table = CarrierSlots.create();
    for (let s = 0; s < nslots; s++) table.setState(s, SlotState.FREE);
    const shared: Omit<SlotsWorkerData, 'me'> = {
      workers,
      slots: table.sab,
      ctl: sab(2),
      wins: sab(rounds * nslots),
      winner: sab(rounds * nslots),
      seen: sab(rounds * nslots),
      owner: sab(nslots),
      rounds,
      nslots,
      churn,
    };
    const out = await results<SlotsWorkerResult>(
      Array.from({ length: workers }, (_, me) => startThread<SlotsWorkerResult>('slots.worker.ts', { ...shared, me })),
    );
    expect(out.flatMap((r) => r.errors)).toEqual([]);
    const wins = new Int32Array(shared.wins);
    const winner = new Int32Array(shared.winner);
    const seen = new Int32Array(shared.seen);
    const bad: string[] = [];
    for (let i = 0; i < rounds * nslots; i++) {
      if (wins[i] !== 1) bad.push(`round ${Math.floor(i / nslots)} slot ${i % nslots}: ${wins[i]} winners`);
      else if (seen[i] !== winner[i]) bad.push(`round ${Math.floor(i / nslots)} slot ${i % nslots}: table says call ${seen[i]}, winner was ${winner[i]}`);
      if (bad.length > 10) break;
    }
    expect(bad).toEqual([]);
    const claims = out.map((r) => r.claims);
    expect(claims.reduce((a, b) => a + b, 0)).toBe(rounds * nslots);
    // It was a race: wins spread over the threads (every one of them won some).
    expect(claims.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(out.reduce((a, r) => a + r.churnClaims, 0)).toBeGreaterThan(0);
    for (let s = 0; s < nslots; s++) {
      expect(table.state(s)).toBe(SlotState.FREE);
      expect(table.call(s)).toBe(0);
    }
  });
});
