/**
 * The world on a scheduler worker: reads from the snapshot the App published
 * (pinned for one turn of the worker's loop, so a step sees one frame), writes into
 * each service's own command buffer (committed to the worker's command ring
 * when the step ends, dropped when it fails), entity ids taken from the App's
 * reserve, and the App's clock turned into ticks.
 */
import type { WorldTime } from '../api/world.ts';
import { CommandBuffer, commitTo } from '../wire/world/commands.ts';
import { C, H, Op, S, WorldMemory, splitId, type Snapshot, type WorldShare } from '../wire/world/layout.ts';

/** One service's side of the world: its command buffer and its tick. */
export class ServiceWorld {
  readonly buffer: CommandBuffer;
  /** `world.on_tick` / `onTick` was called: the service gets ticks. */
  ticking = false;
  /** A tick message is in its queue and not yet run. */
  tickQueued = false;
  /** Game time of its last tick (its next tick's delta starts here). */
  lastElapsed = -1;

  constructor(
    readonly home: WorkerWorld,
    readonly address: number,
  ) {
    // A record is the step's words and two more; it must fit half the ring.
    this.buffer = new CommandBuffer(Math.floor(home.mem.schema.ringWords / 2) - 2);
  }
}

/** `s`'s side of the world (made on its first world call); throws when the runtime shares no world. */
export function worldOf(home: WorkerWorld | null, s: { world: ServiceWorld | null; readonly address: number }): ServiceWorld {
  if (s.world) return s.world;
  if (!home) throw new Error('[world] this runtime shares no world: give LtaskPlugin a `world` option (the components services may see)');
  return (s.world = new ServiceWorld(home, s.address));
}

/** Names to indices, once per schema. */
interface Names {
  readonly components: Map<string, { index: number; fields: Map<string, number> }>;
  readonly prefabs: Map<string, number>;
  readonly eventsIn: Map<string, number>;
  readonly eventsOut: Map<string, number>;
}

const indexOf = (names: readonly string[]): Map<string, number> => new Map(names.map((n, i) => [n, i]));

/** The world as one worker sees it (one per scheduler worker). */
export class WorkerWorld {
  readonly mem: WorldMemory;
  readonly names: Names;
  /** Services of this worker that tick. */
  readonly tickers = new Set<ServiceWorld>();
  /** Buffers written since they were last committed. */
  private readonly dirty = new Set<ServiceWorld>();
  /** Records that found the ring full, in order; they go before anything newer. */
  private readonly overflow: { source: number; words: Float64Array }[] = [];
  private lastFrame = -1;
  /** The snapshot this worker holds (-1: none). */
  private pinned = -1;
  /** Inside a turn of the worker's loop (it ends every step and releases the snapshot at its end). */
  private inTurn = false;

  /**
   * @param port `outside` asks for a turn of this worker's loop (a service read
   *   or wrote outside one, after an await); `nudge` wakes another worker if it sleeps
   */
  constructor(
    share: WorldShare,
    private readonly worker: number,
    private readonly port: { outside(): void; nudge(worker: number): void },
  ) {
    this.mem = new WorldMemory(share);
    // A replaced worker's pin and tickers go with it.
    Atomics.store(this.mem.header, H.PINS + worker, -1);
    Atomics.store(this.mem.header, H.PINS + share.schema.workers + worker, 0);
    const s = share.schema;
    this.names = {
      components: new Map(s.components.map((c, i) => [c.name, { index: i, fields: indexOf(c.fields.map((f) => f.name)) }])),
      prefabs: indexOf(s.prefabs),
      eventsIn: indexOf(s.eventsIn),
      eventsOut: indexOf(s.eventsOut),
    };
  }

  get capacity(): number {
    return this.mem.schema.capacity;
  }

  // ------------------------------------------------------------- reading

  /** The snapshot this worker reads this turn: the published one, pinned on first use (null: none yet). */
  snapshot(): Snapshot | null {
    if (this.pinned >= 0) return this.mem.snapshots[this.pinned]!;
    const h = this.mem.header;
    if (!this.inTurn) this.port.outside();
    for (let tries = 0; tries < 64; tries++) {
      const p = Atomics.load(h, H.PUBLISHED);
      if (p < 0) return null;
      const snap = this.mem.snapshots[p]!;
      Atomics.store(h, H.PINS + this.worker, p);
      // The App marks a snapshot it rewrites (-1) before it reads the pins:
      // either it sees this pin and leaves the snapshot alone, or this sees its mark.
      if (Atomics.load(snap.meta, S.STAMP) >= 0) {
        this.pinned = p;
        return snap;
      }
      Atomics.store(h, H.PINS + this.worker, -1);
    }
    return null;
  }

  /** The App's clock as of the snapshot this worker reads. */
  clock(): WorldTime | null {
    const s = this.snapshot();
    if (!s) return null;
    return {
      frame: s.meta[S.FRAME]!,
      elapsed: s.clock[C.ELAPSED]!,
      delta: s.clock[C.DELTA]!,
      paused: s.meta[S.PAUSED] !== 0,
      scale: s.clock[C.SCALE]!,
      fixedStep: s.clock[C.FIXED_STEP]!,
    };
  }

  /** The entity index of `id` when it is alive in `snap` (-1 otherwise). */
  indexIn(snap: Snapshot, id: number): number {
    if (!Number.isInteger(id) || id < 0) return -1;
    const [index, gen] = splitId(id, this.capacity);
    return gen !== 0 && snap.gen[index] === gen && snap.mask[index] !== 0 ? index : -1;
  }

  /** The id of entity index `index` in `snap`. */
  idIn(snap: Snapshot, index: number): number {
    return snap.gen[index]! * this.capacity + index;
  }

  // ------------------------------------------------------------- writing

  /** Throws unless `id` names an entity alive now (or reserved by a spawn). */
  check(id: number): number {
    if (!Number.isInteger(id) || id < 0) throw new Error(`[world] not an entity id: ${String(id)}`);
    const [index, gen] = splitId(id, this.capacity);
    const live = this.mem.liveGen[index];
    if (gen === 0 || live !== gen) throw new Error(`[world] entity ${id} is gone (stale id: index ${index} is at generation ${live ?? '?'}, the id has ${gen})`);
    return index;
  }

  /** Marks `w` as written: its buffer commits when its step ends. */
  touch(w: ServiceWorld): CommandBuffer {
    if (!this.inTurn) this.port.outside();
    this.dirty.add(w);
    return w.buffer;
  }

  /** A turn of the worker's loop begins (steps may read and write). */
  beginTurn(): void {
    this.inTurn = true;
  }

  /** An id for a new entity, from the App's reserve (usable at once: the spawn applies next frame). */
  reserve(w: ServiceWorld, prefab: number): number {
    const h = this.mem.header;
    const pool = this.mem.pool;
    for (;;) {
      const head = Atomics.load(h, H.POOL_HEAD);
      if (head === Atomics.load(h, H.POOL_TAIL)) {
        throw new Error(`[world] no entity ids left this frame (${pool.length} are reserved per frame): spawn fewer per frame, or raise the plugin's world.reserve`);
      }
      const index = Atomics.load(pool, head % pool.length);
      if (Atomics.compareExchange(h, H.POOL_HEAD, head, head + 1) !== head) continue;
      const gen = this.mem.liveGen[index]!;
      const id = gen * this.capacity + index;
      this.touch(w).pair(Op.SPAWN, prefab + 1, id);
      return id;
    }
  }

  /**
   * The end of `w`'s step: its writes go to the ring as one record (`ok`), or
   * are dropped whole (the step failed).
   */
  endStep(w: ServiceWorld, ok: boolean): void {
    if (!this.dirty.delete(w)) return;
    if (ok && !w.buffer.overflowed && w.buffer.length > 0) this.commit(w.address, w.buffer.words, w.buffer.length);
    w.buffer.clear();
  }

  /**
   * The end of the worker's turn: every open step ends (writes made after an
   * await, outside a message's run), records waiting for room go in, and the
   * snapshot is released.
   */
  endTurn(): void {
    for (const w of this.dirty) this.endStep(w, true);
    this.retry();
    this.inTurn = false;
    if (this.pinned < 0) return;
    Atomics.store(this.mem.header, H.PINS + this.worker, -1);
    this.pinned = -1;
  }

  private commit(source: number, words: Float64Array, length: number): void {
    const ring = this.mem.rings[this.worker]!;
    if (this.overflow.length === 0 && commitTo(ring, source, words, length)) return;
    Atomics.add(this.mem.header, H.RING_FULL, 1);
    this.overflow.push({ source, words: words.slice(0, length) });
  }

  private retry(): void {
    const ring = this.mem.rings[this.worker]!;
    while (this.overflow.length > 0) {
      const r = this.overflow[0]!;
      if (!commitTo(ring, r.source, r.words, r.words.length)) return;
      this.overflow.shift();
    }
  }

  /** A record of its own, committed now, whatever becomes of the step (an event listener: it is kept locally at once too). */
  control(w: ServiceWorld, op: number, a: number, b: number): void {
    const words = new Float64Array([op + a * 256, b]);
    this.commit(w.address, words, 2);
  }

  /** Whether a turn must come soon: open steps, a held snapshot. */
  get pending(): boolean {
    return this.dirty.size > 0 || this.pinned >= 0;
  }

  /** Records waiting for room in the ring (the App drains it each frame). */
  get waiting(): boolean {
    return this.overflow.length > 0;
  }

  /** A service ended: what it wrote in its unfinished step is dropped whole. */
  closed(w: ServiceWorld): void {
    this.endStep(w, false);
    if (this.tickers.delete(w)) Atomics.store(this.mem.header, H.PINS + this.mem.schema.workers + this.worker, this.tickers.size);
  }

  // ------------------------------------------------------------- ticks

  /**
   * A frame was published since the last look: every ticking service whose
   * game time moved on gets one tick (`queue`), unless one waits already.
   * Ticks coalesce: a slow service gets the latest time, never a backlog.
   */
  poll(queue: (w: ServiceWorld) => void): void {
    if (this.tickers.size === 0) return;
    const frame = Atomics.load(this.mem.header, H.FRAME);
    if (frame === this.lastFrame) return;
    this.lastFrame = frame;
    this.wakePeers();
    for (const w of this.tickers) {
      if (w.tickQueued) continue;
      w.tickQueued = true;
      queue(w);
    }
  }

  /**
   * The tick `w` runs now: the game time since its last tick, or null when
   * none passed (paused). Its reads are of the snapshot it pinned here.
   */
  beginTick(w: ServiceWorld): { dt: number; clock: WorldTime } | null {
    w.tickQueued = false;
    const clock = this.clock();
    if (!clock) return null;
    if (w.lastElapsed < 0) w.lastElapsed = clock.elapsed - clock.delta;
    const dt = clock.elapsed - w.lastElapsed;
    if (!(dt > 0)) return null;
    w.lastElapsed = clock.elapsed;
    return { dt, clock };
  }

  /**
   * The App wakes one worker per frame (a notify costs the main thread); the
   * first to see the frame wakes the other workers whose services tick.
   */
  private wakePeers(): void {
    const { header, schema } = this.mem;
    const counts = H.PINS + schema.workers;
    for (let w = 0; w < schema.workers; w++) if (w !== this.worker && Atomics.load(header, counts + w) > 0) this.port.nudge(w);
  }

  /** Starts ticks for `w`: its first tick's delta counts from the frame it asked in. */
  startTicks(w: ServiceWorld): void {
    if (w.ticking) return;
    w.ticking = true;
    const clock = this.clock();
    w.lastElapsed = clock ? clock.elapsed : -1;
    this.tickers.add(w);
    Atomics.store(this.mem.header, H.PINS + this.mem.schema.workers + this.worker, this.tickers.size);
  }
}
