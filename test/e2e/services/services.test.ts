// TypeScript services in a production build (`vite build` + `vite preview`,
// Chromium): each ?ltask-service import is a JavaScript chunk that keeps its
// default export and holds its own imports, none of the page's or the host's
// code; a service's dynamic import loads in its worker (no <link> preload); a
// service module without a default export fails the build with the fix.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, defaultClientConditions, preview, type InlineConfig, type PreviewServer } from 'vite';
import type { Browser } from 'playwright-core';
import { ltask } from '@ltask-web/plugin-ltask/vite';
import { launchChromium } from '../../support/chromium.ts';
import { closePreview } from '../../support/stage.ts';
import { collectErrors } from '../../support/browsers/errors.ts';

const outDir = mkdtempSync(join(tmpdir(), 'ltask-services-'));
const config = (root: string): InlineConfig => ({
  configFile: false,
  root: join(import.meta.dirname, root),
  logLevel: 'silent',
  plugins: [ltask()],
  resolve: { conditions: ['ltask-source', ...defaultClientConditions] },
});
let server: PreviewServer | undefined;
let browser: Browser | undefined;
const warnings: string[] = [];

beforeAll(async () => {
  const cfg = config('page');
  await build({ ...cfg, build: { outDir, emptyOutDir: true, rolldownOptions: { onwarn: (w) => void warnings.push(w.message) } } });
  server = await preview({ ...cfg, build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await closePreview(server);
  rmSync(outDir, { recursive: true, force: true });
});

const assets = () => readdirSync(join(outDir, 'assets'));
const chunk = (prefix: string) => {
  const f = assets().find((a) => a.startsWith(`${prefix}-`) && a.endsWith('.js'));
  expect(f, `${prefix}-*.js in ${assets().join(' ')}`).toBeDefined();
  return readFileSync(join(outDir, 'assets', f!), 'utf8');
};

describe('TypeScript services in a production build', () => {
  it('emits each service as a JavaScript chunk with its default export and its own imports, no page or host code', () => {
    const tally = chunk('tally');
    expect(tally).toMatch(/export\s*\{\s*\w+ as default\s*\}/);
    expect(tally).not.toMatch(/document|startRuntime|new Worker/);
    expect(chunk('later')).toMatch(/import\(/);
    expect(assets().filter((f) => /\.tsx?$/.test(f))).toEqual([]);
    expect(warnings.filter((w) => w.includes('[ltask]'))).toEqual([]);
  });

  it('runs them from vite preview: the bundles are chunk URLs; relative, npm and dynamic imports answer', async () => {
    const page = await browser!.newPage();
    const errors = collectErrors(page);
    await page.goto(server!.resolvedUrls!.local[0]!);
    await page.waitForFunction(() => (globalThis as { built?: unknown }).built !== undefined, null, { timeout: 30_000 });
    const built = await page.evaluate(() => (globalThis as unknown as { built: { bundles: string[]; tally: number[]; later: string } }).built);
    for (const url of built.bundles) expect(url).toMatch(/\/assets\/(tally|later)-[\w-]+\.js$/);
    expect(built.tally).toEqual([25, 100]); // 10 + 5*3, then three's clamp at the rules' CAP
    expect(built.later).toBe('weighed 6');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("warns when a service's chunks hold the runtime's host code, naming the door to import from", async () => {
    const out = mkdtempSync(join(tmpdir(), 'ltask-host-code-'));
    const seen: string[] = [];
    try {
      await build({ ...config('host-code'), build: { outDir: out, emptyOutDir: true, rolldownOptions: { onwarn: (w) => void seen.push(w.message) } } });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    expect(seen.filter((w) => w.includes('[ltask]'))).toEqual([
      expect.stringMatching(/\[ltask\] a TypeScript service's chunks hold the runtime's host code \(\S+plugin-ltask\/src\/host\/\S+\.ts\).*imports from '@ltask-web\/plugin-ltask\/service'/),
    ]);
  }, 120_000);

  it('a ?ltask-service module without a default export fails the build, saying what to export', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ltask-no-default-'));
    try {
      await expect(build({ ...config('no-default'), logLevel: 'silent', build: { outDir: out, emptyOutDir: true } })).rejects.toThrow(
        /\[ltask\] \S*tally_rules\.ts is imported with \?ltask-service but has no default export: a service module's default export is its factory/,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
