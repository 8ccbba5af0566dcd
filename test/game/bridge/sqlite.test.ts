import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asset, bytesOf, startBridge, stopBridge, type Bridge } from './helpers.ts';

interface ReadStats {
  reads: number;
  bytesRead: number;
  pagesRead: number;
  pageSize: number;
  fileSize: number;
}
type Row = Record<string, unknown>;

const DB_SIZE = asset('assets/levels.db').byteLength;

let b: Bridge;
let levels: number;
beforeAll(async () => {
  b = await startBridge();
  levels = await b.rt.spawn('levels');
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

describe('sqlite through the bridge (levels.lua, ranged io reads)', () => {
  it('a point query reads only the pages it touches; the cached connection then reads nothing', async () => {
    await b.resetIo();
    const [row, stats] = (await b.rt.callMulti(levels, 'find', 'old-bridge-1234')) as [Row, ReadStats];
    expect(row).toMatchObject({ id: 1234, name: 'old-bridge-1234', world: 13, difficulty: 5, par_time: 188.1 });
    expect(row.description).toMatch(/^patrol a and wind torch lantern /);
    expect(bytesOf(row.tiles).byteLength).toBe(32 * 24);

    // The io service's own counters agree with the VFS's: every page came through io.
    const io = await b.ioStats();
    expect(io.reads).toBe(stats.reads);
    expect(io.bytes).toBe(stats.bytesRead);
    expect(stats.fileSize).toBe(DB_SIZE);
    expect(stats.pagesRead).toBeGreaterThanOrEqual(3); // header page, index b-tree, table b-tree
    expect(io.bytes / DB_SIZE).toBeLessThan(0.02);

    await b.resetIo();
    const [again, cached] = (await b.rt.callMulti(levels, 'find', 'old-bridge-1234')) as [Row, ReadStats];
    expect(again).toMatchObject({ id: 1234, name: 'old-bridge-1234' });
    expect(cached.reads).toBe(0);
    expect((await b.ioStats()).reads).toBe(0);

    // Another row on the same connection: at most the few pages not cached yet.
    const [other, more] = (await b.rt.callMulti(levels, 'get', 7)) as [Row, ReadStats];
    expect(other).toMatchObject({ id: 7, name: 'hollow-abbey-0007' });
    expect(more.pagesRead).toBeLessThanOrEqual(3);
    expect((await b.ioStats()).bytes).toBe(more.bytesRead);
  });

  it('count, list and a miss', async () => {
    expect(await b.rt.call(levels, 'count')).toBe(2000);
    const [rows] = (await b.rt.callMulti(levels, 'list', 3, 2)) as [Row[]];
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => (r.id as number) > 200 && (r.id as number) <= 300)).toBe(true);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id as number)].sort((x, y) => x - y));
    // A name that is not there: no row (nil in Lua, absent for the host), no error.
    const [none, stats] = await b.rt.callMulti(levels, 'find', 'no-such-level');
    expect(none ?? null).toBeNull();
    expect(stats).toMatchObject({ fileSize: DB_SIZE });
  });

  it("SQL errors come back at the call site with SQLite's message; the service keeps working", async () => {
    await expect(b.rt.call(levels, 'query', 'SELEC name FROM levels')).rejects.toThrow(/\[sqlite\] assets\/levels.db: .*near "SELEC": syntax error/);
    await expect(b.rt.call(levels, 'query', 'SELECT * FROM nowhere')).rejects.toThrow('no such table: nowhere');
    expect(await b.rt.call(levels, 'find', 'amber-bridge-0020')).toMatchObject({ id: 20 });
  });
});
