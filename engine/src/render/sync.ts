/**
 * Keeps the three scene in step with the ECS: creates, updates and removes one
 * Object3D per renderable entity and copies world matrices from
 * `GlobalTransform`. Objects sit directly under the scene; hierarchy lives in
 * the ECS and arrives here already multiplied out.
 */
import { Group, Mesh, Object3D } from 'three';
import type { Camera, Scene } from 'three';
import { hasComponent, query } from '../ecs/index.ts';
import type { EntityId, World } from '../ecs/index.ts';
import { GlobalTransform, Transform } from '../transform/index.ts';
import { Camera3d, Hidden, Light3d, Mesh3d, MeshMaterial3d, SceneRoot } from './components.ts';

type Kind = 'mesh' | 'scene' | 'camera' | 'light';

interface Synced {
  kind: Kind;
  object: Object3D;
  /** For scenes: the glTF asset whose scene is shown (null: none yet). */
  filled: object | null;
}

/** The scene's objects by entity, and the active camera. */
export class SceneSync {
  /** The three scene it fills. */
  readonly scene: Scene;
  /** Objects by entity id. */
  readonly objects = new Map<EntityId, Object3D>();
  /** The camera that renders, or `null`. */
  activeCamera: Camera | null = null;
  private readonly synced = new Map<EntityId, Synced>();
  private readonly seen = new Set<EntityId>();

  /** @param scene the three scene to fill */
  constructor(scene: Scene) {
    this.scene = scene;
  }

  /** One pass: add, update and remove objects to match the world. */
  sync(world: World): void {
    const seen = this.seen;
    seen.clear();
    for (const eid of query(world, [Mesh3d, MeshMaterial3d])) {
      const geometry = Mesh3d.geometry[eid];
      const material = MeshMaterial3d.material[eid];
      if (!geometry || !material) continue;
      const s = this.claim(eid, 'mesh', () => new Mesh(geometry, material));
      const m = s.object as Mesh;
      if (m.geometry !== geometry) m.geometry = geometry;
      if (m.material !== material) m.material = material;
      this.place(world, eid, s.object);
    }
    for (const eid of query(world, [SceneRoot])) {
      if (seen.has(eid)) continue;
      const s = this.claim(eid, 'scene', () => new Group());
      const gltf = SceneRoot.handle[eid]?.asset;
      if (gltf && s.filled !== gltf) {
        // First load, or a hot reload gave the handle a new scene: show the new one.
        s.object.clear();
        s.object.add(gltf.scene.clone(true));
        s.filled = gltf;
      }
      this.place(world, eid, s.object);
    }
    let best: { eid: EntityId; order: number } | null = null;
    for (const eid of query(world, [Camera3d])) {
      const cam = Camera3d.camera[eid];
      if (!cam || seen.has(eid)) continue;
      this.claim(eid, 'camera', () => cam, cam);
      this.place(world, eid, cam);
      const order = Camera3d.order[eid]!;
      if (!best || order < best.order) best = { eid, order };
    }
    this.activeCamera = best ? (this.synced.get(best.eid)!.object as Camera) : null;
    for (const eid of query(world, [Light3d])) {
      const l = Light3d.light[eid];
      if (!l || seen.has(eid)) continue;
      this.claim(eid, 'light', () => l, l);
      this.place(world, eid, l);
    }
    for (const [eid, s] of this.synced) {
      if (!seen.has(eid)) this.drop(eid, s);
    }
  }

  /**
   * Forgets an entity's object now, so a recycled id gets a fresh one. Called
   * when a render component is removed (bitecs reuses ids at once).
   */
  invalidate(eid: EntityId): void {
    const s = this.synced.get(eid);
    if (s) this.drop(eid, s);
  }

  /** Removes every object (on exit). */
  clear(): void {
    for (const [eid, s] of this.synced) this.drop(eid, s);
  }

  /** The synced entry for `eid`, replacing it when its kind or object changed. */
  private claim(eid: EntityId, kind: Kind, make: () => Object3D, expected?: Object3D): Synced {
    this.seen.add(eid);
    let s = this.synced.get(eid);
    if (s && (s.kind !== kind || (expected && s.object !== expected))) {
      this.drop(eid, s);
      s = undefined;
    }
    if (!s) {
      const object = make();
      object.matrixAutoUpdate = false;
      object.userData.eid = eid;
      s = { kind, object, filled: null };
      this.synced.set(eid, s);
      this.objects.set(eid, object);
      this.scene.add(object);
    }
    return s;
  }

  private place(world: World, eid: EntityId, object: Object3D): void {
    if (hasComponent(world, eid, Transform)) object.matrix.fromArray(GlobalTransform.m, eid * 16);
    else object.matrix.identity();
    object.matrixWorldNeedsUpdate = true;
    object.visible = !hasComponent(world, eid, Hidden);
  }

  private drop(eid: EntityId, s: Synced): void {
    this.scene.remove(s.object);
    this.synced.delete(eid);
    this.objects.delete(eid);
  }
}
