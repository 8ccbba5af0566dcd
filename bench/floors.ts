/**
 * Shared-memory ping-pong floors between two plain worker_threads
 * (services/floor-worker.mjs), no runtime in the loop: what a cross-thread
 * round trip costs at least, by how both ends wait.
 *
 * - `spin`: each end polls for up to `spinUs` (50, the runtime's default
 *   `spinMicros` and its carriers' poll), then sleeps: the way the runtime
 *   runs while messages keep coming.
 * - `wait`: each end sleeps in `Atomics.wait` at once (a futex wake both
 *   ways): the sleeping floor; half of its round trip is one wake-up.
 * - `waitAsync`: each end sleeps in `Atomics.waitAsync` (the thread's event
 *   loop wakes it): the way a worker sleeps with spinning off.
 */
import { Worker } from 'node:worker_threads';
import { stats, type Stats } from './report.ts';

export type Wake = 'spin' | 'wait' | 'waitAsync';

/** p50/p99 (us) of `count` round trips that answer `size` bytes, after a warm-up of a fifth. */
export async function floorRtt(wake: Wake, size: number, count: number, spinUs = 50): Promise<Stats> {
  const url = new URL('./services/floor-worker.mjs', import.meta.url);
  const sab = new SharedArrayBuffer(64 + size);
  const answer = new Worker(url, { workerData: { role: 'answer', sab, wake, spinUs } });
  const ask = new Worker(url, { workerData: { role: 'ask', sab, wake, spinUs } });
  const once = <T>(w: Worker) => new Promise<T>((r) => w.once('message', r));
  try {
    const ready = once(answer);
    answer.postMessage({ size });
    await ready;
    const run = async (k: number) => {
      const p = once<{ samples: number[] }>(ask);
      ask.postMessage({ n: k });
      return (await p).samples;
    };
    await run(Math.ceil(count / 5)); // warm-up
    const samples = await run(count);
    const state = new Int32Array(sab, 0, 1);
    Atomics.store(state, 0, 3);
    Atomics.notify(state, 0);
    return stats(samples);
  } finally {
    await Promise.all([answer.terminate(), ask.terminate()]);
  }
}

/** "0.16x sleeping floor" style text: `value` against each named floor. */
export const against = (value: number, floors: [string, number][]): string =>
  floors.map(([name, f]) => `${(value / f).toFixed(2)}x ${name}`).join(', ');
