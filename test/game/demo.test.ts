// End to end: the dev server that `npm start` runs, in a real Chromium; and the same
// page served without the isolation headers (the App runs, the runtime is unavailable).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViteDevServer } from 'vite';
import type { Page } from 'playwright-core';
import { ltask } from '@ltask-web/plugin-ltask/vite';
import appConfig from '../../vite.config.ts';
import { collectErrors } from '../support/browsers/errors.ts';
import { startDev, useStage } from '../support/stage.ts';

const stage = useStage({ dev: true });

interface Mark {
  t: number;
  frame: number;
  progress: number;
  step: string;
}

/** Records the page's static boot card as the page's scripts find it (before the App's first frame). */
async function watchFirstPaint(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const el = document.getElementById('boot');
      const box = el?.getBoundingClientRect();
      (globalThis as { firstLoading?: unknown }).firstLoading = el && {
        text: document.getElementById('boot-text')?.textContent,
        loadingScreen: !!document.getElementById('loading'),
        visible: !el.hidden && getComputedStyle(el).display !== 'none' && (box?.width ?? 0) > 0,
      };
    });
  });
}

/** Waits until the loading screen (a UI node, there from the App's first frame) has left the layout. */
const loadingGone = (page: Page, timeout: number) =>
  page.waitForFunction(() => {
    const el = document.getElementById('loading');
    return !!el && getComputedStyle(el).display === 'none';
  }, null, { timeout, polling: 100 });

const frames = async (p: Page) => Number(await p.evaluate(() => (globalThis as unknown as { demo: { frames: number } }).demo.frames));
const history = (p: Page) => p.evaluate(() => (globalThis as unknown as { demo: { loading: { history: Mark[] } } }).demo.loading.history);

describe('demo page (npm start)', () => {
  it('is served with both isolation headers', async () => {
    const res = await fetch(stage.devUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('answers 304 Not Modified with both headers too (WebKit loads a module worker again from a 304)', async () => {
    const worker = new URL('/plugin-ltask/src/entries/scheduler-worker.ts?worker_file&type=module', stage.devUrl).href;
    const first = await fetch(worker);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(worker, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(again.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('shows a loading screen with real progress; frames run before the first Lua reply; then the title card; Enter starts', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 960, height: 540 } });
    const errors = collectErrors(page);
    await watchFirstPaint(page);
    await page.goto(stage.devUrl);
    // The static card at first, over the scene; the UI's loading screen replaces it at the App's first frame.
    expect(await page.evaluate(() => (globalThis as { firstLoading?: unknown }).firstLoading)).toEqual({ text: 'Loading the page scripts...', loadingScreen: false, visible: true });
    await page.waitForFunction(() => /^Hello/.test(document.getElementById('reply')?.textContent ?? ''), null, { timeout: 45_000 });
    expect(await page.textContent('#reply')).toMatch(/^Hello, page \(from Lua service \d+ on worker [01]\)$/);
    // Gone once the world, its NPCs, the packed crate and the chunks around the spawn are in.
    await loadingGone(page, 45_000);
    expect(await page.$('#boot')).toBeNull();
    const overlay = await page.evaluate(() => ({ ...document.getElementById('loading')!.dataset }));
    expect(overlay).toMatchObject({ state: 'done', progress: '100', step: 'done', runtime: 'done', reply: 'done', world: 'done', npcs: 'done', model: 'done', chunks: 'done' });
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
    console.log(`[demo] LtaskPlugin start -> runtime ready ${readyMs} ms, -> first Lua reply ${replyMs} ms, -> world ready ${d.loadedMs} ms; frames before the reply: ${d.framesAtFirstReply}`);

    // Progress went up step by step, from the runtime's start to done.
    const marks = await history(page);
    expect(marks[0]!.progress).toBeLessThan(50);
    expect(marks[0]!.step).toBe('runtime');
    expect(marks.at(-1)).toMatchObject({ progress: 100, step: 'done' });
    for (let i = 1; i < marks.length; i++) expect(marks[i]!.progress).toBeGreaterThanOrEqual(marks[i - 1]!.progress);
    expect(marks.at(-1)!.frame).toBeGreaterThanOrEqual(Number(d.framesAtFirstReply));
    const steps = new Set(marks.map((m) => m.step));
    // The first reply's step may never be the one in progress: the greeting goes out while the runtime
    // starts, and its answer can land in the frame the runtime is ready.
    for (const s of ['runtime', 'done']) expect(steps.has(s), `step ${s} in ${[...steps].join(', ')}`).toBe(true);
    expect(marks.findIndex((m) => m.step === 'runtime')).toBeLessThan(marks.findIndex((m) => m.step === 'done'));
    // The world's own steps (some may finish within one frame of each other at 0 ms latency).
    expect(['world', 'npcs', 'model', 'chunks'].some((s) => steps.has(s)), [...steps].join(', ')).toBe(true);

    // The title card: the world's name and intro, from levels.db.
    type Demo = { state: string; world: { id: number; name: string }; assets(): { path: string; state: string }[]; chunks(): { loaded: string[] } };
    const demo = () => page.evaluate(() => {
      const x = (globalThis as unknown as { demo: Demo }).demo;
      return { state: x.state, world: x.world, assets: x.assets(), chunks: x.chunks().loaded };
    });
    const before = await demo();
    expect(before.state).toBe('title');
    expect(before.world.id).toBe(1);
    expect(before.world.name.length).toBeGreaterThan(0);
    expect(await page.isVisible('#title')).toBe(true);
    expect(await page.textContent('#title-name')).toBe(before.world.name);
    expect((await page.textContent('#title-intro'))!.length).toBeGreaterThan(20);
    expect(before.assets).toEqual([expect.objectContaining({ path: expect.stringMatching(/crate\.obj$/), state: 'loaded' })]);
    expect(before.chunks.length).toBeGreaterThanOrEqual(1);
    // The HUD is not up yet; Enter starts: the title goes, the HUD shows the world.
    expect(await page.isHidden('#hud')).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (globalThis as unknown as { demo: Demo }).demo.state === 'playing', null, { timeout: 5_000 });
    await page.waitForSelector('#hud', { state: 'visible', timeout: 5_000 });
    expect(await page.isHidden('#title')).toBe(true);
    expect(await page.textContent('#hud-world')).toBe(before.world.name);
    expect(await page.textContent('#hud-coins')).toMatch(/^0\/\d+$/);
    // The runtime overlay is hidden until F3.
    expect(await page.isHidden('#overlay')).toBe(true);
    await page.keyboard.press('F3');
    await page.waitForSelector('#overlay', { state: 'visible', timeout: 5_000 });
    await page.waitForSelector('#services tr[data-label="levels"]', { timeout: 5_000 });

    expect(errors).toEqual([]);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const f0 = await frames(page);
    await page.waitForTimeout(300);
    expect(await frames(page)).toBeGreaterThan(f0);
    await page.close();
  }, 90_000);
});

describe('demo page without cross-origin isolation', () => {
  let plain: ViteDevServer;
  let plainUrl: string;

  beforeAll(async () => {
    // vite.config.ts, with the ltask() plugin told not to set COOP/COEP.
    plain = await startDev({ ...appConfig, configFile: false, plugins: [ltask({ headers: false })], logLevel: 'silent' });
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
    const page = await stage.browser.newPage({ viewport: { width: 960, height: 540 } });
    const errors: string[] = [];
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    let loads = 0;
    page.on('load', () => void loads++);
    await watchFirstPaint(page);
    await page.goto(plainUrl);
    expect(await page.evaluate(() => (globalThis as { firstLoading?: unknown }).firstLoading)).toMatchObject({ loadingScreen: false, visible: true });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);

    await page.waitForSelector('#runtime-error', { state: 'visible', timeout: 30_000 });
    const message = (await page.textContent('#runtime-error-text'))!;
    expect(message).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(message).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(message).toContain('ltask() from "@ltask-web/plugin-ltask/vite"');
    expect(message).toMatch(/static host.*headers file/);
    // The loading screen went away; it says why the runtime is missing.
    await loadingGone(page, 5_000);
    expect(await page.getAttribute('#loading', 'data-state')).toBe('unavailable');
    expect(await page.getAttribute('#loading', 'data-runtime')).toBe('failed');
    expect(await page.evaluate(() => document.body.dataset.loaded)).toBe('unavailable');
    // The game never leaves "loading" (no world without the runtime), but the App runs.
    expect(await page.evaluate(() => (globalThis as unknown as { demo: { state: string; status(): string } }).demo.status())).toBe('unavailable');
    expect(await page.evaluate(() => (globalThis as unknown as { demo: { state: string } }).demo.state)).toBe('loading');

    // Frames keep coming, and the scene is drawn: the camera circles the player, the picture changes.
    const f0 = await frames(page);
    const clip = { x: 330, y: 120, width: 300, height: 260 }; // around the player, clear of the banner
    const a = await page.screenshot({ clip });
    await page.waitForFunction((f) => (globalThis as unknown as { demo: { frames: number } }).demo.frames > f + 10, f0, { timeout: 15_000 });
    const b = await page.screenshot({ clip });
    expect(Buffer.compare(a, b)).not.toBe(0);
    expect(await frames(page)).toBeGreaterThan(f0 + 10);

    // What needs the runtime fails with the same message.
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
