/** Shared by the native-module tests: assets from public/assets, read synchronously. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ASSETS = fileURLToPath(new URL('../../../public/assets/', import.meta.url));

/** The bytes of an asset, or null when it does not exist (what a Lua `read` returns then). */
export function readAsset(path: string): Uint8Array | null {
  try {
    return new Uint8Array(readFileSync(ASSETS + path));
  } catch {
    return null;
  }
}

/** Fails unless `v` is a payload value: what may cross back to Lua. */
export function expectPayload(v: unknown, at = 'result'): void {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v) || v instanceof Uint8Array) return;
  if (Array.isArray(v)) return v.forEach((x, i) => expectPayload(x, `${at}[${i}]`));
  expect(typeof v, `${at} is ${typeof v}`).toBe('object');
  expect(Object.getPrototypeOf(v), `${at} is a plain object`).toBe(Object.prototype);
  for (const [k, x] of Object.entries(v as object)) expectPayload(x, `${at}.${k}`);
}
