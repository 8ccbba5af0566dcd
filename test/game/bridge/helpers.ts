/** Shared by the bridge tests: a real runtime with the three native modules and the Lua services of game/service. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startRuntime, type RuntimeOptions } from '@ltask-web/plugin-ltask';
import { asBytes } from '@ltask-web/plugin-ltask/native';
import { meshes } from '../../support/gltf.ts';
import type { GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
export { loadGlb, meshes } from '../../support/gltf.ts';

export const NATIVES = {
  gltfpack: new URL('../../../game/natives/gltfpack.ts', import.meta.url).href,
  sqlite: new URL('../../../game/natives/sqlite.ts', import.meta.url).href,
  ink: new URL('../../../game/natives/ink.ts', import.meta.url).href,
};

/** public/, the io root: asset paths are `assets/...` as in the game. */
export const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));

export const asset = (path: string): Uint8Array => new Uint8Array(readFileSync(PUBLIC + path));

/** io's counters (the built-in "io" service). */
export interface IoStats {
  reads: number;
  bytes: number;
  errors: number;
}

/** A runtime over game/service with the three natives; io defaults to the fs backend over public/. */
export async function startBridge(io: RuntimeOptions['io'] = { backend: 'fs', root: PUBLIC }, more: RuntimeOptions = {}) {
  const logs: string[] = [];
  const rt = await startRuntime({
    workers: 2,
    servicePath: 'game/service/?.lua',
    natives: NATIVES,
    io,
    onLog: (e) => void logs.push(`[${e.level}] ${e.label}:${e.source} ${e.text}`),
    ...more,
  });
  const ioAddr = await rt.queryService('io');
  return {
    rt,
    logs,
    io: ioAddr,
    ioStats: () => rt.call<IoStats>(ioAddr, 'stats'),
    resetIo: () => rt.call(ioAddr, 'resetStats'),
  };
}
export type Bridge = Awaited<ReturnType<typeof startBridge>>;

/** Stops the runtime after checking that no service VM ever ran on two threads at once. */
export async function stopBridge(b: Bridge | null): Promise<void> {
  if (!b) return;
  try {
    expect(b.rt.serialViolations).toBe(0);
  } finally {
    await b.rt.stop();
  }
}

/** A Lua string reaches the host as a JS string when it is valid UTF-8, else as bytes. */
export const bytesOf = (v: unknown): Uint8Array => asBytes(v);


/** [triangles, vertices] of each mesh, fewest triangles first. */
export const shapes = (gltf: GLTF): number[][] =>
  meshes(gltf)
    .map((m) => [m.geometry.index!.count / 3, m.geometry.attributes.position!.count])
    .sort((a, b) => a[0]! - b[0]!);

export const GLB_MAGIC = 0x46546c67; // 'glTF'
export const magic = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
