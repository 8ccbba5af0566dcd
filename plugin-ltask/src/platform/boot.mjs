// Starts a worker from a TypeScript module under Node: worker_threads cannot run
// `.ts` directly, so register tsx in this thread, then load the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
globalThis.__ltaskTsx = true;
await import(workerData.entry);
