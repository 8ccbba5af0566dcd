// Malformed assets through the three native loaders (sqlite, gltfpack, ink) in a
// browser: Lua services on Web Workers, the libraries on carrier workers, the files
// served by a memory io backend. The cases of malformed-natives.ts, built from the
// shipped assets as the vite dev server serves them (public/ at /).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '@ltask-web/plugin-ltask';
import { serviceLogs } from '../../support/logs.ts';
import { NATIVE_CASES, SHIPPED, malformedFiles } from './malformed-natives.ts';
import { ROOT, startBrowserBridge } from './browser-runtime.ts';

async function fetchAsset(path: string): Promise<[string, Uint8Array]> {
  const res = await fetch(new URL(path, ROOT));
  if (!res.ok) throw new Error(`[test] ${path}: HTTP ${res.status}`);
  return [path, new Uint8Array(await res.arrayBuffer())];
}

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
beforeAll(async () => {
  const files = malformedFiles(Object.fromEntries(await Promise.all(SHIPPED.map(fetchAsset))));
  rt = await startBrowserBridge({ backend: 'memory', files }, logs.onLog);
});
afterEach(() => expect(rt?.serialViolations).toBe(0));
afterAll(async () => {
  await rt?.stop();
  rt = null;
});

describe('malformed assets through the native loaders (browser, memory io backend)', () => {
  for (const c of NATIVE_CASES) it(c.title, () => c.run(rt!));
});
