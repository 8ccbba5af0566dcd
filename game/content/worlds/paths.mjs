// A world's path network and what it guarantees: paths are laid by Dijkstra
// over a cost map, then a breadth-first search proves the exit and every coin
// reachable from the spawn over path tiles alone (the build fails otherwise),
// and the par time comes from a short tour over the same network.
import { PAR_SPEED, TILE, WALKABLE } from './defs.mjs';
import { N4, dist } from './grid.mjs';

/** A binary min-heap of [priority, value]. */
class Heap {
  a = [];
  get size() { return this.a.length; }
  push(p, v) {
    const a = this.a;
    a.push([p, v]);
    let i = a.length - 1;
    while (i > 0) {
      const j = (i - 1) >> 1;
      if (a[j][0] <= a[i][0]) break;
      [a[i], a[j]] = [a[j], a[i]];
      i = j;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The cost of stepping onto (x, z): noisy grass, cheap existing path, dear
 * water / rock / hedge crossings (bridges, cuttings and gaps), dearer near the edge.
 */
function cost({ at, inside, noise }, x, z) {
  if (!inside(x, z, 1)) return Infinity;
  const t = at(x, z);
  const edge = inside(x, z, 3) ? 0 : 12;
  if (t === TILE.PATH) return 0.4;
  if (t === TILE.GRASS) return 1 + noise(x * 2 + 50, z * 2 + 50) * 3 + edge;
  return (t === TILE.WATER ? 14 : t === TILE.HEDGE ? 10 : 26) + edge;
}

/** The cheapest steps from `from` to the nearest tile where `isGoal(x, z)` holds (both ends included). */
function route(g, spawn, from, isGoal) {
  const { W, H } = g;
  const best = new Float64Array(W * H).fill(Infinity), prev = new Int32Array(W * H).fill(-1);
  const heap = new Heap();
  const s = from[1] * W + from[0];
  best[s] = 0;
  heap.push(0, s);
  while (heap.size) {
    const [d, i] = heap.pop();
    if (d > best[i]) continue;
    const x = i % W, z = (i / W) | 0;
    if (i !== s && isGoal(x, z)) {
      const out = [];
      for (let j = i; j !== -1; j = prev[j]) out.push([j % W, (j / W) | 0]);
      return out.reverse();
    }
    for (const [dx, dz] of N4) {
      const nx = x + dx, nz = z + dz, c = cost(g, nx, nz);
      if (c === Infinity) continue;
      const j = nz * W + nx;
      if (d + c < best[j]) best[j] = d + c, prev[j] = i, heap.push(d + c, j);
    }
  }
  throw new Error(`world ${g.def.id}: no route from ${from} (spawn ${spawn} is ${g.at(...spawn)})`);
}

/** Lays the paths: coins join the network nearest-first, then the exit (a two-tile road), then a few loops. */
export function layPaths(g, { spawn, exit }, coins) {
  const { def, ri, at, set, inside } = g;
  const lay = (steps) => { for (const [x, z] of steps) set(x, z, TILE.PATH); };
  const onPath = (x, z) => at(x, z) === TILE.PATH;
  set(spawn[0], spawn[1], TILE.PATH);
  const order = [...coins].sort((a, b) => dist(a, spawn) - dist(b, spawn));
  for (const c of order) lay(route(g, spawn, c, onPath));
  const main = route(g, spawn, exit, onPath);
  lay(main);
  // The road to the exit is two tiles wide where the ground allows.
  for (const [x, z] of main) if (at(x + 1, z) === TILE.GRASS && inside(x + 1, z, 2)) set(x + 1, z, TILE.PATH);
  for (let k = 0; k < 2 + def.id; k++) {
    const a = coins[ri(0, coins.length - 1)], b = coins[ri(0, coins.length - 1)];
    if (a !== b && dist(a, b) < 30) lay(route(g, spawn, a, (x, z) => x === b[0] && z === b[1]));
  }
}

/** Steps from `start` to every tile over tiles where `ok(tile)` holds (-1: unreachable). */
export function bfs({ W, H, tiles }, start, ok) {
  const d = new Int32Array(W * H).fill(-1);
  const q = [start[1] * W + start[0]];
  d[q[0]] = 0;
  for (let h = 0; h < q.length; h++) {
    const i = q[h], x = i % W, z = (i / W) | 0;
    for (const [dx, dz] of N4) {
      const nx = x + dx, nz = z + dz;
      if (nx < 0 || nz < 0 || nx >= W || nz >= H) continue;
      const j = nz * W + nx;
      if (d[j] < 0 && ok(tiles[j])) d[j] = d[i] + 1, q.push(j);
    }
  }
  return d;
}

/**
 * Throws unless the exit and every coin are reachable from the spawn over
 * path tiles and the border is closed. Returns the steps on foot from the spawn.
 */
export function checkReachable(g, { spawn, exit }, coins) {
  const { def, W, H, tiles } = g;
  const onPath = bfs(g, spawn, (t) => t === TILE.PATH);
  const onFoot = bfs(g, spawn, WALKABLE);
  for (const [what, [x, z]] of [['exit', exit], ...coins.map((c, i) => [`coin ${i + 1}`, c])]) {
    if (tiles[z * W + x] !== TILE.PATH || onPath[z * W + x] < 0 || onFoot[z * W + x] < 0) {
      throw new Error(`world ${def.id} (${def.name}): ${what} at (${x}, ${z}) is not reachable from spawn (${spawn}) over the path network`);
    }
  }
  for (let x = 0; x < W; x++) for (const z of [0, H - 1]) if (WALKABLE(tiles[z * W + x])) throw new Error(`world ${def.id}: border open at (${x}, ${z})`);
  for (let z = 0; z < H; z++) for (const x of [0, W - 1]) if (WALKABLE(tiles[z * W + x])) throw new Error(`world ${def.id}: border open at (${x}, ${z})`);
  return onFoot;
}

/**
 * Par time: a short tour spawn -> every coin -> exit over path tiles only
 * (nearest coin first, then 2-opt), at 5 tiles/s (the player runs 6), plus 10 s.
 */
export function parTour(g, { spawn, exit }, coins) {
  const nodes = [spawn, ...coins, exit];
  const D = nodes.map((p) => { const d = bfs(g, p, (t) => t === TILE.PATH); return nodes.map(([x, z]) => d[z * g.W + x]); });
  const seq = [0];
  const rest = new Set(coins.map((_, i) => i + 1));
  while (rest.size) {
    const here = seq.at(-1);
    const next = [...rest].reduce((a, b) => (D[here][b] < D[here][a] ? b : a));
    seq.push(next);
    rest.delete(next);
  }
  seq.push(nodes.length - 1);
  for (let better = true; better;) {
    better = false;
    for (let i = 1; i < seq.length - 2; i++) {
      for (let j = i + 1; j < seq.length - 1; j++) {
        const delta = D[seq[i - 1]][seq[j]] + D[seq[i]][seq[j + 1]] - D[seq[i - 1]][seq[i]] - D[seq[j]][seq[j + 1]];
        if (delta < 0) {
          seq.splice(i, j - i + 1, ...seq.slice(i, j + 1).reverse());
          better = true;
        }
      }
    }
  }
  const tour = seq.slice(1).reduce((n, k, i) => n + D[seq[i]][k], 0);
  const parTime = Math.ceil((tour / PAR_SPEED + 10) / 5) * 5;
  return { tour, parTime };
}
