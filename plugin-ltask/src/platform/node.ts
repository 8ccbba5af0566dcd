/** Node platform: worker_threads, fs. Workers load the TypeScript sources through tsx. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Worker, parentPort } from 'node:worker_threads';
import type { Endpoint, Platform, WorkerHandle, WorkerKind } from './types.ts';

const ENTRIES: Record<WorkerKind, string> = {
  scheduler: new URL('../worker/entry.ts', import.meta.url).href,
  carrier: new URL('../native/carrier.ts', import.meta.url).href,
};
const BOOT = new URL('./boot.mjs', import.meta.url);

function startWorker(kind: WorkerKind, name: string): WorkerHandle {
  const w = new Worker(fileURLToPath(BOOT), { workerData: { entry: ENTRIES[kind] }, name });
  let exited = false;
  const exitHandlers: ((reason: string) => void)[] = [];
  const fire = (reason: string) => {
    if (exited) return;
    exited = true;
    for (const h of exitHandlers) h(reason);
  };
  w.on('error', (e) => fire(`worker ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  w.on('exit', (code) => fire(`worker ${name} exited with code ${code}`));
  return {
    postMessage: (m, t) => w.postMessage(m, t as never),
    listen(h) {
      w.on('message', h);
      return () => w.off('message', h);
    },
    onExit: (h) => void exitHandlers.push(h),
    async terminate() {
      exited = true;
      await w.terminate();
    },
  };
}

function parentEndpoint(): Endpoint {
  const port = parentPort;
  if (!port) throw new Error('[ltask] parentEndpoint() called outside a worker');
  return {
    postMessage: (m, t) => port.postMessage(m, t as never),
    listen(h) {
      port.on('message', h);
      return () => port.off('message', h);
    },
  };
}

async function readText(path: string, base: string): Promise<string> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? new URL(path) : new URL(path, base.endsWith('/') ? base : base + '/');
  if (url.protocol === 'file:') return readFile(url, 'utf8');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.text();
}

export const platform: Platform = {
  name: 'node',
  startWorker,
  parentEndpoint,
  readText,
  defaultBase: () => pathToFileURL(process.cwd() + '/').href,
  cores: () => availableParallelism(),
};
