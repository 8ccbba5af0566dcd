// Starts a worker from a TypeScript module under Node: worker_threads cannot run
// `.ts` directly, so register tsx in this thread (and the `?raw` text imports
// vite gives the sources), then load the real entry.
import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
registerHooks('./raw-hooks.mjs', import.meta.url);
globalThis.__ltaskTsx = true;
await import(workerData.entry);
