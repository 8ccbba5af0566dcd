/**
 * Asset readers: bytes from somewhere (bevy `AssetReader`), kept apart from
 * loaders (bytes to an asset). Any object with `read(path, options)` is a
 * reader, so a runtime can supply its own (e.g. one backed by an io service).
 */

/** What a reader gets besides the path. */
export interface ReadOptions {
  /** Aborted when nobody wants the asset any more; reject with an AbortError. */
  readonly signal: AbortSignal;
  /** Reports bytes received so far and the total when known. */
  readonly onProgress?: (loaded: number, total?: number) => void;
}

/** Bytes from somewhere: the network, memory, a worker, a runtime service... */
export interface AssetReader {
  /** Reads the whole file at `path` (relative to the reader's root). */
  read(path: string, options: ReadOptions): Promise<Uint8Array>;
}

/** The error a reader rejects with when the read was cancelled. */
export function abortError(message = 'the read was cancelled'): Error {
  const error = new Error(`[assets] ${message}`);
  error.name = 'AbortError';
  return error;
}

/** Options of `MemoryReader`. */
export interface MemoryReaderOptions {
  /** Delay before each read resolves, in ms (to test loading states). Default 0. */
  latencyMs?: number;
}

/**
 * Files held in memory (tests, generated content, embedded data).
 * @example
 * ```ts
 * const reader = new MemoryReader({ 'levels/1.json': '{"size": 3}' });
 * app.addPlugins(new AssetPlugin({ reader }));
 * ```
 */
export class MemoryReader implements AssetReader {
  private readonly files = new Map<string, Uint8Array>();
  /** Paths in the order they were read. */
  readonly log: string[] = [];

  /**
   * @param files initial files: strings are stored as UTF-8
   * @param options latency
   */
  constructor(files: Record<string, Uint8Array | string> = {}, private readonly options: MemoryReaderOptions = {}) {
    for (const [path, data] of Object.entries(files)) this.set(path, data);
  }

  /** Adds or replaces a file. */
  set(path: string, data: Uint8Array | string): this {
    this.files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    return this;
  }

  async read(path: string, { signal, onProgress }: ReadOptions): Promise<Uint8Array> {
    this.log.push(path);
    if (this.options.latencyMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.options.latencyMs);
        signal.addEventListener('abort', () => { clearTimeout(timer); reject(abortError()); }, { once: true });
      });
    }
    if (signal.aborted) throw abortError();
    const data = this.files.get(path);
    if (!data) throw new Error(`[assets] no file "${path}" in memory`);
    onProgress?.(data.byteLength, data.byteLength);
    return data;
  }
}

/**
 * Reads over HTTP with `fetch`, streaming the body to report progress.
 * @example new FetchReader('/assets/')
 */
export class FetchReader implements AssetReader {
  /** @param base prefix for every path (a directory URL ending in '/', or '') */
  constructor(private readonly base = '') {}

  async read(path: string, { signal, onProgress }: ReadOptions): Promise<Uint8Array> {
    const url = this.base + path;
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`[assets] GET ${url} failed: ${response.status} ${response.statusText}`);
    const header = response.headers.get('content-length');
    const total = header === null ? undefined : Number(header);
    if (!response.body) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      onProgress?.(bytes.byteLength, bytes.byteLength);
      return bytes;
    }
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onProgress?.(loaded, total);
    }
    const out = new Uint8Array(loaded);
    let offset = 0;
    for (const c of chunks) { out.set(c, offset); offset += c.byteLength; }
    return out;
  }
}
