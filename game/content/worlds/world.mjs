// Builds one of the game's worlds from its definition (defs.mjs): terrain,
// coins, paths, NPCs, props and chunk rows, plus the intro line and par time.
// Every stage draws from the world's one seeded stream, so they run here in a
// fixed order: changing the order (or a stage's draws) changes every world.
import { NUMBER, TILE, compass } from './defs.mjs';
import { worldGrid } from './grid.mjs';
import { placeNpcs } from './npcs.mjs';
import { checkReachable, layPaths, parTour } from './paths.mjs';
import { chunkRows, placeProps } from './props.mjs';
import { drawEdges, drawFeatures, placeCoins, placeEnds } from './terrain.mjs';

/** The title card's intro: the intro and the NPCs' lines know where things are. */
function introText(def, { spawn, exit }, npcs) {
  const guards = npcs.filter((n) => n.kind === 'guard').map((n) => n.name);
  const exitDir = compass(exit[0] - spawn[0], exit[1] - spawn[1]);
  return `Collect all ${NUMBER[def.coins]} coins scattered around ${def.name}, then reach the gate to the ${exitDir}. ` +
    `Keep clear of ${guards.join(' and ')}: stray within five paces and they give chase.`;
}

/** One world's tiles, props and NPCs, grown from its definition. Throws when something is unreachable. */
export function buildWorld(def) {
  const g = worldGrid(def);
  const { W, H, tiles } = g;
  drawEdges(g);
  const ends = placeEnds(g);
  drawFeatures(g, ends);
  const coins = placeCoins(g, ends);
  layPaths(g, ends, coins);
  const onFoot = checkReachable(g, ends, coins);
  const { tour, parTime } = parTour(g, ends, coins);
  const pathTiles = [];
  for (let z = 0; z < H; z++) for (let x = 0; x < W; x++) if (tiles[z * W + x] === TILE.PATH) pathTiles.push([x, z]);
  const { npcs, taken } = placeNpcs(g, ends, coins, onFoot, pathTiles);
  const chunks = chunkRows(g, placeProps(g, ends, coins, taken, pathTiles));
  const count = (k) => chunks.reduce((n, c) => n + c.kinds.filter((x) => x === k).length, 0);
  if (count('coin') !== def.coins) throw new Error(`world ${def.id}: ${count('coin')} coins placed, ${def.coins} wanted`);
  return {
    def, W, H, tiles, spawn: ends.spawn, exit: ends.exit, coins, npcs, chunks, parTime, tour, intro: introText(def, ends, npcs),
    stats: { path: pathTiles.length, lanterns: count('lantern'), crates: count('crate'), trees: count('tree'), rocks: count('rock') },
  };
}
