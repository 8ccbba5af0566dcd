/**
 * Storage backends of the io service. A backend receives paths already checked
 * and normalised by sandbox.ts (`a/b.txt`, `''` for the root) and offsets and
 * lengths already checked to be non-negative integers; it checks ranges
 * against the real size and throws IoError with the messages of sandbox.ts.
 */
import type { IoBackend, IoStat } from '../../api/io.ts';
import { IoError, isDirectory, notADirectory, notFound, outOfRange, rangeOf, showPath } from './sandbox.ts';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Immediate children of `dir` among a set of file paths; directories end with `/`. */
function childrenOf(files: Iterable<string>, dir: string): string[] | null {
  const prefix = dir === '' ? '' : `${dir}/`;
  const names = new Set<string>();
  let found = dir === '';
  for (const f of files) {
    if (!f.startsWith(prefix)) continue;
    found = true;
    const rest = f.slice(prefix.length);
    const slash = rest.indexOf('/');
    names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return found ? [...names].sort() : null;
}

// ---------------------------------------------------------------- memory

/** Files in a Map, for tests. `read` answers views into the stored bytes (no copy). */
export class MemoryBackend implements IoBackend {
  readonly kind = 'memory';
  readonly files = new Map<string, Uint8Array>();

  /** `files` keys must already be normalised paths (createIo normalises them). */
  constructor(files: Iterable<[string, Uint8Array | string]> = []) {
    for (const [k, v] of files) this.set(k, v);
  }

  set(path: string, data: Uint8Array | string): void {
    this.files.set(path, typeof data === 'string' ? encoder.encode(data) : data);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw is a rejection, as from the other backends
  async read(path: string, offset?: number, length?: number): Promise<Uint8Array> {
    const f = this.files.get(path);
    if (!f) throw this.isDir(path) ? isDirectory(path) : notFound(path);
    const { start, end } = rangeOf(path, f.length, offset, length);
    return start === 0 && end === f.length ? f : f.subarray(start, end);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw is a rejection, as from the other backends
  async stat(path: string): Promise<IoStat> {
    const f = this.files.get(path);
    if (f) return { size: f.length, kind: 'file' };
    if (this.isDir(path)) return { size: 0, kind: 'dir' };
    throw notFound(path);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw is a rejection, as from the other backends
  async list(dir: string): Promise<string[]> {
    if (this.files.has(dir)) throw notADirectory(dir);
    const names = childrenOf(this.files.keys(), dir);
    if (!names) throw notFound(dir);
    return names;
  }

  private isDir(path: string): boolean {
    if (path === '') return true;
    const prefix = `${path}/`;
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
}

// ---------------------------------------------------------------- fs (Node)

type NodeFs = typeof import('node:fs/promises');
type NodePath = typeof import('node:path');
type NodeUrl = typeof import('node:url');

// Variable specifiers and @vite-ignore: the browser bundle never resolves or pulls these.
const FS = 'node:fs/promises';
const PATH = 'node:path';
const URL_MOD = 'node:url';
let nodeMods: Promise<{ fs: NodeFs; path: NodePath; url: NodeUrl }> | undefined;
const loadNode = () =>
  (nodeMods ??= Promise.all([import(/* @vite-ignore */ FS), import(/* @vite-ignore */ PATH), import(/* @vite-ignore */ URL_MOD)]).then(
    ([fs, path, url]) => ({ fs: fs as NodeFs, path: path as NodePath, url: url as NodeUrl }),
  ));

/** Reads files under a root directory with `node:fs/promises` (Node only). */
export class FsBackend implements IoBackend {
  readonly kind = 'fs';
  private rootDir: Promise<string> | undefined;
  private realRoot: Promise<string> | undefined;

  /** @param root a directory path (absolute, or relative to the working directory) or a `file:` URL. */
  constructor(readonly root: string) {
    if (typeof root !== 'string' || root === '') throw new IoError('[io] the fs backend needs option root: the asset directory', 'EINVAL');
  }

  /**
   * The file a sandboxed path names. A symlink inside the root that leads out
   * of it is refused (EACCES): the real path must stay under the root's.
   */
  private async full(path: string): Promise<{ fs: NodeFs; file: string }> {
    const m = await loadNode();
    this.rootDir ??= Promise.resolve(m.path.resolve(this.root.startsWith('file:') ? m.url.fileURLToPath(this.root) : this.root));
    const root = await this.rootDir;
    const file = m.path.join(root, ...path.split('/'));
    this.realRoot ??= m.fs.realpath(root).catch(() => root);
    let real: string;
    try {
      real = await m.fs.realpath(file);
    } catch {
      return { fs: m.fs, file }; // missing: the caller's open or stat says so
    }
    const top = await this.realRoot;
    if (real !== top && !real.startsWith(top + m.path.sep)) {
      throw new IoError(`[io] ${path}: a symbolic link leads out of the asset root`, 'EACCES');
    }
    return { fs: m.fs, file };
  }

  async read(path: string, offset?: number, length?: number): Promise<Uint8Array> {
    const { fs, file } = await this.full(path);
    let fh: Awaited<ReturnType<NodeFs['open']>>;
    try {
      fh = await fs.open(file, 'r');
    } catch (e) {
      throw fsError(e, path);
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw isDirectory(path);
      const { start, end } = rangeOf(path, st.size, offset, length);
      const n = end - start;
      if (n === 0) return EMPTY;
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, start + got);
        if (bytesRead === 0) break; // the file shrank under us
        got += bytesRead;
      }
      return got === n ? buf : buf.subarray(0, got);
    } catch (e) {
      throw fsError(e, path);
    } finally {
      await fh.close();
    }
  }

  async stat(path: string): Promise<IoStat> {
    const { fs, file } = await this.full(path);
    try {
      const st = await fs.stat(file);
      return st.isDirectory() ? { size: 0, kind: 'dir' } : { size: st.size, kind: 'file' };
    } catch (e) {
      throw fsError(e, path);
    }
  }

  async list(dir: string): Promise<string[]> {
    const { fs, file } = await this.full(dir);
    try {
      const entries = await fs.readdir(file, { withFileTypes: true });
      return entries.map((d) => (d.isDirectory() ? `${d.name}/` : d.name)).sort();
    } catch (e) {
      throw fsError(e, dir);
    }
  }
}

function fsError(e: unknown, path: string): Error {
  if (e instanceof IoError) return e;
  const code = (e as { code?: unknown })?.code;
  switch (code) {
    case 'ENOENT':
      return notFound(path);
    case 'ENOTDIR':
      return notADirectory(path);
    case 'EISDIR':
      return isDirectory(path);
    case 'EACCES':
    case 'EPERM':
      return new IoError(`[io] permission denied: ${showPath(path)}`, 'EACCES');
    default:
      return new IoError(`[io] ${typeof code === 'string' ? code : 'error'} reading ${showPath(path)}: ${(e as Error)?.message ?? String(e)}`, 'EIO');
  }
}

// ---------------------------------------------------------------- fetch

/** Options of the fetch backend. */
export interface FetchBackendOptions {
  /** Base URL of the assets. Relative URLs resolve against `location` (browser); Node needs an absolute URL. */
  root: string;
  /** File listing for `list` (HTTP cannot list a directory), relative to root; null: none. Default `index.json`. */
  manifest?: string | null;
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

/**
 * Reads over HTTP(S). Partial reads are `Range: bytes=a-b` requests; a server
 * that ignores Range (answers 200) still works: the whole body is fetched and
 * sliced, and `counters().rangeIgnored` counts it.
 */
export class FetchBackend implements IoBackend {
  readonly kind = 'fetch';
  readonly base: URL;
  private readonly manifestPath: string | null;
  private readonly doFetch: typeof fetch;
  private manifest: Promise<string[] | null> | undefined;
  private readonly count = { requests: 0, rangeRequests: 0, rangeIgnored: 0, transferred: 0 };

  constructor(o: FetchBackendOptions) {
    const loc = (globalThis as { location?: { href: string } }).location;
    let base: URL;
    try {
      if (typeof o.root !== 'string' || o.root === '') throw new TypeError('no root'); // (a relative '' would be the page itself)
      base = loc ? new URL(o.root, loc.href) : new URL(o.root);
    } catch {
      throw new IoError(`[io] the fetch backend needs a root URL${loc ? '' : ' (absolute outside a browser)'}, got ${JSON.stringify(o.root)}`, 'EINVAL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new IoError(`[io] the fetch backend needs an http(s) root URL, got ${base.href}`, 'EINVAL');
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.base = base;
    this.manifestPath = o.manifest === undefined ? 'index.json' : o.manifest;
    const f = o.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new IoError('[io] the fetch backend needs fetch (Node 18+ or a browser)', 'ENOTSUP');
    this.doFetch = f.bind(globalThis);
  }

  counters(): Record<string, number> {
    return { ...this.count };
  }

  /** The URL of a normalised path: each segment percent-encoded, so `?`, `#` and `%` stay file names. */
  urlOf(path: string): string {
    const url = this.base.href + path.split('/').map(encodeURIComponent).join('/');
    // Defence in depth: sandbox.ts already guarantees this.
    if (!url.startsWith(this.base.href)) throw new IoError(`[io] path escapes the asset root: ${showPath(path)}`, 'EACCES');
    return url;
  }

  private async get(path: string, init?: RequestInit): Promise<Response> {
    this.count.requests++;
    let res: Response;
    try {
      res = await this.doFetch(this.urlOf(path), init);
    } catch (e) {
      throw new IoError(`[io] fetch failed for ${showPath(path)} (${this.urlOf(path)}): ${(e as Error)?.message ?? String(e)}`, 'EIO');
    }
    // Single-page-app servers (vite's default appType) answer a missing file with
    // their index page and status 200: that is not the file's data.
    if (res.ok && !/\.html?$/i.test(path) && (res.headers.get('content-type') ?? '').includes('text/html')) {
      await res.body?.cancel();
      throw new IoError(`${notFound(path).message} (the server answered with an HTML page, as single-page-app servers do for missing files)`, 'ENOENT');
    }
    return res;
  }

  private async body(res: Response): Promise<Uint8Array> {
    const b = new Uint8Array(await res.arrayBuffer());
    this.count.transferred += b.length;
    return b;
  }

  async read(path: string, offset?: number, length?: number): Promise<Uint8Array> {
    const start = offset ?? 0;
    if (start === 0 && length === undefined) {
      const res = await this.get(path);
      if (res.status === 200) return this.body(res);
      throw await httpError(res, path);
    }
    if (length === 0) {
      rangeOf(path, (await this.stat(path)).size, start, 0);
      return EMPTY;
    }
    this.count.rangeRequests++;
    const range = `bytes=${start}-${length === undefined ? '' : start + length - 1}`;
    const res = await this.get(path, { headers: { Range: range } });
    if (res.status === 206) {
      const cr = parseContentRange(res.headers.get('Content-Range'));
      const body = await this.body(res);
      if (cr && cr.first !== start) {
        throw new IoError(`[io] the server answered bytes ${cr.first}-${cr.last} to ${range} for ${showPath(path)}`, 'EIO');
      }
      const size = cr?.size ?? (length !== undefined && body.length < length ? start + body.length : undefined);
      if (size !== undefined) rangeOf(path, size, start, length);
      if (length !== undefined && body.length > length) return body.subarray(0, length);
      return body;
    }
    if (res.status === 200) {
      // The server ignored Range: take the whole body and slice it.
      this.count.rangeIgnored++;
      const body = await this.body(res);
      const r = rangeOf(path, body.length, start, length);
      return body.subarray(r.start, r.end);
    }
    if (res.status === 416) {
      await res.body?.cancel();
      const size = parseContentRange(res.headers.get('Content-Range'))?.size ?? (await this.stat(path)).size;
      if (start === size && length === undefined) return EMPTY;
      throw outOfRange(path, start, length, size);
    }
    throw await httpError(res, path);
  }

  async stat(path: string): Promise<IoStat> {
    const head = await this.get(path, { method: 'HEAD' });
    if (head.status === 404 || head.status === 410) {
      const files = await this.loadManifest();
      if (files && childrenOf(files, path)) return { size: 0, kind: 'dir' };
      throw notFound(path);
    }
    const len = head.headers.get('Content-Length');
    if (head.ok && len !== null && /^\d+$/.test(len) && !head.headers.get('Content-Encoding')) return { size: Number(len), kind: 'file' };
    // No usable Content-Length: ask for one byte and read the total from Content-Range.
    const res = await this.get(path, { headers: { Range: 'bytes=0-0' } });
    if (res.status === 206) {
      const cr = parseContentRange(res.headers.get('Content-Range'));
      await res.body?.cancel();
      if (cr?.size !== undefined) return { size: cr.size, kind: 'file' };
      throw new IoError(`[io] the server gave no size for ${showPath(path)}`, 'EIO');
    }
    if (res.status === 416) {
      await res.body?.cancel();
      return { size: parseContentRange(res.headers.get('Content-Range'))?.size ?? 0, kind: 'file' };
    }
    if (res.status === 200) return { size: (await this.body(res)).length, kind: 'file' };
    throw await httpError(res, path);
  }

  async list(dir: string): Promise<string[]> {
    const files = await this.loadManifest();
    if (!files) {
      throw new IoError(
        `[io] list is not supported over plain HTTP: no ${this.manifestPath ?? 'manifest'} manifest at ${this.base.href} (list the files in it as a JSON array of paths)`,
        'ENOTSUP',
      );
    }
    if (files.includes(dir)) throw notADirectory(dir);
    const names = childrenOf(files, dir);
    if (!names) throw notFound(dir);
    return names;
  }

  /** The manifest's file paths, or null when there is none. Loaded once (a failure is retried next time). */
  private loadManifest(): Promise<string[] | null> {
    if (this.manifestPath === null) return Promise.resolve(null);
    const mp = this.manifestPath;
    this.manifest ??= (async () => {
      const res = await this.get(mp);
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) throw await httpError(res, mp);
      let data: unknown;
      try {
        data = JSON.parse(new TextDecoder().decode(await this.body(res)));
      } catch (e) {
        throw new IoError(`[io] ${mp} is not valid JSON: ${(e as Error).message}`, 'EIO');
      }
      const list = Array.isArray(data) ? data : (data as { files?: unknown } | null)?.files;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
        throw new IoError(`[io] ${mp} must be a JSON array of paths or { "files": [paths] }`, 'EIO');
      }
      return list.map((p: string) => p.split('/').filter((s) => s !== '' && s !== '.').join('/'));
    })();
    this.manifest.catch(() => (this.manifest = undefined));
    return this.manifest;
  }
}

/** `bytes a-b/size`, `bytes a-b/*` or `bytes * /size` (no space). */
function parseContentRange(h: string | null): { first: number; last: number; size: number | undefined } | { first: undefined; last: undefined; size: number } | null {
  if (!h) return null;
  let m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(h.trim());
  if (m) return { first: Number(m[1]), last: Number(m[2]), size: m[3] === '*' ? undefined : Number(m[3]) };
  m = /^bytes\s+\*\/(\d+)$/i.exec(h.trim());
  if (m) return { first: undefined, last: undefined, size: Number(m[1]) };
  return null;
}

async function httpError(res: Response, path: string): Promise<IoError> {
  await res.body?.cancel().catch(() => {});
  if (res.status === 404 || res.status === 410) return notFound(path);
  if (res.status === 401 || res.status === 403) return new IoError(`[io] permission denied (HTTP ${res.status}): ${showPath(path)}`, 'EACCES');
  return new IoError(`[io] HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${showPath(path)}`, 'EIO');
}
