// End to end: the demo game at ?latency=300 in Chromium, driven through `window.demo`.
// The world streams in chunks and NPC services tick while a loader waits in a native
// call (suspended) and frames keep coming; a villager talks (ink); coins, a guard, the
// gate and the next world; the blocking loader modes freeze the frame (main) or the
// NPCs (worker), as they should.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectErrors } from '../support/browsers/errors.ts';
import { useStage } from '../support/stage.ts';

const stage = useStage({ dev: true });
let page: Page;
let url: string;
let errors: string[] = [];

beforeAll(async () => {
  url = stage.devUrl;
  page = await stage.browser.newPage({ viewport: { width: 960, height: 540 } });
  errors = collectErrors(page); // uncaught errors and console errors (the runtime logs service errors there)
  page.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text())));
  page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`)));
}, 60_000);

afterAll(async () => {
  await page?.close().catch(() => {});
});

/** What the tests read of `window.demo` (see docs/demo.md). */
interface Demo {
  frames: number;
  player: { x: number; y: number; z: number };
  score: number;
  coins: { got: number; total: number };
  world: { id: number; name: string; par: number; spawn: { x: number; z: number }; exit: { x: number; z: number }; open: boolean; chunks: { x: number; z: number } };
  state: string;
  blocking: 'off' | 'main' | 'worker';
  dialogue: { open: boolean; pending: boolean; name: string; lines: string[]; choices: string[]; ended: boolean; error: string };
  services(): Promise<{ label: string; worker: number; state: string }[]>;
  assets(): { path: string; state: string }[];
  call(service: string, method: string, ...args: unknown[]): Promise<unknown>;
  npcs(): { npcs: { id: number; name: string; kind: string; x: number; z: number; state: string; ticks: number; gap: number }[]; ticks: number; caught: number };
  chunks(): { loaded: string[]; inflight: string[]; log: { key: string; mode: string; ms: number; reads: number; ok: boolean }[] };
  coinList(): { key: string; x: number; z: number }[];
  setLatency(ms: number): Promise<unknown>;
  start(): Promise<string>;
  teleport(x: number, z: number): void;
  overlay(open?: boolean): boolean;
  reloadChunks(): void;
  perf(since?: number): { frame: { frames: number; p50: number; p99: number; max: number }; npc: { gapMax: number; ticksPerS: number } };
}
declare const demo: Demo;
const frames = (p: Page) => p.evaluate(() => demo.frames);

describe('the demo game at 300 ms io latency', () => {
  it('loads world 1 behind the loading screen: NPC services on worker 1, the packed crate, chunks', async () => {
    await page.goto(`${url}?latency=300`);
    await page.waitForFunction(() => (globalThis as { demo?: Demo }).demo?.state === 'title', null, { timeout: 60_000, polling: 100 });
    const s = await page.evaluate(async () => ({ world: demo.world, assets: demo.assets(), chunks: demo.chunks().loaded, services: await demo.services() }));
    expect(s.world.id).toBe(1);
    expect(s.assets[0]!.state).toBe('loaded');
    expect(s.chunks.length).toBeGreaterThanOrEqual(4);
    const labels = s.services.map((r) => r.label);
    for (const name of ['levels', 'director', 'packer', 'io']) expect(labels).toContain(name);
    const npcs = s.services.filter((r) => r.label.startsWith('npc '));
    expect(npcs.length).toBeGreaterThanOrEqual(1);
    expect(npcs.every((r) => r.worker === 1)).toBe(true);
    // Their entities (Npc components) list the world's NPCs; they tick (once per frame each).
    await page.waitForFunction(() => demo.npcs().npcs.length > 0 && demo.npcs().ticks > 0, null, { timeout: 10_000 });
  }, 90_000);

  it('plays: keys move the player; coins score; the HUD follows', async () => {
    await page.evaluate(() => demo.start());
    expect(await page.evaluate(() => demo.state)).toBe('playing');
    const p0 = await page.evaluate(() => demo.player);
    await page.keyboard.down('KeyD');
    await page.waitForTimeout(500);
    await page.keyboard.up('KeyD');
    const p1 = await page.evaluate(() => demo.player);
    expect(p1.x).toBeGreaterThan(p0.x + 0.3);
    // Walk onto a coin (on a loaded chunk): +100.
    const coin = (await page.evaluate(() => demo.coinList()))[0]!;
    expect(coin).toBeDefined();
    await page.evaluate((c) => demo.teleport(c.x, c.z), coin);
    await page.waitForFunction(() => demo.coins.got === 1, null, { timeout: 5_000 });
    expect(await page.evaluate(() => demo.score)).toBe(100);
    expect(await page.evaluate((key) => demo.coinList().some((c) => c.key === key), coin.key)).toBe(false);
    await page.waitForFunction(() => document.getElementById('hud-score')!.textContent === '100', null, { timeout: 5_000 });
  }, 30_000);

  it('a loader waits suspended in its native call while frames keep coming and its service still answers', async () => {
    await page.evaluate(() => demo.overlay(true));
    // World 5's chunks are not in SQLite's page cache yet: each page is an io read of 300 ms.
    const t0 = Date.now();
    const f0 = await frames(page);
    const load = page.evaluate(() => demo.call('levels', 'grid', 5).then((g) => (g as { w: number }).w));
    const handle = await page.waitForFunction(() => {
      const row = document.querySelector('#services tr[data-label="levels"][data-state="suspended"]');
      const detail = row?.querySelector('td.detail')?.textContent ?? '';
      return /callback waits .*"read"/.test(detail) ? detail : null;
    }, null, { timeout: 15_000, polling: 50 });
    expect(await handle.jsonValue()).toMatch(/^native sqlite\.query on carrier/);
    // The suspended service itself answers at once (its VM is free while the native call waits).
    const ping = await page.evaluate(async () => {
      const t = performance.now();
      const v = await demo.call('levels', 'ping', 'pong');
      return { v, ms: performance.now() - t };
    });
    expect(ping).toMatchObject({ v: 'pong' });
    expect(ping.ms).toBeLessThan(250); // less than one io read: it did not queue behind the query
    expect(await load).toBe(6 * 16);
    const f1 = await frames(page);
    console.log(`[play] levels.grid(5) at 300 ms/read: ${Date.now() - t0} ms, ${f1 - f0} frames meanwhile`);
    expect(f1 - f0).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('a villager talks: E within 2 tiles, the ink story from its knot, numbered choices as buttons', async () => {
    const villager = await page.evaluate(() => demo.npcs().npcs.find((n) => n.kind === 'villager')!);
    expect(villager).toBeDefined();
    await page.evaluate((v) => demo.teleport(v.x + 1, v.z), villager);
    await page.waitForTimeout(300);
    await page.keyboard.press('KeyE');
    await page.waitForFunction(() => demo.dialogue.open && !demo.dialogue.pending, null, { timeout: 20_000 });
    const d = await page.evaluate(() => demo.dialogue);
    expect(d.error).toBe('');
    expect(d.lines.length).toBeGreaterThan(0);
    expect(d.choices.length).toBeGreaterThan(0);
    expect(await page.isVisible('#dialogue')).toBe(true);
    expect(await page.textContent('#dialogue-text')).toContain(d.lines[0]!);
    // The choices are UI buttons, in order: a click on the first takes it, as the key 1 does.
    expect(await page.$$eval('#choices button', (b) => b.map((x) => x.textContent))).toEqual(d.choices.map((c, i) => `${i + 1}. ${c}`));
    await page.click('[data-ui="choice-0"]');
    await page.waitForFunction((first) => demo.dialogue.lines[0] !== first, d.lines[0], { timeout: 5_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !demo.dialogue.open, null, { timeout: 5_000 });
    expect(await page.isHidden('#dialogue')).toBe(true);
  }, 40_000);

  it('a guard that catches you sends you back to the spawn, -50', async () => {
    const guard = await page.evaluate(() => demo.npcs().npcs.find((n) => n.kind === 'guard')!);
    const before = await page.evaluate(() => demo.score);
    await page.evaluate((g) => demo.teleport(g.x, g.z), guard);
    await page.waitForFunction((s) => demo.score === s - 50, before, { timeout: 10_000 });
    const p = await page.evaluate(() => ({ p: demo.player, spawn: demo.world.spawn }));
    expect(Math.hypot(p.p.x - p.spawn.x, p.p.z - p.spawn.z)).toBeLessThan(2);
  }, 20_000);

  it('blocking loaders: on the main thread a chunk freezes the frame; on the NPC worker the NPCs stop ticking', async () => {
    const latency = 300;
    // A load that read pages (the blocking service shares the sqlite carrier with levels: its
    // first query may find levels' connection open and read nothing).
    const waitLoad = (mode: string) =>
      page.waitForFunction((m) => demo.chunks().log.some((l) => l.mode === m && l.ok && l.reads > 0), mode, { timeout: 60_000, polling: 100 });

    // The B key cycles off -> main -> worker; the hint line says which.
    let since = await page.evaluate(() => performance.now());
    await page.keyboard.press('KeyB');
    await page.waitForFunction(() => demo.blocking === 'main' && document.getElementById('hint-mode')!.dataset.mode === 'main', null, { timeout: 5_000 });
    // Drop the chunks: they stream in again, now read on the main thread.
    await page.evaluate(() => demo.reloadChunks());
    await waitLoad('main');
    const main = await page.evaluate((t) => ({ perf: demo.perf(t), load: demo.chunks().log.find((l) => l.mode === 'main' && l.reads > 0)! }), since);
    console.log(`[play] main thread: chunk ${main.load.key} in ${main.load.ms.toFixed(0)} ms, ${main.load.reads} reads; frame max ${main.perf.frame.max.toFixed(0)} ms`);
    expect(main.load.reads).toBeGreaterThanOrEqual(1);
    // Every page read busy-waits the io latency on the main thread: one frame lasts at least that long.
    expect(main.perf.frame.max).toBeGreaterThanOrEqual(latency);

    since = await page.evaluate(() => performance.now());
    await page.keyboard.press('KeyB');
    await page.waitForFunction(() => demo.blocking === 'worker', null, { timeout: 5_000 });
    await page.evaluate(() => demo.reloadChunks());
    await waitLoad('worker');
    // The first tick after the load writes the gap into each NPC's Npc component.
    await page.waitForTimeout(500);
    const worker = await page.evaluate((t) => ({ perf: demo.perf(t), load: demo.chunks().log.find((l) => l.mode === 'worker' && l.reads > 0)! }), since);
    console.log(`[play] NPC worker: chunk ${worker.load.key} in ${worker.load.ms.toFixed(0)} ms; NPC tick gap max ${worker.perf.npc.gapMax.toFixed(0)} ms`);
    // blocking.chunk spins the latency on the NPCs' worker before each read: no NPC ticks meanwhile.
    expect(worker.perf.npc.gapMax).toBeGreaterThanOrEqual(latency * 0.9);

    await page.evaluate(() => (demo.blocking = 'off'));
    expect(await page.evaluate(() => demo.blocking)).toBe('off');
    // Let the naive loads still under way finish (they hold the sqlite carrier).
    await page.waitForFunction(() => demo.chunks().inflight.length === 0, null, { timeout: 60_000, polling: 200 });
  }, 120_000);

  it('all coins open the gate; reaching it wins; N loads the next world', async () => {
    await page.evaluate(() => demo.setLatency(0));
    const coins = await page.evaluate(async () => {
      const w = demo.world;
      const out: { x: number; z: number }[] = [];
      for (let cz = 0; cz < w.chunks.z; cz++) {
        for (let cx = 0; cx < w.chunks.x; cx++) {
          const c = (await demo.call('levels', 'chunk', w.id, cx, cz)) as { props: string } | null;
          if (c) for (const p of JSON.parse(c.props) as { kind: string; x: number; z: number }[]) if (p.kind === 'coin') out.push(p);
        }
      }
      return out;
    });
    const total = await page.evaluate(() => demo.coins.total);
    expect(coins.length).toBe(total);
    for (const c of coins) {
      await page.evaluate((p) => demo.teleport(p.x, p.z), c);
      // Taken once its chunk is in (a coin taken earlier never comes back).
      await page.waitForFunction((p) => demo.chunks().loaded.includes(`${Math.floor(p.x / 16)},${Math.floor(p.z / 16)}`) && !demo.coinList().some((k) => Math.hypot(k.x - p.x, k.z - p.z) < 0.01), c, { timeout: 15_000 });
    }
    await page.waitForFunction(() => demo.coins.got === demo.coins.total, null, { timeout: 5_000 });
    expect(await page.evaluate(() => demo.world.open)).toBe(true);
    const exit = await page.evaluate(() => demo.world.exit);
    await page.evaluate((e) => demo.teleport(e.x, e.z), exit);
    await page.waitForFunction(() => demo.state === 'won', null, { timeout: 10_000 });
    expect(await page.isVisible('#won')).toBe(true);
    expect(await page.textContent('#won')).toContain('cleared');
    mkdirSync('test/game/__screenshots__', { recursive: true });
    await page.screenshot({ path: 'test/game/__screenshots__/demo-won.png' });
    await page.keyboard.press('KeyN');
    await page.waitForFunction(() => demo.state === 'title' && demo.world.id === 2, null, { timeout: 30_000 });
    expect(await page.textContent('#title-name')).toBe(await page.evaluate(() => demo.world.name));
    await page.evaluate(() => demo.start());
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'test/game/__screenshots__/demo-world2.png' });
    expect(errors).toEqual([]);
  }, 120_000);
});
