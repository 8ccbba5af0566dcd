// One of several threads racing for the same carrier slots, for slots.test.ts.
//
// Phase 1, rounds: worker 0 frees the slots, every worker then tries to claim
// every slot (each in its own order), a barrier, worker 0 records what the
// table says, a barrier, next round. Every claim that wins is counted per
// (round, slot): exactly one may win each.
//
// Phase 2, churn: every worker claims random slots, holds them a moment and
// releases them, many times. An owner word per slot (compare-and-swap 0 → me)
// catches a slot owned by two threads at once.
import { parentPort, workerData } from 'node:worker_threads';
import { CarrierSlots, SlotState } from '../../../plugin-ltask/src/wire/slots.ts';
import { hash32 } from './threads.ts';

export interface SlotsWorkerData {
  me: number;
  workers: number;
  slots: SharedArrayBuffer;
  /** [0] barrier count, [1] barrier generation. */
  ctl: SharedArrayBuffer;
  /** Per round and slot: how many claims won. */
  wins: SharedArrayBuffer;
  /** Per round and slot: the call id of the winner. */
  winner: SharedArrayBuffer;
  /** Per round and slot: `slots.call(slot)` after the round, read by worker 0. */
  seen: SharedArrayBuffer;
  /** Per slot: the worker holding it in phase 2 (+1), 0 when none. */
  owner: SharedArrayBuffer;
  rounds: number;
  nslots: number;
  churn: number;
}

export interface SlotsWorkerResult {
  me: number;
  claims: number;
  churnClaims: number;
  errors: string[];
}

/** A call id of worker `w` (the way NativeHome makes them: worker in the top bits). */
export const callIdOf = (w: number, n: number): number => ((w & 0x3f) << 24) | (n & 0xffffff);

function run(d: SlotsWorkerData): SlotsWorkerResult {
  const slots = new CarrierSlots(d.slots);
  const ctl = new Int32Array(d.ctl);
  const wins = new Int32Array(d.wins);
  const winner = new Int32Array(d.winner);
  const seen = new Int32Array(d.seen);
  const owner = new Int32Array(d.owner);
  const errors: string[] = [];
  const fail = (e: string) => {
    if (errors.length < 20) errors.push(e);
  };

  const barrier = () => {
    const gen = Atomics.load(ctl, 1);
    if (Atomics.add(ctl, 0, 1) === d.workers - 1) {
      Atomics.store(ctl, 0, 0);
      Atomics.add(ctl, 1, 1);
      Atomics.notify(ctl, 1);
    } else {
      while (Atomics.load(ctl, 1) === gen) Atomics.wait(ctl, 1, gen, 1000);
    }
  };

  let claims = 0;
  const order = Array.from({ length: d.nslots }, (_, i) => i);
  for (let round = 0; round < d.rounds; round++) {
    if (d.me === 0) for (let s = 0; s < d.nslots; s++) slots.release(s);
    barrier();
    // Each worker visits the slots in its own shuffled order.
    for (let i = order.length - 1; i > 0; i--) {
      const j = hash32(round * 7919 + d.me * 104729 + i) % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const s of order) {
      const id = callIdOf(d.me, round * d.nslots + s + 1);
      if (!slots.claim(s, id, 0)) continue;
      claims++;
      Atomics.add(wins, round * d.nslots + s, 1);
      Atomics.store(winner, round * d.nslots + s, id);
      if (slots.state(s) !== SlotState.BUSY) fail(`round ${round} slot ${s}: claimed but state ${slots.state(s)}`);
    }
    barrier();
    if (d.me === 0) for (let s = 0; s < d.nslots; s++) Atomics.store(seen, round * d.nslots + s, slots.call(s));
    barrier();
  }

  // Phase 2: churn. Worker 0 has freed nothing since the last round: free all once.
  if (d.me === 0) for (let s = 0; s < d.nslots; s++) slots.release(s);
  barrier();
  let churnClaims = 0;
  for (let k = 0; k < d.churn; k++) {
    const s = hash32(k * 31 + d.me * 1_000_003) % d.nslots;
    const id = callIdOf(d.me, k + 1);
    if (!slots.claim(s, id, 0)) continue;
    churnClaims++;
    const prev = Atomics.compareExchange(owner, s, 0, d.me + 1);
    if (prev !== 0) fail(`slot ${s} claimed by worker ${d.me} while worker ${prev - 1} holds it`);
    for (let spin = 0; spin < (k & 15); spin++) {
      if (slots.call(s) !== id) {
        fail(`slot ${s} held by worker ${d.me} shows call ${slots.call(s)}, not ${id}`);
        break;
      }
    }
    if (slots.state(s) !== SlotState.BUSY) fail(`slot ${s} held by worker ${d.me} is in state ${slots.state(s)}`);
    Atomics.compareExchange(owner, s, d.me + 1, 0);
    slots.release(s);
  }
  barrier();
  return { me: d.me, claims, churnClaims, errors };
}

const d = workerData as SlotsWorkerData | null;
if (d && typeof d.me === 'number') parentPort!.postMessage(run(d));
