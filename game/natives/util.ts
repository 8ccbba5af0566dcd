/** Helpers shared by the native modules: platform, wasm bytes, asset paths. */

/** True under Node (carriers are worker_threads there), false in a browser worker or page. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && (process as { release?: { name?: string } }).release?.name === 'node';
}

/**
 * The bytes of a wasm file shipped in a package. Browser: fetched from the URL vite
 * gives the asset (`browserUrl` is a dynamic `import('pkg/file.wasm?url')`, which vite
 * resolves and tsx never evaluates). Node: read from the package's folder.
 */
export async function wasmBytes(nodeSpecifier: string, browserUrl: () => Promise<{ default: string }>): Promise<Uint8Array<ArrayBuffer>> {
  if (isNode()) {
    // Kept out of vite's sight: these modules exist only in Node.
    const mod = 'node:module';
    const fs = 'node:fs/promises';
    const { createRequire } = (await import(/* @vite-ignore */ mod)) as typeof import('node:module');
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    return new Uint8Array(await readFile(createRequire(import.meta.url).resolve(nodeSpecifier)));
  }
  const url = (await browserUrl()).default;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`[natives] cannot fetch ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * An asset path in the form the io service takes: `/` separators, no leading `/`,
 * `.` and `..` resolved (a `..` above the root is dropped, never kept).
 */
export function normalisePath(path: string): string {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** The folder part of a normalised path (`''` for a top-level file). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** `rel` resolved against the folder `dir` (both asset paths). */
export function joinPath(dir: string, rel: string): string {
  return normalisePath(rel.startsWith('/') ? rel : `${dir}/${rel}`);
}

/** A message for anything thrown (Lua errors arrive as Error; be lenient with the rest). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Fails fast with a message naming the call when an argument has the wrong shape. */
export function expectCallback<K extends string>(
  where: string,
  io: unknown,
  key: K,
): asserts io is Record<K, (...args: unknown[]) => unknown> {
  if (io === null || typeof io !== 'object' || typeof (io as Record<string, unknown>)[key] !== 'function') {
    throw new TypeError(`${where}: expected a table with a function "${key}"`);
  }
}
