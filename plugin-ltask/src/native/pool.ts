/**
 * The host's carrier pools: one per native module, started lazily, capped by
 * the module's `instances`, reused. A call waits for a free carrier; a carrier
 * that dies fails its call and is replaced by the next call; a call whose
 * service ended has its carrier terminated (it may be blocked in a callback).
 */
import { platform } from '#platform';
import type { WorkerHandle } from '../platform/types.ts';
import type { ServiceTable } from '../table.ts';
import { createMailbox } from './mailbox.ts';
import type { CarrierToHost, HostToCarrier, NativeRequest } from './protocol.ts';

interface Carrier {
  id: number;
  handle: WorkerHandle;
  mailbox: SharedArrayBuffer;
  ready: boolean;
  busy: NativeRequest | null;
  since: number;
}

interface Pool {
  name: string;
  url: string;
  /** Known once the first carrier has loaded the module. */
  max: number | null;
  carriers: Carrier[];
  queue: NativeRequest[];
}

export interface PoolOptions {
  table: ServiceTable;
  callbackTimeoutMs: number;
  mailboxBytes: number;
  maxMessageBytes: number;
  /** Tells the home worker that a call could not run. */
  fail(req: NativeRequest, error: string): void;
  /** Tells the home worker which mailbox serves its call. */
  bind(req: NativeRequest, mailbox: SharedArrayBuffer, carrier: number): void;
}

export class NativePools {
  private pools = new Map<string, Pool>();
  private nextCarrier = 1;
  private stopped = false;
  /** Calls not yet finished, by id: to follow callback chains. */
  private active = new Map<number, NativeRequest>();

  constructor(
    modules: Record<string, string>,
    private readonly o: PoolOptions,
  ) {
    for (const [name, url] of Object.entries(modules)) this.pools.set(name, { name, url, max: null, carriers: [], queue: [] });
  }

  /** Registered module names. */
  get names(): string[] {
    return [...this.pools.keys()];
  }

  request(req: NativeRequest): void {
    const pool = this.pools.get(req.module);
    if (!pool) {
      const known = this.names.join(', ') || 'none';
      return this.failCall(req, `[ltask] unknown native module "${req.module}" (registered: ${known})`);
    }
    this.active.set(req.callId, req);
    pool.queue.push(req);
    this.dispatch(pool);
  }

  private failCall(req: NativeRequest, error: string): void {
    this.active.delete(req.callId);
    this.o.fail(req, error);
  }

  /** A service ended during a call: stop the carrier that runs it. */
  abort(callId: number): void {
    this.active.delete(callId);
    for (const pool of this.pools.values()) {
      const qi = pool.queue.findIndex((r) => r.callId === callId);
      if (qi >= 0) pool.queue.splice(qi, 1);
      const c = pool.carriers.find((x) => x.busy?.callId === callId);
      if (c) {
        c.busy = null;
        this.remove(pool, c);
        void c.handle.terminate();
        this.dispatch(pool);
      }
    }
  }

  /** Carriers now, for introspection and tests. */
  carriers(): { module: string; id: number; busy: number | null; since: number }[] {
    const out = [];
    for (const p of this.pools.values()) for (const c of p.carriers) out.push({ module: p.name, id: c.id, busy: c.busy?.callId ?? null, since: c.since });
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.pools.values()].flatMap((p) => p.carriers.splice(0));
    await Promise.all(all.map((c) => c.handle.terminate()));
  }

  private dispatch(pool: Pool): void {
    if (this.stopped) return;
    while (pool.queue.length > 0) {
      const idle = pool.carriers.find((c) => c.ready && !c.busy);
      if (idle) {
        this.assign(idle, pool.queue.shift()!);
        continue;
      }
      // Start carriers for the waiting calls, up to the cap (1 until the module has told its cap).
      const starting = pool.carriers.filter((c) => !c.ready).length;
      if (pool.carriers.length < (pool.max ?? 1) && starting < pool.queue.length) {
        this.start(pool);
        continue;
      }
      if (starting > 0) return;
      // Every carrier is busy. A call made from inside a callback of a call that
      // holds the only carriers would wait forever: fail it now.
      for (let i = 0; i < pool.queue.length; i++) {
        const req = pool.queue[i]!;
        if (pool.carriers.every((c) => c.busy && this.waitsOn(req, c.busy))) {
          pool.queue.splice(i--, 1);
          this.failCall(req, `[ltask] native ${req.module}.${req.fn} called from inside a callback of a ${req.module} call would wait forever: all ${pool.carriers.length} carrier(s) of ${req.module} are blocked in callbacks (raise its instances.max)`);
        }
      }
      return;
    }
  }

  /** True when `req` was made (directly or further down) from a callback of `holder`. */
  private waitsOn(req: NativeRequest, holder: NativeRequest): boolean {
    for (let p = req.parent, hops = 0; p !== 0 && hops < 64; hops++) {
      if (p === holder.callId) return true;
      p = this.active.get(p)?.parent ?? 0;
    }
    return false;
  }

  private assign(c: Carrier, req: NativeRequest): void {
    c.busy = req;
    c.since = Date.now();
    this.o.bind(req, c.mailbox, c.id);
    const m: HostToCarrier = { type: 'call', callId: req.callId, module: req.module, fn: req.fn, args: req.args, home: req.worker, mailbox: c.mailbox };
    c.handle.postMessage(m);
  }

  private start(pool: Pool): void {
    const id = this.nextCarrier++;
    const handle = platform.startWorker('carrier', `ltask-carrier-${pool.name}-${id}`);
    const c: Carrier = { id, handle, mailbox: createMailbox(this.o.mailboxBytes), ready: false, busy: null, since: Date.now() };
    pool.carriers.push(c);
    const crashed = (why: string) => {
      if (!pool.carriers.includes(c)) return;
      this.remove(pool, c);
      const err = `[ltask] native ${pool.name}: carrier ${id} failed: ${why}`;
      if (c.busy) this.failCall(c.busy, err);
      else if (!c.ready) {
        // The module could not even load: every queued call gets the error.
        for (const req of pool.queue.splice(0)) this.failCall(req, err);
      }
      c.busy = null;
      void handle.terminate();
      this.dispatch(pool);
    };
    handle.onExit((reason) => crashed(reason));
    handle.listen((data) => {
      const m = data as CarrierToHost;
      switch (m.type) {
        case 'ready':
          pool.max = m.max;
          c.ready = true;
          this.dispatch(pool);
          break;
        case 'idle':
          this.active.delete(m.callId);
          if (c.busy?.callId === m.callId) c.busy = null;
          this.dispatch(pool);
          break;
        case 'fatal':
          crashed(m.error);
          break;
      }
    });
    const init: HostToCarrier = {
      type: 'init',
      name: pool.name,
      url: pool.url,
      table: this.o.table.sab,
      callbackTimeoutMs: this.o.callbackTimeoutMs,
      maxMessageBytes: this.o.maxMessageBytes,
    };
    handle.postMessage(init);
  }

  private remove(pool: Pool, c: Carrier): void {
    const i = pool.carriers.indexOf(c);
    if (i >= 0) pool.carriers.splice(i, 1);
  }
}
