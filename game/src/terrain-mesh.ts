/**
 * A chunk's meshes: 16 x 16 tiles and their props turned into a handful of
 * merged meshes (one draw call each): the land (grass, path, rock and hedge
 * blocks, water beds and banks, with per-tile colour variation and corner
 * shading next to walls), the water surface, the static props (trees, rocks,
 * lantern posts), the lantern lights (unlit), the warm light pools under them
 * and the blob shadows. Coins and crates are entities of their own (they
 * spin, or are the packed crate model). Kept apart from terrain.ts (what the
 * bytes mean) so the data can be read without three's geometry code.
 *
 * Pure functions of the chunk's bytes: no engine, no DOM (unit-testable).
 */
import { BoxGeometry, BufferGeometry, Color, ConeGeometry, CylinderGeometry, IcosahedronGeometry, Matrix4, Vector3 } from 'three';
import { GeoBuilder, block, blob, hash, pool, side } from './geo.ts';
import { CHUNK, TILE_GRASS, TILE_HEDGE, TILE_PATH, TILE_ROCK, TILE_WATER, type Palette, type Prop } from './terrain.ts';

/** Heights (world units). */
export const WATER_Y = -0.2;
const BED_Y = -0.5;
const SKIRT_Y = -1.4;

/** What a chunk is drawn with; every part may be null (nothing of that kind). */
export interface ChunkMeshes {
  land: BufferGeometry | null;
  water: BufferGeometry | null;
  props: BufferGeometry | null;
  glow: BufferGeometry | null;
  pools: BufferGeometry | null;
  shadows: BufferGeometry | null;
}

/** Primitive shapes, made once. */
const SHAPES = {
  trunk: new CylinderGeometry(0.08, 0.12, 0.7, 6).translate(0, 0.35, 0),
  crownLow: new ConeGeometry(0.55, 0.95, 7).translate(0, 1.05, 0),
  crownHigh: new ConeGeometry(0.4, 0.75, 7).translate(0, 1.5, 0),
  boulder: jitter(new IcosahedronGeometry(0.36, 0), 7),
  post: new BoxGeometry(0.09, 1.15, 0.09).translate(0, 0.575, 0),
  cap: new BoxGeometry(0.3, 0.06, 0.3).translate(0, 1.4, 0),
  base: new BoxGeometry(0.22, 0.12, 0.22).translate(0, 0.06, 0),
  lamp: new BoxGeometry(0.2, 0.24, 0.2).translate(0, 1.25, 0),
};

/** Moves an icosahedron's vertices a little (a lumpy rock), keeping shared corners together. */
function jitter(g: BufferGeometry, seed: number): BufferGeometry {
  const p = g.attributes.position!;
  const seen = new Map<string, number>();
  for (let i = 0; i < p.count; i++) {
    const key = `${p.getX(i).toFixed(3)},${p.getY(i).toFixed(3)},${p.getZ(i).toFixed(3)}`;
    let f = seen.get(key);
    if (f === undefined) seen.set(key, (f = 0.8 + hash(seed, seen.size) * 0.4));
    p.setXYZ(i, p.getX(i) * f, p.getY(i) * f * 0.75, p.getZ(i) * f);
  }
  g.translate(0, 0.2, 0);
  return g;
}

/** Radius of the blob shadow under a prop (world units). */
export const SHADOW_RADIUS: Record<Prop['kind'], number> = { tree: 0.75, rock: 0.5, crate: 0.62, lantern: 0.3, coin: 0 };

/** What the steps of `buildChunk` share: where the chunk is, its tiles (and its neighbours'), its colours. */
interface Tiles {
  x0: number;
  z0: number;
  tiles: Uint8Array;
  /** The tile at world tile (tx, tz): this chunk's, a neighbour's, or -1 when unknown. */
  local: (tx: number, tz: number) => number;
  col: { ground: Color; path: Color; water: Color; rock: Color; hedge: Color };
  /** Earth (banks, skirt) and the water bed. */
  dirt: Color;
  bed: Color;
}

const raised = (t: number) => t === TILE_ROCK || t === TILE_HEDGE;
const topOf = (t: number) => (t === TILE_WATER ? BED_Y : t < 0 ? 0 : 0);
const shade = (c: Color, f: number) => c.clone().multiplyScalar(f);

/**
 * Builds a chunk's meshes in world coordinates (tile (tx, tz) spans
 * [tx, tx + 1) x [tz, tz + 1)). `tileAt(tx, tz)` answers for tiles outside the
 * chunk (a neighbour's tile, or -1 when unknown) so banks and corner shading
 * match across borders.
 */
export function buildChunk(cx: number, cz: number, tiles: Uint8Array, props: readonly Prop[], palette: Palette, tileAt?: (tx: number, tz: number) => number): ChunkMeshes {
  const x0 = cx * CHUNK;
  const z0 = cz * CHUNK;
  const local = (tx: number, tz: number): number => {
    const lx = tx - x0;
    const lz = tz - z0;
    if (lx >= 0 && lz >= 0 && lx < CHUNK && lz < CHUNK) return tiles[lz * CHUNK + lx]!;
    return tileAt ? tileAt(tx, tz) : -1;
  };
  const col = {
    ground: new Color(palette.ground),
    path: new Color(palette.path),
    water: new Color(palette.water),
    rock: new Color(palette.rock),
    hedge: new Color(palette.hedge),
  };
  const dirt = col.path.clone().lerp(new Color('#5b4636'), 0.6);
  const bed = col.water.clone().lerp(new Color('#1d2b36'), 0.55);
  const k: Tiles = { x0, z0, tiles, local, col, dirt, bed };

  const land = new GeoBuilder();
  const water = new GeoBuilder();
  for (let lz = 0; lz < CHUNK; lz++) {
    for (let lx = 0; lx < CHUNK; lx++) addTile(k, land, water, x0 + lx, z0 + lz, tiles[lz * CHUNK + lx]!);
  }
  addSkirt(k, land);
  return { land: land.build(), water: water.build(), ...propMeshes(props, col) };
}

/** One tile (tx, tz) of kind t: its ground, bed and water, or block; then its banks. */
function addTile(k: Tiles, land: GeoBuilder, water: GeoBuilder, tx: number, tz: number, t: number): void {
  const { col, bed, dirt, local } = k;
  const h = hash(tx, tz);
  const xa = tx;
  const xb = tx + 1;
  const za = tz;
  const zb = tz + 1;
  if (t === TILE_GRASS || t === TILE_PATH || t > TILE_HEDGE) {
    const base = t === TILE_PATH ? col.path : col.ground;
    const vary = t === TILE_PATH ? 0.96 + h * 0.06 : 0.9 + h * 0.14;
    // Corner shading: darker where walls meet the ground.
    const corner = (ox: number, oz: number) => {
      let n = 0;
      for (const [dx, dz] of [[ox - 1, oz - 1], [ox, oz - 1], [ox - 1, oz], [ox, oz]] as const) if (raised(local(tx + dx, tz + dz))) n++;
      return shade(base, vary * (1 - 0.13 * n));
    };
    land.quad([xa, 0, za], [xa, 0, zb], [xb, 0, zb], [xb, 0, za], [corner(0, 0), corner(0, 1), corner(1, 1), corner(1, 0)]);
  } else if (t === TILE_WATER) {
    land.quad([xa, BED_Y, za], [xa, BED_Y, zb], [xb, BED_Y, zb], [xb, BED_Y, za], shade(bed, 0.92 + h * 0.1));
    const w = shade(col.water, 0.95 + h * 0.08);
    water.quad([xa, WATER_Y, za], [xa, WATER_Y, zb], [xb, WATER_Y, zb], [xb, WATER_Y, za], w);
  } else if (t === TILE_ROCK) {
    land.quad([xa, 0, za], [xa, 0, zb], [xb, 0, zb], [xb, 0, za], shade(col.ground, 0.45)); // the ground between blocks
    const top = 0.55 + h * 0.45;
    const j = (i: number) => top + (hash(tx, tz, i) - 0.5) * 0.22;
    const inset = 0.03;
    const c = shade(col.rock, 0.9 + h * 0.18);
    block(land, xa + inset, xb - inset, za + inset, zb - inset, 0, [j(0), j(1), j(2), j(3)], c, shade(c, 0.72));
  } else if (t === TILE_HEDGE) {
    land.quad([xa, 0, za], [xa, 0, zb], [xb, 0, zb], [xb, 0, za], shade(col.hedge, 0.45));
    const inset = 0.05;
    const top = 0.78 + h * 0.12;
    const c = shade(col.hedge, 0.95 + h * 0.12);
    block(land, xa + inset, xb - inset, za + inset, zb - inset, 0, [top, top, top, top], shade(c, 1.12), shade(c, 0.78));
    // A tuft on top: the hedge looks leafy rather than boxy.
    const tuft = 0.16 + hash(tz, tx) * 0.1;
    block(land, xa + 0.2, xb - 0.25, za + 0.25, zb - 0.2, top, [top + tuft, top + tuft, top + tuft, top + tuft], shade(c, 1.22), shade(c, 0.9));
  }
  // Banks: a land tile next to water (or the chunk's open edge) shows its earth side.
  if (t !== TILE_WATER) {
    const y = 0;
    for (const [dx, dz] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      const n = local(tx + dx, tz + dz);
      if (n === TILE_WATER) side(land, tx, tz, dx, dz, y, BED_Y, shade(dirt, 0.85 + h * 0.1));
    }
  }
}

/** The skirt: the chunk floats until its neighbours come (and sinks into the sea below). */
function addSkirt(k: Tiles, land: GeoBuilder): void {
  const { x0, z0, tiles, col, dirt } = k;
  for (let i = 0; i < CHUNK; i++) {
    for (const [tx, tz, dx, dz] of [[x0 + i, z0, 0, -1], [x0 + i, z0 + CHUNK - 1, 0, 1], [x0, z0 + i, -1, 0], [x0 + CHUNK - 1, z0 + i, 1, 0]] as const) {
      const t = tiles[(tz - z0) * CHUNK + (tx - x0)]!;
      // A hair below and inside the edge: next to a loaded neighbour it never shows through the seam.
      const y = topOf(t) - 0.03;
      side(land, tx, tz, dx, dz, y, SKIRT_Y, shade(dirt, 0.7 + hash(tx, tz, 9) * 0.12), 0.015);
      // Under the seam, a thin strip in the tile's colour: where the rasteriser leaves a pixel
      // uncovered between two chunks' meshes (software GL does), it shows the ground, not the skirt.
      if (t !== TILE_WATER) {
        const h = hash(tx, tz);
        const c = t === TILE_PATH ? shade(col.path, 0.96 + h * 0.06) : t === TILE_GRASS ? shade(col.ground, 0.9 + h * 0.14) : shade(col.ground, 0.45);
        const e = 0.04;
        const ys = -0.012;
        if (dz !== 0) {
          const z = dz < 0 ? tz : tz + 1;
          land.quad([tx, ys, z - e], [tx, ys, z + e], [tx + 1, ys, z + e], [tx + 1, ys, z - e], c);
        } else {
          const x = dx < 0 ? tx : tx + 1;
          land.quad([x - e, ys, tz], [x - e, ys, tz + 1], [x + e, ys, tz + 1], [x + e, ys, tz], c);
        }
      }
    }
  }
}

/** The props' meshes: trees, rocks and lantern posts, the lamps' light, the pools under them and the blob shadows. */
function propMeshes(props: readonly Prop[], col: Tiles['col']): Pick<ChunkMeshes, 'props' | 'glow' | 'pools' | 'shadows'> {
  const propsB = new GeoBuilder();
  const glow = new GeoBuilder();
  const pools = new GeoBuilder(true);
  const shadows = new GeoBuilder(true);
  const m = new Matrix4();
  const trunk = new Color('#7a5230');
  const leaf = col.hedge.clone().lerp(col.ground, 0.35);
  const stone = col.rock.clone().lerp(new Color('#ffffff'), 0.12);
  const iron = new Color('#3a3230');
  const lamp = new Color('#ffd98a');
  const sun = (ny: number) => 0.78 + 0.22 * Math.max(0, ny);
  for (const p of props) {
    const x = p.x;
    const z = p.z;
    const h = hash(Math.round(p.x * 100), Math.round(p.z * 100), 3);
    const rot = h * Math.PI * 2;
    const r = SHADOW_RADIUS[p.kind] ?? 0;
    if (r > 0) blob(shadows, x, z, r * (0.9 + h * 0.2));
    if (p.kind === 'tree') {
      const s = 0.85 + h * 0.4;
      m.makeRotationY(rot).scale(new Vector3(s, s, s)).setPosition(x, 0, z);
      propsB.add(SHAPES.trunk, m, trunk, sun);
      propsB.add(SHAPES.crownLow, m, leaf.clone().multiplyScalar(0.9 + hash(p.x, p.z, 4) * 0.2), sun);
      propsB.add(SHAPES.crownHigh, m, leaf.clone().multiplyScalar(1.02 + hash(p.x, p.z, 5) * 0.15), sun);
    } else if (p.kind === 'rock') {
      const s = 0.8 + h * 0.5;
      m.makeRotationY(rot).scale(new Vector3(s, s, s)).setPosition(x, 0, z);
      propsB.add(SHAPES.boulder, m, stone.clone().multiplyScalar(0.9 + h * 0.15), sun);
    } else if (p.kind === 'lantern') {
      m.makeRotationY(rot).setPosition(x, 0, z);
      propsB.add(SHAPES.post, m, iron, sun);
      propsB.add(SHAPES.cap, m, iron, sun);
      propsB.add(SHAPES.base, m, iron, sun);
      glow.add(SHAPES.lamp, m, lamp);
      pool(pools, x, z, 2.1);
    }
  }
  return { props: propsB.build(), glow: glow.build(), pools: pools.build(), shadows: shadows.build() };
}
