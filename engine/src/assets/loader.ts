/**
 * Asset loaders: bytes to an asset (bevy `AssetLoader`), chosen by file
 * extension from a registry on the `AssetServer`.
 */
import type { Handle } from './handle.ts';

/** What a loader can do besides parsing its bytes. */
export interface LoadContext {
  /** The normalised path being loaded. */
  readonly path: string;
  /** Aborted when the load is cancelled; pass it on to long work. */
  readonly signal: AbortSignal;
  /** A path relative to the asset's directory, normalised (keeps a `source://` prefix). */
  resolve(relative: string): string;
  /** Reads more bytes (a glTF's .bin); counted in this asset's progress. */
  readBytes(path: string): Promise<Uint8Array>;
  /**
   * Loads another asset as a dependency and waits for it. The dependency is
   * held as long as this asset; its failure fails this asset.
   */
  loadDependency<U>(path: string): Promise<U>;
  /** Handles of dependencies loaded so far. */
  readonly dependencies: ReadonlyArray<Handle<unknown>>;
}

/**
 * Turns bytes into an asset.
 * @example
 * ```ts
 * const csvLoader: AssetLoader<string[][]> = {
 *   name: 'csv',
 *   extensions: ['csv'],
 *   load: (bytes) => new TextDecoder().decode(bytes).split('\n').map((l) => l.split(',')),
 * };
 * app.addPlugins(new AssetPlugin());
 * registerAssetLoader(app, csvLoader);
 * ```
 */
export interface AssetLoader<T> {
  /** For messages. */
  readonly name: string;
  /** Lower-case extensions without the dot ('glb', 'png'). */
  readonly extensions: readonly string[];
  /** Parses bytes; may load dependencies through `ctx`. */
  load(bytes: Uint8Array, ctx: LoadContext): Promise<T> | T;
  /** Frees what the asset holds (GPU buffers...) when its last handle goes. */
  unload?(asset: T): void;
  /**
   * Hot reload: `next` was loaded for a path whose `old` asset is in use; return
   * the object handles should see (update `old` in place and return it, so
   * what holds it, a material holding a texture, sees the change). Without it
   * handles get `next`, and `old` is unloaded.
   */
  reload?(old: T, next: T): T;
}

/** Lower-case extension of a path ('' if none). */
export function extensionOf(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  return dot < 0 ? '' : file.slice(dot + 1).toLowerCase();
}

/** Splits `source://rest` into its source name and path ('' for the default source). */
export function splitSource(path: string): { source: string; rest: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(path);
  return m ? { source: m[1]!, rest: m[2]! } : { source: '', rest: path };
}

/** Normalises `./` and `..` segments and doubled slashes; keeps a source prefix. */
export function normalizePath(path: string): string {
  const { source, rest } = splitSource(path);
  const out: string[] = [];
  for (const part of rest.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  const joined = (rest.startsWith('/') ? '/' : '') + out.join('/');
  return source ? `${source}://${joined}` : joined;
}

/** Resolves `relative` against the directory of `base`. */
export function resolvePath(base: string, relative: string): string {
  if (splitSource(relative).source || relative.startsWith('/')) return normalizePath(relative);
  const { source, rest } = splitSource(base);
  const dir = rest.slice(0, rest.lastIndexOf('/') + 1);
  return normalizePath((source ? `${source}://` : '') + dir + decodeURIComponent(relative));
}
