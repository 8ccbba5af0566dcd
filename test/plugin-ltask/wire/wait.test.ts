// transport/wait.ts: the stand-in for Atomics.waitAsync (Firefox ESR 140 has none).
import { describe, expect, it } from 'vitest';
import { sliced } from '../../../plugin-ltask/src/wire/transport/wait.ts';

describe('sleepOn without Atomics.waitAsync (sliced waits)', () => {
  it('returns null when the word already differs', () => {
    const i32 = new Int32Array(new SharedArrayBuffer(4));
    expect(sliced(i32, 0, 1)).toBeNull();
  });

  it('keeps the event loop turning while it waits: a timer runs, changes the word, and ends the wait', async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(4));
    let timers = 0;
    const tick = setInterval(() => timers++, 1);
    setTimeout(() => Atomics.store(i32, 0, 1), 30);
    const t0 = performance.now();
    await sliced(i32, 0, 0);
    clearInterval(tick);
    expect(Atomics.load(i32, 0)).toBe(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    // The store came from a timer on this very thread: that the wait ended proves the loop
    // turned during it; the interval ran too (how often depends on the machine's load).
    expect(timers).toBeGreaterThanOrEqual(1);
  });
});
