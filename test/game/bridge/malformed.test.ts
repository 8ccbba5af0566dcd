// Malformed inputs served by a memory io backend: each library's own error reaches
// the Lua call site (rt.call rejects with it) and the next good call on the same
// service works.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Story } from 'inkjs/full';
import { GLB_MAGIC, asset, bytesOf, magic, startBridge, stopBridge, type Bridge } from './helpers.ts';

const good = [
  'assets/scene/scene.gltf',
  'assets/scene/scene.bin',
  'assets/scene/checker.png',
  'assets/levels.db',
  'assets/dialogue/main.ink',
  'assets/dialogue/characters.ink',
  'assets/dialogue/chapters/tavern.ink',
];
const files: Record<string, Uint8Array | string> = Object.fromEntries(good.map((p) => [p, asset(p)]));
const gltf = asset('assets/scene/scene.gltf');
files['assets/scene/corrupt.gltf'] = gltf.subarray(0, 200); // cut in the middle of the JSON
files['assets/scene/nobin.gltf'] = new TextDecoder().decode(gltf).replace('scene.bin', 'gone.bin');
files['assets/trunc.db'] = asset('assets/levels.db').slice(0, 64 * 1024);
files['assets/junk.db'] = 'not a database at all, just text '.repeat(200);
files['assets/broken/main.ink'] = 'INCLUDE part.ink\n-> start\n';
files['assets/broken/part.ink'] = '=== start ===\nHello {x\n-> nowhere\n';
files['assets/broken/gone.ink'] = 'INCLUDE nothere.ink\nHi.\n';

let b: Bridge;
beforeAll(async () => {
  b = await startBridge({ backend: 'memory', files });
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

describe('malformed inputs through the bridge', () => {
  it("gltfpack: a corrupt .gltf and a missing .bin give gltfpack's error; the next pack works", async () => {
    const packer = await b.rt.spawn('packer');
    await expect(b.rt.call(packer, 'pack', 'assets/scene/corrupt.gltf')).rejects.toThrow(
      /^\[gltfpack\] Error loading assets\/scene\/corrupt.gltf: invalid JSON/,
    );
    await expect(b.rt.call(packer, 'pack', 'assets/scene/nobin.gltf')).rejects.toThrow(
      /^\[gltfpack\] .*read\("assets\/scene\/gone.bin"\) failed: .*\[io\] not found: assets\/scene\/gone.bin/s,
    );
    const glb = bytesOf(await b.rt.call(packer, 'pack', 'assets/scene/scene.gltf'));
    expect(magic(glb)).toBe(GLB_MAGIC);
  });

  it("sqlite: a truncated database, a text file and bad SQL give SQLite's error; the next query works", async () => {
    const levels = await b.rt.spawn('levels', 'assets/trunc.db');
    // Page 1 is there, so the schema reads; the row's page is past the end.
    await expect(b.rt.call(levels, 'get', 1999)).rejects.toThrow(/^\[sqlite\] assets\/trunc.db: database disk image is malformed/);
    await b.rt.call(levels, 'use', 'assets/junk.db');
    await expect(b.rt.call(levels, 'count')).rejects.toThrow(/^\[sqlite\] assets\/junk.db: file is not a database/);
    await b.rt.call(levels, 'use', 'assets/levels.db');
    await expect(b.rt.call(levels, 'query', 'SELECT * FROM levels WHERE')).rejects.toThrow(/^\[sqlite\] assets\/levels.db: incomplete input/);
    expect(await b.rt.call(levels, 'get', 1999)).toMatchObject({ id: 1999 });
  });

  it("ink: broken ink and a missing INCLUDE give the compiler's messages; the next compile works", async () => {
    const dialogue = await b.rt.spawn('dialogue');
    await expect(b.rt.call(dialogue, 'compile', 'assets/broken/main.ink')).rejects.toThrow(
      /^\[ink\] assets\/broken\/main.ink: ERROR: 'part.ink' line 2: Expected some kind of logic, conditional or sequence within braces/,
    );
    await expect(b.rt.call(dialogue, 'compile', 'assets/broken/gone.ink')).rejects.toThrow(
      /Failed to load: 'nothere.ink'.*cannot read "assets\/broken\/nothere.ink": .*\[io\] not found: assets\/broken\/nothere.ink/s,
    );
    const json = await b.rt.call<string>(dialogue, 'compile');
    expect(new Story(json).Continue()).toBe('The rain has not stopped for three days.\n');
  });
});
