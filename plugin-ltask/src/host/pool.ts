/**
 * The host's carrier pools: one per native module, started lazily, capped by
 * the module's `instances`, reused. Home workers claim idle carriers directly
 * through the carrier table (slots.ts); calls that find none come here and wait
 * for a carrier. A carrier that dies fails its call and is replaced by the next
 * call; a call whose service ended has its carrier terminated (it may be
 * blocked in a callback). A slot is reused once its carrier has ended, with a
 * new generation: a worker that still knows the old carrier cannot claim the
 * new one through it.
 */
import { startWorker } from '#spawn';
import type { WorkerHandle } from '../platform/types.ts';
import type { ServiceTable } from '../wire/table.ts';
import { createMailbox } from '../wire/mailbox.ts';
import type { CarrierToHost, HostToCarrier, NativeRequest } from '../wire/native.ts';
import type { NativeSource } from '../api/native.ts';
import type { CarrierInfo } from '../api/runtime.ts';
import { MAX_CARRIERS, SlotState, callWorker, type CarrierSlots } from '../wire/slots.ts';

interface Carrier {
  slot: number;
  gen: number;
  handle: WorkerHandle;
  mailbox: SharedArrayBuffer;
  ready: boolean;
}

interface Pool {
  name: string;
  index: number;
  /** Module URL for the generic carrier (empty for a bundle). */
  url: string;
  /** The bundle's own carrier script, if any. */
  script: string | undefined;
  /** Known once the first carrier has loaded the module. */
  max: number | null;
  carriers: Carrier[];
  queue: NativeRequest[];
}


export interface PoolOptions {
  table: ServiceTable;
  slots: CarrierSlots;
  callbackTimeoutMs: number;
  mailboxBytes: number;
  maxMessageBytes: number;
  /** Tells the home worker (from the call id) that a call could not run. */
  fail(callId: number, error: string): void;
  /** Tells the home worker which mailbox serves its call. */
  bind(req: NativeRequest, mailbox: SharedArrayBuffer, slot: number): void;
  /** Tells every worker that a carrier can be claimed (or is gone: mailbox null). */
  announce(slot: number, module: number, mailbox: SharedArrayBuffer | null, gen: number): void;
  /** A carrier's line for the runtime's log (level error). */
  log(text: string): void;
}

export class NativePools {
  private pools = new Map<string, Pool>();
  private nextSlot = 0;
  /** Slots whose carriers have ended, oldest first. */
  private freeSlots: number[] = [];
  private stopped = false;
  private queued = 0;

  constructor(
    modules: Record<string, NativeSource>,
    private readonly o: PoolOptions,
  ) {
    Object.entries(modules).forEach(([name, src], index) => {
      const url = typeof src === 'string' ? src : src instanceof URL ? src.href : '';
      const script = typeof src === 'object' && !(src instanceof URL) ? src.carrier : undefined;
      this.pools.set(name, { name, index, url, script, max: null, carriers: [], queue: [] });
    });
  }

  /** Registered module names, in index order. */
  get names(): string[] {
    return [...this.pools.keys()];
  }

  /** Calls that reached the host because no carrier was idle (the others never do). */
  get queuedCalls(): number {
    return this.queued;
  }

  /** Calls waiting here for a carrier to start or free up. */
  get waitingCalls(): number {
    let n = 0;
    for (const p of this.pools.values()) n += p.queue.length;
    return n;
  }

  request(req: NativeRequest): void {
    this.queued++;
    const pool = this.pools.get(req.module);
    if (!pool) {
      const known = this.names.join(', ') || 'none';
      return this.o.fail(req.callId, `[ltask] unknown native module "${req.module}" (registered: ${known})`);
    }
    pool.queue.push(req);
    this.dispatch(pool);
  }

  /** A service ended during a call: stop the carrier that runs it. */
  abort(callId: number): void {
    for (const pool of this.pools.values()) {
      const qi = pool.queue.findIndex((r) => r.callId === callId);
      if (qi >= 0) pool.queue.splice(qi, 1);
      const c = pool.carriers.find((x) => this.busyWith(x) === callId);
      if (c) this.retire(pool, c);
      this.dispatch(pool);
    }
  }

  /** Worker `w` died: its queued calls are dropped and the carriers running its calls stopped. */
  abortWorker(w: number): void {
    for (const pool of this.pools.values()) {
      pool.queue = pool.queue.filter((r) => r.worker !== w);
      for (const c of [...pool.carriers]) {
        const busy = this.busyWith(c);
        if (busy !== null && callWorker(busy) === w) this.retire(pool, c);
      }
      this.dispatch(pool);
    }
  }

  /** Carriers now, busy or idle. */
  carriers(): CarrierInfo[] {
    const out: CarrierInfo[] = [];
    for (const p of this.pools.values()) for (const c of p.carriers) out.push({ module: p.name, id: c.slot, busy: this.busyWith(c) });
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.pools.values()].flatMap((p) => p.carriers.splice(0));
    await Promise.all(all.map((c) => c.handle.terminate()));
  }

  private busyWith(c: Carrier): number | null {
    return this.o.slots.state(c.slot) === SlotState.BUSY ? this.o.slots.call(c.slot) : null;
  }

  private dispatch(pool: Pool): void {
    if (this.stopped) return;
    // Published before any claim: a carrier frees its slot, then reads this count
    // to decide whether to tell the host (one of the two sees the other).
    this.o.slots.setWaiting(pool.index, pool.queue.length);
    while (pool.queue.length > 0) {
      const req = pool.queue[0]!;
      const idle = pool.carriers.find((c) => c.ready && this.o.slots.claim(c.slot, req.callId, c.gen));
      if (idle) {
        pool.queue.shift();
        this.o.bind(req, idle.mailbox, idle.slot);
        const m: HostToCarrier = { type: 'call', callId: req.callId, payload: req.payload, home: req.worker };
        idle.handle.postMessage(m);
        // A carrier may be asleep in the kernel between event-loop turns: wake it to read its messages.
        Atomics.notify(new Int32Array(idle.mailbox, 0, 1), 0);
        continue;
      }
      // Start carriers for the waiting calls, up to the cap (1 until the module has told its cap).
      const starting = pool.carriers.filter((c) => !c.ready).length;
      if (pool.carriers.length < (pool.max ?? 1) && starting < pool.queue.length) {
        this.start(pool);
        continue;
      }
      if (starting > 0) break;
      // Every carrier is busy. A call made from inside a callback of a call that
      // holds every carrier would wait forever: fail it now.
      for (let i = 0; i < pool.queue.length; i++) {
        const r = pool.queue[i]!;
        if (pool.carriers.every((c) => r.ancestors.includes(this.busyWith(c) ?? -1))) {
          pool.queue.splice(i--, 1);
          this.o.fail(
            r.callId,
            `[ltask] native ${r.module}.${r.fn} called from inside a callback of a ${r.module} call would wait forever: all ${pool.carriers.length} carrier(s) of ${r.module} are blocked in callbacks (raise its instances.max)`,
          );
        }
      }
      break;
    }
    this.o.slots.setWaiting(pool.index, pool.queue.length);
  }

  private start(pool: Pool): void {
    const slot = this.freeSlots.shift() ?? (this.nextSlot < MAX_CARRIERS ? this.nextSlot++ : undefined);
    if (slot === undefined) {
      for (const r of pool.queue.splice(0)) this.o.fail(r.callId, `[ltask] ${MAX_CARRIERS} carriers are running or stopping: none can start now`);
      return;
    }
    let handle: WorkerHandle;
    try {
      handle = startWorker('carrier', `ltask-carrier-${pool.name}-${slot}`, pool.script);
    } catch (e) {
      const err = `[ltask] native ${pool.name}: cannot start a carrier: ${e instanceof Error ? e.message : String(e)}`;
      for (const r of pool.queue.splice(0)) this.o.fail(r.callId, err);
      return;
    }
    const slots = this.o.slots;
    const c: Carrier = { slot, gen: slots.nextGen(slot), handle, mailbox: createMailbox(this.o.mailboxBytes), ready: false };
    slots.setModule(slot, pool.index);
    slots.setState(slot, SlotState.OFF);
    pool.carriers.push(c);
    const crashed = (why: string) => {
      if (!pool.carriers.includes(c)) return;
      const busy = this.busyWith(c);
      this.retire(pool, c);
      const err = `[ltask] native ${pool.name}: carrier ${slot} failed: ${why}`;
      if (busy !== null) this.o.fail(busy, err);
      else if (!c.ready) {
        // The module could not even load: every queued call gets the error.
        for (const r of pool.queue.splice(0)) this.o.fail(r.callId, err);
      }
      this.dispatch(pool);
    };
    handle.onExit((reason) => crashed(reason));
    handle.listen((data) => {
      const m = data as CarrierToHost;
      switch (m.type) {
        case 'ready':
          pool.max = m.max;
          c.ready = true;
          slots.setState(slot, SlotState.FREE);
          this.o.announce(slot, pool.index, c.mailbox, c.gen);
          this.dispatch(pool);
          break;
        case 'idle':
          this.dispatch(pool);
          break;
        case 'fatal':
          crashed(m.error);
          break;
        case 'log':
          this.o.log(m.text);
          break;
      }
    });
    const init: HostToCarrier = {
      type: 'init',
      name: pool.name,
      url: pool.url,
      table: this.o.table.sab,
      slots: slots.sab,
      slot,
      mailbox: c.mailbox,
      callbackTimeoutMs: this.o.callbackTimeoutMs,
      maxMessageBytes: this.o.maxMessageBytes,
    };
    handle.postMessage(init);
  }

  /** Takes a carrier out of its pool and stops it; its slot is free again once it has ended. */
  private retire(pool: Pool, c: Carrier): void {
    this.o.slots.setState(c.slot, SlotState.OFF);
    const i = pool.carriers.indexOf(c);
    if (i >= 0) pool.carriers.splice(i, 1);
    this.o.announce(c.slot, pool.index, null, c.gen);
    void c.handle.terminate().then(() => this.freeSlots.push(c.slot));
  }
}
