/**
 * Handles: what `AssetServer.load` returns at once. A handle is a counted
 * reference; the asset stays while at least one handle is alive, and a load
 * is cancelled when the last one is dropped.
 */

/** Where an asset is (bevy `LoadState`). */
export type LoadState = 'notLoaded' | 'loading' | 'loaded' | 'failed';

/** Bytes and counts of a set of loads. */
export interface AssetProgress {
  /** Assets counted (including dependencies). */
  total: number;
  loaded: number;
  failed: number;
  loading: number;
  /** Bytes received so far. */
  bytesLoaded: number;
  /** Bytes expected: known sizes plus received bytes of reads whose size is unknown. */
  bytesTotal: number;
}

/** The server-side record of one asset path. Internal to the assets folder. */
export interface AssetEntry {
  readonly id: number;
  readonly path: string;
  state: LoadState;
  value: unknown;
  error: Error | undefined;
  priority: number;
  refs: number;
  removed: boolean;
  readonly controller: AbortController;
  readonly reads: Array<{ loaded: number; total: number | undefined }>;
  readonly dependencies: Array<Handle<unknown>>;
  readonly done: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** What a handle needs from its server: the reference count of its entry. */
export interface HandleOwner {
  /** One more handle holds the entry. */
  retain(entry: AssetEntry): void;
  /** A handle gave the entry up; the last one frees the asset or cancels its load. */
  release(entry: AssetEntry): void;
}

/** Bytes and counts over some entries (each counted once as given). */
export function progressOf(entries: Iterable<AssetEntry>): AssetProgress {
  const p: AssetProgress = { total: 0, loaded: 0, failed: 0, loading: 0, bytesLoaded: 0, bytesTotal: 0 };
  for (const e of entries) {
    p.total++;
    if (e.state === 'loaded') p.loaded++;
    else if (e.state === 'failed') p.failed++;
    else p.loading++;
    for (const r of e.reads) {
      p.bytesLoaded += r.loaded;
      p.bytesTotal += r.total ?? r.loaded;
    }
  }
  return p;
}

/**
 * A typed, counted reference to an asset.
 * @example
 * ```ts
 * const level = assets.load<LevelData>('levels/1.json');
 * // each frame: if (level.state === 'loaded') build(level.asset!);
 * const data = await level.loaded(); // or wait for it
 * level.drop(); // the last drop frees (or cancels) the asset
 * ```
 */
export class Handle<T> {
  private readonly owner: HandleOwner;
  private readonly entry: AssetEntry;
  private isDropped = false;

  /**
   * Handles come from `AssetServer.load` and `clone()`.
   * @param owner the server's side of the reference count
   * @param entry the asset's record on that server
   */
  constructor(owner: HandleOwner, entry: AssetEntry) {
    this.owner = owner;
    this.entry = entry;
  }

  /** Stable id of the asset while it is alive. */
  get id(): number {
    return this.entry.id;
  }

  /** The normalised path. */
  get path(): string {
    return this.entry.path;
  }

  /** Load state; `notLoaded` once the asset was freed or cancelled. */
  get state(): LoadState {
    return this.entry.removed ? 'notLoaded' : this.entry.state;
  }

  /** The asset once loaded, else `undefined`. */
  get asset(): T | undefined {
    return this.state === 'loaded' && !this.isDropped ? (this.entry.value as T) : undefined;
  }

  /** Why loading failed (also the error of a failed dependency). */
  get error(): Error | undefined {
    return this.entry.error;
  }

  /** Whether `drop()` was called on this handle. */
  get dropped(): boolean {
    return this.isDropped;
  }

  /** Handles of the assets this one loaded as dependencies (a glTF's textures). */
  get dependencies(): ReadonlyArray<Handle<unknown>> {
    return this.entry.dependencies;
  }

  /** Bytes and counts for this asset and its dependencies. */
  get progress(): AssetProgress {
    const seen = new Set<AssetEntry>();
    const walk = (h: Handle<unknown>) => {
      if (seen.has(h.entry)) return;
      seen.add(h.entry);
      for (const d of h.entry.dependencies) walk(d);
    };
    walk(this);
    return progressOf(seen);
  }

  /** Resolves with the asset, or rejects with its error (or an AbortError when cancelled). */
  loaded(): Promise<T> {
    return this.entry.done as Promise<T>;
  }

  /** Another handle to the same asset (one more reference). */
  clone(): Handle<T> {
    if (this.isDropped) throw new Error(`[assets] clone() of a dropped handle to "${this.path}"`);
    this.owner.retain(this.entry);
    return new Handle<T>(this.owner, this.entry);
  }

  /** Gives up this reference; dropping twice does nothing. */
  drop(): void {
    if (this.isDropped) return;
    this.isDropped = true;
    this.owner.release(this.entry);
  }
}
