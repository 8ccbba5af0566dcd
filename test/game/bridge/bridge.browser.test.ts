// The three native modules through the bridge in Chromium: Lua services on Web
// Workers, the libraries on carrier workers, every file read by the io service's
// fetch backend from the vite dev server (which serves public/ at /).
import { afterEach, describe, expect, it } from 'vitest';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { Mesh, MeshStandardMaterial } from 'three';
import { MeshoptDecoder } from 'meshoptimizer';
import { Story } from 'inkjs/full';
import type { Runtime } from '@ltask-web/plugin-ltask';
import { asBytes } from '@ltask-web/plugin-ltask/native';
import { serviceLogs } from '../../support/logs.ts';
import { ROOT, startBrowserBridge } from './browser-runtime.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterEach(async () => {
  if (rt) expect(rt.serialViolations).toBe(0);
  await rt?.stop();
  rt = null;
});

interface IoStats {
  reads: number;
  bytes: number;
  backend: { requests: number; rangeRequests: number; rangeIgnored: number };
}

describe('native modules through the bridge in Chromium (fetch io backend)', () => {
  it('packs the scene, queries a level by ranged reads, compiles the dialogue; the page keeps rendering', async () => {
    rt = await startBrowserBridge({ backend: 'fetch', root: ROOT }, logs.onLog);
    const io = await rt.queryService('io');
    let frames = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const t0 = performance.now();

    // gltfpack: .gltf, .bin and .png fetched through io; the GLB loads with its texture.
    const packer = await rt.spawn('packer');
    const [glbValue, packStats] = (await rt.callMulti(packer, 'pack', 'assets/scene/scene.gltf', { compress: true })) as [unknown, { inputs: string[] }];
    expect(packStats.inputs).toEqual(['assets/scene/scene.gltf', 'assets/scene/scene.bin', 'assets/scene/checker.png']);
    const glb = asBytes(glbValue);
    const gltf = await new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).parseAsync(glb.slice().buffer, '');
    const meshes: Mesh[] = [];
    gltf.scene.traverse((o) => void ((o as Mesh).isMesh && meshes.push(o as Mesh)));
    expect(meshes.map((m) => m.geometry.index!.count / 3).sort((a, b) => a - b)).toEqual([12, 512, 1024]);
    const checker = meshes.map((m) => m.material as MeshStandardMaterial).find((m) => m.name === 'Checker')!;
    const image = checker.map!.image as { width: number; height: number };
    expect([image.width, image.height]).toEqual([64, 64]);

    // sqlite: HTTP Range reads of a few pages out of 2.6 MB.
    await rt.call(io, 'resetStats');
    const levels = await rt.spawn('levels');
    const [row, dbStats] = (await rt.callMulti(levels, 'find', 'old-bridge-1234')) as [Record<string, unknown>, { reads: number; bytesRead: number; fileSize: number }];
    expect(row).toMatchObject({ id: 1234, name: 'old-bridge-1234', world: 13, difficulty: 5 });
    const ioStats = await rt.call<IoStats>(io, 'stats');
    expect(ioStats.reads).toBe(dbStats.reads);
    expect(ioStats.bytes).toBe(dbStats.bytesRead);
    expect(ioStats.backend.rangeRequests).toBe(dbStats.reads);
    expect(ioStats.backend.rangeIgnored).toBe(0);
    expect(dbStats.bytesRead / dbStats.fileSize).toBeLessThan(0.02);
    const [, cached] = (await rt.callMulti(levels, 'find', 'old-bridge-1234')) as [unknown, { reads: number }];
    expect(cached.reads).toBe(0);

    // ink: main file and INCLUDEs fetched through io.
    const dialogue = await rt.spawn('dialogue');
    const json = await rt.call<string>(dialogue, 'compile');
    const story = new Story(json);
    expect(story.ContinueMaximally()).toContain('"Well met, traveller." says Mara.\n');
    expect(story.currentChoices.map((c) => c.text)).toEqual(['Buy a drink', 'Ask about the road']);

    // An error still arrives at the call site, and the service goes on.
    await expect(rt.call(dialogue, 'compile', 'assets/dialogue/none.ink')).rejects.toThrow(/^\[ink\] assets\/dialogue\/none.ink: cannot read .*\[io\] (not found|HTTP 404)/s);
    expect(await rt.call(dialogue, 'ping', 7)).toBe(7);

    const elapsed = performance.now() - t0;
    counting = false;
    // The page thread never waited on the workers.
    expect(frames).toBeGreaterThanOrEqual(Math.floor((elapsed / 1000) * 60 * 0.5));
  });
});
