/**
 * Supervision: a scheduler worker that crashed, or froze in one piece of
 * synchronous work (a TypeScript handler that loops, a library call that
 * never returns), is terminated and replaced, and the runtime goes on. The
 * watchdog finds the frozen ones: a worker answers pings through the shared
 * table each time its thread comes back to its loop, so one that leaves a
 * ping unanswered for `watchdogMs` is stuck. It pings through shared memory
 * (no message), so an idle runtime costs nothing but the timer.
 */
import { encode } from '../wire/codec/js.ts';
import { Address, MessageType, SYSTEM_SERVICES, ServiceState, deadText } from '../wire/protocol.ts';
import type { ServiceTable } from '../wire/table.ts';
import { createRingBuffer } from '../wire/transport/index.ts';
import type { LogEntry } from '../api/runtime.ts';
import type { NativePools } from './pool.ts';
import type { Router } from './router.ts';
import type { SchedulerWorkers } from './workers.ts';

/** What supervision needs of the runtime besides the parts it works on. */
export interface SupervisorPort {
  /** Logs a line of the host's own. */
  log(e: LogEntry): void;
  /** Starts a system service at its fixed address (root with the registry it journaled). */
  startSystem(name: string, address: number): Promise<unknown>;
  /** Supervision cannot go on: the runtime ends with code 1 and this error. */
  fail(error: string): void;
}

/** What {@link Supervisor} is made of. */
export interface SupervisorOptions {
  readonly table: ServiceTable;
  readonly workers: SchedulerWorkers;
  /** The rings of every worker (supervision replaces a dead worker's in place). */
  readonly rings: (SharedArrayBuffer | null)[][];
  readonly ringBytes: number;
  readonly router: Router;
  readonly natives: NativePools;
  /** 0: no watchdog (crashed workers are still replaced). */
  readonly watchdogMs: number;
  readonly port: SupervisorPort;
}

/** Replaces failed workers; runs the watchdog. */
export class Supervisor {
  private readonly table: ServiceTable;
  private readonly workers: SchedulerWorkers;
  private readonly rings: (SharedArrayBuffer | null)[][];
  private readonly ringBytes: number;
  private readonly router: Router;
  private readonly natives: NativePools;
  private readonly port: SupervisorPort;
  /** Replacement workers not ready yet (the watchdog waits for them). */
  private readonly starting = new Set<number>();
  /** When each worker's unanswered ping was sent. */
  private readonly pingedAt: number[];
  private readonly watchdog: ReturnType<typeof setInterval> | undefined;
  private replaced = 0;
  private stopped = false;

  constructor(o: SupervisorOptions) {
    this.table = o.table;
    this.workers = o.workers;
    this.rings = o.rings;
    this.ringBytes = o.ringBytes;
    this.router = o.router;
    this.natives = o.natives;
    this.port = o.port;
    this.pingedAt = Array.from({ length: o.workers.count }, () => performance.now());
    this.watchdog = o.watchdogMs > 0 ? this.startWatchdog(o.watchdogMs) : undefined;
  }

  /** Times a worker was replaced. */
  get replacedWorkers(): number {
    return this.replaced;
  }

  /** The runtime stopped: no more pings, no more replacements. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
  }

  /**
   * Worker `id` crashed or froze. It is terminated; its services are marked
   * dead; every call waiting on a service it hosted (from the host or any
   * service) fails with `{service:N} is dead: worker id <why>`; root hears of
   * each service that ended now (its restart policies apply); a fresh worker
   * takes its place with fresh rings. Worker 0 holds the system services:
   * they start again on its replacement, root with the registry it had
   * journaled on the host.
   */
  replace(id: number, why: string): void {
    if (this.stopped) return;
    if (this.starting.has(id)) {
      // A replacement that dies before it is up would be replaced forever.
      this.fail(`[ltask] the replacement of worker ${id} could not start: ${why}`);
      return;
    }
    this.workers.terminate(id);
    const { dead, hosted } = this.closeServices(id);
    const reason = `worker ${id} ${why}`;
    this.port.log({ level: 'error', source: Address.HOST, label: 'ltask', text: `[ltask] ${reason}; its services ended: ${dead.join(', ') || 'none'}`, time: Date.now() });
    this.router.sessions.failTo(new Set(hosted), (a) => deadText(a, reason));
    this.natives.abortWorker(id);
    try {
      this.freshRings(id);
    } catch (e) {
      this.fail(`[ltask] ${reason}, and no replacement can start: ${(e as Error).message}`);
      return;
    }
    this.relaunch(id);
    for (let w = 0; w < this.workers.count; w++) {
      if (w !== id) this.workers.post(w, { type: 'peer', worker: id, toPeer: this.rings[w]![id]!, fromPeer: this.rings[id]![w]!, dead: hosted, reason });
    }
    if (id === 0) this.restartSystem(reason);
    for (const a of dead) {
      if (a < Address.FIRST_FREE) continue;
      this.router.route({ type: MessageType.SIGNAL, source: a, dest: Address.ROOT, session: 0, payload: encode([deadText(a, reason)]) });
    }
  }

  /**
   * Every quarter of `ms` (at most 1 s) each worker that answered its last
   * ping gets a new one (a ring: a sleeping worker wakes, copies it and
   * sleeps again); a worker that leaves one unanswered for `ms` is replaced.
   */
  private startWatchdog(ms: number): ReturnType<typeof setInterval> {
    const t = this.table;
    const every = Math.min(1000, Math.max(10, ms / 4));
    let last = performance.now();
    const watchdog = setInterval(() => {
      const now = performance.now();
      // Time this thread was not scheduled (a busy machine) is not held against the
      // workers: they may not have been scheduled either. Their deadlines move by it.
      const late = now - last - every;
      last = now;
      if (late > every) for (let w = 0; w < this.workers.count; w++) this.pingedAt[w]! += late;
      for (let w = 0; w < this.workers.count; w++) {
        if (this.starting.has(w)) continue;
        if (t.answered(w)) {
          t.ping(w);
          this.pingedAt[w] = now;
        } else if (now - this.pingedAt[w]! > ms) {
          this.replace(w, `stopped answering: its thread has not come back to its loop for ${Math.round(now - this.pingedAt[w]!)} ms (watchdogMs ${ms}): a handler or library call that never yields`);
        }
      }
    }, every);
    (watchdog as { unref?: () => void }).unref?.();
    return watchdog;
  }

  /**
   * Marks worker `id`'s services dead in the table. `dead`: those that were
   * alive (root hears of them). `hosted`: those and the ones that had ended
   * there before, whose callers may wait still: a service ended (killed,
   * quit) just before its worker died leaves requests the worker never read
   * (the host's last batch) and `has quit` answers it never sent (its batch
   * to the host, a full ring's backlog). An answer that did get out comes
   * first: the host takes a crashed worker's last messages before its exit,
   * and a peer reads the old ring before it fails what waits.
   */
  private closeServices(id: number): { dead: number[]; hosted: number[] } {
    const t = this.table;
    const dead: number[] = [];
    const hosted: number[] = [];
    for (const a of t.addresses()) {
      const st = t.state(a);
      if (t.worker(a) !== id || st === ServiceState.UNUSED) continue;
      hosted.push(a);
      if (st === ServiceState.DEAD) continue;
      t.close(a);
      dead.push(a);
    }
    return { dead, hosted };
  }

  /** New rings to and from worker `id`; its peers get theirs with the `peer` message. */
  private freshRings(id: number): void {
    for (let w = 0; w < this.workers.count; w++) {
      if (w === id) continue;
      this.rings[w]![id] = createRingBuffer(this.ringBytes);
      this.rings[id]![w] = createRingBuffer(this.ringBytes);
    }
  }

  /** Starts worker `id` again; the watchdog leaves it alone until it is ready. */
  private relaunch(id: number): void {
    const t = this.table;
    t.resetPing(id);
    this.pingedAt[id] = performance.now();
    const ready = this.workers.relaunch(id);
    this.replaced++;
    this.starting.add(id);
    ready.then(
      () => {
        this.starting.delete(id);
        t.resetPing(id);
      },
      () => {},
    );
  }

  /**
   * The system services start again at their addresses (messages to them
   * wait on the new worker 0 until they do); root first, then what died.
   */
  private restartSystem(reason: string): void {
    for (const { address } of SYSTEM_SERVICES) this.table.open(address, 0, 0);
    for (const { name, address } of SYSTEM_SERVICES) {
      this.port.startSystem(name, address).catch((e: Error) => this.fail(`[ltask] ${reason}, and ${name} could not start again: ${e.message}`));
    }
  }

  private fail(error: string): void {
    clearInterval(this.watchdog);
    this.port.fail(error);
  }
}
