// End to end: the demo played with a gamepad in Chromium. `navigator.getGamepads` is replaced
// before the page's scripts run with one standard pad whose axes and buttons the test sets
// through `window.pad`; the engine reads it every frame, the `Controls` actions map it (left
// stick and d-pad: move, A: start / talk), and the player moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectErrors } from '../support/browsers/errors.ts';
import { useStage } from '../support/stage.ts';

const stage = useStage({ dev: true });
let page: Page;
let errors: string[] = [];

/** What the test reads of `window.demo` (see docs/demo.md). */
interface Demo {
  state: string;
  player: { x: number; y: number; z: number };
  world: { spawn: { x: number; z: number } };
  sounds: { played: string[]; volumes: { sfx: number; music: number } };
  dialogue: { open: boolean; pending: boolean; lines: string[]; choices: string[] };
  npcs(): { npcs: Array<{ kind: string; x: number; z: number }> };
  teleport(x: number, z: number): void;
}
/** The pad the page sees: the test writes its axes and buttons. */
interface Pad {
  axes: number[];
  buttons: number[];
}
declare const demo: Demo;
declare const pad: Pad;

beforeAll(async () => {
  page = await stage.browser.newPage({ viewport: { width: 960, height: 540 } });
  errors = collectErrors(page); // uncaught errors and console errors (the runtime logs service errors there)
  await page.addInitScript(() => {
    const state = { axes: [0, 0, 0, 0], buttons: new Array<number>(17).fill(0) };
    (globalThis as { pad?: Pad }).pad = state;
    Navigator.prototype.getGamepads = function getGamepads() {
      const g = {
        index: 0, id: 'test pad', connected: true, mapping: 'standard', timestamp: performance.now(),
        axes: [...state.axes],
        buttons: state.buttons.map((v) => ({ pressed: v > 0.5, touched: v > 0, value: v })),
      };
      return [g as unknown as Gamepad, null, null, null];
    };
  });
}, 60_000);

afterAll(async () => {
  await page?.close().catch(() => {});
});

const press = async (button: number) => {
  await page.evaluate((b) => (pad.buttons[b] = 1), button);
  await page.waitForTimeout(150);
  await page.evaluate((b) => (pad.buttons[b] = 0), button);
};

/** Holds the left stick at (x, y) for `ms`; returns how far the player went. */
async function hold(x: number, y: number, ms: number): Promise<{ dx: number; dz: number }> {
  const p0 = await page.evaluate(() => demo.player);
  await page.evaluate(([ax, ay]) => ((pad.axes[0] = ax!), (pad.axes[1] = ay!)), [x, y]);
  await page.waitForTimeout(ms);
  await page.evaluate(() => ((pad.axes[0] = 0), (pad.axes[1] = 0)));
  const p1 = await page.evaluate(() => demo.player);
  return { dx: p1.x - p0.x, dz: p1.z - p0.z };
}

describe('the demo with a gamepad', () => {
  it('the pad\'s A button starts play from the title card; the left stick and the d-pad move the player', async () => {
    await page.goto(stage.devUrl);
    await page.waitForFunction(() => (globalThis as { demo?: Demo }).demo?.state === 'title', null, { timeout: 60_000, polling: 100 });
    await press(0);
    await page.waitForFunction(() => demo.state === 'playing', null, { timeout: 5_000 });
    expect(await page.isVisible('#title')).toBe(false);
    const s = await page.evaluate(() => demo.world.spawn);
    await page.evaluate((p) => demo.teleport(p.x, p.z), s);
    // Stick right: +x; a stick inside the dead zone does nothing.
    const right = await hold(1, 0, 500);
    expect(right.dx).toBeGreaterThan(0.3);
    const still = await hold(0.1, 0.05, 300);
    expect(Math.hypot(still.dx, still.dz)).toBeLessThan(1e-6);
    // Stick up (the Gamepad API's y is negative upwards): away from the camera, -z.
    await page.evaluate((p) => demo.teleport(p.x, p.z), s);
    const up = await hold(0, -1, 500);
    expect(up.dz).toBeLessThan(-0.3);
    // D-pad right (button 15): +x, as the stick.
    await page.evaluate((p) => demo.teleport(p.x, p.z), s);
    const p0 = await page.evaluate(() => demo.player);
    await page.evaluate(() => (pad.buttons[15] = 1));
    await page.waitForTimeout(500);
    await page.evaluate(() => (pad.buttons[15] = 0));
    const p1 = await page.evaluate(() => demo.player);
    expect(p1.x).toBeGreaterThan(p0.x + 0.3);
    const sounds = await page.evaluate(() => demo.sounds);
    expect(sounds.volumes).toEqual({ sfx: 0.5, music: 0.12 });
    expect(errors).toEqual([]);
  }, 90_000);

  it('talks with the pad: A opens a villager\'s dialogue, A takes the focused choice, the d-pad moves the focus, B leaves', async () => {
    const v = await page.evaluate(() => demo.npcs().npcs.find((n) => n.kind === 'villager')!);
    await page.evaluate((n) => demo.teleport(n.x + 1, n.z), v);
    await page.waitForTimeout(300);
    await press(0);
    await page.waitForFunction(() => demo.dialogue.open && !demo.dialogue.pending && demo.dialogue.choices.length > 0, null, { timeout: 20_000 });
    // The first choice has the focus; a press of A takes it.
    const focused = (name: string) => page.waitForFunction((n) => document.activeElement?.getAttribute('data-ui') === n, name, { timeout: 2_000 });
    await focused('choice-0');
    const first = await page.evaluate(() => demo.dialogue.lines[0]);
    await press(0);
    await page.waitForFunction((l) => demo.dialogue.lines[0] !== l, first, { timeout: 5_000 });
    const n = await page.evaluate(() => demo.dialogue.choices.length);
    if (n > 1) {
      await press(13); // d-pad down: the next choice
      await focused('choice-1');
    }
    await press(1);
    await page.waitForFunction(() => !demo.dialogue.open, null, { timeout: 5_000 });
    expect(await page.isHidden('#dialogue')).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
