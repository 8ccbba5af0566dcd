// The game's services on a real runtime (2 worker_threads) with the sqlite and ink
// natives and io over public/: levels (worlds, chunks), the director and its NPCs,
// and the generated worlds themselves (every coin and the exit reachable).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Story } from 'inkjs/full';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { asBytes } from '@ltask-web/plugin-ltask/native';

const SERVICE_DIR = new URL('../../game/service/', import.meta.url);
const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
const NATIVES = {
  sqlite: new URL('../../game/natives/sqlite.ts', import.meta.url).href,
  ink: new URL('../../game/natives/ink.ts', import.meta.url).href,
};

/** game/service/*.lua as the runtime's sources (as the page bundles them). */
const SOURCES = Object.fromEntries(
  readdirSync(SERVICE_DIR).filter((f) => f.endsWith('.lua')).map((f) => [`service/${f}`, readFileSync(new URL(f, SERVICE_DIR), 'utf8')]),
);

interface Stats { reads: number; bytesRead: number; pagesRead: number; pageSize: number; fileSize: number; queries: number; ms: number }
interface NpcRow { world: number; id: number; name: string; kind: string; x: number; z: number; patrol: string; knot: string }
interface WorldRow {
  id: number; name: string; par_time: number; chunks_x: number; chunks_z: number; spawn_x: number; spawn_z: number;
  exit_x: number; exit_z: number; coins: number; palette: string; intro: string; npcs: NpcRow[];
}
interface ChunkRow { world: number; cx: number; cz: number; tiles: unknown; props: string }
interface Prop { kind: string; x: number; z: number }
interface NpcView { id: number; name: string; kind: string; x: number; z: number; state: string; ticks: number }
interface Snapshot { world: number; npcs: NpcView[]; ticks: number; gap_max_ms: number; gap_p99_ms: number; caught: number }
interface Talk { id: number; knot: string; name: string; kind: string; story: string }

const KINDS = ['coin', 'crate', 'lantern', 'tree', 'rock'];
const STATES = ['patrol', 'chase', 'flee', 'talk', 'idle'];
/** A Lua empty table arrives as {}: lists either way. */
const list = <T,>(v: T[] | Record<string, never> | undefined): T[] => (Array.isArray(v) ? v : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let rt: Runtime;
let levels: number;
let director: number;
let io: number;
const logs: string[] = [];

beforeAll(async () => {
  rt = await startRuntime({
    workers: 2,
    sources: SOURCES,
    natives: NATIVES,
    io: { backend: 'fs', root: PUBLIC },
    onLog: (e) => void logs.push(`[${e.level}] ${e.label}:${e.source} ${e.text}`),
  });
  levels = await rt.uniqueService('levels');
  director = await rt.uniqueService('director');
  io = await rt.queryService('io');
});
afterEach(() => {
  expect(rt.serialViolations).toBe(0);
  expect(logs.filter((l) => l.startsWith('[error]'))).toEqual([]);
});
afterAll(() => rt?.stop());

const world = async (id: number) => (await rt.callMulti(levels, 'world', id)) as [WorldRow, Stats];
const snapshot = () => rt.call<Snapshot>(director, 'snapshot');
/** Polls the director's snapshot until `ok` holds (or fails after `ms`). */
async function until(ok: (s: Snapshot) => boolean, ms = 2000): Promise<Snapshot> {
  const t0 = Date.now();
  for (;;) {
    const s = await snapshot();
    if (ok(s)) return s;
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${JSON.stringify(s)}`);
    await sleep(50);
  }
}

describe('levels.lua: worlds and chunks', () => {
  it('chunk(1, 0, 0): 256 tiles and the props JSON, from exactly one query reading a few pages', async () => {
    await rt.call(io, 'resetStats');
    const [row, stats] = (await rt.callMulti(levels, 'chunk', 1, 0, 0)) as [ChunkRow, Stats];
    expect(row).toMatchObject({ world: 1, cx: 0, cz: 0 });
    const tiles = asBytes(row.tiles);
    expect(tiles.byteLength).toBe(256);
    expect([...tiles].every((t) => t <= 4)).toBe(true);
    for (let i = 0; i < 16; i++) {
      expect(tiles[i], `tile (${i}, 0) is border`).toBeGreaterThanOrEqual(2);
      expect(tiles[i * 16], `tile (0, ${i}) is border`).toBeGreaterThanOrEqual(2);
    }
    const props = JSON.parse(row.props) as Prop[];
    expect(Array.isArray(props)).toBe(true);
    for (const p of props) {
      expect(KINDS).toContain(p.kind);
      expect(p.x >= 0 && p.x < 16 && p.z >= 0 && p.z < 16, JSON.stringify(p)).toBe(true);
    }
    // One query: its own stats, every read through io, a handful of 4 KiB pages of the file.
    expect(stats.queries).toBe(1);
    expect((await rt.call<{ reads: number }>(io, 'stats')).reads).toBe(stats.reads);
    expect(stats.pageSize).toBe(4096);
    expect(stats.pagesRead).toBeLessThanOrEqual(4); // page 1, the chunks b-tree (root, interior), the leaf
    expect((stats.pagesRead * stats.pageSize) / stats.fileSize).toBeLessThan(0.01);

    // The next chunk on the warm connection: at most its leaf and one interior page.
    const [next, more] = (await rt.callMulti(levels, 'chunk', 1, 1, 0)) as [ChunkRow, Stats];
    expect(next).toMatchObject({ world: 1, cx: 1, cz: 0 });
    expect(more.pagesRead).toBeLessThanOrEqual(2);
    const [none] = await rt.callMulti(levels, 'chunk', 1, 9, 9);
    expect(none ?? null).toBeNull();
  });

  it('worlds() counts 5; world(id) gives the row with palette, intro and its NPCs', async () => {
    expect(await rt.call(levels, 'worlds')).toBe(5);
    const [w1, stats] = await world(1);
    expect(w1).toMatchObject({ id: 1, name: 'Meadow Crossing', chunks_x: 4, chunks_z: 4 });
    expect(stats.queries).toBe(2);
    const names = new Set<string>();
    for (let id = 1; id <= 5; id++) {
      const [w] = await world(id);
      names.add(w.name);
      expect(w.chunks_x).toBeGreaterThanOrEqual(4);
      expect(w.chunks_z).toBeLessThanOrEqual(6);
      expect(w.par_time).toBeGreaterThanOrEqual(60);
      expect(w.par_time).toBeLessThanOrEqual(150);
      expect(w.coins).toBeGreaterThanOrEqual(8);
      const palette = JSON.parse(w.palette) as Record<string, string>;
      expect(Object.keys(palette).sort()).toEqual(['ground', 'hedge', 'path', 'rock', 'sky', 'water']);
      for (const c of Object.values(palette)) expect(c).toMatch(/^#[0-9a-f]{6}$/);
      expect(w.intro).toMatch(/coins/);
      expect(w.intro.length).toBeLessThan(300);
      const npcs = list(w.npcs);
      expect(npcs.length).toBeGreaterThanOrEqual(4);
      expect(npcs.length).toBeLessThanOrEqual(8);
      expect(npcs.map((n) => n.id)).toEqual(npcs.map((_, i) => i + 1));
      for (const n of npcs) {
        expect(['villager', 'guard', 'critter']).toContain(n.kind);
        expect(n.knot).toMatch(new RegExp(`^w${id}_[a-z0-9_]+$`));
        const patrol = JSON.parse(n.patrol) as number[][];
        expect(patrol.length).toBeGreaterThanOrEqual(2);
        expect(patrol[0]).toEqual([n.x, n.z]);
      }
      expect(new Set(npcs.map((n) => n.kind))).toEqual(new Set(['villager', 'guard', 'critter']));
    }
    expect(names.size).toBe(5);
    const [missing] = await world(99);
    expect(missing ?? null).toBeNull();
  });

  it('every world is playable: coins and the exit reachable from spawn over the path network, borders closed, patrols walkable', async () => {
    for (let id = 1; id <= 5; id++) {
      const [w] = await world(id);
      const W = w.chunks_x * 16, H = w.chunks_z * 16;
      const [rows] = (await rt.callMulti(levels, 'query', 'SELECT * FROM chunks WHERE world = ?', [id])) as [ChunkRow[]];
      expect(rows).toHaveLength(w.chunks_x * w.chunks_z);
      const tiles = new Uint8Array(W * H).fill(255);
      const props: Prop[] = [];
      for (const r of rows) {
        const t = asBytes(r.tiles);
        for (let z = 0; z < 16; z++) for (let x = 0; x < 16; x++) tiles[(r.cz * 16 + z) * W + r.cx * 16 + x] = t[z * 16 + x]!;
        for (const p of JSON.parse(r.props) as Prop[]) {
          expect([Math.floor(p.x / 16), Math.floor(p.z / 16)], `${p.kind} in its chunk`).toEqual([r.cx, r.cz]);
          props.push(p);
        }
      }
      expect(tiles.includes(255)).toBe(false);
      const at = (x: number, z: number) => tiles[Math.floor(z) * W + Math.floor(x)]!;
      const walkable = (x: number, z: number) => x >= 0 && z >= 0 && x < W && z < H && at(x, z) <= 1;
      for (let x = 0; x < W; x++) expect(walkable(x, 0) || walkable(x, H - 1), `border at x ${x}`).toBe(false);
      for (let z = 0; z < H; z++) expect(walkable(0, z) || walkable(W - 1, z), `border at z ${z}`).toBe(false);

      const bfs = (ok: (t: number) => boolean) => {
        const seen = new Uint8Array(W * H);
        const q = [Math.floor(w.spawn_z) * W + Math.floor(w.spawn_x)];
        seen[q[0]!] = 1;
        for (let h = 0; h < q.length; h++) {
          const i = q[h]!, x = i % W, z = (i / W) | 0;
          for (const [dx, dz] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
            const nx = x + dx, nz = z + dz, j = nz * W + nx;
            if (nx >= 0 && nz >= 0 && nx < W && nz < H && !seen[j] && ok(tiles[j]!)) seen[j] = 1, q.push(j);
          }
        }
        return (x: number, z: number) => seen[Math.floor(z) * W + Math.floor(x)] === 1;
      };
      const byPath = bfs((t) => t === 1);
      const onFoot = bfs((t) => t <= 1);
      expect(at(w.spawn_x, w.spawn_z)).toBe(1);
      expect(byPath(w.exit_x, w.exit_z), `world ${id}: exit`).toBe(true);
      const coins = props.filter((p) => p.kind === 'coin');
      expect(coins).toHaveLength(w.coins);
      for (const c of coins) expect(byPath(c.x, c.z) && onFoot(c.x, c.z), `world ${id}: coin at ${c.x},${c.z}`).toBe(true);
      expect(new Set(props.map((p) => p.kind))).toEqual(new Set(KINDS));

      // Patrols: every leg (the last back to the first) crosses walkable tiles; path NPCs stay on paths.
      for (const n of list(w.npcs)) {
        const patrol = JSON.parse(n.patrol) as [number, number][];
        for (let i = 0; i < patrol.length; i++) {
          const [ax, az] = patrol[i]!, [bx, bz] = patrol[(i + 1) % patrol.length]!;
          for (let s = 0; s <= 40; s++) {
            const x = ax + ((bx - ax) * s) / 40, z = az + ((bz - az) * s) / 40;
            expect(walkable(x, z), `world ${id} ${n.name} at ${x},${z}`).toBe(true);
            if (n.kind !== 'critter') expect(at(x, z), `world ${id} ${n.name} on the path`).toBe(1);
          }
        }
      }

      // levels.grid: the walkability bytes the director hands its NPCs.
      const [grid] = (await rt.callMulti(levels, 'grid', id)) as [{ w: number; h: number; walk: unknown }];
      expect([grid.w, grid.h]).toEqual([W, H]);
      expect([...asBytes(grid.walk)]).toEqual([...tiles].map((t) => (t <= 1 ? 0 : 1)));
    }
  });
});

describe('director.lua and npc.lua', () => {
  let w1: WorldRow;
  beforeAll(async () => {
    [w1] = await world(1);
  });

  it('start(1) spawns one npc service per row on worker 1; they tick at 10 Hz and move', async () => {
    const r = await rt.call<{ world: WorldRow; npcs: number }>(director, 'start', 1);
    const n = list(w1.npcs).length;
    expect(r.npcs).toBe(n);
    expect(r.world).toMatchObject({ id: 1, name: 'Meadow Crossing' });
    const services = (await rt.inspect()).filter((s) => s.label.startsWith('npc '));
    expect(services).toHaveLength(n);
    expect(services.every((s) => s.worker === 1)).toBe(true);

    await sleep(600);
    const s = await snapshot();
    expect(s.world).toBe(1);
    expect(s.npcs.map((x) => x.id)).toEqual(list(w1.npcs).map((x) => x.id));
    for (const npc of s.npcs) {
      const row = list(w1.npcs).find((x) => x.id === npc.id)!;
      expect(npc.ticks, npc.name).toBeGreaterThanOrEqual(4);
      expect(STATES).toContain(npc.state);
      expect(Math.hypot(npc.x - row.x, npc.z - row.z), `${npc.name} moved`).toBeGreaterThan(0.2);
    }
    expect(s.ticks).toBeGreaterThanOrEqual(4 * n);
    expect(s.gap_max_ms).toBeGreaterThan(50);
    expect(s.gap_p99_ms).toBeLessThanOrEqual(s.gap_max_ms);
    expect(s.caught).toBe(0);
  });

  it('a guard chases a player placed near it, catches them, and gives up when they get away', async () => {
    const guard = (await snapshot()).npcs.find((n) => n.kind === 'guard')!;
    rt.send(director, 'player', guard.x + 0.5, guard.z);
    let caught = 0;
    const chasing = await until((s) => {
      caught += s.caught;
      return s.npcs.find((n) => n.id === guard.id)!.state === 'chase' && caught > 0;
    });
    expect(chasing.npcs.find((n) => n.id === guard.id)!.state).toBe('chase');
    expect(caught).toBe(1); // once per 3 s at most
    // Back at spawn, far away: the guard walks back to its patrol.
    rt.send(director, 'player', w1.spawn_x, w1.spawn_z);
    await until((s) => s.npcs.find((n) => n.id === guard.id)!.state === 'patrol');
  });

  it('a critter flees a player who comes close', async () => {
    const critter = (await snapshot()).npcs.find((n) => n.kind === 'critter')!;
    rt.send(director, 'player', critter.x + 2, critter.z);
    await until((s) => s.npcs.find((n) => n.id === critter.id)!.state === 'flee');
    rt.send(director, 'player', w1.spawn_x, w1.spawn_z);
    await until((s) => s.npcs.find((n) => n.id === critter.id)!.state !== 'flee');
  });

  it('talk(id) returns the NPC\'s knot and the compiled story (compiled on the first talk, then cached); the knot runs', async () => {
    const villager = list(w1.npcs).find((n) => n.kind === 'villager')!;
    await rt.call(io, 'resetStats');
    const t = await rt.call<Talk>(director, 'talk', villager.id);
    expect(t).toMatchObject({ id: villager.id, knot: villager.knot, name: villager.name, kind: 'villager' });
    expect((await rt.call<{ reads: number }>(io, 'stats')).reads).toBe(3); // main.ink and its two INCLUDEs
    expect((await snapshot()).npcs.find((n) => n.id === villager.id)!.state).toBe('talk');

    const story = new Story(t.story);
    story.ChoosePathString(t.knot);
    expect(story.ContinueMaximally()).toContain(villager.name);
    expect(story.currentChoices.map((c) => c.text)).toEqual(['Seen any coins?', 'Where is the way out?']);
    story.ChooseChoiceIndex(1);
    expect(story.ContinueMaximally()).toMatch(/The gate is to the north-east/);
    expect(story.canContinue).toBe(false);
    // The tavern intro is still the story's start.
    expect(new Story(t.story).ContinueMaximally()).toContain('Mara waves you in');

    await rt.call(io, 'resetStats');
    const guard = list(w1.npcs).find((n) => n.kind === 'guard')!;
    const again = await rt.call<Talk>(director, 'talk', guard.id);
    expect(again.knot).toBe(guard.knot);
    expect(again.story).toBe(t.story);
    expect((await rt.call<{ reads: number }>(io, 'stats')).reads).toBe(0);
    expect((await rt.callMulti(director, 'talk', 99))[0] ?? null).toBeNull();

    // Every NPC of every world has its knot in the story.
    for (let id = 1; id <= 5; id++) {
      for (const n of list((await world(id))[0].npcs)) {
        const s = new Story(t.story);
        expect(() => s.ChoosePathString(n.knot), n.knot).not.toThrow();
        expect(s.ContinueMaximally().length, n.knot).toBeGreaterThan(10);
        expect(s.currentChoices.length, n.knot).toBeGreaterThanOrEqual(1);
        expect(s.currentChoices.length, n.knot).toBeLessThanOrEqual(2);
      }
    }
  });

  it('start(2) replaces world 1\'s NPCs; stop() quits them and the runtime keeps running', async () => {
    const old = (await rt.inspect()).filter((s) => s.label.startsWith('npc ')).map((s) => s.address);
    const r = await rt.call<{ npcs: number }>(director, 'start', 2);
    const [w2] = await world(2);
    expect(r.npcs).toBe(list(w2.npcs).length);
    const live = async () => (await rt.inspect()).filter((s) => s.label.startsWith('npc '));
    for (let i = 0; i < 40 && (await live()).some((s) => old.includes(s.address)); i++) await sleep(25);
    const now = await live();
    expect(now.some((s) => old.includes(s.address))).toBe(false);
    expect(now).toHaveLength(r.npcs);
    const s = await until((x) => x.npcs.every((n) => n.ticks > 0));
    expect(s.world).toBe(2);
    expect(s.npcs.map((n) => n.name)).toEqual(list(w2.npcs).map((n) => n.name));

    expect(await rt.call(director, 'stop')).toBe(r.npcs);
    for (let i = 0; i < 40 && (await live()).length > 0; i++) await sleep(25);
    expect(await live()).toHaveLength(0);
    expect(list((await snapshot()).npcs)).toEqual([]);
    // The runtime did not stop with its last NPC (the director holds a keeper).
    expect(await rt.call(levels, 'ping', 'still here')).toBe('still here');
    expect((await rt.inspect()).some((x) => x.label === 'npc-keeper')).toBe(true);
  });
});
