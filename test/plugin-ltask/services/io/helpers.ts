/** Shared helpers of the io tests (Node only). */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/io/', import.meta.url));

/** Every fixture file by relative path, read with plain node:fs (the reference the backends are checked against). */
export function fixtureFiles(dir = FIXTURES): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, fixtureFiles(full));
    else out[relative(FIXTURES, full).split('\\').join('/')] = new Uint8Array(readFileSync(full));
  }
  return out;
}

export const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, path)));

/** Milliseconds an async function takes. */
export async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}
