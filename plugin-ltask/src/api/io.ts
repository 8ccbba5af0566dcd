/**
 * The io service's contract: its spawn options, the backend interface a
 * caller of `createIo` may implement, and what its requests answer. Types
 * only, so that the host (which spawns io with the runtime's options) and
 * callers need not load the service itself.
 */

/** What `stat` answers. Directories have size 0. */
export interface IoStat {
  size: number;
  kind: 'file' | 'dir';
}

/** A place assets are read from. */
export interface IoBackend {
  readonly kind: string;
  /** Bytes of `path`: all of it, or `length` bytes (default: to the end) from `offset`. */
  read(path: string, offset?: number, length?: number): Promise<Uint8Array>;
  stat(path: string): Promise<IoStat>;
  /** Names in `dir`, sorted; directories end with `/`. */
  list(dir: string): Promise<string[]>;
  /** Backend-specific counters (e.g. HTTP requests, ranges the server ignored). */
  counters?(): Record<string, number>;
}

/** Options of `createIo` (and the io service's first spawn argument). */
export interface IoOptions {
  /** Where the bytes come from; an IoBackend object only when calling createIo directly. */
  backend: 'fetch' | 'fs' | 'memory' | IoBackend;
  /** fetch: base URL of the assets; fs: the asset directory (or a file: URL); memory: unused. */
  root?: string;
  /** memory: the files, by path (strings are stored as UTF-8). */
  files?: Record<string, Uint8Array | string>;
  /** fetch: the listing `list` answers from, relative to root (default `index.json`; null: none). */
  manifest?: string | null;
  /** Milliseconds added before every answer (models a remote server). */
  latencyMs?: number;
  /** Bytes per second: a read of n bytes waits n / bandwidth seconds more. */
  bandwidth?: number;
}

/** What `stats()` answers. */
export interface IoStats {
  /** Successful reads. */
  reads: number;
  /** Bytes answered by successful reads. */
  bytes: number;
  stats: number;
  lists: number;
  /** Requests that ended in an error. */
  errors: number;
  /** Counters of the backend (fetch: requests, rangeRequests, rangeIgnored, transferred). */
  backend: Record<string, number>;
  /** The modelled latency (ms) and bandwidth (bytes/s, 0: unlimited) now. */
  latencyMs: number;
  bandwidth: number;
}

/** The modelled latency and bandwidth (0: unlimited) of an io service. */
export interface IoSettings {
  latencyMs: number;
  bandwidth: number;
}

/** The io service's request handlers. */
export interface IoHandlers {
  [name: string]: (...args: never[]) => unknown;
  read(path: string, offset?: number, length?: number): Promise<Uint8Array>;
  stat(path: string): Promise<IoStat>;
  list(dir?: string): Promise<string[]>;
  stats(): IoStats;
  resetStats(): void;
  configure(o?: { latencyMs?: number; bandwidth?: number }): IoSettings;
  /** Sets the settings as a whole (when given) and answers them. */
  settings(s?: IoSettings): IoSettings;
}
