// One world's tile grid and its random streams: the state every stage of the
// world builder (terrain, paths, NPCs, props) reads and writes. A world is
// grown from one seeded stream, so the stages must draw from it in the same
// order every time: world.mjs calls them in a fixed sequence.
import { prng } from '../../../scripts/prng.mjs';
import { TILE } from './defs.mjs';

/** The four neighbour steps, in the order every walk and search tries them. */
export const N4 = [[1, 0], [-1, 0], [0, 1], [0, -1]];

/** Straight-line distance between two tile positions. */
export const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * Smooth value noise in [0, 1): a random lattice every 8 tiles, interpolated.
 * Draws the lattice from `rnd` now (the first draws of a world's stream).
 */
function valueNoise(W, H, rnd) {
  const LW = W / 8 + 2, LH = H / 8 + 2;
  const lattice = Array.from({ length: LW * LH }, () => rnd());
  return (x, z) => {
    const gx = x / 8, gz = z / 8, ix = Math.floor(gx), iz = Math.floor(gz), fx = gx - ix, fz = gz - iz;
    const L = (i, k) => lattice[(((k % LH) + LH) % LH) * LW + (((i % LW) + LW) % LW)]; // wraps: any coordinates
    const s = (t) => t * t * (3 - 2 * t);
    const a = L(ix, iz) + (L(ix + 1, iz) - L(ix, iz)) * s(fx);
    const b = L(ix, iz + 1) + (L(ix + 1, iz + 1) - L(ix, iz + 1)) * s(fx);
    return a + (b - a) * s(fz);
  };
}

/**
 * An empty (all grass) grid for `def`, with its random stream and noise.
 * `at` reads rock outside the map; `set` never touches the outermost ring.
 */
export function worldGrid(def) {
  const rnd = prng(def.seed);
  const ri = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const [CX, CZ] = def.chunks;
  const W = CX * 16, H = CZ * 16;
  const tiles = new Uint8Array(W * H);
  const at = (x, z) => (x < 0 || z < 0 || x >= W || z >= H ? TILE.ROCK : tiles[z * W + x]);
  const set = (x, z, t) => { if (x > 0 && z > 0 && x < W - 1 && z < H - 1) tiles[z * W + x] = t; };
  const inside = (x, z, m) => x >= m && z >= m && x < W - m && z < H - m;
  const noise = valueNoise(W, H, rnd);
  return { def, rnd, ri, CX, CZ, W, H, tiles, at, set, inside, noise };
}
