// Hot reload of Lua services in the dev server, in Chromium: saving a .lua file
// restarts the services that run it, at the same address, without a page reload.
// Both kinds of source: a file the page imports, and one fetched from public/.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';
import type { Browser } from 'playwright-core';
import { ltask } from '@ltask-web/plugin-ltask/vite';
import { launchChromium } from '../../support/chromium.ts';

const repo = resolve(import.meta.dirname, '../../..');
const root = join(repo, '.scratch', `hmr-${process.pid}`);
let server: ViteDevServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  cpSync(join(import.meta.dirname, 'page'), root, { recursive: true });
  server = await createServer({
    configFile: false,
    root,
    logLevel: 'silent',
    plugins: [ltask()],
    resolve: { conditions: ['ltask-source', ...defaultClientConditions] },
    server: { port: 0, host: '127.0.0.1', fs: { allow: [repo] } },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

type Hmr = { loadId: number; addresses: number[]; version(): Promise<string[]> };

describe('hot reload of Lua services (vite dev server)', () => {
  it('restarts the edited services in the running page, same addresses, no reload', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.goto(server!.resolvedUrls!.local[0]!);
    await page.waitForFunction(() => (globalThis as { hmr?: unknown }).hmr !== undefined, null, { timeout: 30_000 });
    const before = await page.evaluate(async () => {
      const h = (globalThis as unknown as { hmr: Hmr }).hmr;
      return { loadId: h.loadId, addresses: h.addresses, versions: await h.version() };
    });
    expect(before.versions).toEqual(['imported v1 x', 'fetched v1']);

    for (const f of ['imported.lua', 'public/service/fetched.lua']) {
      const path = join(root, f);
      writeFileSync(path, readFileSync(path, 'utf8').replace('v1', 'v2'));
    }
    const now = () =>
      page.evaluate(async () => {
        const h = (globalThis as unknown as { hmr: Hmr }).hmr;
        return { loadId: h.loadId, addresses: h.addresses, versions: await h.version() };
      });
    let a = await now();
    for (const t = Date.now(); !a.versions.every((v) => v.includes('v2')) && Date.now() - t < 15_000; ) {
      await new Promise((r) => setTimeout(r, 100));
      a = await now();
    }
    expect(a.versions).toEqual(['imported v2 x', 'fetched v2']); // spawn arguments kept
    expect(a.loadId).toBe(before.loadId); // the page was not reloaded
    expect(a.addresses).toEqual(before.addresses);
    expect(navigations).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
