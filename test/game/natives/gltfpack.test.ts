import { describe, expect, it } from 'vitest';
import gltfpack from '../../../game/natives/gltfpack.ts';
import { expectPayload, readAsset } from './helpers.ts';
import { loadGlb, meshes } from '../../support/gltf.ts';

const { pack } = gltfpack.functions;



const magic = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);

describe('gltfpack native module', () => {
  it('packs the glTF scene (reading .gltf, .bin, .png through the callback) into a GLB three.js loads', async () => {
    await gltfpack.setup();
    const reads: string[] = [];
    const r = await pack(['-i', 'scene/scene.gltf', '-o', 'out/scene.glb', '-c'], {
      read(path: string) {
        reads.push(path);
        // A Lua string that is valid UTF-8 arrives as a JS string: serve the JSON that way.
        return path.endsWith('.gltf') ? new TextDecoder().decode(readAsset(path)!) : readAsset(path);
      },
    });
    expectPayload(r);
    expect(reads).toEqual(['scene/scene.gltf', 'scene/scene.bin', 'scene/checker.png']);
    expect(r.inputs).toEqual(reads);
    expect(Object.keys(r.files)).toEqual(['out/scene.glb']);
    const glb = r.files['out/scene.glb']!;
    expect(magic(glb)).toBe(0x46546c67); // 'glTF'
    expect(new DataView(glb.buffer, glb.byteOffset).getUint32(4, true)).toBe(2);
    expect(glb.byteLength).toBeLessThan(readAsset('scene/scene.bin')!.byteLength);

    const { gltf, images } = await loadGlb(glb);
    expect(gltf.parser.json.extensionsUsed).toContain('EXT_meshopt_compression');
    const ms = meshes(gltf);
    // Crate (12 triangles), Ground (16x16 grid: 512), Ring (32x16 torus: 1024): one primitive each.
    expect(ms).toHaveLength(3);
    const shape = ms
      .map((m) => [m.geometry.index!.count / 3, m.geometry.attributes.position!.count])
      .sort((a, b) => a[0]! - b[0]!);
    // Triangles are kept; the Ring's material has no texture, so its UVs are dropped
    // and the 33x17 grid of the torus welds its two seams into 32x16 vertices.
    expect(shape).toEqual([[12, 24], [512, 289], [1024, 512]]);
    expect(ms.map((m) => (m.material as { name: string }).name).sort()).toEqual(['Brass', 'Checker', 'Grass']);
    expect(images).toHaveLength(1);
    expect(Array.from(images[0]!.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]); // the PNG, embedded
  });

  it('packs the OBJ with its .mtl and texture', async () => {
    const r = await pack(['-i', 'models/crate.obj', '-o', 'crate.glb'], { read: readAsset });
    expect(r.inputs).toEqual(['models/crate.obj', 'models/crate.mtl', 'models/crate.png']);
    const glb = r.files['crate.glb']!;
    expect(magic(glb)).toBe(0x46546c67);
    const { gltf, images } = await loadGlb(glb);
    const ms = meshes(gltf);
    expect(ms).toHaveLength(2); // one primitive per material: Wood, Brass
    expect(ms.map((m) => m.geometry.index!.count / 3).sort((a, b) => a - b)).toEqual([12, 36]);
    expect(images).toHaveLength(1);
  });

  it('normalises absolute paths and calls io.write for each output', async () => {
    const written: Array<[string, number]> = [];
    const r = await pack(['-i', '/models/../models/crate.obj', '-o', '/x/crate.glb'], {
      read: readAsset,
      write: (path: string, bytes: Uint8Array) => void written.push([path, bytes.byteLength]),
    });
    expect(r.inputs[0]).toBe('models/crate.obj');
    expect(written).toEqual([['x/crate.glb', r.files['x/crate.glb']!.byteLength]]);
  });

  it('throws gltfpack\'s message on a corrupt .gltf, with the callback\'s error on a failed read, and keeps working', async () => {
    const gltf = readAsset('scene/scene.gltf')!;
    const corrupt = (path: string) => (path.endsWith('.gltf') ? gltf.subarray(0, 200) : readAsset(path));
    await expect(pack(['-i', 'scene/scene.gltf', '-o', 'a.glb'], { read: corrupt })).rejects.toThrow(
      /^\[gltfpack\] Error loading scene\/scene.gltf: invalid JSON/,
    );
    const noBin = (path: string) => (path.endsWith('.bin') ? null : readAsset(path));
    await expect(pack(['-i', 'scene/scene.gltf', '-o', 'a.glb'], { read: noBin })).rejects.toThrow(/read\("scene\/scene.bin"\) returned nothing/);
    const luaError = () => {
      throw new Error('io.lua:12: no such asset');
    };
    await expect(pack(['-i', 'a.obj', '-o', 'a.glb'], { read: luaError })).rejects.toThrow(
      /Error loading a.obj: file not found \(read\("a.obj"\) failed: io.lua:12: no such asset\)/,
    );
    await expect(pack('-i a.gltf' as unknown as string[], { read: readAsset })).rejects.toThrow(/args must be a list of strings/);
    await expect(pack(['-i', 'a.gltf'], {})).rejects.toThrow(/expected a table with a function "read"/);
    const again = await pack(['-i', 'scene/scene.gltf', '-o', 'b.glb'], { read: readAsset });
    expect(magic(again.files['b.glb']!)).toBe(0x46546c67);
  });
});
