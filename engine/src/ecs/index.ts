/**
 * ECS door: the bitecs 0.4 functions the engine builds on, plus a few helpers
 * that take the world first and start with a verb (`spawn`, `insert`, `despawn`).
 *
 * Components are your own objects, usually structure-of-arrays:
 * ```ts
 * const Velocity = { x: new Float32Array(MAX_ENTITIES), y: new Float32Array(MAX_ENTITIES) };
 * const eid = spawn(world, Velocity, (w, e) => { Velocity.x[e] = 1; });
 * for (const e of query(world, [Velocity])) Velocity.y[e]! -= 9.8 * dt;
 * ```
 * @module
 */
import { addComponent, addEntity, entityExists, removeEntity } from 'bitecs';
import type { EntityId, World } from 'bitecs';

export {
  addComponent,
  addComponents,
  addEntity,
  And,
  createWorld,
  entityExists,
  getAllEntities,
  getComponent,
  hasComponent,
  Not,
  observe,
  onAdd,
  onRemove,
  onSet,
  Or,
  query,
  removeComponent,
  removeComponents,
  removeEntity,
  set,
  setComponent,
} from 'bitecs';
export type { ComponentRef, EntityId, QueryTerm, World } from 'bitecs';

/**
 * Capacity of the engine's structure-of-arrays components (Transform,
 * GlobalTransform, Parent). bitecs recycles ids, so this bounds the number of
 * entities alive at once, not the number ever created.
 */
export const MAX_ENTITIES = 1 << 14;

/**
 * A Float32Array for component data, over a SharedArrayBuffer when the page
 * can have one (cross-origin isolated, or Node) so workers can read it without copies.
 */
export function sharedFloat32(length: number): Float32Array {
  return typeof SharedArrayBuffer === 'function'
    ? new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT))
    : new Float32Array(length);
}

/**
 * What can be added to an entity in one go: a component object, a bitecs
 * `set(C, data)` pair, or an insert function that adds components and writes
 * their data (the engine's bundle helpers, e.g. `transform({ position })`).
 */
export type Bundle = BundleFn | object;

/** An insert function: adds components to `eid` and fills their data. */
export type BundleFn = (world: World, eid: EntityId) => void;

/**
 * Adds each bundle to an existing entity, in order.
 * @example insert(world, eid, Player, transform({ position: [0, 1, 0] }))
 */
export function insert(world: World, eid: EntityId, ...bundles: readonly Bundle[]): void {
  for (const bundle of bundles) {
    if (typeof bundle === 'function') (bundle as BundleFn)(world, eid);
    else addComponent(world, eid, bundle);
  }
}

/**
 * Creates an entity with the given bundles and returns its id.
 * @throws when the id would not fit the engine's component arrays.
 */
export function spawn(world: World, ...bundles: readonly Bundle[]): EntityId {
  const eid = addEntity(world);
  if (eid >= MAX_ENTITIES) {
    removeEntity(world, eid);
    throw new Error(`[ecs] entity ${eid} exceeds MAX_ENTITIES (${MAX_ENTITIES}); despawn entities you no longer need`);
  }
  insert(world, eid, ...bundles);
  return eid;
}

/** Removes an entity and all its components; does nothing if it is already gone. */
export function despawn(world: World, eid: EntityId): void {
  if (entityExists(world, eid)) removeEntity(world, eid);
}
