import { describe, expect, it } from 'vitest';
import { Matrix4, Object3D } from 'three';
import { App } from '../../../engine/src/app/index.ts';
import { addComponent, addEntity, spawn } from '../../../engine/src/ecs/index.ts';
import {
  getWorldPosition, GlobalTransform, rotateY, setParent, setPosition, transform, Transform, TransformPlugin, despawnRecursive, childrenOf,
} from '../../../engine/src/transform/index.ts';
import { entityExists } from '../../../engine/src/ecs/index.ts';

function globalOf(eid: number): Matrix4 {
  return new Matrix4().fromArray(GlobalTransform.m, eid * 16);
}

describe('TransformPlugin', () => {
  it('keeps transform data on a SharedArrayBuffer so workers can read it without copies', () => {
    expect(Transform.px.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(GlobalTransform.m.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('gives a raw Transform identity values', () => {
    const app = new App().addPlugins(new TransformPlugin());
    const eid = addEntity(app.world);
    Transform.sx[eid] = 0;
    addComponent(app.world, eid, Transform);
    expect([Transform.sx[eid], Transform.rw[eid]]).toEqual([1, 1]);
  });

  it('matches three.js for a three-level hierarchy with rotation and scale', () => {
    const app = new App().addPlugins(new TransformPlugin());
    const w = app.world;
    const root = spawn(w, transform({ position: [1, 2, 3], euler: [0.3, -0.7, 0.2], scale: 2 }));
    const mid = spawn(w, transform({ position: [0, 1, 0], euler: [0, 1.2, 0] }));
    const leaf = spawn(w, transform({ position: [0.5, 0, -1], scale: [1, 3, 0.5] }));
    setParent(w, leaf, mid); // children may be set up before their parents
    setParent(w, mid, root);
    app.update(0);

    const r = new Object3D(); r.position.set(1, 2, 3); r.rotation.set(0.3, -0.7, 0.2); r.scale.setScalar(2);
    const m = new Object3D(); m.position.set(0, 1, 0); m.rotation.set(0, 1.2, 0);
    const l = new Object3D(); l.position.set(0.5, 0, -1); l.scale.set(1, 3, 0.5);
    r.add(m); m.add(l); r.updateMatrixWorld(true);
    const got = globalOf(leaf).elements;
    l.matrixWorld.elements.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
  });

  it('follows a moving parent on the next frame', () => {
    const app = new App().addPlugins(new TransformPlugin());
    const parent = spawn(app.world, transform({ position: [1, 0, 0] }));
    const child = spawn(app.world, transform({ position: [0, 0, 2] }));
    setParent(app.world, child, parent);
    app.update(0);
    expect(getWorldPosition(child)).toEqual([1, 0, 2]);
    setPosition(parent, 0, 5, 0);
    rotateY(parent, Math.PI / 2);
    app.update(0);
    const [x, y, z] = getWorldPosition(child);
    expect(x).toBeCloseTo(2, 5);
    expect(y).toBeCloseTo(5, 5);
    expect(z).toBeCloseTo(0, 5);
  });

  it('treats a despawned parent as no parent', () => {
    const app = new App().addPlugins(new TransformPlugin());
    const parent = spawn(app.world, transform({ position: [9, 9, 9] }));
    const child = spawn(app.world, transform({ position: [1, 0, 0] }));
    const grandchild = spawn(app.world, transform({ position: [0, 1, 0] }));
    setParent(app.world, child, parent);
    setParent(app.world, grandchild, child);
    app.update(0);
    expect(childrenOf(app.world, parent)).toEqual([child]);
    despawnRecursive(app.world, child);
    expect(entityExists(app.world, grandchild)).toBe(false);
    expect(entityExists(app.world, parent)).toBe(true);
  });
});
