/**
 * The scheduler workers as the host holds them: starting one (its `init`:
 * the configuration and the shared memory), and the outbox. Messages the host
 * routes to a worker wait in the outbox until the current task ends, so that
 * each worker gets one postMessage per turn, not one per message. Supervision
 * puts a replacement in a dead worker's place here; the outbox stays, so what
 * was routed to the old worker goes to the new one.
 */
import { startWorker } from '#spawn';
import type { WorkerHandle } from '../platform/types.ts';
import type { HostToWorker, WorkerConfig, WorkerToHost } from '../wire/protocol.ts';
import type { ServiceTable } from '../wire/table.ts';
import type { CarrierSlots } from '../wire/slots.ts';

/** What every scheduler worker's `init` carries besides its id. */
export interface WorkerInit {
  readonly config: WorkerConfig;
  readonly table: ServiceTable;
  /** Read at each launch: a replacement gets the rings supervision made for it. */
  readonly rings: (SharedArrayBuffer | null)[][];
  readonly slots: CarrierSlots;
}

/** A worker being started: `ready` settles when it has taken its `init`. */
interface Launch {
  readonly handle: WorkerHandle;
  readonly ready: Promise<void>;
}

/**
 * Scheduler workers started ahead of their runtime: their scripts load
 * meanwhile, and `launchWorkers` gives them their `init`. The caller
 * terminates those it never launches.
 */
export function prestartWorkers(count: number): WorkerHandle[] {
  return Array.from({ length: count }, (_, id) => startWorker('scheduler', `ltask-worker-${id}`));
}

/** Starts scheduler worker `id` (or takes `h`, started ahead); `ready` rejects when its thread ends first. */
function launchWorker(id: number, init: WorkerInit, h: WorkerHandle = startWorker('scheduler', `ltask-worker-${id}`)): Launch {
  const ready = new Promise<void>((resolve, reject) => {
    h.onExit((reason) => reject(new Error(`[ltask] ${reason}`)));
    const off = h.listen((d) => {
      if ((d as WorkerToHost).type === 'ready') {
        off();
        resolve();
      }
    });
  });
  h.postMessage({ type: 'init', workerId: id, config: init.config, table: init.table.sab, rings: init.rings, carriers: init.slots.sab } satisfies HostToWorker);
  return { handle: h, ready };
}

/** Every scheduler worker, started at once: their handles now, `ready` once each has taken its `init`. */
export interface Launched {
  readonly handles: WorkerHandle[];
  /** Rejects with the first worker that cannot start (the caller terminates them). */
  readonly ready: Promise<void>;
}

/**
 * Starts every scheduler worker (those of `started` first, started ahead by
 * {@link prestartWorkers}; extra ones are terminated) and returns at once: each has its `init`
 * posted already, so what the host posts next waits in its port and is read
 * as soon as the worker is up, without a turn of the host's thread between.
 */
export function launchWorkers(init: WorkerInit, started: readonly WorkerHandle[] = []): Launched {
  for (const h of started.slice(init.config.workers)) void h.terminate();
  const launches = Array.from({ length: init.config.workers }, (_, id) => launchWorker(id, init, started[id]));
  const ready = Promise.all(launches.map((l) => l.ready)).then(() => {});
  ready.catch(() => {}); // the caller learns of it through `ready`; a start that fails otherwise first never reads it
  return { handles: launches.map((l) => l.handle), ready };
}

/** What the workers tell the runtime that holds them. */
export interface WorkersPort {
  /** A worker posted to the host. */
  arrived(m: WorkerToHost): void;
  /** Worker `id`'s thread ended by itself (a crash), with why. */
  exited(id: number, reason: string): void;
}

/** What {@link SchedulerWorkers} is made of. */
export interface WorkersOptions {
  /** The started workers, by id (ready or still starting). */
  readonly handles: WorkerHandle[];
  readonly init: WorkerInit;
  readonly port: WorkersPort;
}

/** The running scheduler workers and their outbox. */
export class SchedulerWorkers {
  private readonly handles: WorkerHandle[];
  private readonly init: WorkerInit;
  private readonly port: WorkersPort;
  /** Framed messages by worker, waiting for the end of the task. */
  private readonly outbox: Uint8Array[][];
  private flushQueued = false;
  /**
   * While the runtime starts, each message is posted at once: the host's
   * first requests go out in the task that made them, not after it (a page's
   * frame that renders for tens of ms).
   */
  eager = true;

  constructor(o: WorkersOptions) {
    this.handles = o.handles;
    this.init = o.init;
    this.port = o.port;
    this.outbox = o.handles.map(() => []);
    o.handles.forEach((h, id) => this.watch(h, id));
  }

  /** How many workers there are. */
  get count(): number {
    return this.handles.length;
  }

  /** Puts a framed message on its way to worker `w` (posted with the others once the current task ends). */
  queue(w: number, framed: Uint8Array): void {
    if (this.eager) {
      this.handles[w]!.postMessage({ type: 'msgs', batch: [framed] } satisfies HostToWorker, [framed.buffer as ArrayBuffer]);
      return;
    }
    this.outbox[w]!.push(framed);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /** Posts to worker `w` now (nothing when there is no such worker). */
  post(w: number, m: HostToWorker): void {
    this.handles[w]?.postMessage(m);
  }

  /** Posts to every worker now. */
  postAll(m: HostToWorker): void {
    for (const h of this.handles) h.postMessage(m);
  }

  /** Terminates worker `id` (its replacement is started by {@link relaunch}). */
  terminate(id: number): void {
    void this.handles[id]!.terminate();
  }

  /** Starts a new worker `id` in the place of the old one; resolves when it is ready. */
  relaunch(id: number): Promise<void> {
    const { handle, ready } = launchWorker(id, this.init);
    this.handles[id] = handle;
    this.watch(handle, id);
    return ready;
  }

  /** Terminates every worker. */
  terminateAll(): Promise<void>[] {
    return this.handles.map((h) => h.terminate());
  }

  private watch(h: WorkerHandle, id: number): void {
    h.listen((d) => this.port.arrived(d as WorkerToHost));
    h.onExit((reason) => this.port.exited(id, reason));
  }

  private readonly flush = () => {
    this.flushQueued = false;
    this.outbox.forEach((batch, w) => {
      if (batch.length === 0) return;
      this.outbox[w] = [];
      this.handles[w]!.postMessage({ type: 'msgs', batch } satisfies HostToWorker, batch.map((b) => b.buffer as ArrayBuffer));
    });
  };
}
