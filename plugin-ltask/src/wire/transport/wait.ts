/**
 * Waiting without blocking a worker's event loop, in every engine.
 *
 * `sleepOn` is `Atomics.waitAsync` where the engine has it (Chromium, WebKit,
 * Node, Firefox from 145). Firefox ESR 140 has no `Atomics.waitAsync`: there
 * the thread sleeps in `Atomics.wait` in 2 ms slices with an event-loop turn
 * between them, so host messages and timers still run (within 2 ms) and a
 * notify, or any change of the word, ends the wait at once.
 */

/** Runs `f` after the event loop has turned once (host messages, I/O). */
export const defer: (f: () => void) => void =
  typeof setImmediate === 'function'
    ? (f) => void setImmediate(f)
    : (() => {
        const ch = new MessageChannel();
        const q: (() => void)[] = [];
        ch.port1.onmessage = () => q.shift()?.();
        return (f: () => void) => {
          q.push(f);
          ch.port2.postMessage(0);
        };
      })();

/** Lets the event loop turn once. */
export const turn = (): Promise<void> => new Promise((r) => defer(r));

const SLICE_MS = 2;
const native = typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function';

/** Resolves when `i32[index]` changes from `value` or is notified; null when it already differs. */
export function sleepOn(i32: Int32Array, index: number, value: number): Promise<unknown> | null {
  if (native) {
    const r = Atomics.waitAsync(i32, index, value);
    return r.async ? r.value : null;
  }
  return sliced(i32, index, value);
}

/** The stand-in for engines without `Atomics.waitAsync` (exported for its test). */
export function sliced(i32: Int32Array, index: number, value: number): Promise<void> | null {
  if (Atomics.load(i32, index) !== value) return null;
  return new Promise<void>((resolve) => {
    const step = () => {
      if (Atomics.wait(i32, index, value, SLICE_MS) !== 'timed-out') resolve();
      else defer(step);
    };
    step();
  });
}
