/**
 * Built-in loaders for text, JSON and image textures.
 */
import { SRGBColorSpace, Texture } from 'three';
import type { AssetLoader } from './loader.ts';
import { extensionOf } from './loader.ts';

/** UTF-8 text (`.txt`, `.text`). */
export const textLoader: AssetLoader<string> = {
  name: 'text',
  extensions: ['txt', 'text'],
  load: (bytes) => new TextDecoder().decode(bytes),
};

/** JSON (`.json`); a syntax error fails the asset with the path in the message. */
export const jsonLoader: AssetLoader<unknown> = {
  name: 'json',
  extensions: ['json'],
  load(bytes, ctx) {
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch (error) {
      throw new Error(`[assets] "${ctx.path}" is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  },
};

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

/** The MIME type of an image path or extension. */
export function imageMimeType(pathOrExt: string): string {
  return MIME[extensionOf(pathOrExt) || pathOrExt.toLowerCase()] ?? 'application/octet-stream';
}

/** Width and height from a PNG, GIF or baseline JPEG header, without decoding. */
export function sniffImageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && view.getUint32(0) === 0x89504e47) return { width: view.getUint32(16), height: view.getUint32(20) };
  if (bytes.length >= 10 && view.getUint32(0) === 0x47494638) return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  if (bytes.length >= 4 && view.getUint16(0) === 0xffd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1]!;
      const length = view.getUint16(i + 2);
      if (marker >= 0xc0 && marker <= 0xc3) return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
      i += 2 + length;
    }
  }
  return undefined;
}

/**
 * Decodes image bytes into a texture. With `createImageBitmap` (browsers,
 * workers) the image is an ImageBitmap; `flipY` flips rows at decode time
 * because WebGL ignores `texture.flipY` for bitmaps. Without it (Node) the
 * texture is headless: `image` holds only the size read from the header and
 * `userData.encoded` the bytes.
 */
export async function decodeTexture(bytes: Uint8Array, mimeType: string, flipY: boolean): Promise<Texture> {
  const texture = new Texture();
  texture.userData.mimeType = mimeType;
  if (typeof createImageBitmap === 'function') {
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType });
    texture.image = await createImageBitmap(blob, { imageOrientation: flipY ? 'flipY' : 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } else {
    texture.image = { ...(sniffImageSize(bytes) ?? { width: 0, height: 0 }), data: null };
    texture.userData.encoded = bytes;
  }
  texture.flipY = false;
  texture.needsUpdate = true;
  return texture;
}

/**
 * Images (`.png`, `.jpg`, `.jpeg`, `.webp`, `.gif`) as sRGB three textures,
 * rows flipped like three's TextureLoader so they map right on three's geometries.
 */
export const textureLoader: AssetLoader<Texture> = {
  name: 'texture',
  extensions: ['png', 'jpg', 'jpeg', 'webp', 'gif'],
  async load(bytes, ctx) {
    const texture = await decodeTexture(bytes, imageMimeType(ctx.path), true);
    texture.colorSpace = SRGBColorSpace;
    texture.name = ctx.path;
    return texture;
  },
  unload(texture) {
    const image = texture.image as { close?: () => void } | null;
    texture.dispose();
    image?.close?.();
  },
  reload(old, next) {
    // The same Texture object, with the new image: materials holding it show the change.
    const image = old.image as { close?: () => void } | null;
    old.image = next.image;
    old.userData = next.userData;
    old.needsUpdate = true;
    image?.close?.();
    return old;
  },
};
