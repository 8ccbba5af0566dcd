// The game's services on a real runtime (2 worker_threads) with the sqlite and ink
// natives and io over public/: levels (worlds, chunks) and the generated worlds
// themselves (every coin and the exit reachable). The director and its NPCs need
// the App's world: test/game/npcs.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

const KINDS = ['coin', 'crate', 'lantern', 'tree', 'rock'];
/** A Lua empty table arrives as {}: lists either way. */
const list = <T,>(v: T[] | Record<string, never> | undefined): T[] => (Array.isArray(v) ? v : []);

let rt: Runtime;
let levels: number;
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
  io = await rt.queryService('io');
});
afterEach(() => {
  expect(rt.serialViolations).toBe(0);
  expect(logs.filter((l) => l.startsWith('[error]'))).toEqual([]);
});
afterAll(() => rt?.stop());

const world = async (id: number) => (await rt.callMulti(levels, 'world', id)) as [WorldRow, Stats];

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
