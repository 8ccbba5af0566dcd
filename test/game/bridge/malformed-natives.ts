/**
 * Malformed assets for the three native loaders (sqlite, gltfpack, ink) on their
 * carriers, shared by the Node test and the browser test (no node: imports): the
 * broken files, built from the shipped assets' bytes (Node reads them from
 * public/, a browser fetches them from the dev server), and the cases. Each case
 * checks that a failure reaches the Lua caller as an error naming the asset and
 * the cause, that no carrier of the module is left busy or replaced, that the
 * service answers `ping`, and that the next good call on the same module works.
 */
import { expect, vi } from 'vitest';
import { Story } from 'inkjs/full';
import type { Runtime } from '@ltask-web/plugin-ltask';
import { asBytes } from '@ltask-web/plugin-ltask/native';

/** The game's levels.db, scene and dialogue as they ship (paths under public/, the io root). */
export const SHIPPED = [
  'assets/levels.db',
  'assets/scene/scene.gltf',
  'assets/scene/scene.bin',
  'assets/scene/checker.png',
  'assets/dialogue/main.ink',
  'assets/dialogue/characters.ink',
  'assets/dialogue/chapters/tavern.ink',
];

/** The shipped files (path -> bytes, every path of SHIPPED) plus the broken files built from them. */
export function malformedFiles(shipped: Record<string, Uint8Array>): Record<string, Uint8Array | string> {
  const file = (path: string): Uint8Array => {
    const bytes = shipped[path];
    if (!bytes?.length) throw new Error(`[test] no bytes for the shipped asset "${path}"`);
    return bytes;
  };
  const files: Record<string, Uint8Array | string> = Object.fromEntries(SHIPPED.map((p) => [p, file(p)]));

  // ---- SQLite: a header that says 2.8 MB over pages of noise, a file cut inside its header, an empty file.
  const db = file('assets/levels.db');
  const PAGE = (db[16]! << 8) | db[17]!;
  const noisy = db.slice();
  for (let i = PAGE; i < noisy.length; i++) noisy[i] = (i * 2654435761) >>> 24; // page 1 (the schema) kept
  files['assets/noisy.db'] = noisy;
  files['assets/head.db'] = db.slice(0, 60);
  files['assets/empty.db'] = new Uint8Array(0);

  // ---- glTF: accessors that point nowhere or past their view, a .bin cut short.
  const gltf = JSON.parse(new TextDecoder().decode(file('assets/scene/scene.gltf'))) as {
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
  files['assets/scene/short.bin'] = file('assets/scene/scene.bin').slice(0, 1000);

  // ---- ink: bytes that are not UTF-8, text with NUL bytes, an INCLUDE of the first.
  files['assets/bad/binary.ink'] = Uint8Array.from({ length: 512 }, (_, i) => (i * 97 + 13) & 0xff);
  files['assets/bad/nul.ink'] = new TextEncoder().encode('Hello.\0\0\0\n');
  files['assets/bad/main.ink'] = 'INCLUDE binary.ink\nHi.\n';
  return files;
}

/**
 * The ids of `module`'s carriers (at least one) once none is busy (a carrier frees its slot just
 * after it posts the answer, so the caller may see it busy for a moment); with
 * `before`, also checks they are the same ones: none crashed and was replaced.
 */
export async function carriersIdle(rt: Runtime, module: string, before?: number[]): Promise<number[]> {
  const mine = () => rt.carriers().filter((c) => c.module === module);
  await vi.waitFor(() => expect(mine().filter((c) => c.busy !== null)).toEqual([]), { timeout: 10_000, interval: 20 });
  const ids = mine().map((c) => c.id).sort();
  expect(ids.length, `${module} carriers`).toBeGreaterThan(0);
  if (before) expect(ids).toEqual(before);
  return ids;
}

const isGlb = (v: unknown): boolean => new TextDecoder().decode(asBytes(v).subarray(0, 4)) === 'glTF';

export interface NativeCase {
  title: string;
  run(rt: Runtime): Promise<void>;
}

/** One case per native module, over a runtime whose io serves `malformedFiles(...)`. */
export const NATIVE_CASES: NativeCase[] = [
  {
    title: 'sqlite: noise after a valid header, a file cut inside its header, an empty file: named errors, then a good query',
    async run(rt) {
      const levels = await rt.spawn('levels', 'assets/levels.db');
      expect(await rt.call(levels, 'get', 1)).toMatchObject({ id: 1 });
      const before = await carriersIdle(rt, 'sqlite');
      await rt.call(levels, 'use', 'assets/noisy.db');
      await expect(rt.call(levels, 'get', 1999)).rejects.toThrow(/^\[sqlite\] assets\/noisy.db: database disk image is malformed/);
      await rt.call(levels, 'use', 'assets/head.db');
      await expect(rt.call(levels, 'count')).rejects.toThrow(/^\[sqlite\] assets\/head.db: database disk image is malformed/);
      await rt.call(levels, 'use', 'assets/empty.db');
      await expect(rt.call(levels, 'count')).rejects.toThrow(/^\[sqlite\] assets\/empty.db: "assets\/empty.db" is empty \(0 bytes\), not a database/);
      await carriersIdle(rt, 'sqlite', before);
      expect(await rt.call(levels, 'ping', 7)).toBe(7);
      await rt.call(levels, 'use', 'assets/levels.db');
      expect(await rt.call(levels, 'get', 1999)).toMatchObject({ id: 1999 });
    },
  },
  {
    title: 'gltfpack: an accessor without its view, one past its view, a .bin cut short: named errors, then a good pack',
    async run(rt) {
      const packer = await rt.spawn('packer');
      expect(isGlb(await rt.call(packer, 'pack', 'assets/scene/scene.gltf'))).toBe(true);
      const before = await carriersIdle(rt, 'gltfpack');
      const failures = {
        noview: /invalid GLTF/,
        overrun: /buffer too short/,
        // cgltf says only "I/O error": the message adds what was read.
        shortbin: /I\/O error \(read assets\/scene\/shortbin.gltf: \d+ bytes, assets\/scene\/short.bin: 1000 bytes\)/,
      };
      for (const [name, cause] of Object.entries(failures)) {
        const err = await rt.call(packer, 'pack', `assets/scene/${name}.gltf`).then(() => null, (e: Error) => e);
        expect(err?.message, name).toMatch(new RegExp(`^\\[gltfpack\\] Error loading assets/scene/${name}.gltf: `));
        expect(err?.message, name).toMatch(cause);
      }
      await carriersIdle(rt, 'gltfpack', before);
      expect(await rt.call(packer, 'ping', 7)).toBe(7);
      expect(isGlb(await rt.call(packer, 'pack', 'assets/scene/scene.gltf'))).toBe(true);
    },
  },
  {
    title: 'ink: bytes that are not UTF-8, NUL bytes, an INCLUDE of binary: named errors, then a good compile',
    async run(rt) {
      const dialogue = await rt.spawn('dialogue');
      const json = await rt.call<string>(dialogue, 'compile');
      expect(new Story(json).Continue()).toBe('The rain has not stopped for three days.\n');
      const before = await carriersIdle(rt, 'ink');
      await expect(rt.call(dialogue, 'compile', 'assets/bad/binary.ink')).rejects.toThrow(
        /^\[ink\] assets\/bad\/binary.ink: "assets\/bad\/binary.ink" is not UTF-8 text/,
      );
      await expect(rt.call(dialogue, 'compile', 'assets/bad/nul.ink')).rejects.toThrow(
        /^\[ink\] assets\/bad\/nul.ink: "assets\/bad\/nul.ink" is not text: it holds NUL bytes/,
      );
      await expect(rt.call(dialogue, 'compile', 'assets/bad/main.ink')).rejects.toThrow(
        /^\[ink\] assets\/bad\/main.ink: .*Failed to load: 'binary.ink'.*"assets\/bad\/binary.ink" is not UTF-8 text/s,
      );
      await carriersIdle(rt, 'ink', before);
      expect(await rt.call(dialogue, 'ping', 7)).toBe(7);
      expect(new Story(await rt.call<string>(dialogue, 'compile')).Continue()).toBe('The rain has not stopped for three days.\n');
    },
  },
];
