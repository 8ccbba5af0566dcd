/**
 * The io service: asset reads for the runtime's services.
 *
 * From Lua:   `local bytes = ltask.call(io, "read", "models/a.glb", 100, 50)`
 * From TS:    `await ctx.call(io, 'read', 'a.txt')`
 * Spawn:      `rt.spawn('io', { backend: 'fs', root: '/abs/assets' })`
 *
 * See README.md next to this file for the options, errors and sandbox rules.
 */
import type { IoBackend, IoHandlers, IoOptions, IoSettings, IoStats } from '../../api/io.ts';
import type { ServiceFactory } from '../../api/service.ts';
import { FetchBackend, FsBackend, MemoryBackend } from './backends.ts';
import { IoError, checkCount, normalizePath } from './sandbox.ts';

export { FetchBackend, FsBackend, MemoryBackend } from './backends.ts';
export type { FetchBackendOptions } from './backends.ts';
export type { IoBackend, IoHandlers, IoOptions, IoSettings, IoStat, IoStats } from '../../api/io.ts';
export { IoError, normalizePath } from './sandbox.ts';

const now = () => performance.now();

/** Waits at least `ms` milliseconds (timers may fire early by a fraction of a millisecond: re-arm until due). */
function delay(ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  const due = now() + ms;
  return new Promise((resolve) => {
    const tick = () => {
      const left = due - now();
      if (left <= 0) resolve();
      else setTimeout(tick, Math.ceil(left));
    };
    setTimeout(tick, Math.ceil(ms));
  });
}

/** A bad option value in an error text: a number as written (`-1`, `NaN`), else its JSON (`"ftp"`), else its type. */
function shown(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v; // a bigint, or a value that contains itself
  }
}

function checkNumberOption(name: string, v: unknown, positive: boolean): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new IoError(`[io] option ${name} must be a ${positive ? 'positive' : 'non-negative'} number, got ${shown(v)}`, 'EINVAL');
  }
  return v;
}

function makeBackend(o: IoOptions): IoBackend {
  const b = o.backend;
  if (typeof b === 'object' && b !== null && typeof b.read === 'function') return b;
  switch (b) {
    case 'memory': {
      const files = o.files ?? {};
      if (typeof files !== 'object' || files === null) throw new IoError('[io] option files must be an object of path to bytes or string', 'EINVAL');
      return new MemoryBackend(
        Object.entries(files).map(([k, v]): [string, Uint8Array | string] => {
          if (typeof v !== 'string' && !(v instanceof Uint8Array)) throw new IoError(`[io] file ${JSON.stringify(k)} must be bytes or a string`, 'EINVAL');
          return [normalizePath(k), v];
        }),
      );
    }
    case 'fs':
      return new FsBackend(o.root as string);
    case 'fetch':
      return new FetchBackend({ root: o.root as string, ...(o.manifest !== undefined ? { manifest: o.manifest } : {}) });
    default:
      throw new IoError(`[io] option backend must be 'fetch', 'fs' or 'memory', got ${shown(b)}`, 'EINVAL');
  }
}

/**
 * Creates the io handlers (usable directly, without a runtime).
 * @example
 * ```ts
 * const io = createIo({ backend: 'memory', files: { 'a.txt': 'hello' } });
 * await io.read('a.txt', 1, 3); // bytes of "ell"
 * ```
 */
export function createIo(options: IoOptions): IoHandlers {
  if (typeof options !== 'object' || options === null) {
    throw new IoError(`[io] options must be an object like { backend: 'fs', root: '/assets' }, got ${options === null ? 'nil' : typeof options}`, 'EINVAL');
  }
  const backend = makeBackend(options);
  let latency = checkNumberOption('latencyMs', options.latencyMs, false) ?? 0;
  let bandwidth = checkNumberOption('bandwidth', options.bandwidth, true);
  const c = { reads: 0, bytes: 0, stats: 0, lists: 0, errors: 0 };

  /** Runs a request; every answer, error or not, then waits the latency (and the transfer time of its bytes). */
  const answer = async <T>(work: () => Promise<T>, size: (v: T) => number): Promise<T> => {
    let v: T;
    try {
      v = await work();
    } catch (e) {
      c.errors++;
      await delay(latency);
      throw e;
    }
    if (latency > 0 || bandwidth) await delay(latency + (bandwidth ? (size(v) / bandwidth) * 1000 : 0));
    return v;
  };

  return {
    read(path: string, offset?: number, length?: number) {
      return answer(
        async () => {
          const p = normalizePath(path);
          const bytes = await backend.read(p, checkCount('offset', offset), checkCount('length', length));
          c.reads++;
          c.bytes += bytes.length;
          return bytes;
        },
        (b) => b.length,
      );
    },
    stat(path: string) {
      return answer(async () => {
        const st = await backend.stat(normalizePath(path, true));
        c.stats++;
        return st;
      }, () => 0);
    },
    list(dir = '') {
      return answer(async () => {
        const names = await backend.list(normalizePath(dir ?? '', true));
        c.lists++;
        return names;
      }, () => 0);
    },
    stats: () => ({ ...c, latencyMs: latency, bandwidth: bandwidth ?? 0, backend: backend.counters?.() ?? {} }),
    /** Changes the modelled latency and bandwidth (`0` / absent bandwidth: unlimited); returns the settings. */
    configure(o: { latencyMs?: number; bandwidth?: number } = {}) {
      if (o.latencyMs !== undefined) latency = checkNumberOption('latencyMs', o.latencyMs, false) ?? 0;
      if (o.bandwidth !== undefined) bandwidth = o.bandwidth === 0 ? undefined : checkNumberOption('bandwidth', o.bandwidth, true);
      return { latencyMs: latency, bandwidth: bandwidth ?? 0 };
    },
    resetStats() {
      c.reads = c.bytes = c.stats = c.lists = c.errors = 0;
    },
    settings(s?: IoSettings) {
      if (s) {
        latency = checkNumberOption('latencyMs', s.latencyMs, false) ?? 0;
        bandwidth = s.bandwidth ? checkNumberOption('bandwidth', s.bandwidth, true) : undefined;
      }
      return { latencyMs: latency, bandwidth: bandwidth ?? 0 };
    },
  };
}

/** Adds up the statistics of several io instances (the settings are the first one's). */
function sumStats(all: IoStats[]): IoStats {
  const out: IoStats = { ...all[0]!, backend: { ...all[0]!.backend } };
  for (const s of all.slice(1)) {
    out.reads += s.reads;
    out.bytes += s.bytes;
    out.stats += s.stats;
    out.lists += s.lists;
    out.errors += s.errors;
    for (const [k, v] of Object.entries(s.backend)) out.backend[k] = (out.backend[k] ?? 0) + v;
  }
  return out;
}

/** The runtime's io service: `rt.spawn('io', options)` (options as in {@link IoOptions}, backend by name). */
const io: ServiceFactory = (ctx, options) => {
  const local = createIo(options as IoOptions);
  // The runtime starts one io per worker that uses it (root's `local` services):
  // settings and statistics are shared by all of them.
  let peers: number[] = [];
  const others = () => peers.filter((a) => a !== ctx.self);
  return {
    ...local,
    peers(addrs: number[]) {
      peers = addrs;
    },
    async configure(o?: { latencyMs?: number; bandwidth?: number }) {
      const s = local.configure(o);
      await Promise.all(others().map((p) => ctx.call(p, 'settings', s)));
      return s;
    },
    async stats() {
      return sumStats([local.stats(), ...(await Promise.all(others().map((p) => ctx.call<IoStats>(p, 'localStats'))))]);
    },
    localStats: () => local.stats(),
    async resetStats() {
      local.resetStats();
      await Promise.all(others().map((p) => ctx.call(p, 'localReset')));
    },
    localReset: () => local.resetStats(),
  };
};
export default io;
