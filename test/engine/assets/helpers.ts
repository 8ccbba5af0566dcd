import { readFileSync } from 'node:fs';
import type { AssetReader, ReadOptions } from '../../../engine/src/assets/index.ts';

/** Fixture bytes from test/fixtures/engine. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/engine/${name}`, import.meta.url)));
}

export interface PendingRead {
  path: string;
  options: ReadOptions;
  resolve(bytes: Uint8Array | string): void;
  reject(error: Error): void;
}

/** A reader whose reads wait until the test settles them. */
export class GatedReader implements AssetReader {
  readonly calls: PendingRead[] = [];

  read(path: string, options: ReadOptions): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      options.signal.addEventListener('abort', () => reject(options.signal.reason as Error), { once: true });
      this.calls.push({
        path,
        options,
        resolve: (b) => resolve(typeof b === 'string' ? new TextEncoder().encode(b) : b),
        reject,
      });
    });
  }

  /** The pending read of `path`. */
  call(path: string): PendingRead {
    const c = this.calls.find((x) => x.path === path);
    if (!c) throw new Error(`no read of ${path}; reads: ${this.calls.map((x) => x.path).join(', ')}`);
    return c;
  }
}

/** Lets queued promise callbacks and timers run. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
