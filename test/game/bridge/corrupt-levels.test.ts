// A corrupt levels.db under the game's io root (the fs backend over a temp folder,
// as the page's fetch backend over public/): levels.world fails naming the file and
// SQLite's reason, the loading screen's line says so without the Lua traceback,
// and the service answers again once the file is good.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldFailure } from '../../../game/src/loading.ts';
import { PUBLIC, asset, startBridge, stopBridge, type Bridge } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'ltask-corrupt-levels-'));
const DB = join(root, 'assets', 'levels.db');
let b: Bridge;
beforeAll(async () => {
  mkdirSync(join(root, 'assets'));
  b = await startBridge({ backend: 'fs', root });
});
afterAll(async () => {
  await stopBridge(b);
  rmSync(root, { recursive: true, force: true });
});

/** levels.world(1) on a fresh levels service: the row, or the error. */
async function world1(): Promise<{ row?: { id: number }; error?: string }> {
  const levels = await b.rt.spawn('levels');
  try {
    return { row: await b.rt.call<{ id: number }>(levels, 'world', 1) };
  } catch (e) {
    expect(await b.rt.call(levels, 'ping', 1)).toBe(1); // the service goes on
    return { error: (e as Error).message };
  }
}

describe('a corrupt levels.db', () => {
  it('noise after the header: the world fails naming levels.db and the cause; the screen line is one clear sentence', async () => {
    const bytes = asset('assets/levels.db');
    const page = (bytes[16]! << 8) | bytes[17]!;
    for (let i = page; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(DB, bytes);
    const { error } = await world1();
    expect(error).toMatch(/^\[sqlite\] assets\/levels.db: database disk image is malformed/);
    const line = worldFailure(`levels.world(1): ${error}`);
    expect(line).toBe('Cannot load the world: levels.db is damaged or not a database (assets/levels.db: database disk image is malformed)');
  });

  it('a text file, and a missing file: each named', async () => {
    writeFileSync(DB, 'not a database, only text\n'.repeat(40));
    expect(worldFailure((await world1()).error!)).toBe(
      'Cannot load the world: levels.db is damaged or not a database (assets/levels.db: file is not a database)',
    );
    rmSync(DB);
    expect(worldFailure((await world1()).error!)).toMatch(/^Cannot load the world: levels.db could not be read \(assets\/levels.db: .*not found: assets\/levels.db/);
  });

  it('the good file back: the next levels service reads world 1', async () => {
    copyFileSync(join(PUBLIC, 'assets', 'levels.db'), DB);
    expect((await world1()).row).toMatchObject({ id: 1 });
  });
});
