import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { IO_LATENCY_MS, SEED_FILES, runSeedScenario } from './seed-scenario.ts';
import { serviceLogs } from '../support/logs.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
});

describe("the seed's scenario (Web Workers)", () => {
  it('the page keeps rendering frames while a loader waits on io in a synchronous callback', async () => {
    rt = await startRuntime({
      workers: 2,
      base: new URL('/', location.href).href,
      servicePath: 'test/fixtures/lua/?.lua',
      natives: { concat: new URL('../fixtures/native/concat.ts', import.meta.url).href },
      io: { backend: 'memory', files: SEED_FILES, latencyMs: IO_LATENCY_MS },
      onLog: logs.onLog,
    });
    let frames = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    const r = await runSeedScenario(rt);
    const elapsed = performance.now() - t0;
    counting = false;
    expect(r.text).toBe('first half, second half');
    expect(r.loadMs).toBeGreaterThanOrEqual(2 * IO_LATENCY_MS - 5);
    expect(r.sawSuspended).toMatch(/callback waits for a call to service \d+ "read"/);
    expect(r.pingsDoneBeforeLoad).toBe(true);
    expect(r.tickerWorker).toBe(r.loaderWorker);
    expect(r.ticks).toBeGreaterThanOrEqual(20);
    expect(r.maxTickGapMs).toBeLessThan(150);
    // The main thread never waited: frames kept coming through the whole scenario.
    expect(frames).toBeGreaterThanOrEqual(Math.floor(elapsed / 1000 * 60 * 0.5));
    expect(rt.serialViolations).toBe(0);
  });
});
