// A world's ground before the paths: the border ring, the harbor's sea, the
// spawn and exit corners, lakes, rock outcrops, hedgerows, hedged gardens and
// the coins. Each stage draws from the world's one random stream, in the order
// world.mjs calls them.
import { TILE } from './defs.mjs';
import { N4, dist } from './grid.mjs';

/** Whether (x, z) is more than `m` tiles from both the spawn and the exit. */
export const farFromEnds = (ends, x, z, m) => dist([x, z], ends.spawn) > m && dist([x, z], ends.exit) > m;

/** The border (a ring of the world's border material, 1 to 3 tiles deep) and the harbor's sea. */
export function drawEdges({ def, W, H, tiles, noise }) {
  for (let z = 0; z < H; z++) {
    for (let x = 0; x < W; x++) {
      const d = Math.min(x, z, W - 1 - x, H - 1 - z);
      if (d === 0 || d < 1 + Math.floor(noise(x * 1.7, z * 1.7) * 2.6)) tiles[z * W + x] = def.border;
    }
  }
  // The harbor's sea: the east edge is water, 6 to 9 tiles deep.
  if (def.sea === 'east') {
    for (let z = 0; z < H; z++) {
      const depth = 6 + Math.floor(noise(W - 1, z * 0.8) * 4);
      for (let x = W - depth; x < W; x++) tiles[z * W + x] = TILE.WATER;
    }
  }
}

/** Spawn and exit near opposite corners: `{ spawn: [x, z], exit: [x, z] }`. */
export function placeEnds({ def, W, H, ri }) {
  const corner = (c) => {
    const x = c.includes('w') ? ri(4, 6) : W - (def.sea === 'east' ? 12 : 5) - ri(0, 2);
    const z = c.includes('n') ? ri(4, 6) : H - 5 - ri(0, 2);
    return [x, z];
  };
  const spawn = corner(def.spawn), exit = corner(def.exit);
  return { spawn, exit };
}

/** A grass tile at least `margin` from the edge and `clear` from both ends, or null after 200 tries. */
function spot(g, ends, margin, clear) {
  for (let k = 0; k < 200; k++) {
    const x = g.ri(margin, g.W - 1 - margin), z = g.ri(margin, g.H - 1 - margin);
    if (g.at(x, z) === TILE.GRASS && farFromEnds(ends, x, z, clear)) return [x, z];
  }
  return null;
}

/** A lumpy patch of `t` over grass: 2 to 4 overlapping noisy discs around (cx, cz). */
function blob({ rnd, at, set, noise }, cx, cz, r, t) {
  const parts = 2 + Math.floor(rnd() * 3);
  for (let p = 0; p < parts; p++) {
    const ox = cx + (rnd() - 0.5) * r * 1.4, oz = cz + (rnd() - 0.5) * r * 1.4, rr = r * (0.6 + rnd() * 0.5);
    for (let z = Math.floor(oz - rr - 1); z <= oz + rr + 1; z++) {
      for (let x = Math.floor(ox - rr - 1); x <= ox + rr + 1; x++) {
        if (Math.hypot(x - ox, z - oz) <= rr + (noise(x * 3, z * 3) - 0.5) * 1.5 && at(x, z) === TILE.GRASS) set(x, z, t);
      }
    }
  }
}

/** Hedgerows: straight runs of 5 to 13 tiles, some with one bend. */
function drawHedges(g, ends) {
  const { def, rnd, ri, at, set } = g;
  for (let i = 0; i < def.hedges; i++) {
    const p = spot(g, ends, 4, 5);
    if (!p) continue;
    let [x, z] = p;
    let [dx, dz] = N4[ri(0, 3)];
    const n = ri(5, 13);
    for (let k = 0; k < n; k++) {
      if (at(x, z) === TILE.GRASS && farFromEnds(ends, x, z, 4)) set(x, z, TILE.HEDGE);
      if (k === Math.floor(n / 2) && rnd() < 0.35) [dx, dz] = [dz, dx];
      x += dx, z += dz;
    }
  }
}

/** Hedged gardens: a rectangle of hedge with three gaps. */
function drawGardens(g, ends) {
  const { def, ri, at, set, inside } = g;
  for (let i = 0; i < def.gardens; i++) {
    const p = spot(g, ends, 7, 9);
    if (!p) continue;
    const w = ri(5, 8), h = ri(5, 8), x0 = p[0] - (w >> 1), z0 = p[1] - (h >> 1);
    const gaps = new Set([ri(1, w - 2), w + ri(1, h - 2), w + h + ri(1, w - 2)]);
    let k = 0;
    const ring = [];
    for (let x = x0; x < x0 + w; x++) ring.push([x, z0]);
    for (let z = z0; z < z0 + h; z++) ring.push([x0 + w - 1, z]);
    for (let x = x0 + w - 1; x >= x0; x--) ring.push([x, z0 + h - 1]);
    for (let z = z0 + h - 1; z >= z0; z--) ring.push([x0, z]);
    for (const [x, z] of ring) {
      if (!gaps.has(k++) && inside(x, z, 3) && at(x, z) === TILE.GRASS && farFromEnds(ends, x, z, 4)) set(x, z, TILE.HEDGE);
    }
  }
}

/** Lakes, rock outcrops, hedgerows and hedged gardens; then clear ground around spawn and exit. */
export function drawFeatures(g, ends) {
  const { def, rnd } = g;
  for (let i = 0; i < def.lakes; i++) {
    const p = spot(g, ends, 6, 8);
    if (p) blob(g, p[0], p[1], def.lakeSize[0] + rnd() * (def.lakeSize[1] - def.lakeSize[0]), TILE.WATER);
  }
  for (let i = 0; i < def.outcrops; i++) {
    const p = spot(g, ends, 4, 6);
    if (p) blob(g, p[0], p[1], 1.2 + rnd() * 1.8, TILE.ROCK);
  }
  drawHedges(g, ends);
  drawGardens(g, ends);
  for (const [cx, cz] of [ends.spawn, ends.exit]) {
    for (let z = cz - 2; z <= cz + 2; z++) for (let x = cx - 2; x <= cx + 2; x++) if (g.inside(x, z, 2)) g.set(x, z, TILE.GRASS);
  }
}

/** Coins on grass, spread over the map at least `gap` apart (the gap shrinks until all fit). */
export function placeCoins({ def, W, H, ri, at }, { spawn, exit }) {
  const coins = [];
  for (let gap = Math.sqrt((W * H) / def.coins) * 0.75; coins.length < def.coins; gap *= 0.92) {
    for (let k = 0; k < 4000 && coins.length < def.coins; k++) {
      const x = ri(3, W - 4), z = ri(3, H - 4);
      if (at(x, z) !== TILE.GRASS || dist([x, z], spawn) < 7 || dist([x, z], exit) < 4) continue;
      if (coins.every((c) => dist(c, [x, z]) >= gap)) coins.push([x, z]);
    }
  }
  return coins;
}
