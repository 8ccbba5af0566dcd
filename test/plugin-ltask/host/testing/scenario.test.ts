// The frame-timing scenario of @ltask-web/plugin-ltask/testing on a real
// runtime (worker_threads): tickers keep their rate while loaders wait 300 ms
// per read on io; the blocking mode (the library waiting on the tickers' own
// worker) makes the gaps as long as the reads. The gate is proven able to fail.
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { SCENARIO_SOURCES, probeNatives, startScenario } from '@ltask-web/plugin-ltask/testing';
import { summarize } from '@ltask-web/engine/testing';
import { FIXTURES } from '../../services/io/helpers.ts';

const L = 300; // io latency per read, ms
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
});

async function runScenario(blocking: 'none' | 'worker') {
  rt = await startRuntime({
    workers: 2,
    sources: SCENARIO_SOURCES,
    natives: probeNatives(),
    io: { backend: 'fs', root: FIXTURES, latencyMs: L },
  });
  const s = await startScenario(rt, { tickers: 20, hz: 20, tickerWorker: 1, loaders: 4, paths: ['a.txt', 'sub/c.txt'], blocking, blockMs: L });
  await s.gaps(); // forget the gaps of the start
  const loads = await s.load();
  const gaps = await s.stop();
  return { loads, gaps: summarize(gaps) };
}

describe('scenario: tickers while loaders wait on io', () => {
  it('loaders in native calls: every load takes the io latency twice, tick gaps stay far below it', async () => {
    const { loads, gaps } = await runScenario('none');
    for (const [bytes, ms] of loads) {
      expect(bytes).toBeGreaterThan(0);
      expect(ms).toBeGreaterThanOrEqual(2 * L - 5); // two reads, each waits L: the loads really waited
    }
    expect(gaps.count).toBeGreaterThan(100);
    expect(gaps.max).toBeLessThan(L / 2); // a blocked worker would show a gap >= L
  }, 30_000);

  it('self-check: a loader that blocks the tickers worker makes gaps as long as the reads', async () => {
    const { loads, gaps } = await runScenario('worker');
    expect(loads.length).toBe(4);
    expect(gaps.max).toBeGreaterThanOrEqual(L); // the gate above fails on this run
  }, 30_000);
});
