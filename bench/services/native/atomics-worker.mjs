// The floor for a blocking cross-thread round trip: one worker blocks in
// Atomics.wait until another copies `size` bytes into a SharedArrayBuffer and
// notifies (what a carrier's callback does, minus the runtime). Roles: "answer", "ask".
import { parentPort, workerData } from 'node:worker_threads';

const { role, sab } = workerData;
const state = new Int32Array(sab, 0, 4); // [0]: 0 idle, 1 asked, 2 answered, 3 stop; [1]: length
const data = new Uint8Array(sab, 64);
const IDLE = 0, ASKED = 1, ANSWERED = 2, STOP = 3;

const waitFor = (want) => {
  for (let s = Atomics.load(state, 0); s !== want; s = Atomics.load(state, 0)) {
    if (s === STOP) return false;
    Atomics.wait(state, 0, s);
  }
  return true;
};

if (role === 'answer') {
  parentPort.on('message', ({ size }) => {
    const payload = new Uint8Array(size).fill(0xff);
    parentPort.postMessage({ ready: true });
    while (waitFor(ASKED)) {
      data.set(payload);
      state[1] = size;
      Atomics.store(state, 0, ANSWERED);
      Atomics.notify(state, 0);
    }
    Atomics.store(state, 0, IDLE);
    parentPort.postMessage({ stopped: true });
  });
} else {
  parentPort.on('message', ({ n }) => {
    const samples = new Array(n);
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      Atomics.store(state, 0, ASKED);
      Atomics.notify(state, 0);
      waitFor(ANSWERED);
      const copy = data.slice(0, state[1]);
      Atomics.store(state, 0, IDLE);
      samples[i] = (performance.now() - a) * 1000;
      if (copy.length === 0) throw new Error('empty answer');
    }
    parentPort.postMessage({ samples });
  });
}
