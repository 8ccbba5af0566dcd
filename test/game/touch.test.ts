// End to end: the demo played on a touch screen in Chromium (a context with touch and no
// mouse or keys): a tap on the title card's start button starts play, a tap on the ground
// walks the player there, the talk button (shown near a villager) opens the dialogue, and a
// tap on a choice takes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { collectErrors } from '../support/browsers/errors.ts';
import { useStage } from '../support/stage.ts';

const stage = useStage({ dev: true });
let context: BrowserContext;
let page: Page;
let errors: string[] = [];

/** What the test reads of `window.demo` (see docs/demo.md). */
interface Demo {
  state: string;
  player: { x: number; y: number; z: number };
  world: { spawn: { x: number; z: number } };
  dialogue: { open: boolean; pending: boolean; lines: string[]; choices: string[] };
  npcs(): { npcs: Array<{ kind: string; x: number; z: number }> };
  teleport(x: number, z: number): void;
}
declare const demo: Demo;

beforeAll(async () => {
  context = await stage.browser.newContext({ viewport: { width: 960, height: 540 }, hasTouch: true, isMobile: true });
  page = await context.newPage();
  errors = collectErrors(page); // uncaught errors and console errors (the runtime logs service errors there)
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => {});
});

describe('the demo on a touch screen', () => {
  it('a tap on start plays; a tap on the ground walks there; the talk button talks; a tap on a choice takes it', async () => {
    await page.goto(stage.devUrl);
    await page.waitForFunction(() => (globalThis as { demo?: Demo }).demo?.state === 'title', null, { timeout: 60_000, polling: 100 });
    await page.tap('[data-ui="start"]');
    await page.waitForFunction(() => demo.state === 'playing', null, { timeout: 5_000 });
    expect(await page.$('#title')).toBeNull();

    // The camera looks at the player from behind (+z): a tap high on the screen is farther away (-z).
    const s = await page.evaluate(() => demo.world.spawn);
    await page.evaluate((p) => demo.teleport(p.x, p.z), s);
    await page.waitForTimeout(200);
    const p0 = await page.evaluate(() => demo.player);
    await page.tap('#view', { position: { x: 480, y: 120 } });
    await page.waitForFunction((z) => demo.player.z < z - 0.5, p0.z, { timeout: 5_000 });

    // A villager's dialogue: its choices are buttons a finger can take.
    const v = await page.evaluate(() => demo.npcs().npcs.find((n) => n.kind === 'villager')!);
    await page.evaluate((n) => demo.teleport(n.x + 1, n.z), v);
    await page.waitForTimeout(300);
    await page.waitForSelector('[data-ui="talk"]', { state: 'visible', timeout: 5_000 });
    await page.tap('[data-ui="talk"]');
    await page.waitForFunction(() => demo.dialogue.open && !demo.dialogue.pending && demo.dialogue.choices.length > 0, null, { timeout: 20_000 });
    const first = await page.evaluate(() => demo.dialogue.lines[0]);
    await page.tap('[data-ui="choice-0"]');
    await page.waitForFunction((l) => demo.dialogue.lines[0] !== l, first, { timeout: 5_000 });
    expect(errors).toEqual([]);
  }, 90_000);
});
