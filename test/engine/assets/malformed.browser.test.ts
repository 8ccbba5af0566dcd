// Malformed assets through the engine's loaders in a browser, where textures are
// decoded (createImageBitmap): the same cases as in Node, plus a PNG whose chunks
// are whole but whose pixel data is not, which only the decoder finds.
import { describe, expect, it } from 'vitest';
import type { GltfAsset } from '../../../engine/src/assets/index.ts';
import { CASES, FILES, PNG, failure, serverOver } from './malformed-cases.ts';

// The IDAT chunk's zlib stream (bytes 41 to 59) replaced by noise; its CRC no longer matches either.
const garbled = PNG.slice();
for (let i = 43; i < 59; i++) garbled[i] = (i * 151) & 0xff;
const files = { ...FILES, 'garbled.png': garbled };
// Firefox's and WebKit's decoders show what they could of a garbled PNG and do not fail
// (nor check CRCs): there the image loads. Chromium's rejects it.
const lenient = !navigator.userAgent.includes('Chrome');
const cases: Record<string, RegExp> = lenient ? CASES : { ...CASES, 'garbled.png': /^\[assets\] "garbled\.png" could not be decoded as image\/png: \S/ };

describe('malformed assets (browser)', () => {
  for (const [path, message] of Object.entries(cases)) {
    it(`${path}: the handle fails naming the asset and the cause`, async () => {
      const server = serverOver(files);
      const f = await failure(server, path);
      expect(f.message).toMatch(message);
      expect(f.state).toBe('failed');
      expect(f.rejected).toBe(f.message);
      const tri = await server.load<GltfAsset>('tri.gltf').loaded();
      expect(tri.scene.children).toHaveLength(1);
      const checker = await server.load<{ image: { width: number } }>('checker.png').loaded();
      expect(checker.image.width).toBe(2);
    });
  }

  it.runIf(lenient)('garbled.png loads in Firefox and WebKit (their decoders do not fail on bad pixel data)', async () => {
    const image = await serverOver(files).load<{ image: { width: number } }>('garbled.png').loaded();
    expect(image.image.width).toBe(2);
  });
});
