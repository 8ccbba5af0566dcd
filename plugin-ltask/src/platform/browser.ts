/** Browser platform, the part workers use too: the parent endpoint, fetch. */
import type { Endpoint, Platform } from './types.ts';

/** What a worker posts when its code calls `close()` (the page hears of it; see {@link reportClose}). */
export const CLOSED = '[ltask] worker closed itself';

type WorkerScope = {
  postMessage(m: unknown, t: Transferable[]): void;
  addEventListener(t: 'message', l: (e: MessageEvent) => void): void;
  addEventListener(t: 'unhandledrejection', l: (e: PromiseRejectionEvent) => void): void;
  removeEventListener(t: 'message', l: (e: MessageEvent) => void): void;
  close?: () => void;
};

/**
 * A Web Worker that calls `close()` ends without a word to the page (no
 * `error`, no exit event), and the code after the call runs on: in Node,
 * `process.exit` ends the thread there and the host hears of it. Here `close()`
 * tells the page first (the host replaces the worker at once) and then never
 * returns: the thread waits to be terminated, so nothing after it answers in
 * its name (a native call would otherwise return, its carrier already gone).
 */
function reportClose(scope: WorkerScope): void {
  const close = scope.close?.bind(scope);
  if (!close) return;
  scope.close = () => {
    scope.postMessage(CLOSED, []);
    close();
    const parked = new Int32Array(new SharedArrayBuffer(4));
    for (;;) Atomics.wait(parked, 0, 0);
  };
}

function parentEndpoint(): Endpoint {
  const scope = globalThis as unknown as WorkerScope;
  reportClose(scope);
  return {
    postMessage: (m, t) => scope.postMessage(m, t ?? []),
    listen(h) {
      const l = (e: MessageEvent) => h(e.data);
      scope.addEventListener('message', l);
      return () => scope.removeEventListener('message', l);
    },
  };
}

async function readText(path: string, base: string): Promise<string> {
  const res = await fetch(new URL(path, base));
  if (!res.ok) throw new Error(`${res.status} ${res.statusText} (${res.url})`);
  // Single-page-app servers answer unknown paths with their index page.
  if (!/\.html?$/.test(path) && (res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`not found (the server answered with an HTML page: ${res.url})`);
  }
  return res.text();
}

export const platform: Platform = {
  name: 'browser',
  parentEndpoint,
  importModule: (url) => import(/* @vite-ignore */ url),
  readText,
  defaultBase: () => String((globalThis as { location?: Location }).location?.href ?? '/'),
  cores: () => navigator.hardwareConcurrency || 2,
  onUnhandledRejection(report) {
    (globalThis as unknown as WorkerScope).addEventListener('unhandledrejection', (e) => {
      e.preventDefault(); // reported instead of the console's line
      report(e.reason);
    });
  },
};
