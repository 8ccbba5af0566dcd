/**
 * SQLite (wa-sqlite, the synchronous wasm build) reading a database it never
 * downloads whole: a read-only VFS whose `xRead(fileId, pData, iOffset)` calls the
 * Lua callback `read(path, offset, length)`, an HTTP Range read through the io
 * service. A point query touches a handful of 4 KiB pages of a multi-megabyte file.
 *
 * @example Lua
 * ```lua
 * local sqlite = ltask.native "sqlite"
 * local r = sqlite.query("levels.db", "SELECT * FROM levels WHERE name = ?", { "old-bridge-1234" }, {
 *     read = function(path, offset, length) return ltask.call(io, "read", path, offset, length) end })
 * -- r.rows[1].name, r.stats.bytesRead
 * ```
 */
import SQLiteESMFactory from 'wa-sqlite/dist/wa-sqlite.mjs';
import * as SQLite from 'wa-sqlite';
import * as VFS from 'wa-sqlite/src/VFS.js';
import { asBytes, type NativeModule } from '@ltask-web/plugin-ltask/native';
import { expectCallback, messageOf, normalisePath, wasmBytes } from './util.ts';

/** The io table from Lua. */
export interface SqliteIo {
  /** `length` bytes at `offset` (fewer at the end of the file). A string or bytes. */
  read(path: string, offset: number, length: number): unknown;
  /** The file size, or a function giving it. Without it, the size comes from the database header. */
  size?: number | ((path: string) => unknown);
}

/** Options of {@link query}. */
export interface QueryOptions {
  /**
   * Keep the connection (and SQLite's page cache) open for the next query on the
   * same path (default true): a repeated query then reads nothing. The file is
   * taken as immutable; `close(path)` forgets it after it changed. `false`: a
   * connection of its own, closed after the query (a cached one stays open).
   */
  cache?: boolean;
}

/** What the reads of one call cost. */
export interface ReadStats {
  /** Callback calls. */
  reads: number;
  /** Bytes asked for. */
  bytesRead: number;
  /** Distinct database pages touched. */
  pagesRead: number;
  pageSize: number;
  fileSize: number;
  /** Wall time of the call, callbacks included (ms). */
  ms: number;
}

/** What `query` returns: one object per row (column name to value). */
export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  stats: ReadStats;
}

type Sqlite3 = ReturnType<typeof SQLite.Factory>;

/** One remote file: its path for the io service and its size. */
interface RemoteFile {
  path: string;
  size: number;
  /** The first 100 bytes when the size came from them: SQLite's own first read. */
  header?: Uint8Array;
}

/** The io callbacks of the call in progress (calls are serialised, see `serial`). */
interface CallContext {
  io: SqliteIo;
  stats: { reads: number; bytesRead: number; pages: Set<number>; pageSize: number; fileSize: number };
  errors: string[];
}

let current: CallContext | null = null;

function callRead(ctx: CallContext, path: string, offset: number, length: number): Uint8Array {
  const v = ctx.io.read(path, offset, length);
  ctx.stats.reads++;
  ctx.stats.bytesRead += length;
  if (v === undefined || v === null || v === false) throw new Error(`read("${path}", ${offset}, ${length}) returned nothing`);
  return asBytes(v);
}

/** The size of a database file from its header: page size x page count (SQLite >= 3.7.0 writes both). */
function sizeFromHeader(ctx: CallContext, path: string): { size: number; header: Uint8Array } {
  const h = callRead(ctx, path, 0, 100).slice(0, 100);
  const magic = new TextDecoder().decode(h.subarray(0, 16));
  if (h.length < 100 || magic !== 'SQLite format 3\0') throw new Error(`"${path}" is not a database (bad header); pass io.size to open it anyway`);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const pageSize = dv.getUint16(16) === 1 ? 65536 : dv.getUint16(16);
  const pages = dv.getUint32(28);
  // The in-header count is valid only when "version-valid-for" equals the change counter.
  if (pages === 0 || dv.getUint32(92) !== dv.getUint32(24)) throw new Error(`"${path}": the header holds no valid page count; pass io.size`);
  return { size: pageSize * pages, header: h };
}

/**
 * Read-only VFS over the Lua callbacks. The file ids SQLite hands out map to paths;
 * every read goes to the call in progress (`current`). A failing callback becomes
 * SQLITE_IOERR here, and its message is added to the error the query throws.
 */
class CallbackVFS extends VFS.Base {
  name = 'ltask-read';
  /** Paths SQLite may open, by the short name given to `open_v2` (wa-sqlite caps names at 64 bytes). */
  readonly names = new Map<string, RemoteFile>();
  private readonly files = new Map<number, RemoteFile>();

  override xOpen(name: string | null, fileId: number, flags: number, pOutFlags: DataView): number {
    const file = name === null ? undefined : this.names.get(name);
    // Only main databases, read-only: journals and temp files never exist here
    // (temp_store is MEMORY, and a read-only database has no hot journal to replay).
    if (!file || !(flags & VFS.SQLITE_OPEN_MAIN_DB)) return VFS.SQLITE_CANTOPEN;
    this.files.set(fileId, file);
    pOutFlags.setInt32(0, VFS.SQLITE_OPEN_READONLY | VFS.SQLITE_OPEN_MAIN_DB, true);
    return VFS.SQLITE_OK;
  }

  override xClose(fileId: number): number {
    this.files.delete(fileId);
    return VFS.SQLITE_OK;
  }

  // wa-sqlite 1.0.0's types still describe `pData` as `{ size, value }`; the build
  // passes a Uint8Array view of the wasm heap (see `registerVFS` in wa-sqlite.mjs).
  override xRead(fileId: number, data: unknown, iOffset: number): number {
    const pData = data as Uint8Array;
    const file = this.files.get(fileId);
    const ctx = current;
    if (!file || !ctx) return VFS.SQLITE_IOERR_READ;
    try {
      const want = Math.max(0, Math.min(pData.byteLength, file.size - iOffset));
      const cached = iOffset === 0 && file.header && want <= file.header.byteLength;
      const got = want === 0 ? new Uint8Array(0) : cached ? file.header!.subarray(0, want) : callRead(ctx, file.path, iOffset, want);
      const n = Math.min(got.byteLength, want);
      pData.set(n === got.byteLength ? got : got.subarray(0, n));
      const ps = ctx.stats.pageSize;
      for (let p = Math.floor(iOffset / ps); p * ps < iOffset + n; p++) ctx.stats.pages.add(p);
      if (iOffset === 0 && n >= 18) {
        const raw = (got[16]! << 8) | got[17]!;
        ctx.stats.pageSize = raw === 1 ? 65536 : raw;
      }
      if (n < pData.byteLength) {
        pData.fill(0, n);
        return VFS.SQLITE_IOERR_SHORT_READ;
      }
      return VFS.SQLITE_OK;
    } catch (err) {
      ctx.errors.push(messageOf(err));
      return VFS.SQLITE_IOERR_READ;
    }
  }

  override xWrite(): number {
    return VFS.SQLITE_READONLY;
  }

  override xTruncate(): number {
    return VFS.SQLITE_READONLY;
  }

  override xFileSize(fileId: number, pSize64: DataView): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_IOERR_FSTAT;
    pSize64.setBigInt64(0, BigInt(file.size), true);
    return VFS.SQLITE_OK;
  }

  override xAccess(_name: string, _flags: number, pResOut: DataView): number {
    // Asked about journals and WAL files: none exist.
    pResOut.setInt32(0, 0, true);
    return VFS.SQLITE_OK;
  }

  override xDelete(): number {
    return VFS.SQLITE_OK;
  }

  /**
   * Immutable: SQLite takes no locks, looks for no journal, and trusts its page
   * cache across queries without re-reading the change counter. Shipped assets
   * do not change under a running game; call `close(path)` after replacing one.
   */
  override xDeviceCharacteristics(): number {
    return VFS.SQLITE_IOCAP_IMMUTABLE;
  }
}

let sqlite3: Sqlite3 | null = null;
let vfs: CallbackVFS | null = null;
/** Open connections by path (the `cache` option). */
const open = new Map<string, { db: number; name: string }>();
let nextName = 1;
/** wa-sqlite's API awaits between steps: one call at a time keeps `current` right. */
let serial: Promise<unknown> = Promise.resolve();

function serialise<T>(fn: () => Promise<T>): Promise<T> {
  const run = serial.then(fn, fn);
  serial = run.catch(() => undefined);
  return run;
}

function api(): { sqlite3: Sqlite3; vfs: CallbackVFS } {
  if (!sqlite3 || !vfs) throw new Error('[sqlite] setup() has not run');
  return { sqlite3, vfs };
}

async function connect(path: string, io: SqliteIo, ctx: CallContext, reuse: boolean): Promise<{ db: number; name: string }> {
  const cached = reuse ? open.get(path) : undefined;
  if (cached) {
    ctx.stats.fileSize = vfs!.names.get(cached.name)!.size;
    return cached;
  }
  const { sqlite3, vfs: v } = api();
  let file: RemoteFile;
  if (typeof io.size === 'function' || typeof io.size === 'number') {
    const size = typeof io.size === 'function' ? Number(io.size(path)) : io.size;
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad size for "${path}": ${String(size)}`);
    file = { path, size };
  } else {
    file = { path, ...sizeFromHeader(ctx, path) };
  }
  // SQLite takes a 0-byte file for a new, empty database ("no such table" later): an asset never is one.
  if (file.size === 0) throw new Error(`"${path}" is empty (0 bytes), not a database`);
  ctx.stats.fileSize = file.size;
  const name = `db${nextName++}`;
  v.names.set(name, file);
  let db = 0;
  try {
    db = await sqlite3.open_v2(name, SQLite.SQLITE_OPEN_READONLY, v.name);
    await sqlite3.exec(db, 'PRAGMA temp_store = MEMORY');
  } catch (err) {
    if (db) await sqlite3.close(db).catch(() => undefined);
    v.names.delete(name);
    throw err;
  }
  return { db, name };
}

async function disconnect(path: string, conn: { db: number; name: string }): Promise<void> {
  if (open.get(path) === conn) open.delete(path);
  await api().sqlite3.close(conn.db).catch(() => undefined);
  vfs?.names.delete(conn.name);
}

/** SQLite values as payload values: integers beyond 2^53 become strings. */
function payload(v: unknown): unknown {
  return typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v;
}

function bind(sqlite3: Sqlite3, stmt: number, params: unknown): void {
  const n = sqlite3.bind_parameter_count(stmt);
  if (n === 0 || params === undefined || params === null) return;
  for (let i = 1; i <= n; i++) {
    let value: unknown;
    if (Array.isArray(params)) value = params[i - 1];
    else {
      const name = sqlite3.bind_parameter_name(stmt, i);
      const p = params as Record<string, unknown>;
      // `:name`, `@name`, `$name`: accept the key with or without its sigil.
      value = name in p ? p[name] : p[name.slice(1)];
    }
    if (value === undefined) continue;
    if (typeof value === 'boolean') value = value ? 1 : 0;
    sqlite3.bind(stmt, i, value as SQLiteCompatibleType);
  }
}

/**
 * Runs `sql` (one or more statements; `params` bind to each statement that has
 * parameters) on the database at `path`, read through `io.read`.
 */
async function query(path: unknown, sql: unknown, params?: unknown, io?: unknown, options?: unknown): Promise<QueryResult> {
  // `query(path, sql, io [, options])`: params left out.
  const hasRead = (v: unknown) => v !== null && typeof v === 'object' && typeof (v as SqliteIo).read === 'function';
  if (hasRead(params) && !hasRead(io)) {
    options = io;
    io = params;
    params = undefined;
  }
  if (typeof path !== 'string' || typeof sql !== 'string') throw new TypeError('[sqlite] query(path, sql, params, io): path and sql must be strings');
  expectCallback('[sqlite] query(path, sql, params, io)', io, 'read');
  const opts = (options ?? {}) as QueryOptions;
  const dbPath = normalisePath(path);
  return serialise(async () => {
    const { sqlite3 } = api();
    const t0 = performance.now();
    const ctx: CallContext = {
      io,
      stats: { reads: 0, bytesRead: 0, pages: new Set(), pageSize: 4096, fileSize: 0 },
      errors: [],
    };
    current = ctx;
    let conn: { db: number; name: string } | null = null;
    try {
      // cache: false opens a connection of its own (a cached one stays open for the others).
      conn = await connect(dbPath, io, ctx, opts.cache !== false);
      const columns: string[] = [];
      const rows: Record<string, unknown>[] = [];
      for await (const stmt of sqlite3.statements(conn.db, sql)) {
        bind(sqlite3, stmt, params);
        const names = sqlite3.column_names(stmt);
        if (names.length) columns.splice(0, columns.length, ...names);
        while ((await sqlite3.step(stmt)) === SQLite.SQLITE_ROW) {
          const values = sqlite3.row(stmt);
          const row: Record<string, unknown> = {};
          names.forEach((n, i) => (row[n] = payload(values[i])));
          rows.push(row);
        }
      }
      if (opts.cache === false) await disconnect(dbPath, conn);
      else open.set(dbPath, conn);
      const s = ctx.stats;
      return {
        columns,
        rows,
        stats: { reads: s.reads, bytesRead: s.bytesRead, pagesRead: s.pages.size, pageSize: s.pageSize, fileSize: s.fileSize, ms: performance.now() - t0 },
      };
    } catch (err) {
      // A broken or unreadable file: never keep its connection for the next call.
      if (conn) await disconnect(dbPath, conn);
      const extra = ctx.errors.length ? ` (${ctx.errors.join('; ')})` : '';
      throw new Error(`[sqlite] ${dbPath}: ${messageOf(err)}${extra}`, { cause: err });
    } finally {
      current = null;
    }
  });
}

/** Closes the cached connection to `path`, or all of them. Returns how many were closed. */
function close(path?: unknown): Promise<number> {
  return serialise(async () => {
    const paths = typeof path === 'string' ? [normalisePath(path)] : [...open.keys()];
    let n = 0;
    for (const p of paths) {
      const conn = open.get(p);
      if (conn) {
        await disconnect(p, conn);
        n++;
      }
    }
    return n;
  });
}

/**
 * One carrier: wa-sqlite keeps its connections, page caches and registered VFS in
 * one wasm instance per realm, and the open-connection cache here is what makes a
 * repeated query read nothing and a new one read only pages it has not seen. With
 * a pool, each carrier would warm its own cache (and hold its own wasm heap) for
 * the same files. Queries are short (a few page reads); the price is that a query
 * waiting on slow reads delays the next one.
 */
export default {
  name: 'sqlite',
  instances: 'single',
  async setup() {
    if (sqlite3) return;
    const wasmBinary = await wasmBytes('wa-sqlite/dist/wa-sqlite.wasm', () => import('wa-sqlite/dist/wa-sqlite.wasm?url'));
    const module: unknown = await SQLiteESMFactory({ wasmBinary }); // opaque here: only Factory reads it
    const api = SQLite.Factory(module);
    const v = new CallbackVFS();
    api.vfs_register(v, false);
    sqlite3 = api;
    vfs = v;
  },
  functions: { query, close },
} satisfies NativeModule;
