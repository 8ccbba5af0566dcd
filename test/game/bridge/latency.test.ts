// A slow io service (50 ms per answer, like a remote server): each library still
// completes, every read really waits, and the calling service keeps answering.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Story } from 'inkjs/full';
import { GLB_MAGIC, PUBLIC, bytesOf, magic, startBridge, stopBridge, type Bridge } from './helpers.ts';

const LATENCY = 50;

let b: Bridge;
beforeAll(async () => {
  b = await startBridge({ backend: 'fs', root: PUBLIC, latencyMs: LATENCY });
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

/** Pings `addr` until `done` settles; returns how many answered meanwhile and their median time. */
async function pingWhile(addr: number, done: Promise<unknown>): Promise<{ pings: number; medianMs: number; detail?: string }> {
  let settled = false;
  void done.then(() => (settled = true), () => (settled = true));
  let pings = 0;
  const times: number[] = [];
  let detail: string | undefined;
  while (!settled) {
    const t0 = performance.now();
    expect(await b.rt.call(addr, 'ping', pings)).toBe(pings);
    times.push(performance.now() - t0);
    if (!settled) pings++;
    if (!detail) {
      const row = (await b.rt.inspect()).find((x) => x.address === addr);
      if (row?.state === 'suspended' && /waits for a call/.test(row.detail ?? '')) detail = row.detail;
    }
  }
  times.sort((x, y) => x - y);
  return { pings, medianMs: times[times.length >> 1] ?? Infinity, detail };
}

describe('the bridge with io latency 50 ms', () => {
  it('sqlite: a first query waits on each ranged read while the same service answers pings', async () => {
    const levels = await b.rt.spawn('levels');
    expect(await b.rt.call(levels, 'close')).toBe(0); // starts the carrier (wasm set-up) without opening the file
    const t0 = performance.now();
    const query = b.rt.callMulti(levels, 'find', 'old-bridge-1234');
    const during = await pingWhile(levels, query);
    const [row, stats] = (await query) as [Record<string, unknown>, { reads: number; ms: number }];
    const wall = performance.now() - t0;
    expect(row).toMatchObject({ id: 1234, name: 'old-bridge-1234' });
    // One stat and the page reads, one after the other, each at least LATENCY.
    expect(stats.reads).toBeGreaterThanOrEqual(4);
    expect(wall).toBeGreaterThanOrEqual((stats.reads + 1) * LATENCY - 5);
    expect(during.pings).toBeGreaterThanOrEqual(10);
    expect(during.medianMs).toBeLessThan(LATENCY / 2); // pings do not wait for the reads
    expect(during.detail).toMatch(/^native sqlite\.query on carrier \d+ for .*callback waits for a call to service \d+ "(read|stat)"/);
    // The cached connection needs no read, so no latency.
    const [, cached] = (await b.rt.callMulti(levels, 'find', 'old-bridge-1234')) as [unknown, { reads: number }];
    expect(cached.reads).toBe(0);
  });

  it('gltfpack: three reads, each waited for; the service answers meanwhile', async () => {
    const packer = await b.rt.spawn('packer');
    const pack = b.rt.callMulti(packer, 'pack', 'assets/scene/scene.gltf', { compress: true });
    const during = await pingWhile(packer, pack);
    const [glb, stats] = (await pack) as [unknown, { reads: number; ms: number }];
    expect(magic(bytesOf(glb))).toBe(GLB_MAGIC);
    expect(stats.reads).toBe(3);
    expect(stats.ms).toBeGreaterThanOrEqual(3 * LATENCY - 5);
    expect(during.pings).toBeGreaterThanOrEqual(5);
    expect(during.detail).toMatch(/^native gltfpack\.pack on carrier \d+ for .*callback waits for a call to service \d+ "read"/);
  });

  it('ink: main file and two INCLUDEs, each waited for', async () => {
    const dialogue = await b.rt.spawn('dialogue');
    const [json, info] = (await b.rt.callMulti(dialogue, 'compile')) as [string, { files: string[]; ms: number }];
    expect(info.files).toHaveLength(3);
    expect(info.ms).toBeGreaterThanOrEqual(3 * LATENCY - 5);
    expect(new Story(json).Continue()).toBe('The rain has not stopped for three days.\n');
  });
});
