/**
 * Geometry primitives of the chunks: a builder that appends flat-shaded,
 * vertex-coloured triangles into one BufferGeometry (one draw call per mesh),
 * the boxes, faces and flat quads the terrain is made of, and the small
 * deterministic hash every per-tile variation is drawn from (the same world
 * looks the same on every load).
 *
 * Pure functions: no engine, no DOM (unit-testable).
 */
import { BufferAttribute, BufferGeometry, Color, Matrix4, Vector3 } from 'three';

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

/** A box from y0 to the four top corners (xa,za), (xa,zb), (xb,zb), (xb,za); sides darker. */
export function block(b: GeoBuilder, xa: number, xb: number, za: number, zb: number, y0: number, top: readonly number[], topColor: Color, sideColor: Color): void {
  const [t0, t1, t2, t3] = top as [number, number, number, number];
  b.quad([xa, t0, za], [xa, t1, zb], [xb, t2, zb], [xb, t3, za], topColor);
  const lit = sideColor.clone().multiplyScalar(1.12);
  b.quad([xa, y0, zb], [xb, y0, zb], [xb, t2, zb], [xa, t1, zb], lit); // +z (towards the camera)
  b.quad([xb, y0, za], [xa, y0, za], [xa, t0, za], [xb, t3, za], sideColor); // -z
  b.quad([xb, y0, zb], [xb, y0, za], [xb, t3, za], [xb, t2, zb], sideColor.clone().multiplyScalar(1.05)); // +x
  b.quad([xa, y0, za], [xa, y0, zb], [xa, t1, zb], [xa, t0, za], sideColor.clone().multiplyScalar(0.92)); // -x
}

/** The vertical face of tile (tx, tz) towards (dx, dz), from y0 down to y1. */
export function side(b: GeoBuilder, tx: number, tz: number, dx: number, dz: number, y0: number, y1: number, c: Color, inset = 0): void {
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
export function blob(b: GeoBuilder, x: number, z: number, r: number): void {
  const y = 0.012;
  b.quad([x - r, y, z - r], [x - r, y, z + r], [x + r, y, z + r], [x + r, y, z - r], WHITE, [0, 0, 0, 1, 1, 1, 1, 0]);
}

/** A warm light pool on the ground (additive). */
export function pool(b: GeoBuilder, x: number, z: number, r: number): void {
  const y = 0.02;
  b.quad([x - r, y, z - r], [x - r, y, z + r], [x + r, y, z + r], [x + r, y, z - r], WHITE, [0, 0, 0, 1, 1, 1, 1, 0]);
}
