// Malformed assets through the three native loaders (sqlite, gltfpack, ink) on their
// carriers, served by a memory io backend: each failure reaches the Lua caller as an
// error naming the asset and the cause; no carrier is left busy or replaced; the
// next good call on the same module works and the service goes on answering.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Story } from 'inkjs/full';
import { GLB_MAGIC, PUBLIC, asset, bytesOf, magic, startBridge, stopBridge, type Bridge } from './helpers.ts';

const enc = new TextEncoder();
// The game's scene, dialogue and levels.db as they ship, plus the broken files below.
const shipped = ['scene', 'dialogue'].flatMap((dir) =>
  readdirSync(`${PUBLIC}assets/${dir}`, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(PUBLIC, join(e.parentPath, e.name)).replaceAll('\\', '/')),
);
const files: Record<string, Uint8Array | string> = Object.fromEntries(['assets/levels.db', ...shipped].map((p) => [p, asset(p)]));

// ---- SQLite: a header that says 2.8 MB over pages of noise, a file cut inside its header, an empty file.
const db = asset('assets/levels.db');
const PAGE = (db[16]! << 8) | db[17]!;
const noisy = db.slice();
for (let i = PAGE; i < noisy.length; i++) noisy[i] = (i * 2654435761) >>> 24; // page 1 (the schema) kept
files['assets/noisy.db'] = noisy;
files['assets/head.db'] = db.slice(0, 60);
files['assets/empty.db'] = new Uint8Array(0);

// ---- glTF: accessors that point nowhere or past their view, a .bin cut short.
const gltf = JSON.parse(new TextDecoder().decode(asset('assets/scene/scene.gltf'))) as {
  accessors: Array<Record<string, unknown>>;
  buffers: Array<{ uri: string; byteLength: number }>;
};
const variant = (edit: (g: typeof gltf) => void): string => {
  const g = structuredClone(gltf);
  edit(g);
  return JSON.stringify(g);
};
files['assets/scene/noview.gltf'] = variant((g) => void (g.accessors[0]!.bufferView = 99));
files['assets/scene/overrun.gltf'] = variant((g) => void (g.accessors[0]!.count = 1e7));
files['assets/scene/shortbin.gltf'] = variant((g) => void (g.buffers[0]!.uri = 'short.bin'));
files['assets/scene/short.bin'] = asset('assets/scene/scene.bin').slice(0, 1000);

// ---- ink: bytes that are not UTF-8, text with NUL bytes, an INCLUDE of the first.
files['assets/bad/binary.ink'] = Uint8Array.from({ length: 512 }, (_, i) => (i * 97 + 13) & 0xff);
files['assets/bad/nul.ink'] = enc.encode('Hello.\0\0\0\n');
files['assets/bad/main.ink'] = 'INCLUDE binary.ink\nHi.\n';

let b: Bridge;
beforeAll(async () => {
  b = await startBridge({ backend: 'memory', files });
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

/**
 * The carriers of `module` once idle (a carrier frees its slot just after it posts
 * the answer, so the caller may see it busy for a moment), and the same ones as
 * `before`: none crashed and was replaced.
 */
async function carriersIdle(module: string, before?: number[]): Promise<number[]> {
  const mine = () => b.rt.carriers().filter((c) => c.module === module);
  await vi.waitFor(() => expect(mine().filter((c) => c.busy !== null)).toEqual([]), { timeout: 10_000, interval: 20 });
  const ids = mine().map((c) => c.id).sort();
  if (before) expect(ids).toEqual(before);
  return ids;
}

describe('malformed assets through the native loaders', () => {
  it('sqlite: noise after a valid header, a file cut inside its header, an empty file: named errors, then a good query', async () => {
    const levels = await b.rt.spawn('levels', 'assets/levels.db');
    expect(await b.rt.call(levels, 'get', 1)).toMatchObject({ id: 1 });
    const before = await carriersIdle('sqlite');
    await b.rt.call(levels, 'use', 'assets/noisy.db');
    await expect(b.rt.call(levels, 'get', 1999)).rejects.toThrow(/^\[sqlite\] assets\/noisy.db: database disk image is malformed/);
    await b.rt.call(levels, 'use', 'assets/head.db');
    await expect(b.rt.call(levels, 'count')).rejects.toThrow(/^\[sqlite\] assets\/head.db: database disk image is malformed/);
    await b.rt.call(levels, 'use', 'assets/empty.db');
    await expect(b.rt.call(levels, 'count')).rejects.toThrow(/^\[sqlite\] assets\/empty.db: "assets\/empty.db" is empty \(0 bytes\), not a database/);
    await carriersIdle('sqlite', before);
    expect(await b.rt.call(levels, 'ping', 7)).toBe(7);
    await b.rt.call(levels, 'use', 'assets/levels.db');
    expect(await b.rt.call(levels, 'get', 1999)).toMatchObject({ id: 1999 });
  });

  it('gltfpack: an accessor without its view, one past its view, a .bin cut short: named errors, then a good pack', async () => {
    const packer = await b.rt.spawn('packer');
    expect(magic(bytesOf(await b.rt.call(packer, 'pack', 'assets/scene/scene.gltf')))).toBe(GLB_MAGIC);
    const before = await carriersIdle('gltfpack');
    const failures = {
      noview: /invalid GLTF/,
      overrun: /buffer too short/,
      // cgltf says only "I/O error": the message adds what was read.
      shortbin: /I\/O error \(read assets\/scene\/shortbin.gltf: \d+ bytes, assets\/scene\/short.bin: 1000 bytes\)/,
    };
    for (const [name, cause] of Object.entries(failures)) {
      const err = await b.rt.call(packer, 'pack', `assets/scene/${name}.gltf`).then(() => null, (e: Error) => e);
      expect(err?.message, name).toMatch(new RegExp(`^\\[gltfpack\\] Error loading assets/scene/${name}.gltf: `));
      expect(err?.message, name).toMatch(cause);
    }
    await carriersIdle('gltfpack', before);
    expect(await b.rt.call(packer, 'ping', 7)).toBe(7);
    expect(magic(bytesOf(await b.rt.call(packer, 'pack', 'assets/scene/scene.gltf')))).toBe(GLB_MAGIC);
  });

  it('ink: bytes that are not UTF-8, NUL bytes, an INCLUDE of binary: named errors, then a good compile', async () => {
    const dialogue = await b.rt.spawn('dialogue');
    await expect(b.rt.call(dialogue, 'compile', 'assets/bad/binary.ink')).rejects.toThrow(
      /^\[ink\] assets\/bad\/binary.ink: "assets\/bad\/binary.ink" is not UTF-8 text/,
    );
    await expect(b.rt.call(dialogue, 'compile', 'assets/bad/nul.ink')).rejects.toThrow(
      /^\[ink\] assets\/bad\/nul.ink: "assets\/bad\/nul.ink" is not text: it holds NUL bytes/,
    );
    await expect(b.rt.call(dialogue, 'compile', 'assets/bad/main.ink')).rejects.toThrow(
      /^\[ink\] assets\/bad\/main.ink: .*Failed to load: 'binary.ink'.*"assets\/bad\/binary.ink" is not UTF-8 text/s,
    );
    await carriersIdle('ink');
    expect(await b.rt.call(dialogue, 'ping', 7)).toBe(7);
    const json = await b.rt.call<string>(dialogue, 'compile');
    expect(new Story(json).Continue()).toBe('The rain has not stopped for three days.\n');
  });
});
