/**
 * The world's shared memory: one SharedArrayBuffer that the App (main thread)
 * and every scheduler worker open with the same {@link WorldSchema}.
 *
 * - **Snapshots** (one per worker, plus two): the shared components' columns,
 *   each entity's generation and component mask, the list of entities
 *   services can see, and the App's clock, as of the end of a frame. The App
 *   writes a snapshot no worker holds and then publishes it; a worker holds
 *   ("pins") the published one for one turn of its loop (the steps it runs in
 *   a row, or one long step), so every read of a step comes from one frame.
 *   A worker holds one snapshot at most and the published one is never
 *   written, so the App always finds one free: it never waits, never skips.
 * - **Pins**: the snapshot each worker holds (-1: none), one word per worker.
 * - **Live generations**: the generation of every entity index now (the App
 *   writes it), so an id reserved by a service is composed right.
 * - **The id pool**: entity indices the App reserved ahead; `world.spawn` in a
 *   service takes one (lock-free, bevy's `reserve_entity`).
 * - **Command rings** (one per worker, single producer): what services wrote,
 *   one record per committed step, drained by the App at one point of the frame.
 */

/** A column's element type (the component field's typed array). */
export type FieldType = 'f32' | 'f64' | 'i32' | 'u32' | 'i16' | 'u16' | 'i8' | 'u8';

/** A component services may see and change: its name and its fields, in order. */
export interface ComponentSchema {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: FieldType }[];
}

/** What both sides agree on (structured-cloneable: it travels in the workers' config). */
export interface WorldSchema {
  /** Entity indices: ids are `generation * capacity + index`. */
  readonly capacity: number;
  readonly components: readonly ComponentSchema[];
  /** Prefab names: `world.spawn(prefab)`. */
  readonly prefabs: readonly string[];
  /** Event kinds the App forwards to services. */
  readonly eventsIn: readonly string[];
  /** Event kinds services emit to the App. */
  readonly eventsOut: readonly string[];
  /** Entity indices kept reserved for services' spawns. */
  readonly pool: number;
  /** Command ring size per worker, in 8-byte words. */
  readonly ringWords: number;
  /** Scheduler workers (one command ring each). */
  readonly workers: number;
}

/** What the workers receive: the schema and the memory. */
export interface WorldShare {
  readonly schema: WorldSchema;
  readonly sab: SharedArrayBuffer;
}

/** Header words (Int32). */
export const H = {
  /** Index of the published snapshot (-1: none yet). */
  PUBLISHED: 0,
  /** Frame of the published snapshot. */
  FRAME: 1,
  /** Id pool: next index to take, next index to fill (monotonic counters). */
  POOL_HEAD: 2,
  POOL_TAIL: 3,
  /** Commits that found their ring full and waited in the worker (a count). */
  RING_FULL: 4,
  /**
   * First of the pin words, one per worker: the snapshot it holds (-1: none);
   * then one word per worker: how many of its services tick on the App's
   * clock (the App wakes sleeping workers only when some do).
   */
  PINS: 16,
} as const;

/** Snapshot metadata (Int32 words, then Float64 from byte 32). */
export const S = {
  /** The snapshot's frame; -1 while the App writes it. */
  STAMP: 0,
  /** Entities services can see (length of the alive list). */
  ALIVE: 2,
  PAUSED: 3,
  FRAME: 4,
} as const;
/** Snapshot clock (Float64 words from byte 32): the App's time as of the snapshot. */
export const C = { ELAPSED: 0, DELTA: 1, SCALE: 2, FIXED_STEP: 3 } as const;
const META_BYTES = 80;

/** Command ring words (Int32 at the ring's start): consumer's and producer's word positions. */
export const R = { HEAD: 0, TAIL: 1 } as const;
const RING_HEADER_BYTES = 64;

/** Command codes (a command's first word: `op + a * 256 + b * 65536`). */
export const Op = {
  /** A record that only fills the ring's end (the next record starts at 0). */
  PAD: 0,
  /** `[op|comp|field, id, value]` */
  SET: 1,
  /** `[op|comp|n, id, fieldMask, ...n values]` (fields in mask order) */
  SETC: 2,
  /** `[op|prefab+1, id]` */
  SPAWN: 3,
  /** `[op, id]` */
  DESPAWN: 4,
  /** `[op|comp, id]` */
  REMOVE: 5,
  /** `[op|kind, byteLength, ...bytes in words]` */
  EMIT: 6,
  /** `[op|kind, subscribe ? 1 : 0]` */
  LISTEN: 7,
} as const;

const ARRAYS = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
  u8: Uint8Array,
} as const;

/** A column: a typed array of one of the {@link FieldType}s. */
export type Column = InstanceType<(typeof ARRAYS)[FieldType]>;

/** The field type of a typed array (throws for anything else). */
export function fieldType(a: unknown): FieldType {
  for (const [k, ctor] of Object.entries(ARRAYS)) if (a instanceof ctor) return k as FieldType;
  throw new Error(`[world] a shared component's fields must be typed arrays (Float32Array, Int32Array, ...), got ${Object.prototype.toString.call(a)}`);
}

/** One snapshot's views. */
export interface Snapshot {
  readonly meta: Int32Array;
  readonly clock: Float64Array;
  readonly gen: Uint32Array;
  readonly mask: Uint32Array;
  readonly alive: Int32Array;
  /** `columns[component][field]` */
  readonly columns: Column[][];
}

/** One worker's command ring. */
export interface Ring {
  readonly head: Int32Array;
  readonly words: Float64Array;
  /** Byte offset of word 0 (for byte payloads). */
  readonly byteOffset: number;
}

const align = (n: number): number => (n + 63) & ~63;

/** The views over the world's memory, the same on every thread. */
export class WorldMemory {
  readonly schema: WorldSchema;
  readonly sab: SharedArrayBuffer;
  readonly header: Int32Array;
  readonly liveGen: Uint32Array;
  readonly pool: Int32Array;
  readonly rings: Ring[] = [];
  readonly snapshots: Snapshot[] = [];

  /** Opens `share`, or lays out fresh memory for `schema`. */
  constructor(schemaOrShare: WorldSchema | WorldShare) {
    const schema = 'sab' in schemaOrShare ? schemaOrShare.schema : schemaOrShare;
    checkSchema(schema);
    this.schema = schema;
    const cap = schema.capacity;
    let at = 0;
    const take = (bytes: number): number => {
      const o = at;
      at = align(at + bytes);
      return o;
    };
    const plan = {
      header: take((H.PINS + 2 * schema.workers) * 4),
      liveGen: take(cap * 4),
      pool: take(schema.pool * 4),
      rings: Array.from({ length: schema.workers }, () => take(RING_HEADER_BYTES + schema.ringWords * 8)),
      snapshots: Array.from({ length: schema.workers + 2 }, () => ({
        meta: take(META_BYTES),
        gen: take(cap * 4),
        mask: take(cap * 4),
        alive: take(cap * 4),
        columns: schema.components.map((c) => c.fields.map((f) => take(cap * ARRAYS[f.type].BYTES_PER_ELEMENT))),
      })),
    };
    this.sab = 'sab' in schemaOrShare ? schemaOrShare.sab : new SharedArrayBuffer(at);
    if (this.sab.byteLength < at) throw new Error(`[world] shared memory of ${this.sab.byteLength} bytes is smaller than the schema needs (${at})`);
    const sab = this.sab;
    this.header = new Int32Array(sab, plan.header, H.PINS + 2 * schema.workers);
    this.liveGen = new Uint32Array(sab, plan.liveGen, cap);
    this.pool = new Int32Array(sab, plan.pool, schema.pool);
    for (const o of plan.rings) {
      this.rings.push({ head: new Int32Array(sab, o, 2), words: new Float64Array(sab, o + RING_HEADER_BYTES, schema.ringWords), byteOffset: o + RING_HEADER_BYTES });
    }
    for (const p of plan.snapshots) {
      this.snapshots.push({
        meta: new Int32Array(sab, p.meta, 8),
        clock: new Float64Array(sab, p.meta + 32, 6),
        gen: new Uint32Array(sab, p.gen, cap),
        mask: new Uint32Array(sab, p.mask, cap),
        alive: new Int32Array(sab, p.alive, cap),
        // The union of constructors takes an ArrayBuffer in the DOM typings; a SharedArrayBuffer is fine for each.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        columns: schema.components.map((c, i) => c.fields.map((f, j) => new ARRAYS[f.type](sab as unknown as ArrayBuffer, p.columns[i]![j]!, cap) as Column)),
      });
    }
    if (!('sab' in schemaOrShare)) {
      Atomics.store(this.header, H.PUBLISHED, -1);
      this.header.fill(-1, H.PINS, H.PINS + schema.workers);
      for (const s of this.snapshots) s.meta[S.STAMP] = 0;
    }
  }

  /** What a worker needs to open this memory. */
  get share(): WorldShare {
    return { schema: this.schema, sab: this.sab };
  }

  /** The component's index by name (-1: not shared). */
  component(name: string): number {
    return this.schema.components.findIndex((c) => c.name === name);
  }
}

/** Generation and index of an id (`generation * capacity + index`). */
export function splitId(id: number, capacity: number): [index: number, generation: number] {
  const index = id % capacity;
  return [index, (id - index) / capacity];
}

/** Throws when the schema passes a limit (components, fields, names, capacity). */
export function checkSchema(s: Omit<WorldSchema, 'workers'>): void {
  if (s.components.length > 32) throw new Error(`[world] at most 32 shared components, got ${s.components.length}`);
  for (const c of s.components) {
    if (c.fields.length > 31) throw new Error(`[world] component ${c.name}: at most 31 fields, got ${c.fields.length}`);
  }
  if (s.prefabs.length > 255 || s.eventsIn.length > 255 || s.eventsOut.length > 255) throw new Error('[world] at most 255 prefabs and 255 event kinds each way');
  // Ids must stay below 2^31: Lua services (fengari) have 32-bit integers.
  if (!(s.capacity > 0 && s.capacity <= 1 << 20)) throw new Error(`[world] capacity must be in 1..2^20, got ${s.capacity}`);
}

/** The largest generation before it wraps to 1 (ids stay below 2^31). */
export function maxGeneration(capacity: number): number {
  return Math.floor((2 ** 31 - 1) / capacity) - 1;
}
