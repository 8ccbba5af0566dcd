// The frame-timing scenario of @ltask-web/plugin-ltask/testing on a real
// runtime (worker_threads): 20 NPC services tick on worker 1 and a watch ticker
// on each worker while 4 loaders, two on the NPCs' worker and two beside it on
// worker 0, wait 500 ms per read on io. No tick gap comes near a read. The
// self-checks run the same probe library inline in a loader service on its own
// worker (no carrier), its reads synchronous (an Atomics.wait of L, then readFileSync): on the NPCs' worker their gaps
// reach the read; beside it, the watch ticker's on worker 0 do; both fail the
// same gate.
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { SCENARIO_SOURCES, probeNatives, scenarioServices, startDelayProbe, startScenario, type LoaderPlacement } from '@ltask-web/plugin-ltask/testing';
import { summarize, type Stats } from '@ltask-web/engine/testing';
import { FIXTURES } from '../../services/io/helpers.ts';

const L = 500; // io latency per read, ms: a loaded machine (load average 10) made 273-361 ms tick gaps with nothing blocked
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
});

async function runScenario(blocking: 'none' | 'inline', placement: LoaderPlacement) {
  rt = await startRuntime({
    workers: 2,
    sources: SCENARIO_SOURCES,
    natives: probeNatives(),
    services: scenarioServices(),
    io: { backend: 'fs', root: FIXTURES, latencyMs: L },
  });
  // Inline loads run one after another on their worker: two of them block it for 4 reads (2 s).
  const s = await startScenario(rt, { tickers: 20, hz: 20, loaders: blocking === 'inline' ? 2 : 4, placement, paths: ['a.txt', 'sub/c.txt'], blocking, root: FIXTURES });
  await s.gaps(); // forget the gaps of the start
  const probe = startDelayProbe();
  const loads = await s.load();
  const delay = await probe.stop();
  const series = await s.stopAll();
  const stats: Record<string, Stats> = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, summarize(v)]));
  // The gate: a tick gap of 0.8 L is a wait on a read (a blocked worker shows >= L), plus the scheduling
  // delay a thread of its own saw meanwhile (other work on the machine); the self-checks prove it can fail.
  const gate = 0.8 * L + delay.max;
  console.log(
    `[scenario] ${blocking}/${placement}: ` + Object.entries(stats).map(([k, g]) => `${k} gaps n ${g.count} max ${g.max.toFixed(0)} ms`).join(', ') +
      `; scheduling delay max ${delay.max.toFixed(0)} ms, gate ${gate.toFixed(0)} ms`,
  );
  /** The series whose worst gap reaches the gate. */
  const over = Object.keys(stats).filter((k) => !(stats[k]!.max < gate));
  return { s, loads, stats, over };
}

describe('scenario: tickers while loaders wait on io, on the NPCs worker and beside it', () => {
  it('loaders in native calls: every load takes the io latency twice, no tick gap comes near it', async () => {
    const { s, loads, stats, over } = await runScenario('none', 'both');
    expect(s.tickerWorker).toBe(1);
    expect(s.loaderWorkers).toEqual([1, 0, 1, 0]); // two with the NPCs, two beside
    for (const [bytes, ms, worker] of loads) {
      expect(bytes).toBeGreaterThan(0);
      expect(ms).toBeGreaterThanOrEqual(2 * L - 5); // two reads, each waits L: the loads really waited
      expect([0, 1]).toContain(worker);
    }
    expect(loads.map((l) => l[2])).toEqual(s.loaderWorkers);
    expect(Object.keys(stats).sort()).toEqual(['npc', 'worker 0', 'worker 1']);
    expect(stats.npc!.count).toBeGreaterThan(100); // 20 NPCs at 20 Hz over 1 s
    for (const w of ['worker 0', 'worker 1']) expect(stats[w]!.count).toBeGreaterThanOrEqual(5);
    expect(over).toEqual([]);
  }, 30_000);

  it('self-check: the library inline on the NPCs worker makes their gaps as long as the reads', async () => {
    const { s, loads, stats, over } = await runScenario('inline', 'with');
    expect(s.loaderWorkers).toEqual([1, 1]);
    for (const [bytes, ms, worker] of loads) {
      expect(bytes).toBeGreaterThan(0); // the same library read the same files
      expect(ms).toBeGreaterThanOrEqual(2 * L - 5);
      expect(worker).toBe(1);
    }
    expect(stats.npc!.max).toBeGreaterThanOrEqual(L);
    expect(over).toContain('npc'); // the gate above fails on this run
    expect(over).not.toContain('worker 0');
  }, 30_000);

  it('self-check: the library inline beside the NPCs blocks its own worker: the watch ticker there sees it', async () => {
    const { s, loads, stats, over } = await runScenario('inline', 'beside');
    expect(s.loaderWorkers).toEqual([0, 0]);
    expect(loads.every(([bytes, , worker]) => bytes > 0 && worker === 0)).toBe(true);
    expect(stats['worker 0']!.max).toBeGreaterThanOrEqual(L);
    expect(over).toContain('worker 0'); // the gate fails on the worker the NPCs do not share
  }, 30_000);
});
