/**
 * Render components: three.js objects stored per entity. One renderable per
 * entity: a mesh (`Mesh3d` + `MeshMaterial3d`), a glTF scene (`SceneRoot`),
 * a camera (`Camera3d`) or a light (`Light3d`).
 */
import { addComponent, MAX_ENTITIES } from '../ecs/index.ts';
import type { BundleFn } from '../ecs/index.ts';
import type { Handle } from '../assets/index.ts';
import type { GltfAsset } from '../assets/index.ts';
import type { BufferGeometry, Camera, Light, Material } from 'three';

/** The geometry of a mesh entity (shared geometries are fine). */
export const Mesh3d = { geometry: [] as Array<BufferGeometry | undefined> };

/** The material of a mesh entity. */
export const MeshMaterial3d = { material: [] as Array<Material | undefined> };

/** A camera; the one with the lowest `order` renders (ties: lowest entity id). */
export const Camera3d = {
  camera: [] as Array<Camera | undefined>,
  order: new Int32Array(MAX_ENTITIES),
};

/** A light (three's AmbientLight, DirectionalLight, PointLight...). */
export const Light3d = { light: [] as Array<Light | undefined> };

/** A glTF scene, instanced into the three scene once its handle is loaded. */
export const SceneRoot = { handle: [] as Array<Handle<GltfAsset> | undefined> };

/** Tag: the entity's object is not drawn. */
export const Hidden = {};

/**
 * A bundle for a mesh entity.
 * @example spawn(world, mesh(new BoxGeometry(), new MeshStandardMaterial()), transform())
 */
export function mesh(geometry: BufferGeometry, material: Material): BundleFn {
  return (world, eid) => {
    addComponent(world, eid, Mesh3d);
    addComponent(world, eid, MeshMaterial3d);
    Mesh3d.geometry[eid] = geometry;
    MeshMaterial3d.material[eid] = material;
  };
}

/** A bundle for a camera entity; `order` picks the active camera (lowest wins). */
export function camera(cam: Camera, order = 0): BundleFn {
  return (world, eid) => {
    addComponent(world, eid, Camera3d);
    Camera3d.camera[eid] = cam;
    Camera3d.order[eid] = order;
  };
}

/** A bundle for a light entity. */
export function light(l: Light): BundleFn {
  return (world, eid) => {
    addComponent(world, eid, Light3d);
    Light3d.light[eid] = l;
  };
}

/** A bundle for a glTF scene entity; the entity holds a clone of the handle. */
export function sceneRoot(handle: Handle<GltfAsset>): BundleFn {
  return (world, eid) => {
    addComponent(world, eid, SceneRoot);
    SceneRoot.handle[eid] = handle.clone();
  };
}
