/**
 * A chunk's geometry: 16 x 16 tiles and their props turned into a handful of
 * merged meshes (one draw call each): the land (grass, path, rock and hedge
 * blocks, water beds and banks, with per-tile colour variation and corner
 * shading next to walls), the water surface, the static props (trees, rocks,
 * lantern posts), the lantern lights (unlit), the warm light pools under them
 * and the blob shadows. Coins and crates are entities of their own (they
 * spin, or are the packed crate model).
 *
 * Pure functions of the chunk's bytes: no engine, no DOM (unit-testable).
 */
import { BoxGeometry, BufferAttribute, BufferGeometry, Color, ConeGeometry, CylinderGeometry, IcosahedronGeometry, Matrix4, Vector3 } from 'three';

/** Tiles per chunk side. */
export const CHUNK = 16;

/** Tile kinds of `chunks.tiles`. */
export const TILE_GRASS = 0;
export const TILE_PATH = 1;
export const TILE_WATER = 2;
export const TILE_ROCK = 3;
export const TILE_HEDGE = 4;

/** Whether a tile kind stops the player (water, rock, hedge; unknown kinds too). */
export const isBlockedTile = (t: number): boolean => t !== TILE_GRASS && t !== TILE_PATH;

/** Colours of a world (`worlds.palette`), as '#rrggbb'. */
export interface Palette {
  ground: string;
  path: string;
  water: string;
  rock: string;
  hedge: string;
  sky: string;
}

export const DEFAULT_PALETTE: Palette = { ground: '#6aa84f', path: '#d9c38c', water: '#3d85c6', rock: '#8c8c8c', hedge: '#38761d', sky: '#a9d6f5' };

/** A prop of `chunks.props`, at world coordinates (tile (tx, tz) spans [tx, tx + 1)). */
export interface Prop {
  kind: 'coin' | 'crate' | 'lantern' | 'tree' | 'rock';
  x: number;
  z: number;
}

/** Heights (world units). */
export const WATER_Y = -0.2;
const BED_Y = -0.5;
const SKIRT_Y = -1.4;

/** A small deterministic hash of integers to [0, 1). */
export function hash(...n: number[]): number {
  let h = 2166136261;
  for (const v of n) {
    h ^= v | 0;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return (h >>> 0) / 4294967296;
}

/** Appends triangles with flat normals and vertex colours, then makes one BufferGeometry. */
export class GeoBuilder {
  private pos: number[] = [];
  private nor: number[] = [];
  private col: number[] = [];
  private uv: number[] = [];
  private readonly withUv: boolean;

  constructor(withUv = false) {
    this.withUv = withUv;
  }

  get triangles(): number {
    return this.pos.length / 9;
  }

  /** A quad a-b-c-d (counter-clockwise seen from the front), one colour per corner. */
  quad(a: readonly number[], b: readonly number[], c: readonly number[], d: readonly number[], colors: readonly Color[] | Color, uvs?: readonly number[]): void {
    const n = normalOf(a, b, c);
    const cs = Array.isArray(colors) ? colors : [colors, colors, colors, colors];
    const idx = [0, 1, 2, 0, 2, 3];
    const vs = [a, b, c, d];
    for (const i of idx) {
      const v = vs[i]!;
      this.pos.push(v[0]!, v[1]!, v[2]!);
      this.nor.push(n.x, n.y, n.z);
      const k = (cs as Color[])[i]!;
      this.col.push(k.r, k.g, k.b);
      if (this.withUv) this.uv.push(uvs ? uvs[i * 2]! : 0, uvs ? uvs[i * 2 + 1]! : 0);
    }
  }

  /** Every triangle of `geo` (any three geometry), moved by `m`, in one colour; normals are made flat. */
  add(geo: BufferGeometry, m: Matrix4, color: Color, shade?: (ny: number) => number): void {
    const g = geo.index ? geo.toNonIndexed() : geo;
    const p = g.attributes.position!;
    const v = [new Vector3(), new Vector3(), new Vector3()];
    const c = new Color();
    for (let i = 0; i + 2 < p.count; i += 3) {
      for (let k = 0; k < 3; k++) v[k]!.fromBufferAttribute(p, i + k).applyMatrix4(m);
      const n = normalOf([v[0]!.x, v[0]!.y, v[0]!.z], [v[1]!.x, v[1]!.y, v[1]!.z], [v[2]!.x, v[2]!.y, v[2]!.z]);
      const f = shade ? shade(n.y) : 1;
      c.copy(color).multiplyScalar(f);
      for (let k = 0; k < 3; k++) {
        this.pos.push(v[k]!.x, v[k]!.y, v[k]!.z);
        this.nor.push(n.x, n.y, n.z);
        this.col.push(c.r, c.g, c.b);
        if (this.withUv) this.uv.push(0, 0);
      }
    }
    if (g !== geo) g.dispose();
  }

  /** The geometry, or null when nothing was added. */
  build(): BufferGeometry | null {
    if (this.pos.length === 0) return null;
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(new Float32Array(this.pos), 3));
    g.setAttribute('normal', new BufferAttribute(new Float32Array(this.nor), 3));
    g.setAttribute('color', new BufferAttribute(new Float32Array(this.col), 3));
    if (this.withUv) g.setAttribute('uv', new BufferAttribute(new Float32Array(this.uv), 2));
    g.computeBoundingSphere();
    g.computeBoundingBox();
    return g;
  }
}

const tmpA = new Vector3();
const tmpB = new Vector3();
function normalOf(a: readonly number[], b: readonly number[], c: readonly number[]): Vector3 {
  tmpA.set(b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!);
  tmpB.set(c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!);
  return new Vector3().crossVectors(tmpA, tmpB).normalize();
}

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

/** Radius a prop blocks the player with (0: walk over it). */
export const SOLID_RADIUS: Record<Prop['kind'], number> = { tree: 0.22, rock: 0.3, crate: 0.34, lantern: 0.1, coin: 0 };

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
  const raised = (t: number) => t === TILE_ROCK || t === TILE_HEDGE;
  const topOf = (t: number) => (t === TILE_WATER ? BED_Y : t < 0 ? 0 : 0);

  const col = {
    ground: new Color(palette.ground),
    path: new Color(palette.path),
    water: new Color(palette.water),
    rock: new Color(palette.rock),
    hedge: new Color(palette.hedge),
  };
  const dirt = col.path.clone().lerp(new Color('#5b4636'), 0.6);
  const bed = col.water.clone().lerp(new Color('#1d2b36'), 0.55);

  const land = new GeoBuilder();
  const water = new GeoBuilder();
  const shade = (c: Color, f: number) => c.clone().multiplyScalar(f);

  for (let lz = 0; lz < CHUNK; lz++) {
    for (let lx = 0; lx < CHUNK; lx++) {
      const tx = x0 + lx;
      const tz = z0 + lz;
      const t = tiles[lz * CHUNK + lx]!;
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
  }
  // The skirt: the chunk floats until its neighbours come (and sinks into the sea below).
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

  // Props.
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
  return {
    land: land.build(),
    water: water.build(),
    props: propsB.build(),
    glow: glow.build(),
    pools: pools.build(),
    shadows: shadows.build(),
  };
}

/** A box from y0 to the four top corners (xa,za), (xa,zb), (xb,zb), (xb,za); sides darker. */
function block(b: GeoBuilder, xa: number, xb: number, za: number, zb: number, y0: number, top: readonly number[], topColor: Color, sideColor: Color): void {
  const [t0, t1, t2, t3] = top as [number, number, number, number];
  b.quad([xa, t0, za], [xa, t1, zb], [xb, t2, zb], [xb, t3, za], topColor);
  const lit = sideColor.clone().multiplyScalar(1.12);
  b.quad([xa, y0, zb], [xb, y0, zb], [xb, t2, zb], [xa, t1, zb], lit); // +z (towards the camera)
  b.quad([xb, y0, za], [xa, y0, za], [xa, t0, za], [xb, t3, za], sideColor); // -z
  b.quad([xb, y0, zb], [xb, y0, za], [xb, t3, za], [xb, t2, zb], sideColor.clone().multiplyScalar(1.05)); // +x
  b.quad([xa, y0, za], [xa, y0, zb], [xa, t1, zb], [xa, t0, za], sideColor.clone().multiplyScalar(0.92)); // -x
}

/** The vertical face of tile (tx, tz) towards (dx, dz), from y0 down to y1. */
function side(b: GeoBuilder, tx: number, tz: number, dx: number, dz: number, y0: number, y1: number, c: Color, inset = 0): void {
  // `inset` moves the face into the tile (along its normal only: neighbouring faces still meet).
  const xa = tx + (dx ? inset : 0);
  const xb = tx + 1 - (dx ? inset : 0);
  const za = tz + (dz ? inset : 0);
  const zb = tz + 1 - (dz ? inset : 0);
  if (dz === 1) b.quad([xa, y1, zb], [xb, y1, zb], [xb, y0, zb], [xa, y0, zb], c);
  else if (dz === -1) b.quad([xb, y1, za], [xa, y1, za], [xa, y0, za], [xb, y0, za], c.clone().multiplyScalar(0.85));
  else if (dx === 1) b.quad([xb, y1, zb], [xb, y1, za], [xb, y0, za], [xb, y0, zb], c.clone().multiplyScalar(0.95));
  else b.quad([xa, y1, za], [xa, y1, zb], [xa, y0, zb], [xa, y0, za], c.clone().multiplyScalar(0.9));
}

const WHITE = new Color(1, 1, 1);

/** A flat blob-shadow quad (its texture is a soft dark disc). */
function blob(b: GeoBuilder, x: number, z: number, r: number): void {
  const y = 0.012;
  b.quad([x - r, y, z - r], [x - r, y, z + r], [x + r, y, z + r], [x + r, y, z - r], WHITE, [0, 0, 0, 1, 1, 1, 1, 0]);
}

/** A warm light pool on the ground (additive). */
function pool(b: GeoBuilder, x: number, z: number, r: number): void {
  const y = 0.02;
  b.quad([x - r, y, z - r], [x - r, y, z + r], [x + r, y, z + r], [x + r, y, z - r], WHITE, [0, 0, 0, 1, 1, 1, 1, 0]);
}

/** Parses `chunks.props` (a JSON string, or already a list) into props; bad entries are dropped. */
export function parseProps(v: unknown): Prop[] {
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      return [];
    }
  } else if (v instanceof Uint8Array) {
    try {
      list = JSON.parse(new TextDecoder().decode(v));
    } catch {
      return [];
    }
  }
  const arr = Array.isArray(list) ? list : list && typeof list === 'object' ? Object.values(list) : [];
  const out: Prop[] = [];
  for (const p of arr) {
    if (!p || typeof p !== 'object') continue;
    const { kind, x, z } = p as Record<string, unknown>;
    if (typeof kind !== 'string' || typeof x !== 'number' || typeof z !== 'number') continue;
    out.push({ kind: kind as Prop['kind'], x, z });
  }
  return out;
}

/** Parses `worlds.palette` (JSON or a table); missing colours fall back to defaults. */
export function parsePalette(v: unknown): Palette {
  let o: unknown = v;
  if (typeof v === 'string') {
    try {
      o = JSON.parse(v);
    } catch {
      o = {};
    }
  }
  const src = (o && typeof o === 'object' ? o : {}) as Record<string, unknown>;
  const out = { ...DEFAULT_PALETTE };
  for (const k of Object.keys(out) as (keyof Palette)[]) {
    const c = src[k];
    if (typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c)) out[k] = c;
  }
  return out;
}
