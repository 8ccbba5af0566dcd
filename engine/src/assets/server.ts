/**
 * The AssetServer: hands out handles at once, reads bytes through readers
 * (by source) in priority order with a concurrency cap, parses them with the
 * loader registered for the extension, and keeps load state as data.
 */
import { Handle, progressOf } from './handle.ts';
import type { AssetEntry, AssetProgress, HandleOwner, LoadState } from './handle.ts';
import { extensionOf, normalizePath, resolvePath, splitSource } from './loader.ts';
import type { AssetLoader, LoadContext } from './loader.ts';
import { abortError } from './reader.ts';
import type { AssetReader } from './reader.ts';
import type { AssetTypeMap } from './types.ts';

/** What happened to an asset; the AssetPlugin forwards these as app events. */
export interface AssetEvent {
  /** `modified`: reloaded in place (`AssetServer.reload`, the dev server's hot reload); handles see the new asset. */
  readonly type: 'loaded' | 'failed' | 'removed' | 'modified';
  readonly id: number;
  readonly path: string;
  readonly error?: Error;
}

/** Options of `AssetServer.load`. */
export interface LoadOptions {
  /** Higher reads first when reads are queued. Default 0. */
  priority?: number;
}

/** Options of `AssetServer`. */
export interface AssetServerOptions {
  /** Reader of the default source (paths without `name://`). */
  reader?: AssetReader;
  /** Reads in flight at once; others wait by priority. Default 6 (a browser's per-host limit). */
  maxConcurrentReads?: number;
}

/** The asset type a path's extension stands for (see `AssetTypeMap`). */
export type AssetOf<P extends string> = LastExtension<P> extends keyof AssetTypeMap ? AssetTypeMap[LastExtension<P>] : unknown;
type LastExtension<P extends string> = P extends `${string}.${infer Rest}` ? LastExtension<Rest> : Lowercase<P>;

interface ReadJob {
  readonly entry: AssetEntry;
  readonly path: string;
  readonly seq: number;
  run(): void;
  fail(error: Error): void;
}

/**
 * Loads assets.
 * @example
 * ```ts
 * const server = new AssetServer({ reader: new FetchReader('/assets/') });
 * server.registerLoader(jsonLoader);
 * const config = server.load('config.json'); // Handle<unknown>, state 'loading'
 * const ship = server.load('ship.glb', { priority: 10 }); // Handle<GltfAsset>
 * ```
 */
export class AssetServer {
  private readonly entries = new Map<string, AssetEntry>();
  private readonly loaders = new Map<string, AssetLoader<unknown>>();
  private readonly sources = new Map<string, AssetReader>();
  private readonly queue: ReadJob[] = [];
  private readonly events: AssetEvent[] = [];
  private readonly maxReads: number;
  private activeReads = 0;
  private nextId = 1;
  private nextSeq = 0;
  /** The server as its handles see it: a handle counts references through it. */
  private readonly owner: HandleOwner = {
    retain: (entry) => {
      entry.refs++;
    },
    release: (entry) => this.release(entry),
  };

  /** @param options default reader and read concurrency */
  constructor(options: AssetServerOptions = {}) {
    if (options.reader) this.sources.set('', options.reader);
    this.maxReads = Math.max(1, options.maxConcurrentReads ?? 6);
  }

  /** Registers a loader for its extensions (a later one replaces an earlier one). */
  registerLoader<T>(loader: AssetLoader<T>): this {
    for (const ext of loader.extensions) this.loaders.set(ext.toLowerCase(), loader);
    return this;
  }

  /** Sets the reader for paths starting with `name://` ('' for the default source). */
  registerSource(name: string, reader: AssetReader): this {
    this.sources.set(name, reader);
    return this;
  }

  /** The loader for a path's extension, if any. */
  loaderFor(path: string): AssetLoader<unknown> | undefined {
    return this.loaders.get(extensionOf(path));
  }

  /**
   * Starts loading (or shares a load already under way) and returns a handle
   * at once. Load the same path twice and you get two handles to one asset.
   */
  load<T = never, P extends string = string>(path: P, options: LoadOptions = {}): Handle<[T] extends [never] ? AssetOf<P> : T> {
    const key = normalizePath(path);
    const priority = options.priority ?? 0;
    let entry = this.entries.get(key);
    if (entry) {
      entry.refs++;
      if (priority > entry.priority) {
        entry.priority = priority;
        this.sortQueue();
      }
    } else {
      entry = this.createEntry(key, priority);
      this.entries.set(key, entry);
      void this.loadEntry(entry);
    }
    return new Handle(this.owner, entry);
  }

  /** Load state of a path ('notLoaded' if nothing holds it). */
  getLoadState(path: string): LoadState {
    return this.entries.get(normalizePath(path))?.state ?? 'notLoaded';
  }

  /** Number of paths held (loading, loaded or failed). */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes and counts over every held asset. */
  progress(): AssetProgress {
    return progressOf(this.entries.values());
  }

  /** Takes the events since the last call. */
  /**
   * Loads `path` again, in place (hot reload): every handle to it sees the new
   * asset (a loader with `reload` updates the old object itself, a texture
   * keeps its identity), an `AssetEvent` `modified` follows; the old asset is
   * unloaded. A reload that fails keeps the old asset and sends `failed` with
   * the error. Nothing happens for a path that is not loaded.
   */
  async reload(path: string): Promise<void> {
    const entry = this.entries.get(normalizePath(path));
    if (!entry || entry.removed || entry.state === 'loading') return;
    const loader = this.loaderFor(entry.path);
    if (!loader) return;
    const oldDeps = entry.dependencies.splice(0);
    try {
      const bytes = await this.read(entry, entry.path);
      const next = await loader.load(bytes, this.context(entry));
      if (entry.removed) return void loader.unload?.(next);
      const old = entry.value;
      const kept = entry.state === 'loaded' && loader.reload ? loader.reload(old, next) : next;
      if (kept !== old && entry.state === 'loaded') loader.unload?.(old);
      entry.value = kept;
      entry.error = undefined;
      if (entry.state !== 'loaded') entry.resolve(kept);
      entry.state = 'loaded';
      for (const d of oldDeps) d.drop();
      this.events.push({ type: 'modified', id: entry.id, path: entry.path });
    } catch (caught) {
      for (const d of entry.dependencies.splice(0)) d.drop();
      entry.dependencies.push(...oldDeps);
      const error = namingAsset(entry.path, loader.name, caught);
      this.events.push({ type: 'failed', id: entry.id, path: entry.path, error });
    }
  }

  /**
   * Reloads the assets a URL path names (the dev server's hot reload: a file
   * saved at `/assets/levels/1.json` reloads `levels/1.json`): every loaded
   * path of the default source that ends the URL path. Resolves with how many.
   */
  async reloadUrl(urlPath: string): Promise<number> {
    const hits = [...this.entries.keys()].filter((p) => !splitSource(p).source && (urlPath === p || urlPath.endsWith('/' + p)));
    await Promise.all(hits.map((p) => this.reload(p)));
    return hits.length;
  }

  drainEvents(): AssetEvent[] {
    return this.events.splice(0);
  }

  /** The last release frees the asset, or cancels its load. */
  private release(entry: AssetEntry): void {
    if (--entry.refs > 0 || entry.removed) return;
    entry.removed = true;
    if (this.entries.get(entry.path) === entry) this.entries.delete(entry.path);
    if (entry.state === 'loading') {
      entry.controller.abort(abortError(`load of "${entry.path}" was cancelled: its last handle was dropped`));
      entry.reject(entry.controller.signal.reason as Error);
    } else if (entry.state === 'loaded') {
      this.loaderFor(entry.path)?.unload?.(entry.value);
    }
    for (const dep of entry.dependencies) dep.drop();
    this.events.push({ type: 'removed', id: entry.id, path: entry.path });
  }

  private createEntry(path: string, priority: number): AssetEntry {
    let resolve!: (v: unknown) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<unknown>((res, rej) => { resolve = res; reject = rej; });
    done.catch(() => {}); // failures are state; only callers of loaded() see the rejection
    return {
      id: this.nextId++, path, state: 'loading', value: undefined, error: undefined, priority,
      refs: 1, removed: false, controller: new AbortController(), reads: [], dependencies: [], done, resolve, reject,
    };
  }

  private async loadEntry(entry: AssetEntry): Promise<void> {
    try {
      const loader = this.loaderFor(entry.path);
      if (!loader) {
        const ext = extensionOf(entry.path);
        throw new Error(`[assets] no loader for ".${ext}" files (loading "${entry.path}"); register one with registerAssetLoader`);
      }
      const bytes = await this.read(entry, entry.path);
      const value = await loader.load(bytes, this.context(entry));
      if (entry.removed) {
        loader.unload?.(value);
        return;
      }
      entry.value = value;
      entry.state = 'loaded';
      entry.resolve(value);
      this.events.push({ type: 'loaded', id: entry.id, path: entry.path });
    } catch (caught) {
      if (entry.removed) return;
      const error = namingAsset(entry.path, this.loaderFor(entry.path)?.name, caught);
      entry.state = 'failed';
      entry.error = error;
      entry.reject(error);
      this.events.push({ type: 'failed', id: entry.id, path: entry.path, error });
    }
  }

  private context(entry: AssetEntry): LoadContext {
    return {
      path: entry.path,
      signal: entry.controller.signal,
      dependencies: entry.dependencies,
      resolve: (relative) => resolvePath(entry.path, relative),
      readBytes: (path) => this.read(entry, normalizePath(path)),
      loadDependency: async <U>(path: string): Promise<U> => {
        if (entry.removed) throw entry.controller.signal.reason as Error;
        const dep = this.load(path, { priority: entry.priority }) as unknown as Handle<U>;
        entry.dependencies.push(dep);
        try {
          return await dep.loaded();
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`[assets] dependency "${dep.path}" of "${entry.path}" failed: ${message}`, { cause: error });
        }
      },
    };
  }

  /** Queues a read for `entry`; reads start by priority, then first come. */
  private read(entry: AssetEntry, path: string): Promise<Uint8Array> {
    const { source, rest } = splitSource(path);
    const reader = this.sources.get(source);
    if (!reader) {
      return Promise.reject(new Error(
        source ? `[assets] no asset source "${source}" (path "${path}")` : `[assets] no default asset reader (path "${path}")`,
      ));
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const progress = { loaded: 0, total: undefined as number | undefined };
      const job: ReadJob = {
        entry,
        path,
        seq: this.nextSeq++,
        fail: reject,
        run: () => {
          entry.reads.push(progress);
          this.activeReads++;
          const signal = entry.controller.signal;
          reader
            .read(rest, { signal, onProgress: (loaded, total) => { progress.loaded = loaded; progress.total = total; } })
            .then((bytes) => {
              progress.loaded = bytes.byteLength;
              progress.total = bytes.byteLength;
              resolve(bytes);
            }, reject)
            .finally(() => {
              this.activeReads--;
              this.pump();
            });
        },
      };
      this.queue.push(job);
      this.sortQueue();
      this.pump();
    });
  }

  private sortQueue(): void {
    this.queue.sort((a, b) => b.entry.priority - a.entry.priority || a.seq - b.seq);
  }

  private pump(): void {
    while (this.activeReads < this.maxReads && this.queue.length > 0) {
      const job = this.queue.shift()!;
      if (job.entry.controller.signal.aborted) job.fail(job.entry.controller.signal.reason as Error);
      else job.run();
    }
  }
}

/**
 * The error a failed asset keeps: the loader's own when it names the asset,
 * else one that does (a decoder's bare "Invalid typed array length" or
 * "The source image could not be decoded" says neither what nor where).
 */
function namingAsset(path: string, loader: string | undefined, caught: unknown): Error {
  const error = caught instanceof Error ? caught : new Error(String(caught));
  if (error.name === 'AbortError' || error.message.includes(path)) return error;
  return new Error(`[assets] "${path}"${loader ? ` (${loader} loader)` : ''}: ${error.message || error.name}`, { cause: error });
}
