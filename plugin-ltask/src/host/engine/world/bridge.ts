/**
 * The world bridge on the main thread: in `PreUpdate` it applies what
 * services wrote (every committed step whole, in each service's order) and
 * refills the id reserve; in `Last` it writes the frame's snapshot into a
 * buffer no service holds, publishes it with the App's clock, and forwards
 * App events to the services that listen. The frame never waits: a worker
 * holds one snapshot at most, so one of the `workers + 2` buffers is always
 * free (a snapshot would be skipped, and counted, only if none were).
 */
import { FixedTime, Time, addComponent, addEntity, despawnRecursive, entityExists, removeComponent, removeEntity, type App, type World } from '@ltask-web/engine';
import { decode } from '../../../wire/codec/index.ts';
import { drainRing } from '../../../wire/world/commands.ts';
import { C, H, Op, S, type WorldMemory } from '../../../wire/world/layout.ts';
import { SharedEntities } from './entities.ts';
import type { ResolvedWorld } from './options.ts';

/** What the bridge did, for overlays and benchmarks (`LtaskWorldStats`). */
export class LtaskWorldStats {
  /** Commands applied in the last `PreUpdate`, and the records (service steps) they came in. */
  commands = 0;
  records = 0;
  /** Main-thread milliseconds of the last apply and of the last snapshot. */
  applyMs = 0;
  publishMs = 0;
  /** Commands dropped because their entity was gone (stale id), since the start. */
  stale = 0;
  /** Snapshots skipped because workers held every spare buffer, since the start (never, by design: a check). */
  skipped = 0;
  /** Frames published. */
  published = 0;
  /** Entities services can see. */
  entities = 0;
  /** Steps that found their worker's command ring full and waited there for room (none lost), since the start. */
  ringFull = 0;
  /** Apply times of the last frames (ms), newest last; at most 600. */
  readonly applyHistory: number[] = [];
}

/** What the bridge needs of the runtime once it is up. */
export interface WorldPort {
  readonly memory: WorldMemory;
  /** Wakes worker `w` if it sleeps (a frame was published; it wakes the others that tick). */
  wake(w: number): void;
  /** Sends an App event to a listening service; false when it is gone. */
  send(addr: number, kind: string, value: unknown): boolean;
}

/** Frames after which an index taken from the reserve without a spawn is put back (10 s at 60 Hz). */
const RECLAIM_FRAMES = 600;

export class WorldBridge {
  readonly stats = new LtaskWorldStats();
  readonly entities: SharedEntities;
  private port: WorldPort | null = null;
  /** Indices in the reserve or taken by a spawn not applied yet. */
  private readonly reserved: Uint8Array;
  /** Indices taken from the reserve whose spawn has not come, and the frame they were taken in. */
  private readonly taken = new Map<number, number>();
  /** Indices put back (their spawn never came): they refill the reserve before new entities do. */
  private readonly spare: number[] = [];
  private lastHead = 0;
  private wakeQueued = false;
  private readonly listeners: Set<number>[];

  constructor(
    private readonly app: App,
    private readonly shared: ResolvedWorld,
  ) {
    const cap = shared.schema.capacity;
    this.entities = new SharedEntities(cap);
    this.reserved = new Uint8Array(cap);
    this.listeners = shared.eventsIn.map(() => new Set<number>());
    this.entities.watch(app.world, shared.components.map((c) => c.store));
  }

  /** The runtime is up: from now on the bridge applies, publishes and reserves. */
  connect(port: WorldPort): void {
    this.port = port;
    this.entities.share(port.memory.liveGen);
  }

  get connected(): boolean {
    return this.port !== null;
  }

  // ------------------------------------------------------------- PreUpdate

  /** Applies every committed step of every service, then refills the reserve. */
  apply(): void {
    const port = this.port;
    if (!port) return;
    const t0 = performance.now();
    const s = this.stats;
    s.commands = 0;
    s.records = 0;
    this.noteTaken(port.memory); // before the spawns that may clear them apply
    for (const ring of port.memory.rings) {
      s.records += drainRing(ring, (source, words, start, end) => this.record(source, words, start, end, ring.byteOffset));
    }
    this.refill(port.memory);
    s.applyMs = performance.now() - t0;
    s.applyHistory.push(s.applyMs);
    if (s.applyHistory.length > 600) s.applyHistory.shift();
  }

  /** One step of one service: its commands in order (one on a gone entity is dropped alone). */
  private record(source: number, w: Float64Array, at: number, end: number, byteOffset: number): void {
    const world = this.app.world;
    while (at < end) {
      const hdr = w[at]!;
      const op = hdr & 255;
      const a = (hdr >> 8) & 255;
      const b = hdr >> 16;
      this.stats.commands++;
      if (op === Op.SET) {
        const i = this.target(w[at + 1]!, a);
        if (i >= 0) this.shared.components[a]!.columns[b]![i] = w[at + 2]!;
        at += 3;
      } else if (op === Op.SETC) {
        const i = this.target(w[at + 1]!, a);
        if (i >= 0) this.writeFields(a, i, w[at + 2]!, w, at + 3);
        at += 3 + b;
      } else if (op === Op.SPAWN) {
        const i = this.index(w[at + 1]!, true);
        if (i >= 0 && this.reserved[i]) {
          this.reserved[i] = 0;
          this.taken.delete(i);
          if (a > 0) this.shared.prefabs[a - 1]!(world, i);
        }
        at += 2;
      } else if (op === Op.DESPAWN) {
        const i = this.index(w[at + 1]!);
        if (i >= 0) this.despawn(world, i);
        at += 2;
      } else if (op === Op.REMOVE) {
        const i = this.index(w[at + 1]!);
        if (i >= 0) removeComponent(world, i, this.shared.components[a]!.store);
        at += 2;
      } else if (op === Op.EMIT) {
        const n = w[at + 1]!;
        const bytes = new Uint8Array(w.buffer, byteOffset + (at + 2) * 8, n).slice();
        this.app.sendEvent(this.shared.eventsOut[a]!, decode(bytes)[0]);
        at += 2 + Math.ceil(n / 8);
      } else if (op === Op.LISTEN) {
        this.listeners[a]?.add(source);
        at += 2;
      } else {
        throw new Error(`[world] unknown command ${op} from service ${source}: the command ring is corrupt`);
      }
    }
  }

  /** The index of a live id (-1, counted as stale, otherwise: gone, or reserved and not spawned unless `spawning`). */
  private index(id: number, spawning = false): number {
    const cap = this.entities.capacity;
    const i = id % cap;
    if ((id - i) / cap === this.entities.gen[i] && (spawning || !this.reserved[i]) && entityExists(this.app.world, i)) return i;
    this.stats.stale++;
    return -1;
  }

  /** The index of a live id, with component `c` added if it lacks it. */
  private target(id: number, c: number): number {
    const i = this.index(id);
    if (i < 0 || this.entities.mask[i]! & (1 << c)) return i;
    const comp = this.shared.components[c]!;
    if (comp.insert) comp.insert(this.app.world, i);
    else addComponent(this.app.world, i, comp.store);
    return i;
  }

  private writeFields(c: number, i: number, mask: number, w: Float64Array, at: number): void {
    const cols = this.shared.components[c]!.columns;
    for (let f = 0; f < cols.length; f++) if (mask & (1 << f)) cols[f]![i] = w[at++]!;
  }

  private despawn(world: World, i: number): void {
    const had = this.entities.mask[i] !== 0;
    this.reserved[i] = 0;
    despawnRecursive(world, i); // with its children (a prefab's parts)
    if (!had) this.entities.bump(i); // no shared component left to end its id
  }

  /**
   * Fills the reserve back up with fresh entities (ids services can take
   * without asking). An index taken whose spawn never came (the step that took
   * it failed) goes back after `RECLAIM_FRAMES`, with a new generation.
   */
  private refill(mem: WorldMemory): void {
    const h = mem.header;
    const size = mem.pool.length;
    // Only slots noted as taken are written again: a slot taken after the note keeps its index until then.
    const head = this.noteTaken(mem);
    if (this.app.frame % 60 === 0) this.reclaim();
    let tail = h[H.POOL_TAIL]!;
    while (tail - head < size) {
      const eid = this.spare.pop() ?? addEntity(this.app.world);
      if (eid >= this.entities.capacity) {
        removeEntity(this.app.world, eid);
        break;
      }
      this.entities.seen(eid);
      this.reserved[eid] = 1;
      mem.pool[tail % size] = eid;
      Atomics.store(h, H.POOL_TAIL, ++tail);
    }
  }

  /** Notes the indices services took from the reserve since the last look; the reserve's head it saw. */
  private noteTaken(mem: WorldMemory): number {
    const head = Atomics.load(mem.header, H.POOL_HEAD);
    for (let k = this.lastHead; k < head; k++) this.taken.set(mem.pool[k % mem.pool.length]!, this.app.frame);
    this.lastHead = head;
    return head;
  }

  /** Takes back indices taken long ago whose spawn never came. */
  private reclaim(): void {
    for (const [i, frame] of this.taken) {
      if (!this.reserved[i]) {
        this.taken.delete(i); // its spawn came
        continue;
      }
      if (this.app.frame - frame < RECLAIM_FRAMES) continue;
      this.taken.delete(i);
      this.entities.bump(i); // a spawn that comes after all is stale
      this.spare.push(i);
    }
  }

  // ------------------------------------------------------------- Last

  /** Writes this frame's snapshot into a buffer no service holds, and publishes it. */
  publish(): void {
    const port = this.port;
    if (!port) return;
    const t0 = performance.now();
    const mem = port.memory;
    const h = mem.header;
    const current = Atomics.load(h, H.PUBLISHED);
    const b = this.claim(mem, current);
    if (b < 0) {
      this.stats.skipped++;
      return;
    }
    const snap = mem.snapshots[b]!;
    const e = this.entities;
    const n = e.high;
    snap.gen.set(e.gen.subarray(0, n));
    snap.mask.set(e.mask.subarray(0, n));
    snap.alive.set(e.list.subarray(0, e.count));
    snap.meta[S.ALIVE] = e.count;
    this.shared.components.forEach((comp, c) => {
      const dst = snap.columns[c]!;
      comp.columns.forEach((col, f) => dst[f]!.set(col.subarray(0, n)));
    });
    const time = this.app.getResource(Time);
    const fixed = this.app.getResource(FixedTime);
    snap.meta[S.FRAME] = this.app.frame;
    snap.meta[S.PAUSED] = time?.paused ? 1 : 0;
    snap.clock[C.ELAPSED] = time ? time.elapsed : this.app.frame / 60;
    snap.clock[C.DELTA] = time ? time.delta : 1 / 60;
    snap.clock[C.SCALE] = time ? time.scale : 1;
    snap.clock[C.FIXED_STEP] = fixed ? fixed.step : 0;
    Atomics.store(snap.meta, S.STAMP, this.app.frame);
    Atomics.store(h, H.PUBLISHED, b);
    Atomics.store(h, H.FRAME, this.app.frame);
    this.stats.published++;
    this.stats.entities = e.count;
    // The notify that wakes a sleeping worker runs after the frame (it can cost the
    // main thread milliseconds when the woken thread takes its core).
    const w = this.firstTicking(mem);
    if (w >= 0 && !this.wakeQueued) {
      this.wakeQueued = true;
      setTimeout(() => {
        this.wakeQueued = false;
        port.wake(w);
      }, 0);
    }
    this.stats.ringFull = Atomics.load(h, H.RING_FULL);
    this.stats.publishMs = performance.now() - t0;
  }

  /** The first worker with services that tick on the App's clock (each worker counts its own), or -1. */
  private firstTicking(mem: WorldMemory): number {
    const at = H.PINS + mem.schema.workers;
    for (let w = 0; w < mem.schema.workers; w++) if (Atomics.load(mem.header, at + w) > 0) return w;
    return -1;
  }

  /**
   * A snapshot buffer to write: not the published one, held by no worker
   * (the oldest such). It is marked (-1) before the pins are read; a worker
   * pins, then reads the mark: one of the two always sees the other.
   */
  private claim(mem: WorldMemory, current: number): number {
    const n = mem.snapshots.length;
    const h = mem.header;
    const workers = mem.schema.workers;
    for (let k = 1; k < n; k++) {
      const b = (Math.max(current, 0) + k) % n;
      const meta = mem.snapshots[b]!.meta;
      const old = meta[S.STAMP]!;
      Atomics.store(meta, S.STAMP, -1);
      let held = false;
      for (let w = 0; w < workers && !held; w++) held = Atomics.load(h, H.PINS + w) === b;
      if (!held) return b;
      Atomics.store(meta, S.STAMP, old);
    }
    return -1;
  }

  /** Sends this frame's App events to the services listening for them. */
  forward(kind: number, values: readonly unknown[]): void {
    const port = this.port;
    const list = this.listeners[kind];
    if (!port || !list || list.size === 0 || values.length === 0) return;
    const name = this.shared.eventsIn[kind]!.name;
    for (const addr of list) {
      for (const v of values) {
        if (!port.send(addr, name, v)) {
          list.delete(addr);
          break;
        }
      }
    }
  }
}
