// The production build (`vite build` + `vite preview`) in a real Chromium, with
// assets/levels.db answered corrupt: the real file, its pages after page 1
// overwritten by noise, served by the page's route with HTTP Range honoured
// (206 + Content-Range, as the io fetch backend asks for SQLite's pages). The
// loading screen stays up with one clear line naming the file and SQLite's
// reason, frames keep coming, and the only error on the page is the one the
// failed world load logs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { collectErrors } from '../support/browsers/errors.ts';
import { useStage } from '../support/stage.ts';

const stage = useStage({ built: true });
const LEVELS = fileURLToPath(new URL('../../public/assets/levels.db', import.meta.url));
const LINE = 'Cannot load the world: levels.db is damaged or not a database (assets/levels.db: database disk image is malformed)';

/** levels.db with every byte after its first page replaced by noise (the page size is the header's bytes 16-17). */
function corrupt(): Buffer {
  const bytes = readFileSync(LEVELS);
  const page = (bytes[16]! << 8) | bytes[17]!;
  expect(page).toBeGreaterThanOrEqual(512);
  expect(bytes.length).toBeGreaterThan(page);
  for (let i = page; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  return bytes;
}

/** What the route answered: one entry per request, `GET 206 bytes=a-b` and the like. */
type Served = string[];

/** Answers `bytes` as a static file server does: HEAD with the size, GET whole (200) or one byte range (206, or 416 past the end). */
async function serve(route: Route, bytes: Buffer, served: Served): Promise<void> {
  const req = route.request();
  const base = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'cross-origin-resource-policy': 'same-origin' };
  const range = req.headers()['range'];
  const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (req.method() === 'HEAD' || !m) {
    served.push(`${req.method()} 200`);
    const body = req.method() === 'HEAD' ? Buffer.alloc(0) : bytes;
    await route.fulfill({ status: 200, headers: { ...base, 'content-length': String(bytes.length) }, body });
    return;
  }
  const first = Number(m[1]);
  const last = Math.min(m[2] ? Number(m[2]) : bytes.length - 1, bytes.length - 1);
  if (first >= bytes.length) {
    served.push(`GET 416 ${range}`);
    await route.fulfill({ status: 416, headers: { ...base, 'content-range': `bytes */${bytes.length}` }, body: '' });
    return;
  }
  served.push(`GET 206 ${range}`);
  await route.fulfill({
    status: 206,
    headers: { ...base, 'content-range': `bytes ${first}-${last}/${bytes.length}` },
    body: bytes.subarray(first, last + 1),
  });
}

const frames = async (p: Page) => Number(await p.evaluate(() => (globalThis as unknown as { demo: { frames: number } }).demo.frames));

let page: Page | undefined;
afterEach(async () => {
  await page?.close().catch(() => {});
  page = undefined;
});

describe('the demo with a corrupt levels.db (production build, Chromium)', () => {
  it('the loading screen says levels.db is damaged, with SQLite\'s reason, and stays up; frames keep coming; no other error', async () => {
    const bytes = corrupt();
    const served: Served = [];
    page = await stage.browser.newPage({ viewport: { width: 960, height: 540 } });
    const errors = collectErrors(page);
    await page.route('**/assets/levels.db', (route) => serve(route, bytes, served));
    await page.goto(stage.builtUrl);

    await page.waitForFunction(() => document.getElementById('loading')?.dataset.state === 'failed', null, { timeout: 60_000, polling: 100 });
    expect(await page.textContent('#loading-text')).toBe(LINE);
    expect(await page.isVisible('#loading')).toBe(true);
    const data = await page.evaluate(() => ({ ...document.getElementById('loading')!.dataset }));
    expect(data).toMatchObject({ state: 'failed', step: 'failed', runtime: 'done', reply: 'done', world: 'failed' });
    // SQLite read the file's pages through the route, by range; the header page is intact, the rest is noise.
    expect(served.some((s) => s.startsWith('GET 206 bytes=0-'))).toBe(true);
    expect(served.filter((s) => / 206 /.test(s)).length).toBeGreaterThanOrEqual(2);
    // The game stays in its loading state; the title card never shows.
    expect(await page.evaluate(() => (globalThis as unknown as { demo: { state: string } }).demo.state)).toBe('loading');
    expect(await page.isVisible('#title')).toBe(false);

    // The App goes on: frames keep coming, and the line stays.
    const f0 = await frames(page);
    await page.waitForFunction((f) => (globalThis as unknown as { demo: { frames: number } }).demo.frames > f + 10, f0, { timeout: 15_000 });
    expect(await page.textContent('#loading-text')).toBe(LINE);
    expect(await page.getAttribute('#loading', 'data-state')).toBe('failed');

    // The levels service goes on: it answers, and reading the world again fails the same way.
    const calls = await page.evaluate(async () => {
      const demo = (globalThis as unknown as { demo: { call(s: string, m: string, ...a: unknown[]): Promise<unknown> } }).demo;
      const ping = await demo.call('levels', 'ping', 7);
      const world = await demo.call('levels', 'world', 1).then(() => 'read', (e: Error) => e.message);
      return { ping, world };
    });
    expect(calls.ping).toBe(7);
    expect(calls.world).toMatch(/^\[sqlite\] assets\/levels.db: database disk image is malformed/);

    console.log(`[corrupt levels.db] requests answered: ${served.join(', ')}`);
    // The screen's line, and one console error with the whole reply for developers; nothing else.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^console\.error: \[game\] cannot load world 1: levels\.world\(1\): \[sqlite\] assets\/levels\.db: database disk image is malformed/);
  }, 90_000);
});
