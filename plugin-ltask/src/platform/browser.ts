/** Browser platform: module Web Workers (bundled by vite), fetch. */
import type { Endpoint, Platform, WorkerHandle, WorkerKind } from './types.ts';

function create(kind: WorkerKind, name: string): Worker {
  switch (kind) {
    case 'scheduler':
      // The literal `new URL(..., import.meta.url)` lets vite bundle the worker.
      return new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module', name });
    case 'carrier':
      return new Worker(new URL('../native/carrier.ts', import.meta.url), { type: 'module', name });
  }
}

function startWorker(kind: WorkerKind, name: string): WorkerHandle {
  const w = create(kind, name);
  let exited = false;
  const exitHandlers: ((reason: string) => void)[] = [];
  const fire = (reason: string) => {
    if (exited) return;
    exited = true;
    for (const h of exitHandlers) h(reason);
  };
  w.addEventListener('error', (e) => {
    e.preventDefault();
    fire(`worker ${name} failed: ${e.message || 'script error (see the console)'}`);
  });
  return {
    postMessage: (m, t) => w.postMessage(m, t ?? []),
    listen(h) {
      const l = (e: MessageEvent) => h(e.data);
      w.addEventListener('message', l);
      return () => w.removeEventListener('message', l);
    },
    onExit: (h) => void exitHandlers.push(h),
    async terminate() {
      exited = true;
      w.terminate();
    },
  };
}

function parentEndpoint(): Endpoint {
  const scope = globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void; addEventListener(t: "message", l: (e: MessageEvent) => void): void; removeEventListener(t: "message", l: (e: MessageEvent) => void): void };
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
  startWorker,
  parentEndpoint,
  readText,
  defaultBase: () => String((globalThis as { location?: Location }).location?.href ?? '/'),
  cores: () => navigator.hardwareConcurrency || 2,
};
