/**
 * Malformed assets for the engine's loaders, shared by the Node test and the
 * browser test (no node: imports): each case is a file set, the path to load and
 * what the handle's error must say; `good` loads after them on the same server.
 */
import { AssetServer, MemoryReader, gltfLoader, jsonLoader, textLoader, textureLoader } from '../../../engine/src/assets/index.ts';

/** A 2 x 2 RGBA PNG (test/fixtures/engine/checker.png). */
export const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAE0lEQVR4nGP4z8DwHwwZGP6DAQBJyAn3FGMynQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);

/** One triangle: positions (3 x VEC3 float) in `tri.bin`, a material with the checker texture. */
const BIN = new Uint8Array(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer);
const gltf = (edit: (g: Record<string, any>) => void = () => {}): string => {
  const g: Record<string, any> = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorTexture: { index: 0 } } }],
    textures: [{ source: 0 }],
    images: [{ uri: 'checker.png' }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: 36 }],
    buffers: [{ uri: 'tri.bin', byteLength: 36 }],
  };
  edit(g);
  return JSON.stringify(g);
};

export const FILES: Record<string, Uint8Array | string> = {
  'good.json': '{"size": 3}',
  'bad.json': '{"size": 3,}',
  'checker.png': PNG,
  'text.png': 'this is not an image, only text saved as .png',
  'cut.png': PNG.slice(0, 60),
  'tri.gltf': gltf(),
  'tri.bin': BIN,
  'cut.gltf': gltf().slice(0, 120),
  'nobuf.gltf': gltf((g) => void (g.buffers[0].uri = 'gone.bin')),
  'short.gltf': gltf((g) => void (g.buffers[0].uri = 'short.bin')),
  'short.bin': BIN.slice(0, 12),
  'noview.gltf': gltf((g) => void (g.accessors[0].bufferView = 99)),
  'overrun.gltf': gltf((g) => void (g.accessors[0].count = 1_000_000)),
  'noindex.gltf': gltf((g) => void (g.meshes[0].primitives[0].indices = 5)),
  'badimage.gltf': gltf((g) => void (g.images[0].uri = 'text.png')),
};

/** Path -> what its error says (each names the asset and the cause). */
export const CASES: Record<string, RegExp> = {
  'bad.json': /^\[assets\] "bad\.json" is not valid JSON: \S/,
  'text.png': /^\[assets\] "text\.png" is not an image: no PNG, JPEG, GIF or WebP signature \(\d+ bytes, starting 74 68 69 73/,
  'cut.png': /^\[assets\] "cut\.png" is not a whole image: PNG cut short: its IDAT chunk at byte 33 needs 31 bytes, 27 are left/,
  'cut.gltf': /^\[assets\] "cut\.gltf" is not valid JSON: \S/,
  'nobuf.gltf': /^\[assets\] "nobuf\.gltf": buffer 0 \("gone\.bin"\) could not be read: \[assets\] no file "gone\.bin" in memory/,
  'short.gltf': /^\[assets\] "short\.gltf": buffer 0 is 36 bytes, "short\.bin" holds 12 \(cut short\?\)/,
  'noview.gltf': /^\[assets\] "noview\.gltf": accessor 0 uses bufferView 99, which does not exist \(1 bufferViews\)/,
  'overrun.gltf': /^\[assets\] "overrun\.gltf": accessor 0 needs 12000000 bytes of bufferView 0, which holds 36/,
  'noindex.gltf': /^\[assets\] "noindex\.gltf" \(gltf loader\): \S/, // three's own error; the server names the asset
  'badimage.gltf': /^\[assets\] dependency "text\.png" of "badimage\.gltf" failed: \[assets\] "text\.png" is not an image/,
};

/** A server with the built-in loaders over `files` in memory. */
export const serverOver = (files: Record<string, Uint8Array | string>) =>
  new AssetServer({ reader: new MemoryReader(files) })
    .registerLoader(textLoader).registerLoader(jsonLoader).registerLoader(textureLoader).registerLoader(gltfLoader);

/** Loads `path` and returns its state and error message once it settled (it must fail). */
export async function failure(server: AssetServer, path: string): Promise<{ state: string; message: string; rejected: string }> {
  const handle = server.load(path);
  const rejected = await handle.loaded().then(() => 'loaded', (e: Error) => e.message);
  return { state: handle.state, message: handle.error?.message ?? '', rejected };
}
