/**
 * gltfpack (meshoptimizer's glTF/OBJ optimiser, a wasm build) as a native module.
 *
 * gltfpack opens its inputs through WASI calls that land in a synchronous
 * `read(path)`: the .gltf or .obj first, then what it references (.bin, .mtl,
 * textures), all inside one wasm call. Here that read is the Lua callback, so each
 * file comes from the io service while the carrier blocks.
 *
 * @example Lua
 * ```lua
 * local gltfpack = ltask.native "gltfpack"
 * local out = gltfpack.pack({ "-i", "scene/scene.gltf", "-o", "scene.glb", "-c" }, {
 *     read = function(path) return ltask.call(io, "read", path) end })
 * -- out.files["scene.glb"] holds the GLB bytes
 * ```
 */
import { init, pack as gltfpackPack } from 'gltfpack';
import { asBytes, type NativeModule } from '@ltask-web/plugin-ltask/native';
import { expectCallback, isNode, messageOf, normalisePath, wasmBytes } from './util.ts';

/** What `pack` returns (payload values only). */
export interface PackResult {
  /** Every file gltfpack wrote, by normalised path (`-o out.glb` gives `files['out.glb']`). */
  files: Record<string, Uint8Array>;
  /** gltfpack's console output (statistics with `-v`, warnings). */
  log: string;
  /** The paths gltfpack read, in order (normalised, as passed to `io.read`). */
  inputs: string[];
  /** Wall time of the whole call, callbacks included (ms). */
  ms: number;
}

/** The io table from Lua: `read` is required; `write`, when given, also receives each output. */
export interface PackIo {
  read(path: string): unknown;
  write?(path: string, bytes: Uint8Array): unknown;
}

let initialised = false;

/**
 * gltfpack asks for `name` relative to one of its WASI pre-opened folders: `/`
 * for absolute arguments, and `/gltfpack-$pwd` (whose path prefix is empty) for
 * relative ones. Either way the io service wants a plain asset path.
 */
function assetPath(name: string): string {
  return normalisePath(name.startsWith('/gltfpack-$pwd/') ? name.slice('/gltfpack-$pwd/'.length) : name);
}

async function pack(args: unknown, io: unknown): Promise<PackResult> {
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new TypeError('[gltfpack] pack(args, io): args must be a list of strings, e.g. { "-i", "a.gltf", "-o", "a.glb" }');
  }
  expectCallback('[gltfpack] pack(args, io)', io, 'read');
  const pio = io as PackIo; // called as its methods: `this` stays the table
  const files: Record<string, Uint8Array> = {};
  const inputs: string[] = [];
  // gltfpack turns a failed read into "file not found": keep the callback's own
  // error so the caller learns why (a Lua error, a missing file in the io service).
  const readErrors: string[] = [];
  const sizes: string[] = [];
  const t0 = performance.now();
  let log: string;
  try {
    log = await gltfpackPack(args, {
      read(name: string): Uint8Array | undefined {
        const path = assetPath(name);
        inputs.push(path);
        try {
          const data = pio.read(path);
          if (data === undefined || data === null || data === false) {
            readErrors.push(`read("${path}") returned nothing`);
            return undefined;
          }
          const bytes = asBytes(data);
          sizes.push(`${path}: ${bytes.byteLength} bytes`);
          return bytes;
        } catch (err) {
          readErrors.push(`read("${path}") failed: ${messageOf(err)}`);
          return undefined;
        }
      },
      write(name: string, data: Uint8Array): void {
        const path = assetPath(name);
        // `data` views gltfpack's growable scratch array: copy before it is reused.
        const bytes = data.slice();
        files[path] = bytes;
        pio.write?.(path, bytes);
      },
    });
  } catch (err) {
    const msg = messageOf(err).trim();
    // Without a failed read, what was read (a .bin shorter than its buffer's byteLength gives "I/O error").
    const why = readErrors.length ? readErrors : sizes.length ? [`read ${sizes.join(', ')}`] : [];
    throw new Error(`[gltfpack] ${msg}${why.length ? ` (${why.join('; ')})` : ''}`, { cause: err });
  }
  return { files, log, inputs, ms: performance.now() - t0 };
}

/**
 * State: one wasm instance per JS realm, with module-level globals (the fd table,
 * the current read/write interface). Each carrier is its own realm with its own
 * instance, and a pack runs as one synchronous wasm call, so calls never interleave
 * inside a carrier: a small pool is safe. Two carriers let two services pack at
 * once on two cores; more would only multiply wasm heaps, which grow to the
 * largest input and never shrink.
 */
export default {
  name: 'gltfpack',
  instances: { max: 2 },
  async setup() {
    // Node: library.js instantiates itself from its own folder on import.
    if (initialised || isNode()) return;
    const bytes = await wasmBytes('gltfpack/library.wasm', () => import('gltfpack/library.wasm?url'));
    init(bytes);
    initialised = true;
  },
  functions: { pack },
} satisfies NativeModule;
