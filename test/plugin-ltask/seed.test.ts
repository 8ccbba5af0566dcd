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

describe("the seed's scenario (worker_threads)", () => {
  it('a loader suspended in a synchronous read keeps its service, its worker and the runtime going', async () => {
    rt = await startRuntime({
      workers: 2,
      servicePath: 'test/fixtures/lua/?.lua',
      natives: { concat: new URL('../fixtures/native/concat.ts', import.meta.url).href },
      io: { backend: 'memory', files: SEED_FILES, latencyMs: IO_LATENCY_MS },
      onLog: logs.onLog,
    });
    const r = await runSeedScenario(rt);
    expect(r.text).toBe('first half, second half');
    // Two reads, each waits for the io latency: the frame of this call cannot be faster.
    expect(r.loadMs).toBeGreaterThanOrEqual(2 * IO_LATENCY_MS - 5);
    expect(r.sawSuspended).toMatch(/^native concat\.concat on carrier \d+ for .*callback waits for a call to service \d+ "read"/);
    expect(r.pingsDoneBeforeLoad).toBe(true);
    expect(r.tickerWorker).toBe(r.loaderWorker);
    // 60 Hz over >= 600 ms is >= 36 ticks; allow for 2 shared cores but not for a stall.
    expect(r.ticks).toBeGreaterThanOrEqual(20);
    // A tick that waited for a read would take at least its latency; noise stays below it.
    expect(r.maxTickGapMs).toBeLessThan(IO_LATENCY_MS);
    expect(rt.serialViolations).toBe(0);
  });
});
