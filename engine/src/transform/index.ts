/**
 * Transform door: structure-of-arrays `Transform`, `GlobalTransform`,
 * `Parent`, helpers, and `TransformPlugin` (propagation in `PostUpdate`).
 * @module
 */
import { PostUpdate } from '../app/index.ts';
import type { App, Plugin } from '../app/index.ts';
import { observe, onAdd } from '../ecs/index.ts';
import { resetTransform, Transform } from './components.ts';
import { createPropagation } from './propagate.ts';

export {
  childrenOf,
  despawnRecursive,
  getWorldPosition,
  GlobalTransform,
  Parent,
  removeParent,
  resetTransform,
  rotateAxis,
  rotateX,
  rotateY,
  rotateZ,
  setParent,
  setPosition,
  setRotation,
  setRotationEuler,
  setScale,
  transform,
  Transform,
} from './components.ts';
export type { TransformInit } from './components.ts';
export { composeLocal, createPropagation } from './propagate.ts';

/** System sets of `TransformPlugin`, to order against. */
export const TransformSystems = {
  /** Writes `GlobalTransform` (in `PostUpdate`). */
  propagate: 'transform.propagate',
} as const;

/**
 * Gives every new `Transform` identity values and propagates world matrices
 * in `PostUpdate` (set `TransformSystems.propagate`).
 * @example
 * ```ts
 * app.addPlugins(new TransformPlugin());
 * const parent = spawn(app.world, transform({ position: [1, 0, 0] }));
 * const child = spawn(app.world, transform({ position: [0, 1, 0] }));
 * setParent(app.world, child, parent);
 * app.update(0); // getWorldPosition(child) -> [1, 1, 0]
 * ```
 */
export class TransformPlugin implements Plugin {
  readonly name = 'TransformPlugin';

  build(app: App): void {
    observe(app.world, onAdd(Transform), (eid) => resetTransform(eid));
    const propagate = createPropagation(app.world);
    app.addSystems(PostUpdate, function propagateTransforms() {
      propagate();
    }, { inSet: TransformSystems.propagate });
  }
}
