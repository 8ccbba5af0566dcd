/**
 * The carrier table: one SharedArrayBuffer that the host, every scheduler
 * worker and every carrier map. A home worker that finds an idle carrier of the
 * module it needs claims it with a compare-and-swap and writes the call into the
 * carrier's mailbox itself: the common case never goes through the host (whose
 * thread may be busy drawing a frame). The host starts, replaces and stops
 * carriers, and runs the calls that found no idle carrier.
 */

export const MAX_CARRIERS = 4096;

/** The worker a call id belongs to: its top bits (see NativeHome.start). */
export const callWorker = (callId: number): number => (callId >>> 24) & 0x3f;
const STRIDE = 4;
const S_STATE = 0; // SlotState
const S_CALL = 1; // the call running now (0: none)
const S_MODULE = 2; // the module index of the carrier in the slot
const S_GEN = 3; // how many carriers the slot has had: a reused slot is a new carrier
const WAITING = MAX_CARRIERS * STRIDE; // per module: calls queued at the host
export const MAX_MODULES = 64;

export const SlotState = {
  NONE: 0,
  /** Ready and idle: may be claimed. */
  FREE: 1,
  BUSY: 2,
  /** Starting, stopping or gone. */
  OFF: 3,
} as const;

export class CarrierSlots {
  readonly i32: Int32Array;
  constructor(readonly sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab);
  }

  static create(): CarrierSlots {
    return new CarrierSlots(new SharedArrayBuffer((MAX_CARRIERS * STRIDE + MAX_MODULES) * 4));
  }

  state(slot: number): number {
    return Atomics.load(this.i32, slot * STRIDE + S_STATE);
  }

  setState(slot: number, s: number): void {
    Atomics.store(this.i32, slot * STRIDE + S_STATE, s);
  }

  /**
   * Claims an idle carrier for `callId`; false if someone else got it first,
   * or if the slot now holds a newer carrier than generation `gen` (one the
   * claimer has not been told of: its mailbox is another).
   */
  claim(slot: number, callId: number, gen: number): boolean {
    if (Atomics.compareExchange(this.i32, slot * STRIDE + S_STATE, SlotState.FREE, SlotState.BUSY) !== SlotState.FREE) return false;
    if (Atomics.load(this.i32, slot * STRIDE + S_GEN) !== gen) {
      Atomics.store(this.i32, slot * STRIDE + S_STATE, SlotState.FREE);
      return false;
    }
    Atomics.store(this.i32, slot * STRIDE + S_CALL, callId);
    return true;
  }

  /** The slot's carrier generation. */
  gen(slot: number): number {
    return Atomics.load(this.i32, slot * STRIDE + S_GEN);
  }

  /** A new carrier takes the slot (before it is FREE). */
  nextGen(slot: number): number {
    return Atomics.add(this.i32, slot * STRIDE + S_GEN, 1) + 1;
  }

  /** The carrier finished its call. */
  release(slot: number): void {
    Atomics.store(this.i32, slot * STRIDE + S_CALL, 0);
    Atomics.store(this.i32, slot * STRIDE + S_STATE, SlotState.FREE);
  }

  call(slot: number): number {
    return Atomics.load(this.i32, slot * STRIDE + S_CALL);
  }

  /** The module a slot's carrier runs (its carrier reads it to see if calls wait for it). */
  module(slot: number): number {
    return Atomics.load(this.i32, slot * STRIDE + S_MODULE);
  }

  setModule(slot: number, module: number): void {
    Atomics.store(this.i32, slot * STRIDE + S_MODULE, module);
  }

  /** Calls of a module waiting at the host: while any, homes do not jump the queue. */
  waiting(module: number): number {
    return Atomics.load(this.i32, WAITING + module);
  }

  setWaiting(module: number, n: number): void {
    Atomics.store(this.i32, WAITING + module, n);
  }
}
