/**
 * "Blocking loaders" (key B): where the chunk query runs, to compare with the design.
 *
 * - `off`: `levels.chunk` in the levels service. The sqlite native module runs on
 *   a carrier worker; each page read is an io request the service's coroutine
 *   waits for (suspended), so frames and NPC ticks never wait.
 * - `main`: the naive way on the page: the same sqlite module imported here,
 *   its synchronous reads done on the main thread (busy-wait the io latency,
 *   then a synchronous XMLHttpRequest with a Range header). Every page read
 *   freezes the frame.
 * - `worker`: `blocking.chunk` (game/service/blocking.lua), spawned on the NPCs'
 *   worker: each read first spins the latency inside that worker, so the NPC
 *   services on it stop ticking.
 */
import type { NativeModule } from '@ltask-web/plugin-ltask/native';

export type BlockingMode = 'off' | 'main' | 'worker';
export const BLOCKING_MODES: readonly BlockingMode[] = ['off', 'main', 'worker'];

/** The query every mode runs (as levels.chunk does). */
export const CHUNK_SQL = 'SELECT world, cx, cz, tiles, props FROM chunks WHERE world = ? AND cx = ? AND cz = ?';
export const DB_PATH = 'assets/levels.db';

/** The blocking mode and the io settings the page knows (mirrors of io.configure). */
export class Blocking {
  mode: BlockingMode = 'off';
  /** When the mode last changed (`performance.now()`). */
  since = 0;
  /** The io latency now (ms), as last configured. */
  latencyMs = 0;
  /** The io bandwidth now (bytes/s, 0: unlimited). */
  bandwidth = 0;
  /** Address of the blocking service once spawned on worker 1 (null: not yet). */
  workerAddr: number | null = null;
  /** Main-thread time spent in synchronous reads (ms), and how many. */
  mainBlockedMs = 0;
  mainReads = 0;

  next(): BlockingMode {
    const i = BLOCKING_MODES.indexOf(this.mode);
    return BLOCKING_MODES[(i + 1) % BLOCKING_MODES.length]!;
  }
}

let sqliteMain: NativeModule | null = null;
let sqliteSetup: Promise<NativeModule> | null = null;

/** The sqlite native module on the main thread (the naive way), set up once. */
async function mainSqlite(): Promise<NativeModule> {
  if (sqliteMain) return sqliteMain;
  sqliteSetup ??= (async () => {
    const mod = (await import('../natives/sqlite.ts')).default as NativeModule;
    await mod.setup?.();
    sqliteMain = mod;
    return mod;
  })();
  return sqliteSetup;
}

/** Spins the main thread for `ms` (what a synchronous read from far away costs). */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the frame is frozen */
  }
}

/** A binary string (x-user-defined) as bytes. */
function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/**
 * One chunk read on the main thread: sqlite's reads are synchronous XHRs
 * (Range requests) after a busy-wait of the io latency (plus bandwidth time).
 */
export async function mainThreadChunk(b: Blocking, root: string, world: number, cx: number, cz: number): Promise<{ row: unknown; stats: Record<string, number> }> {
  const mod = await mainSqlite();
  let blocked = 0;
  const io = {
    read(path: string, offset: number, length: number): Uint8Array {
      const t0 = performance.now();
      busyWait(b.latencyMs + (b.bandwidth > 0 ? (length / b.bandwidth) * 1000 : 0));
      const xhr = new XMLHttpRequest();
      xhr.open('GET', new URL(path, root).href, false);
      xhr.setRequestHeader('Range', `bytes=${offset}-${offset + length - 1}`);
      xhr.overrideMimeType('text/plain; charset=x-user-defined');
      xhr.send();
      if (xhr.status !== 206 && xhr.status !== 200) throw new Error(`GET ${path} ${offset}+${length}: HTTP ${xhr.status}`);
      let bytes = binaryToBytes(xhr.responseText);
      // A server that ignores Range sends the whole file: cut the range out.
      if (xhr.status === 200 && bytes.length > length) bytes = bytes.subarray(offset, offset + length);
      const ms = performance.now() - t0;
      blocked += ms;
      b.mainBlockedMs += ms;
      b.mainReads++;
      return bytes;
    },
    size(path: string): number {
      const xhr = new XMLHttpRequest();
      xhr.open('HEAD', new URL(path, root).href, false);
      xhr.send();
      const n = Number(xhr.getResponseHeader('Content-Length'));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`HEAD ${path}: no Content-Length (HTTP ${xhr.status})`);
      return n;
    },
  };
  const query = mod.functions.query as (path: string, sql: string, params: unknown[], io: unknown, options: unknown) => Promise<{ rows: unknown[]; stats: Record<string, number> }>;
  const r = await query(DB_PATH, CHUNK_SQL, [world, cx, cz], io, { cache: false });
  return { row: r.rows[0] ?? null, stats: { ...r.stats, blocked_ms: blocked } };
}
