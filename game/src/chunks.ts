/**
 * The world streams in 16 x 16-tile chunks as the player walks: the chunks of
 * the 3 x 3 around the player's chunk first, then the ring beyond (prefetch),
 * at most 4 requests in flight; chunks more than 3 rings away are unloaded.
 * Each chunk is one SQL query in a service (`levels.chunk`), or, with the
 * blocking toggle, on the main thread or in the blocking service (blocking.ts).
 *
 * A loaded chunk is a few merged meshes (terrain-mesh.ts), its coins (spinning
 * entities) and crates (clones of the packed crate model); it rises into place
 * when it arrives (chunk-entities.ts). Unloaded chunks are impassable.
 */
import { Time, despawn, type GltfAsset, type Handle, type SystemContext } from '@ltask-web/engine';
import { Ltask, defineReply } from '@ltask-web/plugin-ltask/engine';
import { Blocking, mainThreadChunk, type BlockingMode } from './blocking.ts';
import { animateChunk, buildChunkEntities, chunkKey, unloadChunk, type Chunk } from './chunk-entities.ts';
import type { WorldInfo } from './data.ts';
import { CHUNK, isBlockedTile } from './terrain.ts';

export { COIN_Y, chunkKey, type Chunk } from './chunk-entities.ts';

/**
 * Rings of chunks around the player's chunk: ring 1 (the 3 x 3) is needed,
 * ring 2 is prefetched; a chunk beyond ring 2 is unloaded once it has been
 * out of range for UNLOAD_AFTER_MS (walking back and forth across a chunk
 * border does not reload it), and at once beyond ring 3.
 */
export const NEED_RING = 1;
export const PREFETCH_RING = 2;
export const UNLOAD_RING = 3;
export const UNLOAD_AFTER_MS = 3000;
/** Chunk requests in flight at most. */
export const MAX_IN_FLIGHT = 4;

/** One finished chunk load, for the overlay and tests. */
export interface ChunkLoad {
  key: string;
  ms: number;
  reads: number;
  mode: BlockingMode;
  ok: boolean;
  at: number;
}

/** Which chunk a request is for, in which world load, by which loader: what its reply carries back. */
export interface ChunkAsk {
  gen: number;
  cx: number;
  cz: number;
  mode: BlockingMode;
}

/** Replies of `chunk` requests (the levels service, or the blocking one). */
export const ChunkReply = defineReply<ChunkAsk>('ChunkReply');

interface Arrived extends ChunkAsk {
  ok: boolean;
  row: unknown;
  stats: Record<string, unknown>;
  error?: string;
  ms: number;
}

/** The streamed world: loaded chunks, requests in flight, collected coins. */
export class ChunkStream {
  world: WorldInfo | null = null;
  /** Bumped when the world changes: replies of an older generation are dropped. */
  gen = 0;
  readonly loaded = new Map<string, Chunk>();
  readonly inflight = new Map<string, { t0: number; mode: BlockingMode }>();
  /** Chunks the database does not have (nil): water all round, impassable. */
  readonly empty = new Set<string>();
  /** Failed loads: retried after the time given. */
  readonly retryAt = new Map<string, number>();
  /** Coins picked up in this world ("x,z" tile keys). */
  readonly collected = new Set<string>();
  /** Where the stream centres (world units): the player, or the spawn before play. */
  focus = { x: 0, z: 0 };
  /** Last loads, newest last. */
  readonly log: ChunkLoad[] = [];
  /** Loads done in this world. */
  loads = 0;
  /** Replies waiting to be built (at most two per frame). */
  readonly arrived: Arrived[] = [];
  /** The crate model, once asked for (crates show when it is loaded). */
  crate: Handle<GltfAsset> | null = null;
  errors = 0;
  lastError = '';
  /** Set to drop every chunk: they stream in again with the loader now on (overlay button, `demo.reloadChunks()`). */
  wantReload = false;

  /** Forgets everything of the previous world; its replies will be dropped. */
  reset(world: WorldInfo | null, ctx: SystemContext): void {
    for (const c of this.loaded.values()) unloadChunk(ctx, c);
    this.loaded.clear();
    this.inflight.clear();
    this.empty.clear();
    this.retryAt.clear();
    this.collected.clear();
    this.arrived.length = 0;
    this.loads = 0;
    this.world = world;
    this.gen++;
    if (world) this.focus = { x: world.spawn_x, z: world.spawn_z };
  }

  inBounds(cx: number, cz: number): boolean {
    const w = this.world;
    return !!w && cx >= 0 && cz >= 0 && cx < w.chunks_x && cz < w.chunks_z;
  }

  /** The tile at world tile (tx, tz); -1 when its chunk is not loaded (or outside the world). */
  tile(tx: number, tz: number): number {
    const cx = Math.floor(tx / CHUNK);
    const cz = Math.floor(tz / CHUNK);
    const c = this.loaded.get(chunkKey(cx, cz));
    if (!c) return -1;
    return c.tiles[(tz - cz * CHUNK) * CHUNK + (tx - cx * CHUNK)]!;
  }

  /** Whether tile (tx, tz) stops the player: blocked kinds, and every tile of a chunk not loaded. */
  blockedTile(tx: number, tz: number): boolean {
    const t = this.tile(tx, tz);
    return t < 0 || isBlockedTile(t);
  }

  /** Whether a circle of radius r at (x, z) (world units) is clear of blocked tiles and solid props. */
  free(x: number, z: number, r: number): boolean {
    for (let tz = Math.floor(z - r); tz <= Math.floor(z + r); tz++) {
      for (let tx = Math.floor(x - r); tx <= Math.floor(x + r); tx++) {
        if (!this.blockedTile(tx, tz)) continue;
        const nx = Math.max(tx, Math.min(x, tx + 1));
        const nz = Math.max(tz, Math.min(z, tz + 1));
        if ((nx - x) ** 2 + (nz - z) ** 2 < r * r) return false;
      }
    }
    const cx = Math.floor(x / CHUNK);
    const cz = Math.floor(z / CHUNK);
    for (let dz = -1; dz <= 1; dz++) {
      for (let dx = -1; dx <= 1; dx++) {
        const c = this.loaded.get(chunkKey(cx + dx, cz + dz));
        if (!c) continue;
        for (const s of c.solids) if ((s.x - x) ** 2 + (s.z - z) ** 2 < (s.r + r) ** 2) return false;
      }
    }
    return true;
  }

  /** Whether every chunk within `ring` of chunk (cx, cz) is loaded (or known empty). */
  readyAround(cx: number, cz: number, ring: number): boolean {
    if (!this.world) return false;
    for (let dz = -ring; dz <= ring; dz++) {
      for (let dx = -ring; dx <= ring; dx++) {
        const k = chunkKey(cx + dx, cz + dz);
        if (this.inBounds(cx + dx, cz + dz) && !this.loaded.has(k) && !this.empty.has(k)) return false;
      }
    }
    return true;
  }

  /** Chunks needed around (cx, cz), how many of them are in. */
  progressAround(cx: number, cz: number, ring: number): { done: number; total: number } {
    let done = 0;
    let total = 0;
    for (let dz = -ring; dz <= ring; dz++) {
      for (let dx = -ring; dx <= ring; dx++) {
        if (!this.inBounds(cx + dx, cz + dz)) continue;
        total++;
        const k = chunkKey(cx + dx, cz + dz);
        if (this.loaded.has(k) || this.empty.has(k)) done++;
      }
    }
    return { done, total };
  }

  /** The chunk the focus is in. */
  focusChunk(): { cx: number; cz: number } {
    return { cx: Math.floor(this.focus.x / CHUNK), cz: Math.floor(this.focus.z / CHUNK) };
  }

  /** Every coin entity on screen with its key and position. */
  *coins(): Generator<{ key: string; eid: number; x: number; z: number; chunk: Chunk }> {
    for (const c of this.loaded.values()) {
      for (const [key, eid] of c.coins) {
        const [x, z] = key.split(',').map(Number) as [number, number];
        yield { key, eid, x, z, chunk: c };
      }
    }
  }

  /** Takes a coin: gone from the world and remembered (a reloaded chunk leaves it out). */
  collect(ctx: SystemContext, chunk: Chunk, key: string): void {
    const eid = chunk.coins.get(key);
    if (eid === undefined) return;
    chunk.coins.delete(key);
    chunk.parts = chunk.parts.filter((p) => p.eid !== eid);
    despawn(ctx.world, eid);
    this.collected.add(key);
  }

  private record(l: ChunkLoad): void {
    this.log.push(l);
    if (this.log.length > 40) this.log.shift();
  }

  /** Queues a reply to be built (receiveChunks; main-thread loads call it when they settle). */
  arrive(a: Arrived): void {
    this.arrived.push(a);
  }

  /** Records a finished load in `log` (the overlay's and tests' view). */
  noteLoad(l: ChunkLoad): void {
    this.record(l);
  }
}

/** Update: asks for the chunks around the focus that are missing; unloads far ones. */
export function streamChunks(ctx: SystemContext): void {
  const stream = ctx.resource(ChunkStream);
  const lt = ctx.resource(Ltask);
  const w = stream.world;
  if (!w || lt.status !== 'ready') return;
  const { cx, cz } = stream.focusChunk();
  if (stream.wantReload) {
    stream.wantReload = false;
    for (const c of stream.loaded.values()) unloadChunk(ctx, c);
    stream.loaded.clear();
    stream.empty.clear();
  }
  // Unload beyond the prefetch ring (after a while), or beyond the keep ring (at once).
  const t = performance.now();
  for (const [k, c] of stream.loaded) {
    const ring = Math.max(Math.abs(c.cx - cx), Math.abs(c.cz - cz));
    if (ring <= PREFETCH_RING) c.farSince = 0;
    else if (!c.farSince) c.farSince = t;
    if (ring > UNLOAD_RING || (c.farSince && t - c.farSince > UNLOAD_AFTER_MS)) {
      unloadChunk(ctx, c);
      stream.loaded.delete(k);
    }
  }
  const blocking = ctx.resource(Blocking);
  const max = blocking.mode === 'main' ? 1 : MAX_IN_FLIGHT;
  if (stream.inflight.size >= max) return;
  if (blocking.mode === 'worker' && blocking.workerAddr === null) return; // spawning it (main.ts)
  const now = performance.now();
  const wanted: { cx: number; cz: number; ring: number; d: number }[] = [];
  for (let dz = -PREFETCH_RING; dz <= PREFETCH_RING; dz++) {
    for (let dx = -PREFETCH_RING; dx <= PREFETCH_RING; dx++) {
      const x = cx + dx;
      const z = cz + dz;
      const k = chunkKey(x, z);
      if (!stream.inBounds(x, z) || stream.loaded.has(k) || stream.inflight.has(k) || stream.empty.has(k)) continue;
      if ((stream.retryAt.get(k) ?? 0) > now) continue;
      if (stream.arrived.some((a) => a.cx === x && a.cz === z && a.gen === stream.gen)) continue;
      wanted.push({ cx: x, cz: z, ring: Math.max(Math.abs(dx), Math.abs(dz)), d: dx * dx + dz * dz });
    }
  }
  wanted.sort((a, b) => a.ring - b.ring || a.d - b.d);
  for (const c of wanted) {
    if (stream.inflight.size >= max) break;
    request(ctx, stream, blocking, c.cx, c.cz);
  }
}

function request(ctx: SystemContext, stream: ChunkStream, blocking: Blocking, cx: number, cz: number): void {
  const lt = ctx.resource(Ltask);
  const w = stream.world!;
  const mode = blocking.mode;
  const gen = stream.gen;
  const t0 = performance.now();
  stream.inflight.set(chunkKey(cx, cz), { t0, mode });
  const ask: ChunkAsk = { gen, cx, cz, mode };
  if (mode === 'off') lt.request(ChunkReply, 'levels', 'chunk', [w.id, cx, cz], ask);
  else if (mode === 'worker') lt.request(ChunkReply, blocking.workerAddr!, 'chunk', [w.id, cx, cz, blocking.latencyMs], ask);
  else {
    mainThreadChunk(blocking, ROOT.href, w.id, cx, cz).then(
      (r) => stream.arrive({ gen, cx, cz, mode, ok: true, row: r.row, stats: r.stats, ms: performance.now() - t0 }),
      (e: unknown) => stream.arrive({ gen, cx, cz, mode, ok: false, row: null, stats: {}, error: e instanceof Error ? e.message : String(e), ms: performance.now() - t0 }),
    );
  }
}

/** Where the page's assets are served from (the io service's root). */
export const ROOT = { href: typeof location === 'undefined' ? 'http://localhost/' : new URL('/', location.href).href };

/** Update: takes chunk replies (events and main-thread loads) and builds at most two chunks a frame. */
export function receiveChunks(ctx: SystemContext): void {
  const stream = ctx.resource(ChunkStream);
  for (const e of ctx.read(ChunkReply)) {
    stream.arrive({
      ...e.context, ok: e.ok, row: e.values[0] ?? null, stats: (e.values[1] ?? {}) as Record<string, unknown>, error: e.error?.message, ms: e.ms,
    });
  }
  let built = 0;
  while (stream.arrived.length > 0 && built < 2) {
    const a = stream.arrived.shift()!;
    if (a.gen !== stream.gen) continue;
    const k = chunkKey(a.cx, a.cz);
    stream.inflight.delete(k);
    const reads = Number((a.stats as { reads?: number }).reads ?? 0);
    stream.noteLoad({ key: k, ms: a.ms, reads, mode: a.mode, ok: a.ok, at: performance.now() });
    if (!a.ok) {
      stream.errors++;
      stream.lastError = `chunk ${k}: ${a.error ?? 'failed'}`;
      stream.retryAt.set(k, performance.now() + 1500);
      continue;
    }
    stream.loads++;
    if (!a.row) {
      stream.empty.add(k);
      continue;
    }
    if (stream.loaded.has(k)) continue;
    const { cx, cz } = stream.focusChunk();
    if (Math.max(Math.abs(a.cx - cx), Math.abs(a.cz - cz)) > UNLOAD_RING) continue; // walked away meanwhile
    const world = { palette: stream.world!.palette, tileAt: (tx: number, tz: number) => stream.tile(tx, tz), collected: stream.collected, crate: stream.crate };
    stream.loaded.set(k, buildChunkEntities(ctx, world, a, reads));
    built++;
  }
}

/** Update: new chunks rise into place; coins spin and bob. */
export function animateChunks(ctx: SystemContext): void {
  const stream = ctx.resource(ChunkStream);
  const now = performance.now();
  const t = ctx.resource(Time).elapsed;
  for (const c of stream.loaded.values()) animateChunk(c, now, t);
}
