// Malformed assets through the engine's loaders in Node (textures headless: the
// bytes are checked, not decoded; decoding is tried in test/engine/assets/malformed.browser.test.ts):
// each fails its handle with an error naming the asset and the cause, and the
// same server loads good assets after them.
import { describe, expect, it } from 'vitest';
import type { GltfAsset } from '../../../engine/src/assets/index.ts';
import { CASES, FILES, failure, serverOver } from './malformed-cases.ts';

describe('malformed assets (Node)', () => {
  for (const [path, message] of Object.entries(CASES)) {
    it(`${path}: the handle fails naming the asset and the cause`, async () => {
      const server = serverOver(FILES);
      const f = await failure(server, path);
      expect(f.state).toBe('failed');
      expect(f.message).toMatch(message);
      expect(f.rejected).toBe(f.message);
      if (process.env.SHOW_ERRORS) console.log(path, f.message);
      // The server goes on: a glTF with its .bin and texture, JSON.
      const tri = await server.load<GltfAsset>('tri.gltf').loaded();
      expect(tri.scene.children).toHaveLength(1);
      expect(await server.load('good.json').loaded()).toEqual({ size: 3 });
    });
  }
});
