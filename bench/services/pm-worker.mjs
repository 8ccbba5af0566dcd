// The baseline: plain postMessage RPC between two worker_threads, Comlink-style.
// Role "server": answers {id, args} on its port with {id, result}.
// Role "client": runs `n` awaited calls through its port, times each one, and
// posts the samples (us) and the total (ms) to the parent.
import { parentPort, workerData } from 'node:worker_threads';

const { role } = workerData;

parentPort.once('message', ({ port }) => {
  if (role === 'server') {
    port.on('message', (m) => port.postMessage({ id: m.id, result: m.args[0] }));
    parentPort.postMessage({ ready: true });
    return;
  }
  const pending = new Map();
  let nextId = 1;
  port.on('message', (m) => {
    const r = pending.get(m.id);
    pending.delete(m.id);
    r(m.result);
  });
  const call = (...args) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      port.postMessage({ id, args });
    });
  parentPort.on('message', async ({ n, depth, payload }) => {
    if (depth) {
      const t0 = performance.now();
      for (let done = 0; done < n; done += depth) {
        const w = [];
        for (let i = 0; i < depth; i++) w.push(call(i));
        await Promise.all(w);
      }
      parentPort.postMessage({ totalMs: performance.now() - t0 });
      return;
    }
    const samples = new Array(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      await call(payload);
      samples[i] = (performance.now() - a) * 1000;
    }
    parentPort.postMessage({ samples, totalMs: performance.now() - t0 });
  });
  parentPort.postMessage({ ready: true });
});
