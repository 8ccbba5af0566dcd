import { beforeAll, describe, expect, it } from 'vitest';
import sqlite from '../../../game/natives/sqlite.ts';
import { expectPayload, readAsset } from './helpers.ts';

const { query, close } = sqlite.functions;
const DB = readAsset('levels.db')!;
const PAGE = 4096;

/** A Lua-like io table over `bytes` that logs every read. */
function rangeIo(bytes: Uint8Array, extra: { size?: number | ((p: string) => number) } = {}) {
  const log: Array<[string, number, number]> = [];
  return {
    log,
    read(path: string, offset: number, length: number) {
      log.push([path, offset, length]);
      return bytes.subarray(offset, offset + length);
    },
    ...extra,
  };
}

beforeAll(async () => {
  await sqlite.setup();
});

describe('sqlite native module', () => {
  it('answers a point query by name reading only the pages it touches', async () => {
    const io = rangeIo(DB);
    const r = await query('levels.db', 'SELECT * FROM levels WHERE name = ?', ['old-bridge-1234'], io, { cache: false });
    expectPayload(r);
    expect(r.columns).toEqual(['id', 'name', 'world', 'difficulty', 'par_time', 'description', 'tiles']);
    expect(r.rows).toHaveLength(1);
    const row = r.rows[0]!;
    expect(row).toMatchObject({ id: 1234, name: 'old-bridge-1234', world: 13, difficulty: 5, par_time: 188.1 });
    expect(row.description).toMatch(/^patrol a and wind torch lantern /);
    expect(row.tiles).toBeInstanceOf(Uint8Array);
    expect((row.tiles as Uint8Array).byteLength).toBe(32 * 24);

    // The callback's own log agrees with the stats, and the reads are a sliver of the file.
    const bytes = io.log.reduce((n, [, , len]) => n + len, 0);
    expect(r.stats).toMatchObject({ reads: io.log.length, bytesRead: bytes, fileSize: DB.byteLength, pageSize: PAGE });
    expect(io.log.every(([p]) => p === 'levels.db')).toBe(true);
    const pagesInFile = DB.byteLength / PAGE;
    expect(r.stats.pagesRead).toBeGreaterThanOrEqual(3); // header page, index b-tree, table b-tree
    expect(r.stats.pagesRead / pagesInFile).toBeLessThan(0.05);
    expect(bytes / DB.byteLength).toBeLessThan(0.05);
    // Whole pages after the 100-byte header read that sized the file.
    expect(io.log[0]).toEqual(['levels.db', 0, 100]);
    for (const [, offset, len] of io.log.slice(1)) expect([offset % PAGE, len]).toEqual([0, PAGE]);
  });

  it('keeps the connection: the same query again reads nothing, until close()', async () => {
    const io = rangeIo(DB);
    const sql = 'SELECT id, name FROM levels WHERE name = ?';
    const first = await query('cached/levels.db', sql, ['amber-bridge-0020'], io);
    expect(first.rows).toEqual([{ id: 20, name: 'amber-bridge-0020' }]);
    expect(first.stats.reads).toBeGreaterThan(0);
    const again = await query('cached/levels.db', sql, ['amber-bridge-0020'], io);
    expect(again.rows).toEqual(first.rows);
    expect(again.stats.reads).toBe(0);
    expect(await close('cached/levels.db')).toBe(1);
    expect(await close('cached/levels.db')).toBe(0);
    const reopened = await query('cached/levels.db', sql, ['amber-bridge-0020'], io, { cache: false });
    expect(reopened.stats.reads).toBe(first.stats.reads);
  });

  it('binds named parameters from a table, takes the size from io.size, and runs several statements', async () => {
    const io = rangeIo(DB, { size: (p: string) => (p === 'levels.db' ? DB.byteLength : -1) });
    const named = await query('levels.db', 'SELECT id FROM levels WHERE world = :world AND difficulty = $d ORDER BY id', { world: 3, $d: 2 }, io, { cache: false });
    const positional = await query('levels.db', 'SELECT id FROM levels WHERE world = ? AND difficulty = ? ORDER BY id', [3, 2], io, { cache: false });
    expect(named.rows.length).toBeGreaterThan(5);
    expect(named.rows).toEqual(positional.rows);
    expect(named.rows.every((r) => (r.id as number) > 200 && (r.id as number) <= 300)).toBe(true);
    // With io.size there is no header probe: the first read is SQLite's own.
    expect(io.log[0]).toEqual(['levels.db', 0, 100]);
    expect(io.log[1]).toEqual(['levels.db', 0, PAGE]);

    const multi = await query('levels.db', "SELECT count(*) AS n FROM levels; SELECT value FROM meta WHERE key = 'format'", io, { cache: false });
    expect(multi.columns).toEqual(['value']);
    expect(multi.rows).toEqual([{ n: 2000 }, { value: 'levels/1' }]);
    expect(await query('levels.db', 'SELECT 1 AS one', [], { read: io.read, size: 4096 }, { cache: false }).then((r) => r.rows)).toEqual([{ one: 1 }]);
  });

  it('throws SQLite\'s message on a truncated or corrupt database and on bad SQL, and keeps working', async () => {
    const truncated = DB.slice(0, 64 * 1024);
    await expect(query('trunc.db', 'SELECT * FROM levels WHERE id = 1999', [], rangeIo(truncated))).rejects.toThrow(
      '[sqlite] trunc.db: database disk image is malformed',
    );
    await expect(query('trunc.db', 'SELECT * FROM levels WHERE id = 1999', [], rangeIo(truncated, { size: truncated.byteLength }))).rejects.toThrow(
      'database disk image is malformed',
    );
    const garbage = new TextEncoder().encode('not a database at all, just text '.repeat(200));
    await expect(query('junk.db', 'SELECT 1', [], rangeIo(garbage))).rejects.toThrow(/"junk.db" is not a database \(bad header\)/);
    await expect(query('junk.db', 'SELECT * FROM levels', [], rangeIo(garbage, { size: garbage.byteLength }))).rejects.toThrow(
      '[sqlite] junk.db: file is not a database',
    );
    await expect(query('levels.db', 'SELEC name FROM levels', [], rangeIo(DB))).rejects.toThrow('near "SELEC": syntax error');
    await expect(query('levels.db', 'SELECT * FROM nowhere', [], rangeIo(DB))).rejects.toThrow('no such table: nowhere');
    const failing = {
      read(_p: string, offset: number, length: number) {
        if (offset > 0) throw new Error('io.lua:7: range request failed (HTTP 503)');
        return DB.subarray(offset, offset + length);
      },
    };
    await expect(query('flaky.db', 'SELECT * FROM levels WHERE id = 5', [], failing)).rejects.toThrow(
      /disk I\/O error.*io\.lua:7: range request failed \(HTTP 503\)/,
    );
    await expect(query('levels.db', 'SELECT 1', [], { read: 'nope' })).rejects.toThrow(/expected a table with a function "read"/);

    const ok = await query('trunc.db', 'SELECT name FROM levels WHERE id = 7', [], rangeIo(DB));
    expect(ok.rows).toEqual([{ name: 'hollow-abbey-0007' }]);
  });
});
