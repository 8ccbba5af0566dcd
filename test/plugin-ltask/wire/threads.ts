// Starts a worker_threads worker on a TypeScript module of this folder, the way
// the runtime does from its sources: plugin-ltask/src/platform/boot.mjs registers
// tsx in the new thread, then imports `workerData.entry`.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const BOOT = fileURLToPath(new URL('../../../plugin-ltask/src/platform/boot.mjs', import.meta.url));

export interface Thread<R> {
  worker: Worker;
  /** The first message the worker posts; rejects if it fails or exits before. */
  result: Promise<R>;
}

/** Runs `file` (next to this one) in a new thread with `data` as its workerData. */
export function startThread<R>(file: string, data: Record<string, unknown>): Thread<R> {
  const entry = new URL(`./${file}`, import.meta.url).href;
  const worker = new Worker(BOOT, { workerData: { ...data, entry } });
  const result = new Promise<R>((resolve, reject) => {
    worker.once('message', (m: R) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker ${file} exited with code ${code} before it reported`)));
  });
  return { worker, result };
}

/**
 * Waits for every thread's result, then ends the threads. After `limitMs` it
 * ends them anyway and rejects (a thread stuck in Atomics.wait must not
 * outlive its test).
 */
export async function results<R>(threads: Thread<R>[], limitMs = 60_000): Promise<R[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`threads still running after ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([Promise.all(threads.map((t) => t.result)), limit]);
  } finally {
    clearTimeout(timer);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

/** A deterministic 32-bit hash (for message sizes and contents both threads agree on). */
export function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
