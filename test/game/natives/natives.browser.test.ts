/**
 * The three native modules in Chromium, on the page thread: proves their browser
 * set-up (wasm fetched from the URL vite gives it, then instantiated) and that the
 * libraries run unchanged there. Files are fetched first and served from a Map, so
 * the callbacks stay synchronous as they are on a carrier.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { Mesh, MeshStandardMaterial } from 'three';
import { MeshoptDecoder } from 'meshoptimizer';
import { Story } from 'inkjs/full';
import gltfpack from '../../../game/natives/gltfpack.ts';
import sqlite from '../../../game/natives/sqlite.ts';
import ink from '../../../game/natives/ink.ts';
import { isNode } from '../../../game/natives/util.ts';

const FILES = [
  'scene/scene.gltf',
  'scene/scene.bin',
  'scene/checker.png',
  'levels.db',
  'dialogue/main.ink',
  'dialogue/characters.ink',
  'dialogue/chapters/tavern.ink',
];
const files = new Map<string, Uint8Array>();

function read(path: string): Uint8Array | null {
  return files.get(path) ?? null;
}

beforeAll(async () => {
  await Promise.all(
    FILES.map(async (f) => {
      const res = await fetch(`/assets/${f}`);
      if (!res.ok) throw new Error(`GET /assets/${f}: ${res.status}`);
      files.set(f, new Uint8Array(await res.arrayBuffer()));
    }),
  );
});

describe('native modules in the browser', () => {
  it('runs on the browser path (not Node)', () => {
    expect(isNode()).toBe(false);
  });

  it('gltfpack: setup() instantiates the fetched wasm; the GLB loads in GLTFLoader with its texture', async () => {
    await gltfpack.setup();
    const r = await gltfpack.functions.pack(['-i', 'scene/scene.gltf', '-o', 'scene.glb', '-c'], { read });
    const glb = r.files['scene.glb']!;
    expect(new TextDecoder().decode(glb.subarray(0, 4))).toBe('glTF');
    const gltf = await new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).parseAsync(glb.slice().buffer, '');
    const meshes: Mesh[] = [];
    gltf.scene.traverse((o) => void ((o as Mesh).isMesh && meshes.push(o as Mesh)));
    expect(meshes.map((m) => m.geometry.index!.count / 3).sort((a, b) => a - b)).toEqual([12, 512, 1024]);
    const checker = meshes.map((m) => m.material as MeshStandardMaterial).find((m) => m.name === 'Checker')!;
    const image = checker.map!.image as { width: number; height: number };
    expect([image.width, image.height]).toEqual([64, 64]);
  });

  it('sqlite: setup() instantiates the fetched wasm; a point query reads a few pages', async () => {
    await sqlite.setup();
    const db = files.get('levels.db')!;
    const r = await sqlite.functions.query('levels.db', 'SELECT id, world FROM levels WHERE name = ?', ['old-bridge-1234'], {
      read: (_p: string, offset: number, length: number) => db.subarray(offset, offset + length),
    });
    expect(r.rows).toEqual([{ id: 1234, world: 13 }]);
    expect(r.stats.bytesRead / db.byteLength).toBeLessThan(0.05);
  });

  it('ink: compiles with its includes and the story runs', () => {
    const r = ink.functions.compile('dialogue/main.ink', { read });
    const story = new Story(r.json);
    expect(story.ContinueMaximally()).toContain('"Well met, traveller." says Mara.');
  });
});
