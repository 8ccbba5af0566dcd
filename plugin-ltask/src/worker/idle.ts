/**
 * What a scheduler worker does when nothing is left to run: poll its doorbell
 * for a short while, then sleep until a producer rings it.
 *
 * Adaptive spin: an idle worker polls for up to `spinMicros` only while
 * recent idle periods were short (work came back soon), because waking a
 * sleeping thread costs 20-100 us here and spinning costs a core. `hit` is a
 * moving average of "the last idle period ended within 8x the spin window";
 * below 1/4 the worker goes straight to sleep. At most `spinners` workers
 * poll at once (the table counts them): a polling worker takes a core that a
 * busy one may need. The sleep is `Atomics.waitAsync` (or its stand-in, see
 * wire/transport/wait.ts), so the worker's event loop keeps turning.
 */
import type { ServiceTable } from '../wire/table.ts';
import { pollFor } from '../wire/transport/spin.ts';
import { sleepOn } from '../wire/transport/wait.ts';

/** What the idle loop needs of its worker. */
export interface IdlePort {
  readonly id: number;
  readonly table: ServiceTable;
  /** How long to poll before sleeping, in microseconds (0: never poll). */
  readonly spinMicros: number;
  /** How many workers may poll at once. */
  readonly spinners: number;
  /** A ring from another worker has messages. */
  ringsPending(): boolean;
  /** A native call's mailbox has a packet for this worker. */
  nativePending(): boolean;
  /** Run the loop again. */
  wake(): void;
}

const now = (): number => performance.now();

export class Idle {
  private hit = 1;
  private idleSince = 0;
  private asyncWait = false;

  constructor(private readonly port: IdlePort) {}

  /** The worker has work again: counts whether its idle spell was short. */
  woke(): void {
    if (this.idleSince === 0) return;
    const gap = now() - this.idleSince;
    this.idleSince = 0;
    this.hit = this.hit * 0.875 + (gap * 1000 <= this.port.spinMicros * 8 ? 0.125 : 0);
  }

  /** Polls, then sleeps; calls `wake` when work arrives. */
  wait(): void {
    const p = this.port;
    const t = p.table;
    const bell = t.bell(p.id);
    const seen = Atomics.load(t.i32, bell);
    this.idleSince = now();
    if (p.spinMicros > 0 && this.hit > 0.25 && t.startSpin(p.spinners)) {
      const woke = pollFor(p.spinMicros / 1000, () => Atomics.load(t.i32, bell) !== seen || p.ringsPending());
      t.endSpin();
      if (woke) return p.wake();
    }
    Atomics.store(t.i32, t.sleeping(p.id), 1);
    // A producer that rang before it saw the flag left the bell changed: look again.
    if (Atomics.load(t.i32, bell) !== seen || p.ringsPending() || p.nativePending()) return p.wake();
    if (this.asyncWait) return;
    const r = sleepOn(t.i32, bell, seen);
    if (!r) return p.wake();
    this.asyncWait = true;
    void r.then(() => {
      this.asyncWait = false;
      p.wake();
    });
  }
}
