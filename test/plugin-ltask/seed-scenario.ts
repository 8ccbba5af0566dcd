/**
 * The seed's scenario, shared by the Node and the browser test: a native
 * loader's synchronous read callback calls the io service (300 ms latency per
 * read); meanwhile the same service answers another service, and a ticker on
 * the same worker keeps its 60 Hz.
 */
import type { Runtime } from '@ltask-web/plugin-ltask';

export const SEED_FILES = { 'a.txt': 'first half, ', 'b.txt': 'second half' };
export const IO_LATENCY_MS = 300;

export interface SeedResult {
  text: string;
  loadMs: number;
  pings: number;
  pingsDoneBeforeLoad: boolean;
  ticks: number;
  maxTickGapMs: number;
  tickerWorker: number;
  loaderWorker: number;
  sawSuspended: string | undefined;
}

export async function runSeedScenario(rt: Runtime): Promise<SeedResult> {
  const loader = await rt.spawnService({ name: 'seed_loader', worker_id: 1 });
  const pinger = await rt.spawnService({ name: 'seed_pinger', worker_id: 0 });
  const ticker = await rt.spawnService({ name: 'seed_ticker', worker_id: 1 });
  await rt.call(loader, 'load', ['a.txt']); // start the carrier first
  await rt.call(ticker, 'start');
  let loadDone = false;
  const load = rt.callMulti(loader, 'load', ['a.txt', 'b.txt']).then((v) => {
    loadDone = true;
    return v as [string, number];
  });
  let suspended: string | undefined;
  for (let i = 0; i < 100 && !suspended; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const row = (await rt.inspect()).find((x) => x.address === loader);
    if (row?.state === 'suspended' && /waits for a call/.test(row.detail ?? '')) suspended = row.detail;
  }
  const PINGS = 50;
  await rt.call(pinger, 'run', loader, PINGS);
  const pingsDoneBeforeLoad = !loadDone;
  const [text, loadMs] = await load;
  const [ticks, maxTickGapMs, tickerWorker] = await rt.callMulti(ticker, 'stop');
  return {
    text,
    loadMs,
    pings: PINGS,
    pingsDoneBeforeLoad,
    ticks: ticks as number,
    maxTickGapMs: maxTickGapMs as number,
    tickerWorker: tickerWorker as number,
    loaderWorker: (await rt.inspect()).find((x) => x.address === loader)!.worker,
    sawSuspended: suspended,
  };
}
