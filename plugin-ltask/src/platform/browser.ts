/** Browser platform, the part workers use too: the parent endpoint, fetch. */
import type { Endpoint, Platform } from './types.ts';

function parentEndpoint(): Endpoint {
  const scope = globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void; addEventListener(t: "message", l: (e: MessageEvent) => void): void; removeEventListener(t: "message", l: (e: MessageEvent) => void): void };
  return {
    postMessage: (m, t) => scope.postMessage(m, t ?? []),
    listen(h) {
      const l = (e: MessageEvent) => h(e.data);
      scope.addEventListener('message', l);
      return () => scope.removeEventListener('message', l);
    },
  };
}

async function readText(path: string, base: string): Promise<string> {
  const res = await fetch(new URL(path, base));
  if (!res.ok) throw new Error(`${res.status} ${res.statusText} (${res.url})`);
  // Single-page-app servers answer unknown paths with their index page.
  if (!/\.html?$/.test(path) && (res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`not found (the server answered with an HTML page: ${res.url})`);
  }
  return res.text();
}

export const platform: Platform = {
  name: 'browser',
  parentEndpoint,
  importModule: (url) => import(/* @vite-ignore */ url),
  readText,
  defaultBase: () => String((globalThis as { location?: Location }).location?.href ?? '/'),
  cores: () => navigator.hardwareConcurrency || 2,
};
