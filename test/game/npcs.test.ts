// director.lua and npc.lua on the world bridge: a headless App shares the game's
// world (game/src/npc-world.ts: Transform, Npc, the Player tag, the NPC prefabs,
// Caught) with a real runtime on 2 worker_threads; each NPC service spawns its
// entity and moves it on the App's clock; guards chase the Player entity and
// emit Caught; pause stops them; outside the Flow's 'playing' (StateChanged) they
// stand idle; a new world's start replaces them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Story } from 'inkjs/full';
import { App, MinimalPlugins, Parent, StatePlugin, Time, Transform, Update, query, setPosition, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskPlugin, LtaskWorldStats } from '@ltask-web/plugin-ltask/engine';
import { Caught, NPC_KINDS, NPC_STATES, Npc, NpcParts, Player, npcWorld } from '../../game/src/npc-world.ts';
import { Flow } from '../../game/src/flow.ts';
import { NATIVES, PUBLIC } from './bridge/helpers.ts';

interface NpcRow { id: number; name: string; kind: string; x: number; z: number; knot: string }
interface WorldRow { id: number; spawn_x: number; spawn_z: number; npcs: NpcRow[] }
interface Talk { id: number; knot: string; name: string; kind: string; story: string }
/** One NPC entity as the App holds it. */
interface Seen { eid: number; id: number; kind: string; state: string; x: number; z: number; ticks: number; gap: number; moving: boolean; epoch: number }

const list = <T,>(v: T[] | Record<string, never> | undefined): T[] => (Array.isArray(v) ? v : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let app: App;
let lt: Ltask;
let player: number;
let timer: ReturnType<typeof setInterval>;
const caught: { id: number; epoch: number }[] = [];
const logs: string[] = [];

beforeAll(async () => {
  app = new App().addPlugins(
    MinimalPlugins,
    new LtaskPlugin({
      workers: 2,
      servicePath: 'game/service/?.lua',
      natives: NATIVES,
      io: { backend: 'fs', root: PUBLIC },
      onLog: (e) => void logs.push(`[${e.level}] ${e.label}:${e.source} ${e.text}`),
      world: npcWorld,
    }),
    // The game's flow, as the page has it (npcWorld forwards its StateChanged events); here it starts in 'playing'.
    new StatePlugin(Flow, 'playing'),
  );
  app.addEvent(Caught);
  app.addSystems(Update, function readCaught({ read }: SystemContext) {
    caught.push(...read(Caught));
  });
  await app.ready();
  player = spawn(app.world, transform({ position: [0, 0.55, 0] }), Player);
  // Frames on a timer, ~60 a second of real time, each 1/60 s of game time.
  timer = setInterval(() => app.update(1 / 60), 16);
  lt = app.resource(Ltask);
  await lt.whenReady();
}, 30_000);
afterEach(() => {
  expect(logs.filter((l) => l.startsWith('[error]'))).toEqual([]);
});
afterAll(async () => {
  clearInterval(timer);
  app?.exit();
  await lt?.stop();
});

/** The NPC entities of world load `epoch`, in id order. */
function npcs(epoch: number): Seen[] {
  const out: Seen[] = [];
  for (const e of query(app.world, [Npc])) {
    if (Npc.epoch[e] !== epoch) continue;
    out.push({
      eid: e, id: Npc.id[e]!, kind: NPC_KINDS[Npc.kind[e]!]!, state: NPC_STATES[Npc.state[e]!]!, x: Transform.px[e]!, z: Transform.pz[e]!,
      ticks: Npc.ticks[e]!, gap: Npc.gap[e]!, moving: Npc.moving[e] !== 0, epoch: Npc.epoch[e]!,
    });
  }
  return out.sort((a, b) => a.id - b.id);
}
/** Waits until `ok(npcs(epoch))` holds. */
async function until(epoch: number, ok: (n: Seen[]) => boolean, ms = 3000): Promise<Seen[]> {
  const t0 = Date.now();
  for (;;) {
    const n = npcs(epoch);
    if (ok(n)) return n;
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${JSON.stringify(n)}`);
    await sleep(20);
  }
}
const movePlayer = (x: number, z: number) => setPosition(player, x, 0.55, z);
const world = async (id: number) => (await lt.call('levels', 'world', id)) as WorldRow;
const live = async () => (await lt.runtime.inspect()).filter((s) => s.label.startsWith('npc '));

describe('director.lua and npc.lua on the world bridge', () => {
  let w1: WorldRow;
  beforeAll(async () => {
    w1 = await world(1);
    movePlayer(w1.spawn_x, w1.spawn_z);
  });

  it('start(1, epoch) spawns one npc service per row on worker 1; each spawns its entity (body, visor, shadow) and moves it every frame', async () => {
    const r = (await lt.call('director', 'start', 1, 7)) as { world: WorldRow; npcs: number };
    const rows = list(w1.npcs);
    expect(r.npcs).toBe(rows.length);
    const services = await live();
    expect(services).toHaveLength(rows.length);
    expect(services.every((s) => s.worker === 1)).toBe(true);

    const t0 = performance.now();
    const seen = await until(7, (n) => n.length === rows.length && n.every((x) => x.ticks >= 30));
    const secs = (performance.now() - t0) / 1000;
    expect(seen.map((n) => n.id)).toEqual(rows.map((n) => n.id));
    for (const n of seen) {
      const row = rows.find((x) => x.id === n.id)!;
      expect(n.kind).toBe(row.kind);
      expect(NPC_STATES).toContain(n.state);
      expect(n.gap, `${row.name}: ms between its last two ticks`).toBeGreaterThan(0);
      expect(n.gap).toBeLessThan(1000);
      expect(Math.hypot(n.x - row.x, n.z - row.z), `${row.name} moved`).toBeGreaterThan(0.2);
      // Its parts are children of its root: a body (with a visor, but for critters) and a shadow.
      const body = NpcParts.body[n.eid]!;
      expect(Parent.eid[body]).toBe(n.eid);
      expect(Parent.eid[NpcParts.shadow[n.eid]!]).toBe(n.eid);
      if (n.kind === 'critter') expect(NpcParts.visor[n.eid]).toBe(-1);
      else expect(Parent.eid[NpcParts.visor[n.eid]!]).toBe(body);
    }
    // About one tick per frame (frames come every ~16 ms here).
    console.log(`[npcs] ${rows.length} NPCs: ${seen[0]!.ticks} ticks each in ${secs.toFixed(1)} s; last gaps ${seen.map((n) => n.gap.toFixed(0)).join(', ')} ms`);
    const stats = app.resource(LtaskWorldStats);
    expect(stats.stale).toBe(0);
    expect(caught).toEqual([]);
  });

  it('a guard chases the Player entity placed near it, emits Caught once per 3 s, and gives up when the player gets away', async () => {
    const guard = npcs(7).find((n) => n.kind === 'guard')!;
    caught.length = 0;
    movePlayer(guard.x + 0.5, guard.z);
    await until(7, (n) => n.find((x) => x.id === guard.id)!.state === 'chase' && caught.length > 0);
    await sleep(1000);
    expect(caught).toEqual([{ id: guard.id, epoch: 7 }]); // once per 3 s at most
    // Back at spawn, far away: the guard walks back to its patrol.
    movePlayer(w1.spawn_x, w1.spawn_z);
    await until(7, (n) => n.find((x) => x.id === guard.id)!.state === 'patrol');
  });

  it('a critter flees a player who comes close', async () => {
    const critter = npcs(7).find((n) => n.kind === 'critter')!;
    movePlayer(critter.x + 2, critter.z);
    await until(7, (n) => n.find((x) => x.id === critter.id)!.state === 'flee');
    movePlayer(w1.spawn_x, w1.spawn_z);
    await until(7, (n) => n.find((x) => x.id === critter.id)!.state !== 'flee');
  });

  it('paused game time stops the NPCs (no ticks, no steps); they go on when it runs again', async () => {
    const time = app.resource(Time);
    time.paused = true;
    await sleep(200); // ticks of frames published before the pause are applied
    const before = npcs(7);
    await sleep(500);
    const during = npcs(7);
    time.paused = false;
    expect(during.map((n) => [n.ticks, n.x, n.z])).toEqual(before.map((n) => [n.ticks, n.x, n.z]));
    await until(7, (n) => n.every((x, i) => x.ticks > during[i]!.ticks));
  });

  it('outside the Flow\'s "playing" (StateChanged) NPCs stand idle and still (ticking on), no chase, no Caught; back in "playing" they move and catch again', async () => {
    const flow = app.resource(Flow);
    const guard = npcs(7).find((n) => n.kind === 'guard')!;
    flow.set('won');
    // Every NPC heard it: idle and still in its Npc component, ticking on (game time runs).
    const still = await until(7, (n) => n.every((x) => x.state === 'idle' && !x.moving), 10_000);
    caught.length = 0;
    movePlayer(guard.x + 0.5, guard.z); // within the guard's reach: it would chase and catch
    const later = await until(7, (n) => n.every((x, i) => x.ticks >= still[i]!.ticks + 30), 15_000);
    expect(later.map((n) => [n.state, n.x, n.z, n.moving])).toEqual(still.map((n) => ['idle', n.x, n.z, false]));
    expect(caught).toEqual([]);

    // Playing again: the guard chases and catches; with the player gone, every NPC walks on.
    flow.set('playing');
    await until(7, (n) => n.find((x) => x.id === guard.id)!.state === 'chase' && caught.length > 0, 15_000);
    expect(caught.every((c) => c.id === guard.id && c.epoch === 7)).toBe(true);
    movePlayer(w1.spawn_x, w1.spawn_z);
    await until(7, (n) => n.every((x, i) => Math.hypot(x.x - later[i]!.x, x.z - later[i]!.z) > 0.1), 15_000);
    await until(7, (n) => n.find((x) => x.id === guard.id)!.state === 'patrol', 15_000);
  }, 60_000);

  it('NPC entities outlive the bridge\'s reclaim of unused reserve ids (600 frames): their ids stay live, writes keep landing', async () => {
    const before = npcs(7);
    const f0 = app.frame;
    // 700 frames in quick bursts (the timer's frames go on too).
    while (app.frame - f0 < 700) {
      for (let k = 0; k < 20; k++) app.update(1 / 60);
      await sleep(5);
    }
    await sleep(300);
    const after = npcs(7);
    expect(after.map((n) => n.eid)).toEqual(before.map((n) => n.eid));
    after.forEach((n, i) => expect(n.ticks, `NPC ${n.id} ticks`).toBeGreaterThan(before[i]!.ticks));
    expect(app.resource(LtaskWorldStats).stale).toBe(0);
  });

  it('talk(id): the NPC stands still ("talk" in its Npc component); its knot and the story (compiled on the first talk, then cached) come back; the knot runs', async () => {
    const villager = list(w1.npcs).find((n) => n.kind === 'villager')!;
    await lt.call('io', 'resetStats');
    const t = (await lt.call('director', 'talk', villager.id)) as Talk;
    expect(t).toMatchObject({ id: villager.id, knot: villager.knot, name: villager.name, kind: 'villager' });
    expect(((await lt.call('io', 'stats')) as { reads: number }).reads).toBe(3); // main.ink and its two INCLUDEs
    await until(7, (n) => n.find((x) => x.id === villager.id)!.state === 'talk');

    const story = new Story(t.story);
    story.ChoosePathString(t.knot);
    expect(story.ContinueMaximally()).toContain(villager.name);
    expect(story.currentChoices.map((c) => c.text)).toEqual(['Seen any coins?', 'Where is the way out?']);
    story.ChooseChoiceIndex(1);
    expect(story.ContinueMaximally()).toMatch(/The gate is to the north-east/);
    expect(story.canContinue).toBe(false);
    // The tavern intro is still the story's start.
    expect(new Story(t.story).ContinueMaximally()).toContain('Mara waves you in');

    // Compiled once: the next talk reads nothing.
    await lt.call('io', 'resetStats');
    const guard = list(w1.npcs).find((n) => n.kind === 'guard')!;
    const again = (await lt.call('director', 'talk', guard.id)) as Talk;
    expect(again.knot).toBe(guard.knot);
    expect(again.story).toBe(t.story);
    expect(((await lt.call('io', 'stats')) as { reads: number }).reads).toBe(0);
    expect((await lt.call('director', 'talk', 99)) ?? null).toBeNull();

    // Every NPC of every world has its knot in the story.
    for (let id = 1; id <= 5; id++) {
      for (const n of list((await world(id)).npcs)) {
        const s = new Story(t.story);
        expect(() => s.ChoosePathString(n.knot), n.knot).not.toThrow();
        expect(s.ContinueMaximally().length, n.knot).toBeGreaterThan(10);
        expect(s.currentChoices.length, n.knot).toBeGreaterThanOrEqual(1);
        expect(s.currentChoices.length, n.knot).toBeLessThanOrEqual(2);
      }
    }
  });

  it('start(2, epoch) replaces world 1\'s NPCs and their entities; stop() quits them and the runtime keeps running', async () => {
    const r = (await lt.call('director', 'start', 2, 8)) as { npcs: number };
    const w2 = await world(2);
    expect(r.npcs).toBe(list(w2.npcs).length);
    await until(8, (n) => n.length === r.npcs && n.every((x) => x.ticks > 0));
    await until(7, (n) => n.length === 0); // each old NPC despawned its entity on quit
    expect((await live()).length).toBe(r.npcs);

    expect(await lt.call('director', 'stop')).toBe(r.npcs);
    await until(8, (n) => n.length === 0);
    for (let i = 0; i < 40 && (await live()).length > 0; i++) await sleep(25);
    expect(await live()).toHaveLength(0);
    // Despawns were recursive: no NPC part (the only entities with a Parent here) is left.
    expect(query(app.world, [Parent])).toHaveLength(0);
    expect(await lt.call('levels', 'ping', 'still here')).toBe('still here');
    expect((await lt.runtime.inspect()).some((x) => x.label === 'npc-keeper')).toBe(true);
    expect(app.resource(LtaskWorldStats).stale).toBe(0);
  });
});
