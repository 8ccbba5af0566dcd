/**
 * `LtaskStats`: the runtime's services as last seen, for overlays and tests.
 *
 * It keeps only what the `Ltask` resource does not know: the rows of the last
 * `inspect()`, recent log lines (a copy: the lines also go to the console or
 * to the plugin's `onLog`) and the runtime's exit. The status, the
 * start-up error and the pending count are read from the `Ltask` it was made
 * for, so there is one place that holds them. A refresh never makes a frame
 * wait: one `inspect()` is in flight at a time and its rows land when it answers.
 * @module
 */
import type { LogEntry, RuntimeExit } from '../../api/runtime.ts';
import type { ServiceInfo } from '../../wire/protocol.ts';
import type { LtaskStatus } from './resource.ts';

/** What the stats read of the `Ltask` resource. */
export interface LtaskState {
  readonly status: LtaskStatus;
  readonly error: Error | null;
  readonly pending: number;
}

/** Options of {@link LtaskStats}. */
export interface LtaskStatsOptions {
  /** Log lines kept in `logs` (default 50). */
  keepLogs?: number;
}

/** The runtime's services as last seen, plus recent log lines. Always present (empty while starting). */
export class LtaskStats {
  /** Rows of `rt.inspect()`: address, label, kind, worker, state, queue, handled, cpuMs, detail. */
  rows: ServiceInfo[] = [];
  /** `performance.now()` of the last refresh (0: never). */
  updatedAt = 0;
  /** How many refreshes completed. */
  refreshes = 0;
  /** How long the last inspect took, in ms. */
  inspectMs = 0;
  /**
   * The last `keepLogs` log lines of the services, oldest first: a copy of what
   * went to the console (or to the `onLog` the plugin was given), for overlays.
   */
  logs: LogEntry[] = [];
  /** Set when the runtime ended (stopped, every service quit, or a worker failed). */
  exit: RuntimeExit | null = null;
  private readonly ltask: LtaskState;
  private readonly keepLogs: number;
  private inFlight = false;

  /**
   * @param ltask the resource whose status, error and pending count these stats show
   * @param options how many log lines to keep
   */
  constructor(ltask: LtaskState, options: LtaskStatsOptions = {}) {
    this.ltask = ltask;
    this.keepLogs = options.keepLogs ?? 50;
  }

  /** The runtime's status: `Ltask.status`. */
  get status(): LtaskStatus {
    return this.ltask.status;
  }

  /** Why the runtime failed to start (then `status` is `unavailable`): `Ltask.error`'s message. */
  get error(): string | null {
    return this.ltask.error?.message ?? null;
  }

  /** Requests sent with `Ltask.request` that have not been answered yet: `Ltask.pending`. */
  get pending(): number {
    return this.ltask.pending;
  }

  /** Rows whose state is `suspended` (a native call waits on a callback). */
  suspended(): ServiceInfo[] {
    return this.rows.filter((r) => r.state === 'suspended');
  }

  /** Keeps a log line (the last `keepLogs` of them). */
  log(entry: LogEntry): void {
    this.logs.push(entry);
    if (this.logs.length > this.keepLogs) this.logs.splice(0, this.logs.length - this.keepLogs);
  }

  /**
   * Starts an `inspect()` when the last refresh is `intervalMs` old and none is
   * in flight (0: never); returns at once, the rows land when it answers.
   */
  refresh(inspect: () => Promise<ServiceInfo[]>, intervalMs: number): void {
    if (this.inFlight || intervalMs <= 0) return;
    const now = performance.now();
    if (now - this.updatedAt < intervalMs) return;
    this.inFlight = true;
    inspect().then(
      (rows) => {
        this.inFlight = false;
        this.rows = rows;
        this.updatedAt = performance.now();
        this.inspectMs = this.updatedAt - now;
        this.refreshes++;
      },
      () => {
        this.inFlight = false;
        this.updatedAt = performance.now(); // stopped or failed: try again later
      },
    );
  }
}
