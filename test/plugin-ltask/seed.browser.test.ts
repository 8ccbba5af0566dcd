import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { IO_LATENCY_MS, SEED_FILES, runSeedScenario } from './seed-scenario.ts';
import { frameGaps } from '../support/frames.ts';
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
    const frames = frameGaps();
    frames.start();
    const r = await runSeedScenario(rt);
    const f = frames.stop();
    expect(r.text).toBe('first half, second half');
    expect(r.loadMs).toBeGreaterThanOrEqual(2 * IO_LATENCY_MS - 5);
    expect(r.sawSuspended).toMatch(/callback waits for a call to service \d+ "read"/);
    expect(r.pingsDoneBeforeLoad).toBe(true);
    expect(r.tickerWorker).toBe(r.loaderWorker);
    expect(r.ticks).toBeGreaterThanOrEqual(20);
    // A tick, or a frame, that waited for a read would take at least its latency
    // (300 ms); scheduling noise on a busy machine stretches them, not that far.
    expect(r.maxTickGapMs).toBeLessThan(IO_LATENCY_MS);
    // The main thread never waited: frames kept coming through the whole scenario.
    expect(f.frames).toBeGreaterThanOrEqual(4);
    expect(f.maxGapMs).toBeLessThan(IO_LATENCY_MS);
    expect(rt.serialViolations).toBe(0);
  });
});
