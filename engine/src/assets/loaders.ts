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

/** The image format the bytes start with, from their signature ('' if none known). */
export function sniffImageType(bytes: Uint8Array): string {
  const b = (i: number) => bytes[i] ?? -1;
  const ascii = (i: number, s: string) => [...s].every((c, k) => b(i + k) === c.charCodeAt(0));
  if (b(0) === 0x89 && ascii(1, 'PNG\r\n\x1a\n')) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  return '';
}

/**
 * Why `bytes` cannot be a whole image, or '' when they may be: no known
 * signature, or a PNG whose chunks run past the end or never reach IEND (a
 * file cut short, which some decoders would show half drawn).
 */
export function imageProblem(bytes: Uint8Array): string {
  const type = sniffImageType(bytes);
  if (!type) {
    const head = [...bytes.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    return `not an image: no PNG, JPEG, GIF or WebP signature (${bytes.byteLength} bytes, starting ${head || 'with nothing'})`;
  }
  if (type !== 'image/png') return '';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; ; ) {
    if (at + 8 > bytes.byteLength) return `PNG cut short: ${bytes.byteLength} bytes, no IEND chunk`;
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.byteLength) return `PNG cut short: its ${type} chunk at byte ${at} needs ${12 + length} bytes, ${bytes.byteLength - at} are left`;
    if (type === 'IEND') return '';
    at += 12 + length;
  }
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
    const problem = imageProblem(bytes);
    if (problem) throw new Error(`[assets] "${ctx.path}" is ${problem.startsWith('not') ? '' : 'not a whole image: '}${problem}`);
    let texture: Texture;
    try {
      texture = await decodeTexture(bytes, imageMimeType(ctx.path), true);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new Error(`[assets] "${ctx.path}" could not be decoded as ${sniffImageType(bytes)}: ${(error as Error).message}`, { cause: error });
    }
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
