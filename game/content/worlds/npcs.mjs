// A world's NPCs and their patrols. Villagers and guards walk the path
// network: their waypoints are the corners of a walk and back (cyclic), so
// every leg is a straight run of path tiles. Critters wander the grass. Every
// leg of every patrol is checked to cross walkable tiles only.
import { TILE, WALKABLE, slug } from './defs.mjs';
import { N4, dist } from './grid.mjs';

/** The corners of a random walk over unvisited path tiles that prefers going straight. */
function pathWalk({ W, rnd, ri, at }, start, steps) {
  let [x, z] = start;
  const isPath = (x, z) => at(x, z) === TILE.PATH;
  const seen = new Set([z * W + x]);
  let dir = null;
  const pts = [[x, z]];
  for (let s = 0; s < steps; s++) {
    const cand = N4.filter(([dx, dz]) => isPath(x + dx, z + dz) && !seen.has((z + dz) * W + x + dx));
    if (!cand.length) break;
    const straight = dir && cand.find(([dx, dz]) => dx === dir[0] && dz === dir[1]);
    const next = straight && rnd() < 0.8 ? straight : cand[ri(0, cand.length - 1)];
    if (dir && (next[0] !== dir[0] || next[1] !== dir[1])) pts.push([x, z]);
    dir = next;
    x += next[0], z += next[1];
    seen.add(z * W + x);
  }
  pts.push([x, z]);
  const uniq = pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1][0] || p[1] !== pts[i - 1][1]);
  return uniq;
}

/** The corners of `legs` straight runs of 2 to 5 walkable tiles, never doubling back. */
function wanderWalk({ ri, at, inside }, start, legs) {
  let [x, z] = start;
  const pts = [[x, z]];
  let back = null;
  for (let l = 0; l < legs; l++) {
    for (let tries = 0; tries < 12; tries++) {
      const [dx, dz] = N4[ri(0, 3)], n = ri(2, 5);
      if (back && dx === back[0] && dz === back[1]) continue; // no doubling back
      let ok = true;
      for (let k = 1; k <= n && ok; k++) ok = WALKABLE(at(x + dx * k, z + dz * k)) && inside(x + dx * k, z + dz * k, 2);
      if (!ok) continue;
      x += dx * n, z += dz * n;
      pts.push([x, z]);
      back = [-dx, -dz];
      break;
    }
  }
  return pts;
}

const legLength = (pts) => pts.slice(1).reduce((n, p, i) => n + Math.abs(p[0] - pts[i][0]) + Math.abs(p[1] - pts[i][1]), 0);
const cyclic = (pts) => [...pts, ...pts.slice(1, -1).reverse()];

/** A start and walk for an NPC of `kind`, or null when this try does not fit its rules. */
function tryWalk(g, { spawn, exit, onFoot, pathTiles, npcs }, kind) {
  const { W, H, ri, at } = g;
  let start, pts;
  if (kind === 'critter') {
    start = [ri(3, W - 4), ri(3, H - 4)];
    if (at(...start) !== TILE.GRASS || onFoot[start[1] * W + start[0]] < 0 || dist(start, spawn) < 10) return null;
    pts = wanderWalk(g, start, 3);
    if (pts.length < 3) return null;
  } else {
    start = pathTiles[ri(0, pathTiles.length - 1)];
    const d = dist(start, spawn);
    if (kind === 'villager' && (d < 4 || (npcs.length === 0 ? d > 12 : false))) return null;
    if (kind === 'guard' && (d < 16 || dist(start, exit) < 5)) return null;
    pts = pathWalk(g, start, kind === 'guard' ? ri(10, 18) : ri(6, 10));
    if (pts.length < 2 || legLength(pts) < (kind === 'guard' ? 8 : 5)) return null;
    if (kind === 'guard' && pts.some((p) => dist(p, spawn) < 12)) return null;
    if (kind === 'villager' && pts.some((p) => dist(p, spawn) < 3)) return null;
  }
  return { start, pts };
}

/** Places one NPC (apart from the others, unless 1,500 tries failed); throws when 3,000 tries find no place. */
function placeNpc(g, place, kind, name) {
  const { W, def } = g;
  const { npcs, taken } = place;
  for (let tries = 0; tries < 3000; tries++) {
    const loose = tries > 1500;
    const walk = tryWalk(g, place, kind);
    if (!walk) continue;
    const { start, pts } = walk;
    if (!loose && npcs.some((n) => dist([n.x, n.z], start) < 8)) continue;
    if (taken.has(start[1] * W + start[0])) continue;
    taken.add(start[1] * W + start[0]);
    const patrol = cyclic(pts).map(([x, z]) => [x + 0.5, z + 0.5]);
    npcs.push({ id: npcs.length + 1, name, kind, x: start[0] + 0.5, z: start[1] + 0.5, patrol, knot: `w${def.id}_${slug(name)}` });
    return;
  }
  throw new Error(`world ${def.id}: no place for ${kind} ${name}`);
}

/** Throws unless every leg of every patrol (the last back to the first) crosses walkable tiles only. */
function checkPatrols({ def, at }, npcs) {
  for (const n of npcs) {
    for (let i = 0; i < n.patrol.length; i++) {
      const [ax, az] = n.patrol[i], [bx, bz] = n.patrol[(i + 1) % n.patrol.length];
      const steps = Math.ceil(Math.hypot(bx - ax, bz - az) * 20);
      for (let s = 0; s <= steps; s++) {
        const x = ax + ((bx - ax) * s) / steps, z = az + ((bz - az) * s) / steps;
        if (!WALKABLE(at(Math.floor(x), Math.floor(z)))) throw new Error(`world ${def.id}: ${n.name}'s patrol crosses a blocked tile at (${x}, ${z})`);
      }
    }
  }
}

/**
 * The world's NPCs, in `def.npcs` order, and the tiles now taken (coins,
 * spawn, exit and each NPC's start), which props then keep clear of.
 */
export function placeNpcs(g, { spawn, exit }, coins, onFoot, pathTiles) {
  const taken = new Set([...coins, spawn, exit].map(([x, z]) => z * g.W + x));
  const npcs = [];
  const place = { spawn, exit, onFoot, pathTiles, npcs, taken };
  for (const [kind, name] of g.def.npcs) placeNpc(g, place, kind, name);
  checkPatrols(g, npcs);
  return { npcs, taken };
}
