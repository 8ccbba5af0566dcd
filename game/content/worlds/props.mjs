// A world's props (coins, lanterns, crates, rocks, trees) and its chunk rows.
// Props are kept per 16 x 16 chunk, most important first; a chunk's props JSON
// is cut to PROPS_BUDGET so its row fits one SQLite b-tree cell (no overflow
// pages to read while streaming). Coins are never cut.
import { N4, dist } from './grid.mjs';
import { PROPS_BUDGET, TILE, r2 } from './defs.mjs';
import { farFromEnds } from './terrain.mjs';

/** Per-chunk prop lists, the tiles already used, and the placing helpers over them. */
function propSet(g, taken) {
  const { CX, CZ, at, inside } = g;
  const props = Array.from({ length: CX * CZ }, () => []);
  const used = new Set(taken);
  const prop = (kind, x, z, prio) => props[Math.floor(z / 16) * CX + Math.floor(x / 16)].push({ prio, p: { kind, x: r2(x), z: r2(z) } });
  const grassBeside = (x, z) => N4.map(([dx, dz]) => [x + dx, z + dz]).filter(([a, b]) => at(a, b) === TILE.GRASS && inside(a, b, 2) && !used.has(b * g.W + a));
  return { props, used, prop, grassBeside };
}

/** Lanterns: by the exit, then along the paths, about 9 tiles apart. */
function placeLanterns({ W, rnd, ri }, { used, prop, grassBeside }, exit, pathTiles) {
  const lanterns = [];
  const lantern = (x, z) => { used.add(z * W + x); lanterns.push([x, z]); prop('lantern', x + 0.5, z + 0.5, 1); };
  for (const [x, z] of grassBeside(...exit).slice(0, 2)) lantern(x, z);
  for (const [x, z] of pathTiles) {
    if (rnd() > 0.25 || lanterns.some((l) => dist(l, [x, z]) < 9)) continue;
    const beside = grassBeside(x, z);
    if (beside.length) lantern(...beside[ri(0, beside.length - 1)]);
  }
}

/** Crates: a stack of supplies by the spawn, and some by the roadside. */
function placeCrates({ W, CX, CZ, rnd, ri }, { used, prop, grassBeside }, spawn, pathTiles) {
  const crates = [];
  const crate = (x, z) => { used.add(z * W + x); crates.push([x, z]); prop('crate', x + 0.5 + (rnd() - 0.5) * 0.2, z + 0.5 + (rnd() - 0.5) * 0.2, 2); };
  for (const [x, z] of grassBeside(...spawn).slice(0, 2)) crate(x, z);
  for (let k = 0; k < CX * CZ * 0.7; k++) {
    const [px, pz] = pathTiles[ri(0, pathTiles.length - 1)];
    const beside = grassBeside(px, pz);
    if (beside.length && !crates.some((c) => dist(c, [px, pz]) < 7)) crate(...beside[0]);
  }
}

/** Rocks by the outcrops and scattered; trees in the woods (where the noise is high), off the paths. */
function placeScenery({ def, W, H, rnd, at, noise }, { used, prop }, ends) {
  const nearPath = (x, z) => N4.some(([dx, dz]) => at(x + dx, z + dz) === TILE.PATH);
  for (let z = 2; z < H - 2; z++) {
    for (let x = 2; x < W - 2; x++) {
      if (at(x, z) !== TILE.GRASS || used.has(z * W + x) || nearPath(x, z) || !farFromEnds(ends, x, z, 2.5)) continue;
      const byRock = N4.some(([dx, dz]) => at(x + dx, z + dz) === TILE.ROCK);
      if ((byRock && rnd() < 0.18) || rnd() < 0.012) {
        used.add(z * W + x);
        prop('rock', x + 0.5 + (rnd() - 0.5) * 0.4, z + 0.5 + (rnd() - 0.5) * 0.4, 3);
      } else if (noise(x + 100, z + 100) > 0.55 && rnd() < def.forest * 2) {
        used.add(z * W + x);
        prop('tree', x + 0.5 + (rnd() - 0.5) * 0.5, z + 0.5 + (rnd() - 0.5) * 0.5, 4);
      }
    }
  }
}

/** Every prop of the world, per chunk (index cz * CX + cx), each `{ prio, p: { kind, x, z } }`. */
export function placeProps(g, ends, coins, taken, pathTiles) {
  const set = propSet(g, taken);
  for (const [x, z] of coins) set.prop('coin', x + 0.5, z + 0.5, 0);
  placeLanterns(g, set, ends.exit, pathTiles);
  placeCrates(g, set, ends.spawn, pathTiles);
  placeScenery(g, set, ends);
  return set.props;
}

/** The chunk rows: 256 tiles each and the props JSON, cut to PROPS_BUDGET least important first. */
export function chunkRows({ def, CX, CZ, W, tiles }, props) {
  const chunks = [];
  for (let cx = 0; cx < CX; cx++) {
    for (let cz = 0; cz < CZ; cz++) {
      const list = props[cz * CX + cx].sort((a, b) => a.prio - b.prio);
      let json;
      while ((json = JSON.stringify(list.map((e) => e.p))).length > PROPS_BUDGET) {
        if (list.at(-1).prio === 0) throw new Error(`world ${def.id}: chunk ${cx},${cz} has too many coins`);
        list.pop();
      }
      const t = new Uint8Array(256);
      for (let z = 0; z < 16; z++) for (let x = 0; x < 16; x++) t[z * 16 + x] = tiles[(cz * 16 + z) * W + cx * 16 + x];
      chunks.push({ cx, cz, tiles: t, props: json, kinds: list.map((e) => e.p.kind) });
    }
  }
  return chunks;
}
