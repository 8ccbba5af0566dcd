/** Starting workers under Node (host side only): worker_threads. */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExitSignal, type WorkerHandle, type WorkerKind } from './types.ts';

// Built package: `.js` entries start directly. From the sources (this
// repository's tests), `.ts` entries start through tsx (see boot.mjs).
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const ENTRIES: Record<WorkerKind, URL> = {
  scheduler: new URL(`../entries/scheduler-worker${EXT}`, import.meta.url),
  carrier: new URL(`../entries/carrier-worker${EXT}`, import.meta.url),
};
const BOOT = new URL('./boot.mjs', import.meta.url);

export function startWorker(kind: WorkerKind, name: string, script?: string): WorkerHandle {
  if (script !== undefined) {
    throw new Error(`[ltask] ${name}: a bundled carrier ("?ltask-native" import) runs only in the browser; in Node, give the module's path`);
  }
  const entry = ENTRIES[kind];
  // From sources, workers resolve the package's own imports (#platform) to sources too.
  const w =
    EXT === '.ts'
      ? new Worker(fileURLToPath(BOOT), { workerData: { entry: entry.href }, name, execArgv: [...process.execArgv, '--conditions=ltask-source'] })
      : new Worker(entry, { name });
  const exit = new ExitSignal();
  w.on('error', (e) => exit.fire(`worker ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  w.on('exit', (code) => exit.fire(`worker ${name} exited with code ${code}`));
  return {
    postMessage: (m, t) => w.postMessage(m, t as never),
    listen(h) {
      w.on('message', h);
      return () => w.off('message', h);
    },
    onExit: (h) => exit.on(h),
    async terminate() {
      exit.silence();
      await w.terminate();
    },
  };
}

