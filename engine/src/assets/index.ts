/**
 * Assets door: `AssetServer`, handles and load states, readers (fetch,
 * memory, or your own), loaders by extension (glTF/GLB, textures, JSON,
 * text) and `AssetPlugin` with its registration functions.
 * @module
 */
import { PreUpdate, defineEvent } from '../app/index.ts';
import type { App, Plugin } from '../app/index.ts';
import { gltfLoader } from './gltf.ts';
import { jsonLoader, textLoader, textureLoader } from './loaders.ts';
import type { AssetLoader } from './loader.ts';
import { FetchReader, MemoryReader } from './reader.ts';
import type { AssetReader } from './reader.ts';
import { AssetServer } from './server.ts';
import type { AssetEvent } from './server.ts';

export { Handle } from './handle.ts';
export type { AssetProgress, LoadState } from './handle.ts';
export { extensionOf, normalizePath, resolvePath } from './loader.ts';
export type { AssetLoader, LoadContext } from './loader.ts';
export { abortError, FetchReader, MemoryReader } from './reader.ts';
export type { AssetReader, MemoryReaderOptions, ReadOptions } from './reader.ts';
export { AssetServer } from './server.ts';
export type { AssetEvent, AssetOf, AssetServerOptions, LoadOptions } from './server.ts';
export { decodeTexture, jsonLoader, sniffImageSize, textLoader, textureLoader } from './loaders.ts';
export { disposeGltf, gltfLoader, packGlb, parseGlb } from './gltf.ts';
export type { AssetTypeMap, GltfAsset } from './types.ts';

/** App event for every asset loaded, failed or removed (sent in `PreUpdate`). */
export const AssetEvents = defineEvent<AssetEvent>('AssetEvents');

/** Options of `AssetPlugin`. */
export interface AssetPluginOptions {
  /** Reader of the default source. Default: `FetchReader(root)` where `fetch` exists, else an empty `MemoryReader`. */
  reader?: AssetReader;
  /** URL prefix for the default `FetchReader`. Default '/assets/'. */
  root?: string;
  /** Reads in flight at once. Default 6. */
  maxConcurrentReads?: number;
}

/**
 * Inserts an `AssetServer` with the built-in loaders and forwards its events
 * as `AssetEvents`.
 * @example
 * ```ts
 * app.addPlugins(new AssetPlugin({ root: '/assets/' }));
 * const ship = app.resource(AssetServer).load('ship.glb'); // Handle<GltfAsset>
 * ```
 */
export class AssetPlugin implements Plugin {
  readonly name = 'AssetPlugin';

  /** @param options reader and concurrency */
  constructor(private readonly options: AssetPluginOptions = {}) {}

  build(app: App): void {
    const reader = this.options.reader ?? (typeof fetch === 'function' ? new FetchReader(this.options.root ?? '/assets/') : new MemoryReader());
    const server = new AssetServer({ reader, maxConcurrentReads: this.options.maxConcurrentReads });
    for (const loader of [textLoader, jsonLoader, textureLoader, gltfLoader] as AssetLoader<unknown>[]) server.registerLoader(loader);
    app.insertResource(server).addEvent(AssetEvents);
    app.addSystems(PreUpdate, function forwardAssetEvents({ send }) {
      for (const event of server.drainEvents()) send(AssetEvents, event);
    }, { inSet: 'assets' });
  }
}

/** Registers a loader on the App's asset server (bevy `register_asset_loader`). */
export function registerAssetLoader<T>(app: App, loader: AssetLoader<T>): App {
  app.resource(AssetServer).registerLoader(loader);
  return app;
}

/**
 * Registers a reader for paths `name://...`, or for plain paths with name ''
 * (how a runtime plugs in its own io).
 */
export function registerAssetSource(app: App, name: string, reader: AssetReader): App {
  app.resource(AssetServer).registerSource(name, reader);
  return app;
}
