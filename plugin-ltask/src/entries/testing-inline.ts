/**
 * `@ltask-web/plugin-ltask/testing/inline`: the probe library run inline, the
 * way the frame gates' baselines and self-checks run it. No carrier: the
 * library's read callback is a synchronous read on the calling thread, which
 * waits the io latency there (`Atomics.wait` where the thread may wait: a
 * worker, Node's main thread; a busy-wait on a page's main thread, as the
 * demo's "blocking loaders" contrast does), then reads the file (a
 * synchronous XMLHttpRequest in a browser, `readFileSync` in Node).
 *
 * - On the main thread: `loadInline(paths, syncReader({ root, latencyMs }))`
 *   (bench/frames' `blocking=main`).
 * - On a service's own worker: its default export is a TypeScript service
 *   (`ltask-inline-loader`, spawned by `startScenario` with
 *   `blocking: 'inline'`): `load(paths)` runs the library in the handler, so
 *   every service on that worker waits with it. Register it with
 *   `import inline from '@ltask-web/plugin-ltask/testing/inline?ltask-service'`
 *   in a page, or `scenarioServices()` in Node.
 */
import probe from '../carrier/probe.ts';
import { defineService } from './service.ts';

/** Where a synchronous reader finds the files, and the latency each read waits. */
export interface SyncReadOptions {
  /** A base URL (browser), or a directory or `file:` URL (Node). */
  root: string;
  /** Milliseconds each read waits before it reads (the io service's `latencyMs`). */
  latencyMs: number;
}

/** A synchronous reader with what it did. */
export interface SyncReader {
  read(path: string): Uint8Array;
  /** Reads done, and milliseconds spent in them (waits included). */
  readonly reads: number;
  readonly ms: number;
}

type NodeFs = { readFileSync(p: string): Uint8Array };
type NodePath = { resolve(...p: string[]): string };
type NodeUrl = { fileURLToPath(u: string): string };
const builtin = <T>(id: string): T | undefined =>
  (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(id) as T | undefined;

/** Blocks the calling thread `ms`: `Atomics.wait` where allowed, else a busy-wait (a page's main thread). */
export function waitSync(ms: number): void {
  if (!(ms > 0)) return;
  const end = performance.now() + ms;
  try {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (performance.now() < end) Atomics.wait(cell, 0, 0, end - performance.now());
    return;
  } catch {
    // Atomics.wait is refused on a page's main thread (or no SharedArrayBuffer): spin.
  }
  while (performance.now() < end) {
    /* the thread is blocked */
  }
}

/** A binary string (x-user-defined) as bytes. */
function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/**
 * A synchronous read: waits `latencyMs` on this thread, then reads the whole
 * file (synchronous XMLHttpRequest where there is one, else Node's fs).
 * @example
 * ```ts
 * const reader = syncReader({ root: new URL('/assets/', location.href).href, latencyMs: 300 });
 * reader.read('scene/checker.png'); // the thread waited 300 ms
 * ```
 */
export function syncReader(o: SyncReadOptions): SyncReader {
  const fetchSync = (path: string): Uint8Array => {
    const xhr = new XMLHttpRequest();
    const url = new URL(path, o.root).href;
    xhr.open('GET', url, false);
    xhr.overrideMimeType('text/plain; charset=x-user-defined');
    xhr.send();
    if (xhr.status !== 200) throw new Error(`[inline] GET ${url}: HTTP ${xhr.status}`);
    return binaryToBytes(xhr.responseText);
  };
  const fs = typeof XMLHttpRequest === 'undefined' ? builtin<NodeFs>('node:fs') : undefined;
  const path = builtin<NodePath>('node:path');
  const root = fs && o.root.startsWith('file:') ? builtin<NodeUrl>('node:url')!.fileURLToPath(o.root) : o.root;
  const readFile = fs && path ? (p: string) => fs.readFileSync(path.resolve(root, p)) : fetchSync;
  const r = {
    reads: 0,
    ms: 0,
    read(p: string): Uint8Array {
      const t0 = performance.now();
      waitSync(o.latencyMs);
      const bytes = readFile(p);
      r.reads++;
      r.ms += performance.now() - t0;
      return bytes;
    },
  };
  return r;
}

/** What an inline load did: bytes read (the probe's answer), milliseconds, where it ran (-1: not on a worker). */
export type InlineLoad = [bytes: number, ms: number, worker: number];

/**
 * Runs the probe library's `load(paths, { read })` here, its reads through `reader`.
 * @example
 * ```ts
 * const [bytes, ms] = loadInline(['a.bin', 'b.bin'], syncReader({ root, latencyMs: 300 }));
 * ```
 */
export function loadInline(paths: string[], reader: SyncReader, worker = -1): InlineLoad {
  const t0 = performance.now();
  const bytes = probe.functions.load(paths, reader);
  return [bytes, performance.now() - t0, worker];
}


/**
 * The inline loader: a TypeScript service whose `load(paths)` runs the probe
 * library in the handler, on this service's worker, with synchronous reads
 * under `root` that each wait `latencyMs` (default: the io service's latency).
 */
export default defineService((ctx, root: string, latencyMs?: number) => {
  // Asked at the first load: a factory that called root (queryservice) would wait on its own spawn.
  let latency = latencyMs;
  const ask = async () => (latency ??= (await ctx.call<{ latencyMs: number }>(await ctx.queryService('io'), 'settings')).latencyMs);
  return {
    async load(paths: string[]): Promise<InlineLoad> {
      const ms = await ask();
      return loadInline(paths, syncReader({ root, latencyMs: ms }), ctx.workerId);
    },
    latency: ask,
  };
});
