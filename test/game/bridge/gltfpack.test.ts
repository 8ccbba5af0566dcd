import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GLB_MAGIC, asset, bytesOf, loadGlb, magic, meshes, shapes, startBridge, stopBridge, type Bridge } from './helpers.ts';

interface PackStats {
  inputs: string[];
  reads: number;
  bytes: number;
  ms: number;
}

let b: Bridge;
let packer: number;
beforeAll(async () => {
  b = await startBridge();
  packer = await b.rt.spawnService({ name: 'packer', worker_id: 1 });
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

describe('gltfpack through the bridge (packer.lua, io fs backend)', () => {
  it('packs the glTF scene: .gltf, .bin and texture read through io; the GLB loads in GLTFLoader', async () => {
    await b.resetIo();
    const [glbValue, stats] = (await b.rt.callMulti(packer, 'pack', 'assets/scene/scene.gltf', { compress: true })) as [unknown, PackStats];
    const glb = bytesOf(glbValue);
    expect(magic(glb)).toBe(GLB_MAGIC);
    expect(stats.inputs).toEqual(['assets/scene/scene.gltf', 'assets/scene/scene.bin', 'assets/scene/checker.png']);
    const sizes = stats.inputs.map((p) => asset(p).byteLength);
    // The io service answered exactly these reads, whole files, and the Lua callback saw the same bytes.
    expect(await b.ioStats()).toMatchObject({ reads: 3, bytes: sizes[0]! + sizes[1]! + sizes[2]!, errors: 0 });
    expect(stats.bytes).toBe(sizes[0]! + sizes[1]! + sizes[2]!);
    expect(stats.ms).toBeGreaterThan(0);

    const { gltf, images } = await loadGlb(glb);
    expect(gltf.parser.json.extensionsUsed).toContain('EXT_meshopt_compression');
    // Crate, Ground, Ring (see test/game/natives/gltfpack.test.ts for why the Ring has 512 vertices).
    expect(shapes(gltf)).toEqual([[12, 24], [512, 289], [1024, 512]]);
    expect(meshes(gltf).map((m) => (m.material as { name: string }).name).sort()).toEqual(['Brass', 'Checker', 'Grass']);
    expect(images).toHaveLength(1);
    expect(images[0]).toEqual(asset('assets/scene/checker.png'));
  });

  it('packs the OBJ with its .mtl and texture, uncompressed', async () => {
    await b.resetIo();
    const [glbValue, stats] = (await b.rt.callMulti(packer, 'pack', 'assets/models/crate.obj')) as [unknown, PackStats];
    expect(stats.inputs).toEqual(['assets/models/crate.obj', 'assets/models/crate.mtl', 'assets/models/crate.png']);
    expect((await b.ioStats()).reads).toBe(3);
    const { gltf, images } = await loadGlb(bytesOf(glbValue));
    expect(gltf.parser.json.extensionsUsed ?? []).not.toContain('EXT_meshopt_compression');
    const ms = meshes(gltf);
    expect(ms).toHaveLength(2); // one primitive per material: Wood, Brass
    expect(ms.map((m) => m.geometry.index!.count / 3).sort((x, y) => x - y)).toEqual([12, 36]);
    expect(images).toHaveLength(1);
  });

  it('a missing file fails at the Lua call site with io\'s reason inside gltfpack\'s message', async () => {
    await expect(b.rt.call(packer, 'pack', 'assets/models/nothing.obj')).rejects.toThrow(
      /\[gltfpack\] Error loading assets\/models\/nothing.obj: file not found \(read\("assets\/models\/nothing.obj"\) failed: .*\[io\] not found: assets\/models\/nothing.obj/,
    );
    expect(await b.rt.call(packer, 'ping', 'still here')).toBe('still here');
  });

  // Regression: a carrier reused by another home before its last packet was read lost that
  // call or ran a callback in the wrong service (fixed in 7acd39e).
  it('two packs from two services run at once on the two gltfpack carriers', async () => {
    const other = await b.rt.spawnService({ name: 'packer', worker_id: 0 });
    for (let round = 0; round < 20; round++) {
      const [a, c] = await Promise.all([
        b.rt.call(packer, 'pack', 'assets/scene/scene.gltf'),
        b.rt.call(other, 'pack', 'assets/models/crate.obj'),
      ]);
      expect(magic(bytesOf(a))).toBe(GLB_MAGIC);
      expect(magic(bytesOf(c))).toBe(GLB_MAGIC);
    }
    expect(b.rt.carriers().filter((x) => x.module === 'gltfpack').length).toBe(2); // instances: { max: 2 }
  });
});
