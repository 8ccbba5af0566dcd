// The production build users deploy: `vite build` of the demo, served by
// `vite preview`, in a real Chromium. Services, the three native modules
// (each bundled with its carrier), frames and the isolation headers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preview } from 'vite';
import type { Page } from 'playwright-core';
import { useStage } from '../support/stage.ts';
import { collectErrors } from '../support/browsers/errors.ts';

const stage = useStage({ built: true });
let page: Page | undefined;
let url: string;

beforeAll(() => {
  url = stage.builtUrl;
});

afterAll(async () => {
  await page?.close().catch(() => {});
});

const assets = () => readdirSync(join(stage.outDir, 'assets'));

describe('production build (vite build + vite preview)', () => {
  it('emits each native module as a JavaScript carrier chunk and no TypeScript', () => {
    const files = assets();
    for (const n of ['gltfpack', 'sqlite', 'ink']) expect(files.some((f) => f.startsWith(`${n}.ts.ltask-carrier-`) && f.endsWith('.js'))).toBe(true);
    expect(files.filter((f) => /\.tsx?$/.test(f))).toEqual([]);
  });

  it('bundles fengari patched (guarded FENGARICONF, no `delete L.stack[i]`)', () => {
    const chunks = assets().filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(stage.outDir, 'assets', f), 'utf8'));
    const vm = chunks.filter((c) => c.includes('FENGARICONF'));
    expect(vm.length).toBeGreaterThan(0);
    for (const c of vm) expect(c).not.toMatch(/delete [\w$]+\.stack\[/);
  });

  it('vite preview without a build says to run vite build', async () => {
    const none = join(stage.outDir, 'no-build-here');
    await expect(preview({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir: none }, preview: { port: 0 } })).rejects.toThrow(
      /there is none in .*no-build-here: run "vite build" first/,
    );
  });

  it('serves the isolation headers', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('runs the demo: a Lua reply, the three natives through io, frames keep coming', async () => {
    page = await stage.browser.newPage({ viewport: { width: 800, height: 450 } });
    const errors = collectErrors(page);
    await page.goto(url);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    await page.waitForFunction(() => (globalThis as { demo?: unknown }).demo !== undefined, null, { timeout: 30_000 });
    const results = await page.evaluate(async () => {
      const demo = (globalThis as unknown as { demo: { call(s: string, m: string, ...a: unknown[]): Promise<unknown> } }).demo;
      // The App runs before the runtime is up: retry until the first call goes through.
      let hello: unknown;
      for (let t = performance.now(); ; await new Promise((r) => setTimeout(r, 50))) {
        try {
          hello = await demo.call('hello', 'greet', 'build');
          break;
        } catch (e) {
          if (performance.now() - t > 30_000) throw e;
        }
      }
      const count = await demo.call('levels', 'count'); // wa-sqlite: pages read through io
      const story = await demo.call('dialogue', 'compile'); // inkjs: INCLUDEs read through io
      const glb = await demo.call('packer', 'pack', 'assets/models/crate.obj'); // gltfpack: .obj/.mtl/.png through io
      return { hello, count, story: typeof story, glb: (glb as Uint8Array | string).length };
    });
    expect(results.hello).toMatch(/^Hello, build/);
    expect(results.count).toBeGreaterThan(0);
    expect(results.story).toBe('string');
    expect(results.glb).toBeGreaterThan(1000);
    const f0 = Number(await page.textContent('#frames'));
    await page.waitForFunction((f) => Number(document.getElementById('frames')!.textContent) > f + 2, f0, { timeout: 10_000 });
    expect(errors).toEqual([]);
  }, 90_000);
});
