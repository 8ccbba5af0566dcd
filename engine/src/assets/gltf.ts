/**
 * glTF / GLB through three's GLTFLoader. External buffers are read through
 * the asset server (counted in progress) and packed with the JSON into one GLB
 * in memory, so GLTFLoader never fetches on its own; external images are
 * loaded as texture dependencies and handed to GLTFLoader by a small plugin.
 */
import { ClampToEdgeWrapping, LinearFilter, LinearMipmapLinearFilter, LinearMipmapNearestFilter, MirroredRepeatWrapping, NearestFilter, NearestMipmapLinearFilter, NearestMipmapNearestFilter, RepeatWrapping, Texture } from 'three';
import type { MagnificationTextureFilter, Material, Mesh, MinificationTextureFilter, Wrapping } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { GLTFLoaderPlugin, GLTFParser } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { decodeTexture, imageMimeType } from './loaders.ts';
import type { AssetLoader, LoadContext } from './loader.ts';
import type { GltfAsset } from './types.ts';

interface GltfJson {
  buffers?: Array<{ uri?: string; byteLength: number }>;
  bufferViews?: Array<{ buffer: number; byteOffset?: number; extensions?: Record<string, { buffer: number; byteOffset?: number }> }>;
  images?: Array<{ uri?: string; bufferView?: number; mimeType?: string }>;
  textures?: Array<{ source?: number; sampler?: number }>;
  samplers?: Array<{ magFilter?: number; minFilter?: number; wrapS?: number; wrapT?: number }>;
  [key: string]: unknown;
}

const GLB_MAGIC = 0x46546c67;
const FILTERS: Record<number, MagnificationTextureFilter | MinificationTextureFilter> = {
  9728: NearestFilter, 9729: LinearFilter, 9984: NearestMipmapNearestFilter,
  9985: LinearMipmapNearestFilter, 9986: NearestMipmapLinearFilter, 9987: LinearMipmapLinearFilter,
};
const WRAPS: Record<number, Wrapping> = { 33071: ClampToEdgeWrapping, 33648: MirroredRepeatWrapping, 10497: RepeatWrapping };

/** glTF JSON, or an error saying where it is broken. */
function parseJson(bytes: Uint8Array, what: string): GltfJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`[assets] ${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`[assets] ${what} is not a glTF object`);
  return json as GltfJson;
}

/** Splits a GLB into its JSON and binary chunk. */
export function parseGlb(bytes: Uint8Array): { json: GltfJson; bin: Uint8Array | undefined } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== GLB_MAGIC) throw new Error('[assets] not a GLB file');
  let json: GltfJson | undefined;
  let bin: Uint8Array | undefined;
  for (let offset = 12; offset + 8 <= bytes.byteLength;) {
    const length = view.getUint32(offset, true);
    const type = view.getUint32(offset + 4, true);
    const chunk = bytes.subarray(offset + 8, offset + 8 + length);
    if (offset + 8 + length > bytes.byteLength) throw new Error(`[assets] GLB chunk at byte ${offset} needs ${length} bytes, the file has ${bytes.byteLength - offset - 8} more (cut short?)`);
    if (type === 0x4e4f534a) json = parseJson(chunk, 'GLB JSON chunk');
    else if (type === 0x004e4942) bin = chunk;
    offset += 8 + length;
  }
  if (!json) throw new Error('[assets] GLB has no JSON chunk');
  return { json, bin };
}

/** Packs glTF JSON and one binary buffer into a GLB. */
export function packGlb(json: object, bin: Uint8Array | undefined): Uint8Array {
  const pad = (n: number) => (n + 3) & ~3;
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = pad(text.byteLength);
  const binLength = bin ? pad(bin.byteLength) : 0;
  const total = 12 + 8 + jsonLength + (bin ? 8 + binLength : 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, GLB_MAGIC, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, 0x4e4f534a, true);
  out.set(text, 20);
  out.fill(0x20, 20 + text.byteLength, 20 + jsonLength);
  if (bin) {
    view.setUint32(20 + jsonLength, binLength, true);
    view.setUint32(24 + jsonLength, 0x004e4942, true);
    out.set(bin, 28 + jsonLength);
  }
  return out;
}

function decodeDataUri(uri: string): Uint8Array {
  const comma = uri.indexOf(',');
  const meta = uri.slice(0, comma);
  const body = uri.slice(comma + 1);
  if (meta.endsWith(';base64')) return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(decodeURIComponent(body));
}

/** Concatenates all buffers (4-byte aligned) and points every buffer view at the result. */
function mergeBuffers(json: GltfJson, buffers: Uint8Array[]): Uint8Array | undefined {
  if (buffers.length === 0) return undefined;
  const starts: number[] = [];
  let size = 0;
  for (const b of buffers) { starts.push(size); size = (size + b.byteLength + 3) & ~3; }
  const merged = new Uint8Array(size);
  buffers.forEach((b, i) => merged.set(b, starts[i]));
  const remap = (ref: { buffer: number; byteOffset?: number }) => {
    ref.byteOffset = (ref.byteOffset ?? 0) + (starts[ref.buffer] ?? 0);
    ref.buffer = 0;
  };
  for (const view of json.bufferViews ?? []) {
    remap(view);
    for (const ext of Object.values(view.extensions ?? {})) if (typeof ext?.buffer === 'number') remap(ext);
  }
  json.buffers = [{ byteLength: size }];
  return merged;
}

/** Hands GLTFLoader the textures the engine decoded, so it never touches the DOM or the network. */
function texturePlugin(parser: GLTFParser, external: Map<number, Texture>): GLTFLoaderPlugin {
  const json = parser.json as GltfJson;
  return {
    name: 'engine_textures',
    loadTexture(index: number): Promise<Texture> | null {
      const def = json.textures?.[index];
      const source = def?.source;
      const image = source === undefined ? undefined : json.images?.[source];
      // null (not a promise of null) lets GLTFLoader's own path or another plugin take it.
      if (source === undefined || !image || (image.uri === undefined && image.bufferView === undefined)) return null;
      return loadEngineTexture(index, def, source, image);
    },
  };
  async function loadEngineTexture(
    index: number,
    def: NonNullable<GltfJson['textures']>[number] | undefined,
    source: number,
    image: NonNullable<GltfJson['images']>[number],
  ): Promise<Texture> {
    let texture: Texture;
    const dep = external.get(source);
    if (dep) {
      // The texture asset was decoded flipped for three's convention; glTF wants file order.
      const bitmap = dep.image as ImageBitmap | { width: number; height: number };
      texture = dep.clone();
      if (typeof ImageBitmap !== 'undefined' && bitmap instanceof ImageBitmap) {
        texture.image = await createImageBitmap(bitmap, { imageOrientation: 'flipY' });
      }
    } else if (image.uri?.startsWith('data:')) {
      texture = await decodeTexture(decodeDataUri(image.uri), image.mimeType ?? 'image/png', false);
    } else {
      const view = (await parser.getDependency('bufferView', image.bufferView!)) as ArrayBuffer;
      texture = await decodeTexture(new Uint8Array(view), image.mimeType ?? 'image/png', false);
    }
    const sampler = (def?.sampler !== undefined && json.samplers?.[def.sampler]) || {};
    texture.flipY = false;
    texture.magFilter = (FILTERS[sampler.magFilter ?? 0] as MagnificationTextureFilter | undefined) ?? LinearFilter;
    texture.minFilter = FILTERS[sampler.minFilter ?? 0] ?? LinearMipmapLinearFilter;
    texture.wrapS = WRAPS[sampler.wrapS ?? 0] ?? RepeatWrapping;
    texture.wrapT = WRAPS[sampler.wrapT ?? 0] ?? RepeatWrapping;
    texture.needsUpdate = true;
    parser.associations.set(texture, { textures: index });
    return texture;
  }
}

/** Disposes what a loaded glTF holds on the GPU. */
export function disposeGltf(gltf: GltfAsset): void {
  gltf.scene.traverse((object) => {
    const mesh = object as Mesh;
    mesh.geometry?.dispose();
    const materials: Material[] = Array.isArray(mesh.material) ? mesh.material : mesh.material ? [mesh.material] : [];
    for (const m of materials) {
      for (const value of Object.values(m)) if (value instanceof Texture) value.dispose();
      m.dispose();
    }
  });
}

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COUNT: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

/**
 * Accessors and buffer views that point at data that is not there: named here
 * (three's GLTFLoader would fail with "Cannot read properties of undefined" or
 * "Invalid typed array length").
 */
function checkAccessors(path: string, json: GltfJson, buffers: Uint8Array[]): void {
  const views = (json.bufferViews ?? []) as Array<{ buffer: number; byteOffset?: number; byteLength: number; byteStride?: number }>;
  const fail = (what: string) => { throw new Error(`[assets] "${path}": ${what}`); };
  views.forEach((v, i) => {
    const buffer = buffers[v.buffer];
    if (!buffer) fail(`bufferView ${i} uses buffer ${v.buffer}, which does not exist (${buffers.length} buffers)`);
    else if ((v.byteOffset ?? 0) + v.byteLength > buffer.byteLength) fail(`bufferView ${i} ends at byte ${(v.byteOffset ?? 0) + v.byteLength}, past the end of buffer ${v.buffer} (${buffer.byteLength} bytes)`);
  });
  const accessors = (json.accessors ?? []) as Array<{ bufferView?: number; byteOffset?: number; componentType: number; count: number; type: string }>;
  accessors.forEach((a, i) => {
    if (a.bufferView === undefined) return; // all zeros (or sparse)
    const view = views[a.bufferView];
    if (!view) return fail(`accessor ${i} uses bufferView ${a.bufferView}, which does not exist (${views.length} bufferViews)`);
    const element = (COMPONENT_BYTES[a.componentType] ?? 0) * (TYPE_COUNT[a.type] ?? 0);
    if (!element || !Number.isSafeInteger(a.count) || a.count < 0) return fail(`accessor ${i} has componentType ${a.componentType}, type ${a.type}, count ${a.count}`);
    const end = (a.byteOffset ?? 0) + (a.count ? (view.byteStride ?? element) * (a.count - 1) + element : 0);
    if (end > view.byteLength) fail(`accessor ${i} needs ${end} bytes of bufferView ${a.bufferView}, which holds ${view.byteLength}`);
  });
}

/** An external buffer; a failed read names the glTF, the buffer and the file. */
async function readBuffer(ctx: LoadContext, index: number, uri: string): Promise<Uint8Array> {
  const path = ctx.resolve(uri);
  try {
    return await ctx.readBytes(path);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new Error(`[assets] "${ctx.path}": buffer ${index} ("${path}") could not be read: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * `.gltf` and `.glb` to three's GLTF result. Loads external `.bin` files
 * with `readBytes` and external images as texture dependencies.
 */
export const gltfLoader: AssetLoader<GltfAsset> = {
  name: 'gltf',
  extensions: ['gltf', 'glb'],
  async load(bytes, ctx) {
    const isGlb = bytes.byteLength >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === GLB_MAGIC;
    const { json, bin } = isGlb ? parseGlb(bytes) : { json: parseJson(bytes, `"${ctx.path}"`), bin: undefined };
    const external = new Map<number, Texture>();
    const [buffers] = await Promise.all([
      Promise.all((json.buffers ?? []).map(async (buffer, i) => {
        if (buffer.uri === undefined) {
          if (!bin) throw new Error(`[assets] "${ctx.path}": buffer ${i} has no uri and there is no GLB binary chunk`);
          return bin;
        }
        const data = buffer.uri.startsWith('data:') ? decodeDataUri(buffer.uri) : await readBuffer(ctx, i, buffer.uri);
        if (data.byteLength < buffer.byteLength) {
          const name = buffer.uri.startsWith('data:') ? 'its data: URI' : `"${ctx.resolve(buffer.uri)}"`;
          throw new Error(`[assets] "${ctx.path}": buffer ${i} is ${buffer.byteLength} bytes, ${name} holds ${data.byteLength} (cut short?)`);
        }
        return data;
      })),
      Promise.all((json.images ?? []).map(async (image, i) => {
        if (image.uri === undefined || image.uri.startsWith('data:')) return;
        external.set(i, await ctx.loadDependency<Texture>(ctx.resolve(image.uri)));
        image.mimeType ??= imageMimeType(image.uri);
      })),
    ]);
    checkAccessors(ctx.path, json, buffers);
    const glb = packGlb(json, mergeBuffers(json, buffers));
    const loader = new GLTFLoader();
    loader.register((parser) => texturePlugin(parser, external));
    ctx.signal.throwIfAborted();
    return loader.parseAsync(glb.buffer as ArrayBuffer, '');
  },
  unload: disposeGltf,
};
