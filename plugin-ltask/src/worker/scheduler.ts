/**
 * A scheduler worker: hosts services, moves their messages and runs them.
 *
 * Messages to services on this worker go straight to their queue; messages to
 * other workers go through the SPSC ring for that pair, then the target's
 * doorbell; messages to the host are batched into one postMessage per round.
 * When nothing is left to run the worker polls its doorbell for a short while
 * (`spinMicros`, adaptive: see idle.ts), then sleeps in `Atomics.waitAsync` (or its stand-in: transport/wait.ts), so
 * its event loop (timers, fetch, postMessage) keeps turning.
 */
import { encode } from '../wire/codec/index.ts';
import { setCodecProgress } from '../wire/codec/progress.ts';
import { Address, MessageType, Receipt, ServiceState, deadText, type WorkerConfig, type WorkerToHost } from '../wire/protocol.ts';
import type { Endpoint } from '../platform/types.ts';
import { ServiceTable } from '../wire/table.ts';
import { RingReader, RingSender, frame, unframe, type Msg } from '../wire/transport/index.ts';
import type { HostedService } from './service.ts';
import { Fifo } from '../wire/queue.ts';
import { defer } from '../wire/transport/wait.ts';
import type { CarrierSlots } from '../wire/slots.ts';
import { Idle } from './idle.ts';
import { NativeHome, type NativePort } from './native-home.ts';
import { WorkerWorld, type ServiceWorld } from './world.ts';

const SLICE_MS = 8;
const now = (): number => performance.now();

/** What a scheduler worker is made of: its place in the runtime and its one collaborator, the spawner. */
export interface SchedulerOptions {
  readonly id: number;
  readonly config: WorkerConfig;
  readonly table: ServiceTable;
  /** The rings between every pair of workers (`rings[from][to]`). */
  readonly rings: (SharedArrayBuffer | null)[][];
  /** The carrier table (native calls claim idle carriers there). */
  readonly slots: CarrierSlots;
  readonly host: Endpoint;
  /** Starts the service a SPAWN message asks for (the worker's entry composes Lua, TypeScript and built-in services). */
  readonly spawn: (m: Msg, scheduler: Scheduler) => void;
}

export class Scheduler {
  readonly id: number;
  readonly config: WorkerConfig;
  readonly table: ServiceTable;
  readonly services = new Map<number, HostedService>();
  /** Native calls made by services of this worker. */
  readonly native: NativeHome;
  /** The App's world, when the runtime shares one. */
  readonly world: WorkerWorld | null;
  private readonly host: Endpoint;
  private readonly spawn: (m: Msg, scheduler: Scheduler) => void;
  private readonly readyList = new Fifo<HostedService>();
  private readonly out: (RingSender | null)[];
  private readonly inb: (RingReader | null)[];
  /** Messages that reached a system service before it started again. */
  private readonly early = new Map<number, Msg[]>();
  private readonly idle: Idle;
  private toHost: Uint8Array[] = [];
  private pumping = false;
  private pumpQueued = false;
  private backlog = false;

  constructor(o: SchedulerOptions) {
    const { id, config, rings } = o;
    this.id = id;
    this.config = config;
    this.table = o.table;
    this.host = o.host;
    this.spawn = o.spawn;
    this.out = rings[id]!.map((sab) => (sab ? new RingSender(sab) : null));
    this.inb = rings.map((row) => (row[id] ? new RingReader(row[id]) : null));
    this.idle = new Idle({
      id,
      table: o.table,
      spinMicros: config.spinMicros,
      spinners: config.spinners,
      ringsPending: () => this.ringsPending(),
      nativePending: () => this.native.pending(),
      wake: () => this.wake(),
    });
    const port: NativePort = {
      id,
      slots: o.slots,
      modules: config.nativeModules,
      callTimeoutMs: config.nativeCallTimeoutMs,
      deliver: (m) => this.deliver(m),
      post: (m) => this.post(m),
      wake: () => this.wake(),
      ring: (w) => this.table.ring(w),
      ended: (addr, callId) => this.services.get(addr)?.callEnded(callId),
      settled: (addr) => {
        const s = this.services.get(addr);
        if (s && !s.closed && this.table.state(addr) === ServiceState.SUSPENDED) {
          this.table.setState(addr, s.scheduled ? ServiceState.READY : ServiceState.IDLE);
        }
      },
    };
    this.native = new NativeHome(port);
    this.world = config.world ? new WorkerWorld(config.world, id, { outside: () => this.wake(), nudge: (w) => this.table.nudge(w) }) : null;
    // A large message's packing is progress, not a frozen thread: the codec answers the watchdog too (progress.ts).
    setCodecProgress(() => this.table.pong(id));
  }

  // ------------------------------------------------------------- sending

  /**
   * The one way out of a service: routes a message to a service (here, or on
   * another worker through its ring), to the host, or to this worker's native
   * home (native calls and callback results). Returns ltask's receipt: DEAD
   * when the destination does not exist or has ended, BUSY when its request
   * queue is full.
   */
  send(m: Msg): Receipt {
    if (m.type >= MessageType.NATIVE_CALL && m.type <= MessageType.CALLBACK_ERROR) return this.native.send(m);
    if (m.dest === Address.HOST) {
      this.toHost.push(frame(m));
      this.wake();
      return Receipt.DONE;
    }
    const t = this.table;
    const st = t.state(m.dest);
    if (st === ServiceState.UNUSED || st === ServiceState.DEAD) return Receipt.DEAD;
    if (m.type === MessageType.REQUEST && !t.enqueue(m.dest, this.config.queueLimit)) return Receipt.BUSY;
    const w = t.worker(m.dest);
    if (w === this.id) {
      this.deliver(m);
    } else {
      const ring = this.out[w]!;
      ring.send(frame(m));
      t.nudge(w);
      if (ring.backlog) {
        // The ring is full: the rest goes out as the consumer drains it.
        this.backlog = true;
        this.wake();
      }
    }
    return Receipt.DONE;
  }

  /** Sends an ERROR answer to a request's sender (if it wants one). */
  bounce(m: Msg, text: string): void {
    if (m.type === MessageType.REQUEST) this.table.dequeue(m.dest);
    if ((m.type === MessageType.REQUEST || m.type === MessageType.SYSTEM || m.type === MessageType.SPAWN) && m.session !== 0) {
      this.send({ type: MessageType.ERROR, source: m.dest, dest: m.source, session: m.session, payload: encode([text]) });
    }
  }

  /** Puts a message in the queue of a local service. */
  deliver(m: Msg): void {
    const s = this.services.get(m.dest);
    if (!s || s.closed) {
      if (m.type === MessageType.SPAWN) return this.spawn(m, this);
      if (m.dest < Address.FIRST_FREE && this.table.state(m.dest) === ServiceState.INIT) {
        // A system service starting again (worker 0 was replaced): its messages wait for it.
        const early = this.early.get(m.dest) ?? [];
        early.push(m);
        this.early.set(m.dest, early);
        return;
      }
      this.bounce(m, `{service:${m.dest}} is dead`);
      return;
    }
    s.queue.push(m);
    if (!s.scheduled && !s.starting) this.makeReady(s);
    this.wake();
  }

  /** Marks a started service runnable if it has work. */
  makeReady(s: HostedService): void {
    if (s.scheduled || s.queue.length === 0) return;
    s.scheduled = true;
    this.readyList.push(s);
    if (this.table.state(s.address) === ServiceState.IDLE) this.table.setState(s.address, ServiceState.READY);
    this.wake();
  }

  // ------------------------------------------------------------- services

  add(s: HostedService): void {
    this.services.set(s.address, s);
    for (const m of this.early.get(s.address) ?? []) s.queue.push(m);
    this.early.delete(s.address);
  }

  /** A service finished starting: run what queued up meanwhile. */
  started(s: HostedService): void {
    s.starting = false;
    this.table.setState(s.address, ServiceState.IDLE);
    this.makeReady(s);
  }

  /**
   * Puts `fresh` at `old`'s address (hot reload): queued messages move over,
   * `old`'s native calls are abandoned, and nobody is told it ended.
   */
  replace(old: HostedService, fresh: HostedService, reason: string): void {
    old.closed = true;
    for (const m of old.queue.drain()) fresh.queue.push(m);
    this.native.serviceClosed(old.address);
    if (old.world) this.world?.closed(old.world); // the new code asks for ticks again if it wants them
    old.dispose(reason);
    this.services.set(old.address, fresh);
  }

  /**
   * Ends a service: its queue gets errors, root gets a SIGNAL (with the
   * reason when it failed: root's restart policies apply to failures only).
   */
  close(s: HostedService, failure?: string): void {
    const reason = failure ?? `{service:${s.address}} has quit`;
    if (s.closed) return;
    s.closed = true;
    this.table.close(s.address);
    this.services.delete(s.address);
    for (const m of s.queue.drain()) this.bounce(m, reason);
    s.dispose(reason);
    this.native.serviceClosed(s.address);
    if (s.world) this.world?.closed(s.world);
    if (s.address !== Address.ROOT) {
      this.send({ type: MessageType.SIGNAL, source: s.address, dest: Address.ROOT, session: 0, payload: failure === undefined ? null : encode([failure]) });
    }
  }

  /**
   * Worker `w` died and was replaced (supervision): what it had sent and
   * published is read, then the rings to and from it are fresh ones (a
   * message it left half-written, or that waited for it, is dropped: its
   * services are dead). Every service here that waits on one of `dead` gets
   * an error that names it and `reason`.
   */
  peerReplaced(w: number, toPeer: SharedArrayBuffer, fromPeer: SharedArrayBuffer, dead: number[], reason: string): void {
    const old = this.inb[w];
    if (old) for (let b = old.read(); b; b = old.read()) this.deliverFrom(unframe(b));
    // What the dead worker had not taken goes to its replacement: a SPAWN sent
    // after the host counted the dead starts there, and a request to a dead
    // service comes back as "is dead" instead of vanishing.
    const unread = this.out[w]!.abandon();
    this.out[w] = new RingSender(toPeer);
    this.inb[w] = new RingReader(fromPeer);
    for (const b of unread) this.out[w].send(b);
    if (unread.length) this.table.nudge(w);
    const gone = new Set(dead);
    for (const s of this.services.values()) s.peersDied(gone, (a) => deadText(a, reason));
    this.wake();
  }

  // ------------------------------------------------------------- the loop

  /** Makes sure a pump runs soon. Cheap to call often. */
  wake(): void {
    if (this.pumping || this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(this.pump);
  }

  private pollRings(): void {
    for (let i = 0; i < this.inb.length; i++) {
      const r = this.inb[i];
      if (!r) continue;
      for (let b = r.read(); b; b = r.read()) this.deliverFrom(unframe(b));
    }
  }

  private deliverFrom(m: Msg): void {
    if (m.type === MessageType.SPAWN && !this.services.has(m.dest)) return this.spawn(m, this);
    this.deliver(m);
  }

  /** Messages the host posted. */
  fromHost(batch: Uint8Array[]): void {
    for (const b of batch) this.deliverFrom(unframe(b));
  }

  private readonly pump = (): void => {
    this.pumpQueued = false;
    if (this.pumping) return;
    this.pumping = true;
    this.idle.woke();
    this.table.pong(this.id);
    // Written only when set: senders read this word on every message, and a
    // store would take its cache line away from them on every pump.
    const flag = this.table.sleeping(this.id);
    if (Atomics.load(this.table.i32, flag) !== 0) Atomics.store(this.table.i32, flag, 0);
    const deadline = now() + SLICE_MS;
    let yielded = false;
    try {
      this.world?.beginTurn();
      this.world?.poll(this.queueTick);
      for (;;) {
        this.pollRings();
        this.native.poll();
        const s = this.readyList.shift();
        if (!s) break;
        this.runOne(s);
        if (now() > deadline) {
          yielded = true;
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
    this.world?.endTurn();
    this.flush();
    this.pumpQueued = true;
    // Leave the rest of the turn to promise continuations (TypeScript services
    // resuming after an await) before polling or sleeping.
    defer(yielded ? this.pump : this.afterPump);
  };

  private readonly afterPump = (): void => {
    this.pumpQueued = false;
    if (this.readyList.length > 0 || this.toHost.length > 0 || this.backlog || this.ringsPending() || this.native.pending() || this.world?.pending) return this.wake();
    // World records waiting for room in the ring: the App drains it every frame.
    if (this.world?.waiting) setTimeout(() => this.wake(), 4);
    this.idle.wait();
  };

  /** A tick for a service that runs on the App's clock (coalesced: one waits at most). */
  private readonly queueTick = (w: ServiceWorld): void => {
    this.deliver({ type: MessageType.TICK, source: w.address, dest: w.address, session: 0, payload: null });
  };

  private runOne(s: HostedService): void {
    s.scheduled = false;
    if (s.closed) return;
    const m = s.queue.shift();
    if (!m) return;
    if (m.type === MessageType.REQUEST) this.table.dequeue(s.address);
    this.table.setState(s.address, ServiceState.RUNNING);
    const t0 = now();
    let ended: boolean;
    let failure: string | undefined;
    try {
      ended = s.handle(m);
    } catch (e) {
      failure = `{service:${s.address}} failed: ${e instanceof Error ? e.message : String(e)}`;
      this.log('error', s.address, s.label, `[ltask] service ${s.address} (${s.label}) failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      ended = true;
    }
    if (s.world) this.world!.endStep(s.world, failure === undefined);
    this.table.countHandled(s.address, now() - t0);
    if (ended) {
      this.close(s, failure);
      return;
    }
    this.table.setState(s.address, this.native.active(s.address) > 0 ? ServiceState.SUSPENDED : s.scheduled || s.queue.length ? ServiceState.READY : ServiceState.IDLE);
    this.makeReady(s);
  }

  private flushHost(): void {
    if (this.toHost.length === 0) return;
    const batch = this.toHost;
    this.toHost = [];
    this.host.postMessage({ type: 'msgs', batch }, batch.map((b) => b.buffer as ArrayBuffer));
  }

  private flush(): void {
    this.flushHost();
    if (this.backlog) {
      this.backlog = false;
      for (let w = 0; w < this.out.length; w++) {
        const r = this.out[w];
        if (r && r.backlog) {
          r.flush();
          this.table.ring(w);
          if (r.backlog) this.backlog = true;
        }
      }
      if (this.backlog) setTimeout(() => this.wake(), 1);
    }
  }

  private ringsPending(): boolean {
    for (const r of this.inb) if (r && r.pending()) return true;
    return false;
  }

  // ------------------------------------------------------------- host

  /** Posts to the host, after the messages already batched for it (so a log line never arrives after 'exit'). */
  post(m: WorkerToHost): void {
    this.flushHost();
    this.host.postMessage(m);
  }

  /** A log line, as a LOG message to the host (in order with the other messages to it). */
  log(level: 'info' | 'error', source: number, label: string, text: string): void {
    this.send({ type: MessageType.LOG, source, dest: Address.HOST, session: 0, payload: encode([level, label, text, Date.now()]) });
  }

  /** What suspended services wait on, for `runtime.inspect()`. */
  details(): Record<number, string> {
    return this.native.details((addr, callId) => this.services.get(addr)?.notes.get(callId));
  }

}

