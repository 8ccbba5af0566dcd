// levels.db, the SQLite file the game streams page by page (4 KiB pages):
// 2,000 generated levels (a table the loaders' tests and benches query) and the
// game's five worlds (tables worlds, chunks, npcs; game/service/levels.lua reads
// them). Written with wa-sqlite into memory, then VACUUMed, so the bytes depend
// only on the rows.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import SQLiteESMFactory from 'wa-sqlite/dist/wa-sqlite.mjs';
import * as SQLite from 'wa-sqlite';
import { MemoryVFS } from 'wa-sqlite/src/examples/MemoryVFS.js';
import { prng } from '../../scripts/prng.mjs';
import { PAR_SPEED } from './worlds/defs.mjs';

const ADJ = ['amber', 'broken', 'crimson', 'drowned', 'emerald', 'frozen', 'gilded', 'hollow', 'iron', 'jade', 'key', 'lost', 'misty', 'north', 'old', 'pale', 'quiet', 'rusty', 'silent', 'tall'];
const NOUN = ['abbey', 'bridge', 'cavern', 'dunes', 'estate', 'forge', 'garden', 'harbor', 'isle', 'jungle', 'keep', 'lagoon', 'mine', 'nest', 'orchard', 'pass', 'quarry', 'ruins', 'spire', 'tower'];
const WORDS = 'the a of and to in stone water wind door key torch lever spikes bridge gap climb jump secret chest guard patrol switch crumbling floor rope ladder moss gold coin shadow lantern'.split(' ');

/** The unique name of level `i` (e.g. "amber-abbey-0001"). */
export function levelName(i) {
  return `${ADJ[i % 20]}-${NOUN[Math.floor(i / 20) % 20]}-${String(i).padStart(4, '0')}`;
}

/** The rows of the levels table: id, name, world, difficulty, par_time, description, tiles (32 x 24). */
function levelRows(count) {
  const rnd = prng(2024);
  const rows = [];
  for (let i = 1; i <= count; i++) {
    const words = [];
    const n = 24 + Math.floor(rnd() * 40);
    for (let k = 0; k < n; k++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]);
    const tiles = new Uint8Array(32 * 24);
    for (let k = 0; k < tiles.length; k++) tiles[k] = rnd() < 0.7 ? 0 : 1 + Math.floor(rnd() * 15);
    rows.push([
      i,
      levelName(i),
      1 + Math.floor((i - 1) / 100),
      1 + Math.floor(rnd() * 5),
      Math.round((30 + rnd() * 270) * 10) / 10,
      words.join(' ') + '.',
      tiles,
    ]);
  }
  return rows;
}

/** Runs one prepared statement for each row. */
async function insertRows(sqlite3, db, sql, rows) {
  for await (const stmt of sqlite3.statements(db, sql)) {
    for (const row of rows) {
      sqlite3.bind_collection(stmt, row);
      await sqlite3.step(stmt);
      await sqlite3.reset(stmt);
    }
  }
}

/** The levels table and its meta rows; leaves a transaction open for the inserts. */
async function createLevels(sqlite3, db, count) {
  await sqlite3.exec(db, `
    PRAGMA page_size = 4096;
    PRAGMA journal_mode = DELETE;
    CREATE TABLE levels (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      world INTEGER NOT NULL,
      difficulty INTEGER NOT NULL,
      par_time REAL NOT NULL,
      description TEXT NOT NULL,
      tiles BLOB NOT NULL
    );
    CREATE INDEX levels_by_world ON levels (world, difficulty);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO meta VALUES ('format', 'levels/1'), ('count', '${count}'), ('tile_size', '32x24');
    BEGIN;`);
}

/** The game's tables (see worlds/defs.mjs): worlds, chunks (16 x 16 tiles each) and npcs, and their meta rows. */
async function createWorldTables(sqlite3, db, worlds) {
  await sqlite3.exec(db, `
    CREATE TABLE worlds (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      par_time REAL NOT NULL,
      chunks_x INT NOT NULL,
      chunks_z INT NOT NULL,
      spawn_x REAL NOT NULL,
      spawn_z REAL NOT NULL,
      exit_x REAL NOT NULL,
      exit_z REAL NOT NULL,
      coins INT NOT NULL,
      palette TEXT NOT NULL,
      intro TEXT NOT NULL
    );
    CREATE TABLE chunks (
      world INT NOT NULL,
      cx INT NOT NULL,
      cz INT NOT NULL,
      tiles BLOB NOT NULL,
      props TEXT NOT NULL,
      PRIMARY KEY (world, cx, cz)
    ) WITHOUT ROWID;
    CREATE TABLE npcs (
      world INT NOT NULL,
      id INT NOT NULL,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      x REAL NOT NULL,
      z REAL NOT NULL,
      patrol TEXT NOT NULL,
      knot TEXT NOT NULL,
      PRIMARY KEY (world, id)
    ) WITHOUT ROWID;
    INSERT INTO meta VALUES ('worlds', '${worlds.length}'), ('chunk_size', '16x16'),
      ('tiles', '0 grass, 1 path, 2 water, 3 rock, 4 hedge (2-4 block)'), ('par_speed', '${PAR_SPEED}');`);
}

/** The built worlds (worlds/world.mjs) into the game's tables. */
async function insertWorlds(sqlite3, db, worlds) {
  await createWorldTables(sqlite3, db, worlds);
  await insertRows(sqlite3, db, 'INSERT INTO worlds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', worlds.map((w) => [
    w.def.id, w.def.name, w.parTime, w.def.chunks[0], w.def.chunks[1], w.spawn[0] + 0.5, w.spawn[1] + 0.5, w.exit[0] + 0.5, w.exit[1] + 0.5,
    w.def.coins, JSON.stringify(w.def.palette), w.intro,
  ]));
  await insertRows(sqlite3, db, 'INSERT INTO chunks VALUES (?, ?, ?, ?, ?)', worlds.flatMap((w) => w.chunks.map((c) => [w.def.id, c.cx, c.cz, c.tiles, c.props])));
  await insertRows(sqlite3, db, 'INSERT INTO npcs VALUES (?, ?, ?, ?, ?, ?, ?, ?)', worlds.flatMap((w) => w.npcs.map((n) => [
    w.def.id, n.id, n.name, n.kind, n.x, n.z, JSON.stringify(n.patrol), n.knot,
  ])));
}

/** levels.db with `count` levels and the built `worlds`: `[path, data][]`. */
export async function levelsDb(count, worlds) {
  const require = createRequire(import.meta.url);
  const wasmBinary = await readFile(require.resolve('wa-sqlite/dist/wa-sqlite.wasm'));
  const module = await SQLiteESMFactory({ wasmBinary });
  const sqlite3 = SQLite.Factory(module);
  const vfs = new MemoryVFS();
  sqlite3.vfs_register(vfs, false);
  const db = await sqlite3.open_v2('levels.db', SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE, 'memory');
  await createLevels(sqlite3, db, count);
  await insertRows(sqlite3, db, 'INSERT INTO levels VALUES (?, ?, ?, ?, ?, ?, ?)', levelRows(count));
  await insertWorlds(sqlite3, db, worlds);
  await sqlite3.exec(db, 'COMMIT; VACUUM;');
  await sqlite3.close(db);
  const file = vfs.mapNameToFile.get('levels.db');
  return [['levels.db', new Uint8Array(file.data, 0, file.size)]];
}
