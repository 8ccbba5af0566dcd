// The floors for a cross-thread round trip over shared memory, with no runtime:
// one thread ("ask") posts a request in a SharedArrayBuffer and waits; the other
// ("answer") copies `size` bytes into the buffer and answers. How each side
// waits is the floor's `wake`:
//   "spin":      poll the state word for up to `spinUs`, then Atomics.wait (as
//                the runtime's workers and carriers do: both poll 50 us first);
//   "wait":      Atomics.wait at once (a futex sleep both ways: the sleeping floor);
//   "waitAsync": await Atomics.waitAsync at once (the event loop wakes the
//                thread both ways: how a worker with spinning off sleeps).
// Roles: "answer", "ask". The parent stops the answerer by storing STOP (3) and
// notifying.
import { parentPort, workerData } from 'node:worker_threads';

const { role, sab, wake = 'wait', spinUs = 50 } = workerData;
const state = new Int32Array(sab, 0, 4); // [0]: 0 idle, 1 asked, 2 answered, 3 stop; [1]: length
const data = new Uint8Array(sab, 64);
const IDLE = 0, ASKED = 1, ANSWERED = 2, STOP = 3;
const spinMs = wake === 'spin' ? spinUs / 1000 : 0;

/** Waits until the state is `want`; false once the parent asked to stop. */
const waitFor = (want) => {
  for (let s = Atomics.load(state, 0); s !== want; s = Atomics.load(state, 0)) {
    if (s === STOP) return false;
    if (spinMs > 0) {
      const end = performance.now() + spinMs;
      while (Atomics.load(state, 0) === s && performance.now() < end);
      if (Atomics.load(state, 0) !== s) continue;
    }
    Atomics.wait(state, 0, s);
  }
  return true;
};

/** The same, sleeping in Atomics.waitAsync (the thread's event loop turns meanwhile). */
const waitForAsync = async (want) => {
  for (let s = Atomics.load(state, 0); s !== want; s = Atomics.load(state, 0)) {
    if (s === STOP) return false;
    const r = Atomics.waitAsync(state, 0, s);
    if (r.async) await r.value;
  }
  return true;
};

if (role === 'answer') {
  parentPort.on('message', async ({ size }) => {
    const payload = new Uint8Array(size).fill(0xff);
    parentPort.postMessage({ ready: true });
    if (wake === 'waitAsync') {
      while (await waitForAsync(ASKED)) answer(payload, size);
    } else {
      while (waitFor(ASKED)) answer(payload, size);
    }
    Atomics.store(state, 0, IDLE);
    parentPort.postMessage({ stopped: true });
  });
} else {
  parentPort.on('message', async ({ n }) => {
    const samples = new Array(n);
    const sleepy = wake === 'waitAsync';
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      Atomics.store(state, 0, ASKED);
      Atomics.notify(state, 0);
      if (sleepy) await waitForAsync(ANSWERED);
      else waitFor(ANSWERED);
      const copy = data.slice(0, state[1]);
      Atomics.store(state, 0, IDLE);
      samples[i] = (performance.now() - a) * 1000;
      if (copy.length === 0) throw new Error('empty answer');
    }
    parentPort.postMessage({ samples });
  });
}

function answer(payload, size) {
  data.set(payload);
  state[1] = size;
  Atomics.store(state, 0, ANSWERED);
  Atomics.notify(state, 0);
}
