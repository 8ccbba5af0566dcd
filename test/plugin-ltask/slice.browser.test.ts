import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { frameGaps } from '../support/frames.ts';
import { serviceLogs } from '../support/logs.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
});

describe('browser platform', () => {
  it('is cross-origin isolated', () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe('function');
  });

  it('keeps drawing frames while a worker sits 300 ms in Atomics.wait', async () => {
    const w = new Worker(new URL('../fixtures/block-worker.ts', import.meta.url), { type: 'module' });
    try {
      const sab = new SharedArrayBuffer(8);
      const i32 = new Int32Array(sab);
      const frames = frameGaps();
      const done = new Promise<{ result: string; waited: number }>((r) => (w.onmessage = (e) => r(e.data)));
      w.postMessage({ sab, ms: 300 });
      // Count only once the worker is really blocked.
      while (Atomics.load(i32, 1) === 0) await new Promise((r) => setTimeout(r, 1));
      frames.start();
      const report = await done;
      const f = frames.stop();
      expect(report.result).toBe('timed-out');
      expect(report.waited).toBeGreaterThanOrEqual(295);
      // A page that waited for the worker would draw no frame for 300 ms; a busy machine
      // stretches frames, but not to the wait's length.
      expect(f.frames).toBeGreaterThanOrEqual(2);
      expect(f.maxGapMs).toBeLessThan(300);
    } finally {
      w.terminate();
    }
  });

  it('a Lua service (fengari in a bundled worker) answers the page', async () => {
    rt = await startRuntime({ workers: 2, base: new URL('/', location.href).href, onLog: logs.onLog });
    const addr = await rt.spawn('hello', 'Hi');
    const reply = await rt.call<string>(addr, 'greet', 'test');
    expect(reply).toMatch(/^Hi, test \(from Lua service \d+ on worker [01]\)$/);
  });
});
