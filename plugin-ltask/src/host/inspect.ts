/**
 * `inspect()` on the host: root's rows (label, kind, CPU time) and, from
 * every worker, what its suspended services wait on. A worker frozen in a
 * long call answers nothing, and neither does root when it is that worker's:
 * after `waitMs` the rows come from the shared service table instead, with
 * the labels root gave last, so a stuck runtime can still be looked at.
 */
import type { ServiceInfo } from '../wire/protocol.ts';
import { serviceRows, type RowLabel } from '../wire/rows.ts';
import type { ServiceTable } from '../wire/table.ts';
import type { SchedulerWorkers } from './workers.ts';

/** What {@link Inspector} is made of. */
export interface InspectorOptions {
  readonly table: ServiceTable;
  /** Where the details requests go (one to each worker). */
  readonly workers: SchedulerWorkers;
  /** Asks root for its rows (dead services too when `all`). */
  readonly askRoot: (all: boolean) => Promise<ServiceInfo[]>;
}

/** A details request waiting on the workers' answers. */
interface DetailWait {
  left: number;
  out: Record<number, string>;
  done(d: Record<number, string>): void;
}

/** Answers `inspect()`, from root or, when it does not answer, from the table. */
export class Inspector {
  private readonly table: ServiceTable;
  private readonly workers: SchedulerWorkers;
  private readonly askRoot: (all: boolean) => Promise<ServiceInfo[]>;
  private readonly detailWaits = new Map<number, DetailWait>();
  private nextDetail = 1;
  /** Labels and kinds seen in root's answers, for rows read from the table alone. */
  private readonly labels = new Map<number, RowLabel>();

  constructor(o: InspectorOptions) {
    this.table = o.table;
    this.workers = o.workers;
    this.askRoot = o.askRoot;
  }

  /** Every live service (all, dead included, when `all`); what does not come within `waitMs` is read from the table. */
  async inspect(all: boolean, waitMs: number): Promise<ServiceInfo[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((r) => (timer = setTimeout(r, waitMs, null)));
    const [rows, details] = await Promise.all([Promise.race([this.askRoot(all).catch(() => null), late]), this.details(waitMs)]);
    clearTimeout(timer);
    if (rows) for (const r of rows) this.labels.set(r.address, { label: r.label, kind: r.kind });
    const out = rows ?? this.tableRows(all);
    for (const r of out) {
      const d = details[r.address];
      if (d) r.detail = d;
    }
    return out;
  }

  /** A worker's answer to details request `id`. */
  arrived(id: number, details: Record<number, string>): void {
    const w = this.detailWaits.get(id);
    if (!w) return;
    Object.assign(w.out, details);
    if (--w.left === 0) {
      this.detailWaits.delete(id);
      w.done(w.out);
    }
  }

  /** The runtime stopped: inspections still waiting get what has come. */
  stop(): void {
    for (const w of this.detailWaits.values()) w.done(w.out);
  }

  /** Every service the shared table knows (not dead, unless `all`), without asking root. */
  private tableRows(all: boolean): ServiceInfo[] {
    return serviceRows(this.table, { all, known: (a) => this.labels.get(a), fromTable: true });
  }

  /** What suspended services wait on, asked of every worker; after `waitMs`, what has come. */
  private details(waitMs: number): Promise<Record<number, string>> {
    const id = this.nextDetail++;
    return new Promise((done) => {
      const w: DetailWait = { left: this.workers.count, out: {}, done };
      this.detailWaits.set(id, w);
      this.workers.postAll({ type: 'details', id });
      setTimeout(() => {
        if (this.detailWaits.delete(id)) done(w.out);
      }, waitMs);
    });
  }
}
