// End to end: the dev server that `npm start` runs, in a real Chromium; and the same
// page served without the isolation headers (the App runs, the runtime is unavailable).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { ltask } from '@ltask-web/plugin-ltask/vite';
import appConfig from '../../vite.config.ts';
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

interface Mark {
  t: number;
  frame: number;
  progress: number;
  step: string;
}

/** Records the loading overlay as the page's scripts find it (before the App's first frame). */
async function watchFirstPaint(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const el = document.getElementById('loading');
      const box = el?.getBoundingClientRect();
      (globalThis as { firstLoading?: unknown }).firstLoading = el && {
        state: el.dataset.state,
        progress: el.dataset.progress,
        visible: !el.hidden && getComputedStyle(el).display !== 'none' && (box?.width ?? 0) > 0,
      };
    });
  });
}

const frames = async (p: Page) => Number(await p.textContent('#frames'));
const history = (p: Page) => p.evaluate(() => (globalThis as unknown as { demo: { loading: { history: Mark[] } } }).demo.loading.history);

describe('demo page (npm start)', () => {
  it('is served with both isolation headers', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('shows a loading overlay with real progress; frames run before the first Lua reply; then it goes', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await watchFirstPaint(page);
    await page.goto(url);
    // Present at first, over the scene.
    expect(await page.evaluate(() => (globalThis as { firstLoading?: unknown }).firstLoading)).toEqual({ state: 'loading', progress: '0', visible: true });
    await page.waitForFunction(() => document.getElementById('reply')?.textContent !== 'waiting...', null, { timeout: 45_000 });
    expect(await page.textContent('#reply')).toMatch(/^Hello, page \(from Lua service \d+ on worker [01]\)$/);
    // Gone once the first reply (and the ground texture) are in.
    await page.waitForSelector('#loading', { state: 'hidden', timeout: 5_000 });
    expect(await page.getAttribute('#loading', 'data-state')).toBe('done');
    expect(await page.getAttribute('#loading', 'data-progress')).toBe('100');
    expect(await page.isHidden('#runtime-error')).toBe(true);
    const d = await page.evaluate(() => ({ ...document.body.dataset }));
    expect(d.loaded).toBe('done');
    // The App ran frames while the runtime started, and before the first reply.
    expect(Number(d.framesAtRuntimeReady)).toBeGreaterThanOrEqual(1);
    expect(Number(d.framesAtFirstReply)).toBeGreaterThanOrEqual(2);
    const readyMs = Number(d.runtimeReadyMs);
    const replyMs = Number(d.firstReplyMs);
    expect(readyMs).toBeGreaterThan(0);
    expect(replyMs).toBeGreaterThanOrEqual(readyMs);
    console.log(`[demo] LtaskPlugin start -> runtime ready ${readyMs} ms, -> first Lua reply ${replyMs} ms; frames before the reply: ${d.framesAtFirstReply}`);

    // Progress went up step by step, from the runtime's start to done.
    const marks = await history(page);
    expect(marks[0]!.progress).toBeLessThan(50);
    expect(marks[0]!.step).toBe('runtime');
    expect(marks.at(-1)).toMatchObject({ progress: 100, step: 'done' });
    for (let i = 1; i < marks.length; i++) expect(marks[i]!.progress).toBeGreaterThanOrEqual(marks[i - 1]!.progress);
    expect(marks.at(-1)!.frame).toBeGreaterThanOrEqual(Number(d.framesAtFirstReply));
    // The first scene's asset (the ground's checker texture) came through the AssetServer.
    expect(await page.getAttribute('#loading', 'data-assets')).toBe('1/1');

    expect(errors).toEqual([]);
    expect(await page.textContent('#isolated')).toBe('true');
    expect(await page.textContent('#runtime')).toBe('ready');
    const f0 = await frames(page);
    await page.waitForTimeout(300);
    expect(await frames(page)).toBeGreaterThan(f0);
    await page.close();
  }, 60_000);
});

describe('demo page without cross-origin isolation', () => {
  let plain: ViteDevServer;
  let plainUrl: string;

  beforeAll(async () => {
    // vite.config.ts, with the ltask() plugin told not to set COOP/COEP.
    plain = await createServer({
      ...appConfig,
      configFile: false,
      plugins: [ltask({ headers: false })],
      server: { port: 0, host: '127.0.0.1' },
      logLevel: 'silent',
    });
    await plain.listen();
    plainUrl = plain.resolvedUrls!.local[0]!;
  }, 60_000);

  afterAll(async () => {
    await plain?.close();
  });

  it('is served without the headers', async () => {
    const res = await fetch(plainUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(res.headers.get('cross-origin-embedder-policy')).toBeNull();
  });

  it('still renders and counts frames; the page says which headers to set and where', async () => {
    const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
    const errors: string[] = [];
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    let loads = 0;
    page.on('load', () => void loads++);
    await watchFirstPaint(page);
    await page.goto(plainUrl);
    expect(await page.evaluate(() => (globalThis as { firstLoading?: unknown }).firstLoading)).toMatchObject({ state: 'loading', visible: true });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);

    await page.waitForSelector('#runtime-error', { state: 'visible', timeout: 30_000 });
    const message = (await page.textContent('#runtime-error-text'))!;
    expect(message).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(message).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(message).toContain('ltask() from "@ltask-web/plugin-ltask/vite"');
    expect(message).toMatch(/static host.*headers file/);
    // The overlay went away (the scene's assets loaded); it says why the runtime is missing.
    await page.waitForSelector('#loading', { state: 'hidden', timeout: 5_000 });
    expect(await page.getAttribute('#loading', 'data-state')).toBe('unavailable');
    expect(await page.getAttribute('#loading', 'data-runtime')).toBe('failed');
    expect(await page.evaluate(() => document.body.dataset.loaded)).toBe('unavailable');
    expect(await page.textContent('#isolated')).toBe('false');
    // The HUD is drawn a few times a second: wait for it to catch up.
    await page.waitForFunction(() => document.getElementById('runtime')?.textContent === 'unavailable', null, { timeout: 5_000 });
    await page.waitForFunction(() => /unavailable/.test(document.getElementById('reply')?.textContent ?? ''), null, { timeout: 5_000 });

    // Frames keep coming, and the scene is drawn: the spinning marker changes the picture.
    const f0 = await frames(page);
    const clip = { x: 330, y: 60, width: 160, height: 140 }; // around the marker, clear of the panels
    const a = await page.screenshot({ clip });
    await page.waitForFunction((f) => Number(document.getElementById('frames')!.textContent) > f + 5, f0, { timeout: 10_000 });
    const b = await page.screenshot({ clip });
    expect(Buffer.compare(a, b)).not.toBe(0);
    expect(await frames(page)).toBeGreaterThan(f0 + 5);

    // Buttons still work; what needs the runtime fails with the same message.
    expect(await page.evaluate(async () => {
      const demo = (globalThis as unknown as { demo: { call(s: string, m: string): Promise<unknown> } }).demo;
      return demo.call('levels', 'ping').then(() => 'ok', (e: Error) => e.message);
    })).toBe(message);
    expect(errors).toEqual([]);
    // Reported once on the console too (the runtime's log line), per page load (the dev
    // server reloads the page when a watched file changes).
    expect(consoleErrors.filter((t) => t.includes('Cross-Origin-Embedder-Policy'))).toHaveLength(loads);
    await page.close();
  }, 60_000);
});
