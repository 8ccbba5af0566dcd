/** Node platform, the part workers use too: the parent port, fs. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type { Endpoint, Platform } from './types.ts';

function parentEndpoint(): Endpoint {
  const port = parentPort;
  if (!port) throw new Error('[ltask] parentEndpoint() called outside a worker');
  return {
    postMessage: (m, t) => port.postMessage(m, t as never),
    listen(h) {
      port.on('message', h);
      return () => port.off('message', h);
    },
  };
}

let tsxReady: Promise<void> | null = null;

/** Imports a module; `.ts` files load through tsx (an optional peer dependency). */
async function importModule(url: string): Promise<unknown> {
  // boot.mjs (this repository's sources) has registered tsx in this thread already.
  if (/\.[cm]?tsx?$/.test(url.split('?')[0]!) && !(globalThis as { __ltaskTsx?: boolean }).__ltaskTsx) {
    tsxReady ??= import('tsx/esm/api').then(
      (m: { register(): unknown }) => {
        m.register();
        (globalThis as { __ltaskTsx?: boolean }).__ltaskTsx = true;
      },
      () => {
        throw new Error(`[ltask] ${url} is TypeScript: install tsx (npm i -D tsx) to load .ts modules in Node, or give a .js file`);
      },
    );
    await tsxReady;
    return import(url).catch((e: unknown) => {
      throw commonJsHint(url, e);
    });
  }
  return import(url);
}

/**
 * A `.ts` file Node takes for CommonJS (no `"type": "module"` in the
 * package.json above it) that imports ES modules fails with a require cycle
 * error that does not say so: the error says what to change.
 */
function commonJsHint(url: string, e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if ((code !== 'ERR_REQUIRE_CYCLE_MODULE' && code !== 'ERR_REQUIRE_ESM') || !/\.tsx?$/.test(url.split('?')[0]!)) return e;
  const err = new Error(
    `[ltask] ${url} loads as CommonJS (no "type": "module" in the package.json above it), so its ES imports fail: ` +
      `add "type": "module" to that package.json, or name the file .mts (${(e as Error).message.split('\n')[0]})`,
  );
  return Object.assign(err, { code });
}

async function readText(path: string, base: string): Promise<string> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? new URL(path) : new URL(path, base.endsWith('/') ? base : base + '/');
  if (url.protocol === 'file:') return readFile(url, 'utf8');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.text();
}

export const platform: Platform = {
  name: 'node',
  parentEndpoint,
  importModule,
  readText,
  defaultBase: () => pathToFileURL(process.cwd() + '/').href,
  cores: () => availableParallelism(),
  // With a listener the thread no longer ends on an unhandled rejection.
  onUnhandledRejection: (report) => void process.on('unhandledRejection', (reason) => report(reason)),
};
