/** Loading packed GLBs with three's GLTFLoader in Node tests. */
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { Texture, type Mesh } from 'three';
import { MeshoptDecoder } from 'meshoptimizer';

/** GLTFLoader in Node: images cannot be decoded here, so a plugin hands back empty textures and keeps the bytes. */
export async function loadGlb(glb: Uint8Array): Promise<{ gltf: GLTF; images: Uint8Array[] }> {
  const images: Uint8Array[] = [];
  const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
  loader.register((parser) => ({
    name: 'test_image_bytes',
    async loadTexture(index: number) {
      const source = parser.json.textures[index].source;
      const view = (await parser.getDependency('bufferView', parser.json.images[source].bufferView)) as ArrayBuffer;
      images.push(new Uint8Array(view));
      return new Texture();
    },
  }));
  const gltf = await loader.parseAsync(glb.slice().buffer, '');
  return { gltf, images };
}

/** Every mesh of a loaded scene. */
export function meshes(gltf: GLTF): Mesh[] {
  const out: Mesh[] = [];
  gltf.scene.traverse((o) => void ((o as Mesh).isMesh && out.push(o as Mesh)));
  return out;
}
