/**
 * Large messages: a message of 200,000 records to a Lua service on worker 0
 * and back. Unpacking and packing it takes seconds on a busy machine; the
 * codec answers the watchdog's ping while it works (wire/codec/progress.ts),
 * so no worker is replaced and the service answers with the right count and
 * checksum. The pass condition holds on a loaded machine: no time bound here
 * (the figures are in `npm run bench:messages`).
 */
import { describe, expect, it } from 'vitest';
import type { Runtime } from '@ltask-web/plugin-ltask';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { runtimes } from '../../support/runtime.ts';

const start = runtimes();
const ROWS = 200_000;

interface Row {
  id: number;
  x: number;
  y: number;
  name: string;
  tags: string[];
}

const makeRows = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: i, x: i * 0.5, y: (i % 1000) + 0.25, name: `row${i}`, tags: [`t${i % 7}`, 'all'] }));

/** The checksum rows.lua computes, in the same order (every step exact in doubles). */
function checksum(rows: Row[]): number {
  let s = 0;
  for (const r of rows) s = (s + r.id + r.x + r.y + r.name.length + r.tags.length + r.tags[0]!.length) % 1000000007;
  return s;
}

/** Rows that differ in any field (a loop: a deep equality of 200,000 rows is seconds of the test's time). */
function mismatches(a: Row[], b: Row[]): number {
  let bad = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.id !== y.id || x.x !== y.x || x.y !== y.y || x.name !== y.name || x.tags.length !== y.tags.length || x.tags.some((t, k) => t !== y.tags[k])) bad++;
  }
  return bad;
}

/** Starts a runtime with the default watchdog (5,000 ms) and no runaway limit (the service's own loop over the rows is not what is tried). */
async function withRows(): Promise<{ r: Runtime; rows: Row[]; lua: number }> {
  const r = await start({ runawayMs: 0 });
  const lua = await r.spawnService({ name: 'rows', worker_id: 0 });
  return { r, rows: makeRows(ROWS), lua };
}

describe('large messages', () => {
  it('200,000 rows to a Lua service on worker 0 and back: nothing replaced, the right count, checksum and rows', async () => {
    const { r, rows, lua } = await withRows();
    expect(await r.callMulti(lua, 'keep', rows)).toEqual([ROWS, checksum(rows)]);
    const back = (await r.call(lua, 'give')) as Row[];
    expect(back.length).toBe(ROWS);
    expect(back[ROWS - 1]).toEqual(rows[ROWS - 1]);
    expect(checksum(back)).toBe(checksum(rows));
    expect(mismatches(back, rows)).toBe(0);
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
    expect(await r.call(lua, 'sum', [{ id: 1, x: 0, y: 0, name: 'a', tags: ['b'] }])).toBe(1); // worker 0 still serves
  }, 180_000);

  it('the same rows from a TypeScript service on worker 1 to the Lua service on worker 0 (through their ring), echoed back', async () => {
    const { r, rows, lua } = await withRows();
    const ts = await r.spawnService({ name: 'adder', worker_id: 1 });
    const echoed = (await r.call(ts, 'relay', lua, 'echo', rows)) as Row[];
    expect(echoed.length).toBe(ROWS);
    expect(mismatches(echoed, rows)).toBe(0);
    expect(runtimeInternals(r).replacedWorkers).toBe(0);
  }, 180_000);
});
