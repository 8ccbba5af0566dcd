/**
 * The shared service table: one SharedArrayBuffer every thread maps.
 *
 * It holds what must be true everywhere at once: the next free address, which
 * worker hosts each service, its state, its queue length (for ltask's "busy"
 * check at the sender), counters for introspection, and each worker's doorbell.
 */
import { Address, ServiceState } from './protocol.ts';

const HEADER = 1024; // Int32 slots before the service rows
const NEXT_ADDRESS = 0;
const LIVE = 1; // services not dead
const VIOLATIONS = 2; // serial-execution violations seen
const SPINNERS = 32; // workers polling right now (a cache line of its own)
const BELLS = 64; // per worker: [ring counter, sleeping flag, load, ping, pong], one cache line each
const BELL_STRIDE = 16;
export const MAX_WORKERS = Math.floor((HEADER - BELLS) / BELL_STRIDE);

const STRIDE = 8; // Int32 slots per service row
const F_STATE = 0;
const F_WORKER = 1;
const F_QUEUE = 2;
const F_HANDLED = 3;
const F_WEIGHT = 4;
const F_OWNER = 5; // 1 + the worker running the service's VM right now, or 0
const F_GEN = 6; // the generation of the service in the row: the top bits of its address

/**
 * An address is a row index (low 16 bits) and the row's generation (the bits
 * above): a row is reused only once every fresh row is taken, with the next
 * generation, so an old address (a stale handle kept by a script, a message in
 * flight) reads as dead instead of reaching the row's new service.
 */
const INDEX_BITS = 16;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const MAX_GEN = 0x7fff; // addresses stay positive 32-bit integers (Lua's integers here)
/** The most services alive at once (the row index is 16 bits). */
export const MAX_SERVICES = 1 << INDEX_BITS;

/** A typed view over the shared service table. */
export class ServiceTable {
  readonly i32: Int32Array;
  readonly cpu: Float64Array;
  readonly capacity: number;

  constructor(readonly sab: SharedArrayBuffer) {
    this.capacity = ServiceTable.capacityOf(sab.byteLength);
    this.i32 = new Int32Array(sab, 0, HEADER + this.capacity * STRIDE);
    this.cpu = new Float64Array(sab, (HEADER + this.capacity * STRIDE) * 4, this.capacity);
  }

  static bytesFor(capacity: number): number {
    return (HEADER + capacity * STRIDE) * 4 + capacity * 8;
  }

  static capacityOf(bytes: number): number {
    return Math.floor((bytes - HEADER * 4) / (STRIDE * 4 + 8));
  }

  static create(capacity: number): ServiceTable {
    const t = new ServiceTable(new SharedArrayBuffer(ServiceTable.bytesFor(capacity)));
    Atomics.store(t.i32, NEXT_ADDRESS, Address.FIRST_FREE); // below: the host and the system services
    return t;
  }

  /**
   * Takes an address: a fresh row while there are any, then the row of a
   * dead service that `reuse` offers (the one dead longest: root keeps them in
   * order), at its next generation.
   */
  allocate(reuse?: () => number | undefined): number {
    const a = Atomics.add(this.i32, NEXT_ADDRESS, 1);
    if (a < this.capacity) return a;
    Atomics.sub(this.i32, NEXT_ADDRESS, 1);
    for (let i = reuse?.(); i !== undefined; i = reuse?.()) {
      const r = this.row(i);
      if (Atomics.load(this.i32, r + F_STATE) !== ServiceState.DEAD) continue;
      const gen = (Atomics.load(this.i32, r + F_GEN) % MAX_GEN) + 1;
      return i | (gen << INDEX_BITS);
    }
    throw new Error(`[ltask] service table full: ${this.capacity} services alive at once (raise maxServices, at most ${MAX_SERVICES})`);
  }

  /** Highest row handed out so far, plus one. */
  get end(): number {
    return Math.min(Atomics.load(this.i32, NEXT_ADDRESS), this.capacity);
  }

  /** The addresses of every row used so far (the current generation of each). */
  *addresses(): Generator<number> {
    for (let i = 1; i < this.end; i++) yield i | (Atomics.load(this.i32, this.row(i) + F_GEN) << INDEX_BITS);
  }

  /** The row index of an address (what survives the service: root reuses it). */
  static index(addr: number): number {
    return addr & INDEX_MASK;
  }

  private row(addr: number): number {
    return HEADER + (addr & INDEX_MASK) * STRIDE;
  }

  /** An address of a row in use, of the generation living there now (an older one is a dead service). */
  valid(addr: number): boolean {
    if (!Number.isInteger(addr) || addr <= 0 || (addr & INDEX_MASK) >= this.capacity || addr > 0x7fffffff) return false;
    return Atomics.load(this.i32, this.row(addr) + F_GEN) === addr >>> INDEX_BITS;
  }

  /**
   * Claims a row for a new service on `worker`. `weight` is what it adds to the
   * worker's placement load (system services add 0).
   */
  open(addr: number, worker: number, weight = 1): void {
    const r = this.row(addr);
    Atomics.store(this.i32, r + F_WORKER, worker);
    Atomics.store(this.i32, r + F_WEIGHT, weight);
    Atomics.store(this.i32, r + F_QUEUE, 0);
    Atomics.store(this.i32, r + F_HANDLED, 0);
    Atomics.store(this.i32, r + F_OWNER, 0);
    this.cpu[addr & INDEX_MASK] = 0;
    Atomics.store(this.i32, r + F_GEN, addr >>> INDEX_BITS);
    Atomics.store(this.i32, r + F_STATE, ServiceState.INIT);
    Atomics.add(this.i32, LIVE, 1);
    Atomics.add(this.i32, BELLS + worker * BELL_STRIDE + 2, weight);
  }

  /** Marks a service dead (once). */
  close(addr: number): void {
    if (!this.valid(addr)) return; // an older generation: already dead
    const r = this.row(addr);
    const prev = Atomics.exchange(this.i32, r + F_STATE, ServiceState.DEAD);
    if (prev !== ServiceState.DEAD && prev !== ServiceState.UNUSED) {
      Atomics.sub(this.i32, LIVE, 1);
      Atomics.sub(this.i32, BELLS + this.worker(addr) * BELL_STRIDE + 2, Atomics.load(this.i32, r + F_WEIGHT));
    }
  }

  state(addr: number): number {
    if (this.valid(addr)) return Atomics.load(this.i32, this.row(addr) + F_STATE);
    // Another generation of a row in use: that service is dead.
    return Number.isInteger(addr) && addr > 0 && addr <= 0x7fffffff && (addr & INDEX_MASK) < this.end ? ServiceState.DEAD : ServiceState.UNUSED;
  }

  /** CPU milliseconds of a service. */
  cpuMs(addr: number): number {
    return this.cpu[addr & INDEX_MASK]!;
  }

  setState(addr: number, s: number): void {
    Atomics.store(this.i32, this.row(addr) + F_STATE, s);
  }

  worker(addr: number): number {
    return Atomics.load(this.i32, this.row(addr) + F_WORKER);
  }

  /** Reserves a queue place; false when the queue already holds `limit` requests. */
  enqueue(addr: number, limit: number): boolean {
    const i = this.row(addr) + F_QUEUE;
    if (Atomics.add(this.i32, i, 1) >= limit) {
      Atomics.sub(this.i32, i, 1);
      return false;
    }
    return true;
  }

  dequeue(addr: number): void {
    Atomics.sub(this.i32, this.row(addr) + F_QUEUE, 1);
  }

  queue(addr: number): number {
    return Atomics.load(this.i32, this.row(addr) + F_QUEUE);
  }

  handled(addr: number): number {
    return Atomics.load(this.i32, this.row(addr) + F_HANDLED);
  }

  countHandled(addr: number, ms: number): void {
    Atomics.add(this.i32, this.row(addr) + F_HANDLED, 1);
    const i = addr & INDEX_MASK;
    this.cpu[i] = this.cpu[i]! + ms;
  }

  /**
   * Marks a service's VM as entered by `worker`. Returns false (and counts a
   * violation) when it is already running, here or on another thread.
   */
  enter(addr: number, worker: number): boolean {
    if (Atomics.compareExchange(this.i32, this.row(addr) + F_OWNER, 0, worker + 1) === 0) return true;
    Atomics.add(this.i32, VIOLATIONS, 1);
    return false;
  }

  /** Counts a serial-execution violation seen elsewhere (two coroutines at once). */
  violation(): void {
    Atomics.add(this.i32, VIOLATIONS, 1);
  }

  leave(addr: number): void {
    Atomics.store(this.i32, this.row(addr) + F_OWNER, 0);
  }

  /** Serial-execution violations seen so far (must stay 0). */
  get violations(): number {
    return Atomics.load(this.i32, VIOLATIONS);
  }

  /** Takes a polling place if fewer than `max` workers poll now. */
  startSpin(max: number): boolean {
    if (Atomics.add(this.i32, SPINNERS, 1) < max) return true;
    Atomics.sub(this.i32, SPINNERS, 1);
    return false;
  }

  endSpin(): void {
    Atomics.sub(this.i32, SPINNERS, 1);
  }

  /** Services not yet dead. */
  get live(): number {
    return Atomics.load(this.i32, LIVE);
  }

  /** Live services on a worker: the placement load. */
  load(worker: number): number {
    return Atomics.load(this.i32, BELLS + worker * BELL_STRIDE + 2);
  }

  /** The doorbell word index of a worker (other workers add to it, then notify if it sleeps). */
  bell(worker: number): number {
    return BELLS + worker * BELL_STRIDE;
  }

  /**
   * The watchdog's heartbeat: the host bumps a worker's ping and rings it; the
   * worker copies ping to pong at the start of every pump. A ping left
   * unanswered means the worker's thread has not come back to its loop.
   */
  ping(worker: number): void {
    Atomics.add(this.i32, BELLS + worker * BELL_STRIDE + 3, 1);
    this.ring(worker);
  }

  /** True when the worker answered the last ping. */
  answered(worker: number): boolean {
    const b = BELLS + worker * BELL_STRIDE;
    return Atomics.load(this.i32, b + 3) === Atomics.load(this.i32, b + 4);
  }

  /** The worker side of {@link ping}: two loads of a line the pump reads anyway. */
  pong(worker: number): void {
    const b = BELLS + worker * BELL_STRIDE;
    const ping = Atomics.load(this.i32, b + 3);
    if (Atomics.load(this.i32, b + 4) !== ping) Atomics.store(this.i32, b + 4, ping);
  }

  /** Forgets an unanswered ping (a replaced worker starts answered). */
  resetPing(worker: number): void {
    const b = BELLS + worker * BELL_STRIDE;
    Atomics.store(this.i32, b + 4, Atomics.load(this.i32, b + 3));
  }

  /** The sleeping-flag word index of a worker. */
  sleeping(worker: number): number {
    return BELLS + worker * BELL_STRIDE + 1;
  }

  /**
   * Rings a worker's doorbell, waking it only if it sleeps. The first ringer
   * clears the sleeping flag, so a burst of messages to a sleeping worker
   * costs one notify (a notify costs the ringer a couple of microseconds).
   */
  ring(worker: number): void {
    const bell = this.bell(worker);
    Atomics.add(this.i32, bell, 1);
    if (Atomics.load(this.i32, bell + 1) !== 0 && Atomics.compareExchange(this.i32, bell + 1, 1, 0) === 1) Atomics.notify(this.i32, bell);
  }

  /**
   * Rings only if the worker sleeps: one that is awake (running or polling)
   * reads its rings by itself. Call after publishing to its ring: the worker
   * sets its flag before it looks at its rings a last time (both sides use
   * sequentially consistent atomics, so one of them sees the other).
   */
  nudge(worker: number): void {
    const bell = this.bell(worker);
    if (Atomics.load(this.i32, bell + 1) === 0 || Atomics.compareExchange(this.i32, bell + 1, 1, 0) !== 1) return;
    Atomics.add(this.i32, bell, 1);
    Atomics.notify(this.i32, bell);
  }
}
