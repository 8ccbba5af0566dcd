// The five worlds' hand-set parameters and the vocabulary shared by the world
// builder, levels.db and the NPCs' dialogue. The layouts themselves are grown
// from each world's seed (world.mjs); this file is what a designer tunes.
//
// Five hand-tuned worlds, each a grid of 16 x 16-tile chunks. Tiles: 0 grass and
// 1 path (walkable), 2 water, 3 rock wall, 4 hedge (blocking). A world tile
// (tx, tz) covers [tx, tx + 1) x [tz, tz + 1) and lives in chunk
// (floor(tx / 16), floor(tz / 16)); positions (spawn, exit, props, NPCs) are
// world tile coordinates, tile centres at tx + 0.5. North is -z, east is +x.
// Spawn, exit, every coin and every NPC patrol of the path NPCs lie on path
// tiles: the path network alone connects them (checked while building, the
// build fails otherwise), so the game is playable whether grass is walkable or not.

/** Tile kinds, as stored in the chunks' `tiles` blobs. */
export const TILE = { GRASS: 0, PATH: 1, WATER: 2, ROCK: 3, HEDGE: 4 };
/** Whether a tile can be walked on (grass and path). */
export const WALKABLE = (t) => t === TILE.GRASS || t === TILE.PATH;
/** Props JSON per chunk stays under this, so a chunk row (with its 256 tiles) fits one b-tree cell: no overflow pages. */
export const PROPS_BUDGET = 700;
/** Par times assume this pace (tiles/s) over the shortest tour found on path tiles, plus 10 s. */
export const PAR_SPEED = 5;

/** The worlds' hand-set parameters; the layout is grown from `seed`. */
export const WORLD_DEFS = [
  {
    id: 1, name: 'Meadow Crossing', seed: 1101, chunks: [4, 4], coins: 10, spawn: 'sw', exit: 'ne',
    border: TILE.HEDGE, lakes: 2, lakeSize: [3, 5], outcrops: 3, hedges: 4, gardens: 0, forest: 0.16, sea: null,
    palette: { ground: '#78b159', path: '#d8bc8a', water: '#4b92c9', rock: '#8e8c86', hedge: '#3e7a33', sky: '#a8d8f0' },
    npcs: [['villager', 'Old Tom'], ['villager', 'Hazel'], ['guard', 'Sergeant Brask'], ['critter', 'Pip the hare']],
    watch: 'the Meadow Watch',
  },
  {
    id: 2, name: 'Misty Harbor', seed: 2202, chunks: [5, 5], coins: 14, spawn: 'nw', exit: 'se',
    border: TILE.ROCK, lakes: 2, lakeSize: [2, 4], outcrops: 5, hedges: 3, gardens: 0, forest: 0.08, sea: 'east',
    palette: { ground: '#6f9a7a', path: '#c2b59b', water: '#3a6f8f', rock: '#7b8187', hedge: '#2f5e3e', sky: '#c7d3dc' },
    npcs: [['villager', 'Captain Wren'], ['villager', 'Nell the netmaker'], ['guard', 'Harbormaster Quill'], ['guard', 'Dockwarden Ross'], ['critter', 'Gull']],
    watch: 'the Harbor Watch',
  },
  {
    id: 3, name: 'Bramble Hollow', seed: 3303, chunks: [5, 5], coins: 16, spawn: 'se', exit: 'nw',
    border: TILE.HEDGE, lakes: 1, lakeSize: [3, 4], outcrops: 2, hedges: 10, gardens: 5, forest: 0.2, sea: null,
    palette: { ground: '#6c9a4b', path: '#c9a877', water: '#4f8fb8', rock: '#8a8070', hedge: '#2d5a24', sky: '#b9dcb0' },
    npcs: [['villager', 'Granny Bramble'], ['villager', 'Finch'], ['guard', 'Warden Holt'], ['guard', 'Warden Ivy'], ['critter', 'Hedgehog'], ['critter', 'Toad']],
    watch: 'the Hollow wardens',
  },
  {
    id: 4, name: 'Granite Pass', seed: 4404, chunks: [6, 5], coins: 15, spawn: 'sw', exit: 'ne',
    border: TILE.ROCK, lakes: 2, lakeSize: [2, 3], outcrops: 14, hedges: 2, gardens: 0, forest: 0.1, sea: null,
    palette: { ground: '#8a9a6b', path: '#bfae8f', water: '#5a8fb0', rock: '#6f6a64', hedge: '#4a6b3a', sky: '#b8c4d6' },
    npcs: [['villager', 'Miner Gus'], ['villager', 'Tilda'], ['guard', 'Captain Stone'], ['guard', 'Scout Vale'], ['guard', 'Sentry Orr'], ['critter', 'Mountain goat'], ['critter', 'Marmot']],
    watch: 'the Pass Guard',
  },
  {
    id: 5, name: 'Lantern Fen', seed: 5505, chunks: [6, 6], coins: 15, spawn: 'nw', exit: 'se',
    border: TILE.WATER, lakes: 6, lakeSize: [2, 5], outcrops: 3, hedges: 6, gardens: 2, forest: 0.12, sea: null,
    palette: { ground: '#5f7f55', path: '#b49f78', water: '#2f5f6f', rock: '#76786f', hedge: '#2f4f2a', sky: '#6f7f9f' },
    npcs: [['villager', 'Lamplighter Bea'], ['villager', 'Old Moss'], ['villager', 'Wick'], ['guard', 'Bog Warden Crane'], ['guard', 'Night Watch Hale'], ['critter', 'Frog'], ['critter', 'Heron'], ['critter', 'Newt']],
    watch: 'the Fen Watch',
  },
];

const COMPASS = ['east', 'north-east', 'north', 'north-west', 'west', 'south-west', 'south', 'south-east'];
/** Compass word for a direction (north is -z). */
export function compass(dx, dz) {
  const a = Math.atan2(-dz, dx);
  return COMPASS[(Math.round(a / (Math.PI / 4)) + 8) % 8];
}
/** Numbers in words, for the intro and the villagers' lines. */
export const NUMBER = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
/** A name as an ink identifier part ("Old Tom" -> "old_tom"). */
export const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
/** Rounds to 2 decimals (prop positions), so the props JSON stays short. */
export const r2 = (x) => Math.round(x * 100) / 100 + 0;
