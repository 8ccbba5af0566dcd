/**
 * A loaded chunk's entities: built from its row (the merged meshes of
 * terrain-mesh.ts, its coins and crates), unloaded, risen into place and its
 * coins spun. Apart from chunks.ts (what to load, when) so the streaming logic
 * reads without the engine's spawning and the chunk's looks.
 */
import type { BufferGeometry } from 'three';
import { CylinderGeometry } from 'three';
import { despawn, mesh, sceneRoot, setPosition, setRotation, spawn, transform, type GltfAsset, type Handle, type SystemContext } from '@ltask-web/engine';
import { asBytes } from '@ltask-web/plugin-ltask/native';
import type { BlockingMode } from './blocking.ts';
import { hash } from './geo.ts';
import { materials } from './scene.ts';
import { CHUNK, SOLID_RADIUS, parseProps, type Palette, type Prop } from './terrain.ts';
import { buildChunk } from './terrain-mesh.ts';

/** How long a chunk takes to rise into place (s), and from how deep. */
const RISE_S = 0.7;
const RISE_DEPTH = 2.5;
/** Coins float this high. */
export const COIN_Y = 0.55;

const coinGeometry = new CylinderGeometry(0.27, 0.27, 0.07, 18).rotateX(Math.PI / 2);

/** A chunk on screen. */
export interface Chunk {
  key: string;
  cx: number;
  cz: number;
  tiles: Uint8Array;
  props: Prop[];
  /** Props the player bumps into (world units). */
  solids: { x: number; z: number; r: number }[];
  /** Entities and where each sits once risen (coins move on their own). */
  parts: { eid: number; x: number; y: number; z: number; coin: boolean }[];
  geometries: BufferGeometry[];
  /** Coin entities by coin key ("x,z", world units). */
  coins: Map<string, number>;
  /** `performance.now()` when it appeared. */
  born: number;
  /** Since when it is beyond the prefetch ring (0: it is not). */
  farSince: number;
  /** How far below its place it is now (rising). */
  offset: number;
  /** Request to reply (ms), page reads, and which loader. */
  ms: number;
  reads: number;
  mode: BlockingMode;
}

export const chunkKey = (cx: number, cz: number): string => `${cx},${cz}`;

/** A chunk's reply: where it is, its row, and how it was loaded. */
export interface ChunkRow {
  cx: number;
  cz: number;
  row: unknown;
  ms: number;
  mode: BlockingMode;
}

/** What building a chunk reads from the stream. */
export interface ChunkWorld {
  palette: Palette;
  /** Tiles of the chunks already loaded (-1: not loaded), so borders match. */
  tileAt: (tx: number, tz: number) => number;
  /** Coins already taken ("x,z"): left out. */
  collected: ReadonlySet<string>;
  /** The crate model (null: not asked for; crates show when it is loaded). */
  crate: Handle<GltfAsset> | null;
}

/** Spawns a chunk's entities from its row, below its place (it rises: `animateChunk`). */
export function buildChunkEntities(ctx: SystemContext, w: ChunkWorld, a: ChunkRow, reads: number): Chunk {
  const row = a.row as { tiles: unknown; props: unknown };
  let tiles = asBytes(row.tiles).slice();
  if (tiles.length < CHUNK * CHUNK) {
    const t = new Uint8Array(CHUNK * CHUNK).fill(2);
    t.set(tiles);
    tiles = t;
  }
  const props = parseProps(row.props);
  const meshes = buildChunk(a.cx, a.cz, tiles, props, w.palette, w.tileAt);
  const chunk: Chunk = {
    key: chunkKey(a.cx, a.cz), cx: a.cx, cz: a.cz, tiles, props, solids: [], parts: [], geometries: [], coins: new Map(),
    born: performance.now(), farSince: 0, offset: RISE_DEPTH, ms: a.ms, reads, mode: a.mode,
  };
  const put = (g: BufferGeometry | null, m: (typeof materials)[keyof typeof materials]) => {
    if (!g) return;
    chunk.geometries.push(g);
    chunk.parts.push({ eid: spawn(ctx.world, mesh(g, m), transform({ position: [0, -RISE_DEPTH, 0] })), x: 0, y: 0, z: 0, coin: false });
  };
  put(meshes.land, materials.land);
  put(meshes.water, materials.water);
  put(meshes.props, materials.props);
  put(meshes.glow, materials.glow);
  put(meshes.shadows, materials.shadows);
  put(meshes.pools, materials.pools);
  for (const p of props) {
    const r = SOLID_RADIUS[p.kind] ?? 0;
    if (r > 0) chunk.solids.push({ x: p.x, z: p.z, r });
    if (p.kind === 'coin') {
      const key = `${p.x},${p.z}`;
      if (w.collected.has(key)) continue;
      const eid = spawn(ctx.world, mesh(coinGeometry, materials.coin), transform({ position: [p.x, COIN_Y - RISE_DEPTH, p.z] }));
      chunk.coins.set(key, eid);
      chunk.parts.push({ eid, x: p.x, y: COIN_Y, z: p.z, coin: true });
    } else if (p.kind === 'crate' && w.crate) {
      const h = hash(Math.round(p.x * 100), Math.round(p.z * 100), 11);
      const eid = spawn(ctx.world, sceneRoot(w.crate), transform({ position: [p.x, -RISE_DEPTH, p.z], scale: 0.68 + h * 0.1 }));
      const a2 = (h - 0.5) * 0.8;
      setRotation(eid, 0, Math.sin(a2 / 2), 0, Math.cos(a2 / 2));
      chunk.parts.push({ eid, x: p.x, y: 0, z: p.z, coin: false });
    }
  }
  return chunk;
}

/** Despawns a chunk's entities and frees its meshes. */
export function unloadChunk(ctx: SystemContext, c: Chunk): void {
  for (const p of c.parts) despawn(ctx.world, p.eid);
  for (const g of c.geometries) g.dispose();
  c.parts = [];
  c.geometries = [];
  c.coins.clear();
}

const easeOutBack = (t: number) => {
  const k = 1.4;
  return 1 + (k + 1) * (t - 1) ** 3 + k * (t - 1) ** 2;
};

/** One chunk, this frame: rising into place (`now`: performance.now()), its coins spinning and bobbing (`t`: seconds). */
export function animateChunk(c: Chunk, now: number, t: number): void {
  if (c.offset > 0) {
    const k = Math.min(1, (now - c.born) / 1000 / RISE_S);
    c.offset = k >= 1 ? 0 : RISE_DEPTH * (1 - easeOutBack(k));
    for (const p of c.parts) if (!p.coin) setPosition(p.eid, p.x, p.y - c.offset, p.z);
  }
  for (const [key, eid] of c.coins) {
    const [x, z] = key.split(',').map(Number) as [number, number];
    const spin = t * 2.6 + hash(Math.round(x * 10), Math.round(z * 10)) * 6;
    setPosition(eid, x, COIN_Y + Math.sin(t * 3 + x * 0.7 + z) * 0.07 - c.offset, z);
    setRotation(eid, 0, Math.sin(spin / 2), 0, Math.cos(spin / 2));
  }
}
