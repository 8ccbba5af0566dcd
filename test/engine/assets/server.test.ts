import { describe, expect, expectTypeOf, it } from 'vitest';
import { Mesh, MeshStandardMaterial, Texture } from 'three';
import {
  AssetServer, gltfLoader, Handle, jsonLoader, MemoryReader, packGlb, textLoader, textureLoader,
} from '../../../engine/src/assets/index.ts';
import type { AssetLoader, AssetReader, GltfAsset } from '../../../engine/src/assets/index.ts';
import { fixture, GatedReader, settle } from './helpers.ts';

function serverWith(reader: AssetReader, maxConcurrentReads?: number) {
  return new AssetServer({ reader, maxConcurrentReads })
    .registerLoader(textLoader).registerLoader(jsonLoader).registerLoader(textureLoader).registerLoader(gltfLoader);
}

describe('AssetServer', () => {
  it('returns a handle before the bytes arrive', async () => {
    const reader = new GatedReader();
    const server = serverWith(reader);
    const level = server.load<{ size: number[] }>('levels/../level.json');
    expect(level.path).toBe('level.json');
    expect(level.state).toBe('loading');
    expect(level.asset).toBeUndefined();
    await settle();
    reader.call('level.json').resolve('{"size":[3,4]}');
    await expect(level.loaded()).resolves.toEqual({ size: [3, 4] });
    expect(level.state).toBe('loaded');
    expect(level.asset?.size).toEqual([3, 4]);
    expect(server.drainEvents()).toEqual([{ type: 'loaded', id: level.id, path: 'level.json' }]);
  });

  it('types a handle by extension', () => {
    const server = serverWith(new MemoryReader());
    const ship = server.load('ship.glb');
    expectTypeOf(ship).toEqualTypeOf<Handle<GltfAsset>>();
    expectTypeOf(server.load('a/notes.txt')).toEqualTypeOf<Handle<string>>();
    expectTypeOf(server.load<number[]>('data.bin')).toEqualTypeOf<Handle<number[]>>();
    ship.drop();
  });

  it('shares one load between handles of one path and keeps it while one is alive', async () => {
    const reader = new MemoryReader({ 'a.txt': 'hello' });
    const server = serverWith(reader);
    const a = server.load('a.txt');
    const b = server.load('./a.txt');
    expect(await b.loaded()).toBe('hello');
    expect(reader.log).toEqual(['a.txt']);
    expect(a.id).toBe(b.id);
    a.drop();
    expect(b.state).toBe('loaded');
    b.drop();
    expect(b.state).toBe('notLoaded');
    expect(server.getLoadState('a.txt')).toBe('notLoaded');
    expect(server.size).toBe(0);
  });

  describe('failure', () => {
    it('keeps the reader error as state', async () => {
      const server = serverWith(new MemoryReader({}));
      const missing = server.load('missing.json');
      await expect(missing.loaded()).rejects.toThrow('no file "missing.json"');
      expect(missing.state).toBe('failed');
      expect(missing.error?.message).toMatch(/missing\.json/);
      expect(server.drainEvents()[0]).toMatchObject({ type: 'failed', path: 'missing.json' });
    });

    it('fails at once, without reading, when no loader handles the extension', async () => {
      const reader = new MemoryReader({ 'x.abc': 'data' });
      const server = serverWith(reader);
      const h = server.load('x.abc');
      await expect(h.loaded()).rejects.toThrow('no loader for ".abc" files');
      expect(reader.log).toEqual([]);
    });

    it('names the path when a loader throws', async () => {
      const server = serverWith(new MemoryReader({ 'bad.json': '{nope' }));
      const h = server.load('bad.json');
      await settle();
      await settle();
      expect(h.state).toBe('failed');
      expect(h.error?.message).toMatch(/"bad\.json" is not valid JSON/);
    });
  });

  describe('cancellation', () => {
    it('aborts the read when the last handle is dropped', async () => {
      const reader = new GatedReader();
      const server = serverWith(reader);
      const a = server.load('big.txt');
      const b = a.clone();
      await settle();
      const read = reader.call('big.txt');
      a.drop();
      expect(read.options.signal.aborted).toBe(false);
      b.drop();
      expect(read.options.signal.aborted).toBe(true);
      await expect(b.loaded()).rejects.toMatchObject({ name: 'AbortError' });
      expect(server.getLoadState('big.txt')).toBe('notLoaded');
      // A new load reads again.
      const c = server.load('big.txt');
      await settle();
      expect(reader.calls.filter((x) => x.path === 'big.txt')).toHaveLength(2);
      reader.calls[1]!.resolve('again');
      expect(await c.loaded()).toBe('again');
    });

    it('never starts a queued read whose asset was dropped', async () => {
      const reader = new GatedReader();
      const server = serverWith(reader, 1);
      const first = server.load('1.txt');
      const queued = server.load('2.txt');
      await settle();
      queued.drop();
      reader.call('1.txt').resolve('one');
      await first.loaded();
      await settle();
      expect(reader.calls.map((c) => c.path)).toEqual(['1.txt']);
    });
  });

  it('starts queued reads by priority, then in order of request', async () => {
    const reader = new GatedReader();
    const server = serverWith(reader, 1);
    const handles = [
      server.load('first.txt'),
      server.load('low.txt', { priority: -1 }),
      server.load('normal-a.txt'),
      server.load('urgent.txt', { priority: 5 }),
      server.load('normal-b.txt'),
    ];
    // Asking again with a higher priority raises the queued read.
    const raised = server.load('normal-b.txt', { priority: 3 });
    for (let i = 0; i < handles.length; i++) {
      await settle();
      reader.calls[i]!.resolve('x');
    }
    await Promise.all(handles.map((h) => h.loaded()));
    expect(reader.calls.map((c) => c.path)).toEqual(['first.txt', 'urgent.txt', 'normal-b.txt', 'normal-a.txt', 'low.txt']);
    raised.drop();
  });

  it('reports progress in bytes and in count', async () => {
    const reader = new GatedReader();
    const server = serverWith(reader);
    const a = server.load('a.txt');
    const b = server.load('b.txt');
    await settle();
    reader.call('a.txt').options.onProgress?.(25, 100);
    expect(server.progress()).toMatchObject({ total: 2, loading: 2, loaded: 0, bytesLoaded: 25, bytesTotal: 100 });
    reader.call('a.txt').resolve(new Uint8Array(100));
    reader.call('b.txt').reject(new Error('gone'));
    await Promise.allSettled([a.loaded(), b.loaded()]);
    expect(server.progress()).toMatchObject({ total: 2, loading: 0, loaded: 1, failed: 1, bytesLoaded: 100, bytesTotal: 100 });
    expect(a.progress).toMatchObject({ total: 1, loaded: 1, bytesLoaded: 100 });
  });

  it('reads through a named source', async () => {
    const server = serverWith(new MemoryReader()).registerSource('mem', new MemoryReader({ 'x/y.txt': 'from mem' }));
    expect(await server.load('mem://x/./y.txt').loaded()).toBe('from mem');
    await expect(server.load('nowhere://a.txt').loaded()).rejects.toThrow('no asset source "nowhere"');
  });

  it('calls unload when the last handle of a loaded asset goes', async () => {
    const unloaded: string[] = [];
    const loader: AssetLoader<{ name: string }> = {
      name: 'thing', extensions: ['thing'],
      load: (bytes) => ({ name: new TextDecoder().decode(bytes) }),
      unload: (t) => unloaded.push(t.name),
    };
    const server = new AssetServer({ reader: new MemoryReader({ 'a.thing': 'A' }) }).registerLoader(loader);
    const h = server.load('a.thing');
    await h.loaded();
    h.drop();
    expect(unloaded).toEqual(['A']);
  });
});

describe('gltfLoader', () => {
  const files = () => ({
    'models/triangle.gltf': fixture('triangle.gltf'),
    'models/triangle.bin': fixture('triangle.bin'),
    'models/checker.png': fixture('checker.png'),
  });

  it('loads a glTF with its buffer and its texture as a dependency', async () => {
    const reader = new MemoryReader(files());
    const server = serverWith(reader);
    const scene = server.load('models/triangle.gltf');
    const gltf = await scene.loaded();
    expect(reader.log.sort()).toEqual(['models/checker.png', 'models/triangle.bin', 'models/triangle.gltf']);
    const mesh = gltf.scene.getObjectByName('Triangle') as Mesh;
    expect(mesh.geometry.getAttribute('position').count).toBe(3);
    expect(Array.from(mesh.geometry.getAttribute('uv').array)).toEqual([0, 1, 1, 1, 0, 0]);
    const map = (mesh.material as MeshStandardMaterial).map;
    expect(map).toBeInstanceOf(Texture);
    expect(map?.image).toMatchObject({ width: 2, height: 2 });
    expect(scene.dependencies.map((d) => [d.path, d.state])).toEqual([['models/checker.png', 'loaded']]);
    const size = files();
    const bytes = size['models/triangle.gltf'].byteLength + size['models/triangle.bin'].byteLength + size['models/checker.png'].byteLength;
    expect(scene.progress).toMatchObject({ total: 2, loaded: 2, bytesLoaded: bytes, bytesTotal: bytes });
    scene.drop();
    expect(server.getLoadState('models/checker.png')).toBe('notLoaded');
  });

  it('fails the glTF when a texture dependency fails, naming it', async () => {
    const { 'models/checker.png': _, ...rest } = files();
    const server = serverWith(new MemoryReader(rest));
    const scene = server.load('models/triangle.gltf');
    await expect(scene.loaded()).rejects.toThrow('dependency "models/checker.png" of "models/triangle.gltf" failed');
    expect(scene.state).toBe('failed');
    expect(scene.dependencies[0]?.state).toBe('failed');
  });

  it('cancels its dependencies when the glTF is dropped mid-load', async () => {
    const reader = new GatedReader();
    const server = serverWith(reader);
    const scene = server.load('models/triangle.gltf');
    await settle();
    reader.call('models/triangle.gltf').resolve(fixture('triangle.gltf'));
    await settle();
    const png = reader.call('models/checker.png');
    scene.drop();
    expect(png.options.signal.aborted).toBe(true);
    expect(server.size).toBe(0);
  });

  it('loads a GLB packed in memory', async () => {
    const json = JSON.parse(new TextDecoder().decode(fixture('triangle.gltf'))) as Record<string, unknown> & { buffers: Array<{ uri?: string }> };
    delete json.buffers[0]!.uri;
    json.images = [{ uri: 'checker.png' }];
    const glb = packGlb(json, fixture('triangle.bin'));
    const server = serverWith(new MemoryReader({ 'm/tri.glb': glb, 'm/checker.png': fixture('checker.png') }));
    const gltf = await server.load('m/tri.glb').loaded();
    expect((gltf.scene.getObjectByName('Triangle') as Mesh).geometry.getAttribute('position').getY(2)).toBe(1);
  });
});
