/**
 * The packed model: `ltask://game/model/assets/models/crate.obj` is read through
 * the LtaskPlugin's asset source (game.lua -> packer.lua -> gltfpack on a carrier,
 * whose reads wait on the io service), and these bytes are a meshopt-compressed
 * GLB that three's GLTFLoader decodes with MeshoptDecoder.
 */
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'meshoptimizer';
import { disposeGltf, type AssetLoader, type GltfAsset } from '@ltask-web/engine';

/** Where the demo's model comes from: authored OBJ, packed on request. */
export const MODEL_PATH = 'ltask://game/model/assets/models/crate.obj';

const GLB_MAGIC = 0x46546c67;

/**
 * `.obj` assets arrive packed: the service turned the OBJ (+ .mtl + texture)
 * into one GLB. Plain OBJ text is refused with a clear message.
 */
export const packedObjLoader: AssetLoader<GltfAsset> = {
  name: 'packed-obj',
  extensions: ['obj'],
  async load(bytes, ctx) {
    if (bytes.byteLength < 12 || new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) !== GLB_MAGIC) {
      throw new Error(`[demo] "${ctx.path}" is not a GLB: load .obj files through ltask://game/model/<path> (gltfpack)`);
    }
    await MeshoptDecoder.ready;
    const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
    ctx.signal.throwIfAborted();
    return loader.parseAsync(bytes.slice().buffer, '');
  },
  unload: disposeGltf,
};
