// End to end: the dev server that `npm start` runs, in a real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';

let server: ViteDevServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
  await server.listen();
  url = server.resolvedUrls!.local[0]!;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo page (npm start)', () => {
  it('is served with both isolation headers', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('shows the Lua reply in Chromium while frames keep counting', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('reply')?.textContent !== 'waiting...', null, { timeout: 45_000 });
    expect(errors).toEqual([]);
    expect(await page.textContent('#isolated')).toBe('true');
    expect(await page.textContent('#reply')).toMatch(/^Hello, page \(from Lua service \d+ on worker [01]\)$/);
    const f0 = Number(await page.textContent('#frames'));
    await page.waitForTimeout(300);
    expect(Number(await page.textContent('#frames'))).toBeGreaterThan(f0);
    await page.close();
  }, 60_000);
});
