/**
 * Transform components as structure-of-arrays (one typed array per field,
 * indexed by entity id), and the bundle / setter helpers that write them.
 */
import { addComponent, despawn, MAX_ENTITIES, query, removeComponent, sharedFloat32 } from '../ecs/index.ts';
import type { BundleFn, EntityId, World } from '../ecs/index.ts';

/**
 * Local position, rotation (unit quaternion x, y, z, w) and scale, relative to
 * the `Parent` if there is one. The arrays sit on a SharedArrayBuffer where
 * available, so a worker can read them without copies.
 * @example
 * ```ts
 * Transform.px[eid] = 2; // move right
 * ```
 */
export const Transform = {
  px: sharedFloat32(MAX_ENTITIES),
  py: sharedFloat32(MAX_ENTITIES),
  pz: sharedFloat32(MAX_ENTITIES),
  rx: sharedFloat32(MAX_ENTITIES),
  ry: sharedFloat32(MAX_ENTITIES),
  rz: sharedFloat32(MAX_ENTITIES),
  rw: sharedFloat32(MAX_ENTITIES),
  sx: sharedFloat32(MAX_ENTITIES),
  sy: sharedFloat32(MAX_ENTITIES),
  sz: sharedFloat32(MAX_ENTITIES),
};

/**
 * World matrix of each entity with a `Transform`, written by transform
 * propagation in `PostUpdate`: 16 floats per entity, column-major like three's
 * `Matrix4.elements`, at offset `eid * 16`.
 */
export const GlobalTransform = {
  m: sharedFloat32(MAX_ENTITIES * 16),
};

/** The entity's parent (bevy `ChildOf`): `Parent.eid[child] = parent`. */
export const Parent = {
  eid: new Int32Array(MAX_ENTITIES),
};

/** Initial values for `transform(...)`. */
export interface TransformInit {
  position?: readonly [number, number, number];
  /** Unit quaternion [x, y, z, w]. */
  rotation?: readonly [number, number, number, number];
  /** Euler angles in radians, XYZ order (ignored when `rotation` is given). */
  euler?: readonly [number, number, number];
  scale?: readonly [number, number, number] | number;
}

/** Writes an identity transform (the default for a newly added `Transform`). */
export function resetTransform(eid: EntityId): void {
  Transform.px[eid] = Transform.py[eid] = Transform.pz[eid] = 0;
  Transform.rx[eid] = Transform.ry[eid] = Transform.rz[eid] = 0;
  Transform.rw[eid] = 1;
  Transform.sx[eid] = Transform.sy[eid] = Transform.sz[eid] = 1;
  GlobalTransform.m.fill(0, eid * 16, eid * 16 + 16);
  GlobalTransform.m[eid * 16] = GlobalTransform.m[eid * 16 + 5] = GlobalTransform.m[eid * 16 + 10] = GlobalTransform.m[eid * 16 + 15] = 1;
}

/**
 * A bundle that adds `Transform` with the given values (identity by default).
 * @example spawn(world, transform({ position: [0, 1, 0], scale: 2 }))
 */
export function transform(init: TransformInit = {}): BundleFn {
  return (world, eid) => {
    addComponent(world, eid, Transform);
    resetTransform(eid);
    if (init.position) setPosition(eid, ...init.position);
    if (init.rotation) setRotation(eid, ...init.rotation);
    else if (init.euler) setRotationEuler(eid, ...init.euler);
    if (init.scale !== undefined) {
      const s = init.scale;
      if (typeof s === 'number') setScale(eid, s, s, s);
      else setScale(eid, ...s);
    }
  };
}

/** Sets the local position. */
export function setPosition(eid: EntityId, x: number, y: number, z: number): void {
  Transform.px[eid] = x;
  Transform.py[eid] = y;
  Transform.pz[eid] = z;
}

/** Sets the local rotation from a quaternion (normalised here). */
export function setRotation(eid: EntityId, x: number, y: number, z: number, w: number): void {
  const len = Math.hypot(x, y, z, w) || 1;
  Transform.rx[eid] = x / len;
  Transform.ry[eid] = y / len;
  Transform.rz[eid] = z / len;
  Transform.rw[eid] = w / len;
}

/** Sets the local rotation from Euler angles in radians (XYZ order, like three). */
export function setRotationEuler(eid: EntityId, x: number, y: number, z: number): void {
  const c1 = Math.cos(x / 2), c2 = Math.cos(y / 2), c3 = Math.cos(z / 2);
  const s1 = Math.sin(x / 2), s2 = Math.sin(y / 2), s3 = Math.sin(z / 2);
  setRotation(
    eid,
    s1 * c2 * c3 + c1 * s2 * s3,
    c1 * s2 * c3 - s1 * c2 * s3,
    c1 * c2 * s3 + s1 * s2 * c3,
    c1 * c2 * c3 - s1 * s2 * s3,
  );
}

/** Sets the local scale. */
export function setScale(eid: EntityId, x: number, y: number, z: number): void {
  Transform.sx[eid] = x;
  Transform.sy[eid] = y;
  Transform.sz[eid] = z;
}

/** Rotates by `angle` radians about a unit axis in the parent's space (q' = r · q). */
export function rotateAxis(eid: EntityId, ax: number, ay: number, az: number, angle: number): void {
  const s = Math.sin(angle / 2);
  const bx = ax * s, by = ay * s, bz = az * s, bw = Math.cos(angle / 2);
  const qx = Transform.rx[eid]!, qy = Transform.ry[eid]!, qz = Transform.rz[eid]!, qw = Transform.rw[eid]!;
  setRotation(
    eid,
    bw * qx + bx * qw + by * qz - bz * qy,
    bw * qy - bx * qz + by * qw + bz * qx,
    bw * qz + bx * qy - by * qx + bz * qw,
    bw * qw - bx * qx - by * qy - bz * qz,
  );
}

/** Rotates about the X axis. */
export const rotateX = (eid: EntityId, angle: number): void => rotateAxis(eid, 1, 0, 0, angle);
/** Rotates about the Y axis. */
export const rotateY = (eid: EntityId, angle: number): void => rotateAxis(eid, 0, 1, 0, angle);
/** Rotates about the Z axis. */
export const rotateZ = (eid: EntityId, angle: number): void => rotateAxis(eid, 0, 0, 1, angle);

/** World position from the last propagation. */
export function getWorldPosition(eid: EntityId): [number, number, number] {
  const m = GlobalTransform.m;
  return [m[eid * 16 + 12]!, m[eid * 16 + 13]!, m[eid * 16 + 14]!];
}

/** Makes `child` a child of `parent`: its transform becomes relative to the parent's. */
export function setParent(world: World, child: EntityId, parent: EntityId): void {
  if (child === parent) throw new Error(`[transform] entity ${child} cannot be its own parent`);
  addComponent(world, child, Parent);
  Parent.eid[child] = parent;
}

/** Detaches `child` from its parent. */
export function removeParent(world: World, child: EntityId): void {
  removeComponent(world, child, Parent);
}

/** Direct children of `parent` (a scan over entities with `Parent`). */
export function childrenOf(world: World, parent: EntityId): EntityId[] {
  const out: EntityId[] = [];
  for (const eid of query(world, [Parent])) if (Parent.eid[eid] === parent) out.push(eid);
  return out;
}

/** Despawns an entity and all its descendants. */
export function despawnRecursive(world: World, eid: EntityId): void {
  for (const child of childrenOf(world, eid)) despawnRecursive(world, child);
  despawn(world, eid);
}
