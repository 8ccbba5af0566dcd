// Hot reload in the dev server, in Chromium: saving a .lua file restarts the
// services that run it, at the same address, without a page reload (both kinds
// of source: a file the page imports, and one fetched from public/); saving a
// TypeScript service's module (`?ltask-service`) or a module it imports does
// the same for TypeScript services; saving an asset under public/ (JSON, a PNG
// texture, a glTF) reloads it in the App's AssetServer, in place.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultClientConditions } from 'vite';
import { ltask } from '@ltask-web/plugin-ltask/vite';
import { png } from '../../../game/content/png.mjs';
import { useStage } from '../../support/stage.ts';
import { collectErrors } from '../../support/browsers/errors.ts';

const repo = resolve(import.meta.dirname, '../../..');
const root = join(repo, '.scratch', `hmr-${process.pid}`);
// The page is a copy (the test edits its files), made before the server starts
// and removed after it stops (hooks run in reverse order of registration).
mkdirSync(root, { recursive: true });
cpSync(join(import.meta.dirname, 'page'), root, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));
const stage = useStage({
  dev: {
    configFile: false,
    root,
    logLevel: 'silent',
    plugins: [ltask()],
    resolve: { conditions: ['ltask-source', ...defaultClientConditions] },
    server: { fs: { allow: [repo] } },
    optimizeDeps: { noDiscovery: true, include: [] },
  },
});

type Hmr = {
  loadId: number;
  asset(): { size: number | null; events: string[] };
  texture(): { width: number | null; same: boolean; version: number };
  gltf(): string[] | null;
  addresses: number[];
  version(): Promise<string[]>;
  ts: { address: number; version(): Promise<string>; slow(): Promise<string> };
};

/** Replaces `from` with `to` in the page's file `f` (as an editor saves it). */
const edit = (f: string, from: string, to: string) => {
  const path = join(root, f);
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
};

/** Polls `read` until `done` holds or 15 s pass; returns the last value. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (const t = Date.now(); !done(v) && Date.now() - t < 15_000; v = await read()) await new Promise((r) => setTimeout(r, 100));
  return v;
}

/** The page, once its services are up; its errors and how many times it navigated (1: never reloaded). */
async function openPage() {
  const page = await stage.browser.newPage();
  const errors = collectErrors(page);
  const seen = { navigations: 0 };
  page.on('framenavigated', () => seen.navigations++);
  await page.goto(stage.devUrl);
  await page.waitForFunction(() => (globalThis as { hmr?: unknown }).hmr !== undefined, null, { timeout: 30_000 });
  return { page, errors, navigations: () => seen.navigations };
}

describe('hot reload of Lua services (vite dev server)', () => {
  it('restarts the edited services in the running page, same addresses, no reload', async () => {
    const { page, errors, navigations } = await openPage();
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
    expect(navigations()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('hot reload of TypeScript services (vite dev server)', () => {
  it('restarts a service when its module or a module it imports is saved: same address, new code, no reload', async () => {
    const { page, errors, navigations } = await openPage();
    const now = () =>
      page.evaluate(async () => {
        const h = (globalThis as unknown as { hmr: Hmr }).hmr;
        return { loadId: h.loadId, address: h.ts.address, version: await h.ts.version() };
      });
    const before = await now();
    expect(before.version).toBe('score v1 y s1');
    // A call the old instance is still handling when the file is saved.
    const slow = page.evaluate(() => (globalThis as unknown as { hmr: Hmr }).hmr.ts.slow());

    edit('score.ts', 'score v1', 'score v2');
    const a = await until(now, (v) => v.version.includes('v2'));
    expect(a.version).toBe('score v2 y s1'); // spawn arguments kept
    expect(await slow).toBe(`error: {service:${before.address}} restarted (hot reload)`); // as a Lua restart says

    edit('suffix.ts', "' s1'", "' s2'");
    const b = await until(now, (v) => v.version.endsWith('s2'));
    expect(b.version).toBe('score v2 y s2');

    for (const v of [a, b]) {
      expect(v.address).toBe(before.address);
      expect(v.loadId).toBe(before.loadId); // the page was not reloaded
    }
    expect(navigations()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('hot reload of assets (vite dev server)', () => {
  it('a JSON asset saved under public/ reloads in place: the same handle sees it, AssetEvents says modified, no page reload', async () => {
    const { page, errors, navigations } = await openPage();
    const now = () => page.evaluate(() => (globalThis as unknown as { hmr: Hmr }).hmr.asset());
    expect((await until(now, (v) => v.size === 1)).size).toBe(1);
    edit('public/assets/level.json', '"size": 1', '"size": 2');
    const after = await until(now, (v) => v.size === 2);
    expect(after.size).toBe(2);
    expect(after.events.filter((e) => e.endsWith('level.json'))).toEqual(['loaded level.json', 'modified level.json']);
    expect(navigations()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a PNG texture and a glTF saved under public/ reload in place: the texture object stays (materials see the new image), the glTF handle sees the new scene', async () => {
    const { page, errors, navigations } = await openPage();
    const hmr = () => page.evaluate(() => {
      const h = (globalThis as unknown as { hmr: Hmr }).hmr;
      return { texture: h.texture(), gltf: h.gltf(), events: h.asset().events };
    });
    const before = await until(hmr, (v) => v.texture.width === 1 && v.gltf !== null);
    expect(before.texture).toMatchObject({ width: 1, same: true });
    expect(before.gltf).toEqual(['crate-v1']);
    writeFileSync(join(root, 'public/assets/tile.png'), png(4, 2, () => [128, 128, 128]));
    const t = await until(hmr, (v) => v.texture.width === 4);
    expect(t.texture.width).toBe(4);
    expect(t.texture.same).toBe(true); // the same Texture object
    expect(t.texture.version).toBeGreaterThan(before.texture.version); // needsUpdate: uploaded again
    edit('public/assets/prop.gltf', 'crate-v1', 'crate-v2');
    const g = await until(hmr, (v) => v.gltf?.[0] === 'crate-v2');
    expect(g.gltf).toEqual(['crate-v2']);
    expect(g.events).toEqual(expect.arrayContaining(['loaded tile.png', 'modified tile.png', 'loaded prop.gltf', 'modified prop.gltf']));
    expect(navigations()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
