/**
 * Extension to asset type, so `load('ship.glb')` is a `Handle<GltfAsset>`.
 * Add your own by declaration merging:
 * ```ts
 * declare module '@ltask-web/engine' { interface AssetTypeMap { csv: string[][] } }
 * ```
 */
import type { Texture } from 'three';
import type { GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';

/** A loaded glTF: three's GLTF result (scene, scenes, animations, cameras...). */
export type GltfAsset = GLTF;

/** Asset types by lower-case extension. */
export interface AssetTypeMap {
  json: unknown;
  txt: string;
  text: string;
  glb: GltfAsset;
  gltf: GltfAsset;
  png: Texture;
  jpg: Texture;
  jpeg: Texture;
  webp: Texture;
}
