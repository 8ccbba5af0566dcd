/**
 * Transform propagation: local transforms to world matrices, parents first.
 */
import { entityExists, hasComponent, MAX_ENTITIES, query } from '../ecs/index.ts';
import type { EntityId, World } from '../ecs/index.ts';
import { GlobalTransform, Parent, Transform } from './components.ts';

const local = new Float32Array(16);

/** Writes the local matrix of `eid` (compose of position, rotation, scale) into `out`. */
export function composeLocal(eid: EntityId, out: Float32Array, offset = 0): void {
  const x = Transform.rx[eid]!, y = Transform.ry[eid]!, z = Transform.rz[eid]!, w = Transform.rw[eid]!;
  const sx = Transform.sx[eid]!, sy = Transform.sy[eid]!, sz = Transform.sz[eid]!;
  const x2 = x + x, y2 = y + y, z2 = z + z;
  const xx = x * x2, xy = x * y2, xz = x * z2, yy = y * y2, yz = y * z2, zz = z * z2;
  const wx = w * x2, wy = w * y2, wz = w * z2;
  out[offset] = (1 - (yy + zz)) * sx;
  out[offset + 1] = (xy + wz) * sx;
  out[offset + 2] = (xz - wy) * sx;
  out[offset + 3] = 0;
  out[offset + 4] = (xy - wz) * sy;
  out[offset + 5] = (1 - (xx + zz)) * sy;
  out[offset + 6] = (yz + wx) * sy;
  out[offset + 7] = 0;
  out[offset + 8] = (xz + wy) * sz;
  out[offset + 9] = (yz - wx) * sz;
  out[offset + 10] = (1 - (xx + yy)) * sz;
  out[offset + 11] = 0;
  out[offset + 12] = Transform.px[eid]!;
  out[offset + 13] = Transform.py[eid]!;
  out[offset + 14] = Transform.pz[eid]!;
  out[offset + 15] = 1;
}

/** out[o..o+16] = a[ao..] × b (column-major 4×4). `out` must not alias `b`. */
function multiply(a: Float32Array, ao: number, b: Float32Array, out: Float32Array, o: number): void {
  for (let col = 0; col < 4; col++) {
    const b0 = b[col * 4]!, b1 = b[col * 4 + 1]!, b2 = b[col * 4 + 2]!, b3 = b[col * 4 + 3]!;
    for (let row = 0; row < 4; row++) {
      out[o + col * 4 + row] =
        a[ao + row]! * b0 + a[ao + 4 + row]! * b1 + a[ao + 8 + row]! * b2 + a[ao + 12 + row]! * b3;
    }
  }
}

/**
 * Makes a propagation function for one world. Each call writes
 * `GlobalTransform` for every entity with a `Transform`: a root gets its local
 * matrix, a child gets parent × local. A parent that is gone or has no
 * `Transform` counts as no parent; a cycle is cut where it closes.
 */
export function createPropagation(world: World): () => void {
  const stamp = new Uint32Array(MAX_ENTITIES);
  let pass = 0;
  const visit = (eid: EntityId): void => {
    if (stamp[eid] === pass) return;
    stamp[eid] = pass;
    const m = GlobalTransform.m;
    if (hasComponent(world, eid, Parent)) {
      const parent = Parent.eid[eid]!;
      if (entityExists(world, parent) && hasComponent(world, parent, Transform)) {
        visit(parent);
        composeLocal(eid, local);
        multiply(m, parent * 16, local, m, eid * 16);
        return;
      }
    }
    composeLocal(eid, m, eid * 16);
  };
  return () => {
    pass = (pass + 1) >>> 0 || 1;
    for (const eid of query(world, [Transform])) visit(eid);
  };
}
