/**
 * What a chunk's bytes mean: the tile kinds of `chunks.tiles`, the props of
 * `chunks.props`, a world's palette, which tiles and props stop the player,
 * and the parsers of the rows' columns. The meshes made of them are
 * terrain-mesh.ts (three's geometry), the primitives geo.ts.
 *
 * Pure functions of the chunk's bytes: no engine, no DOM (unit-testable).
 */

/** Tiles per chunk side. */
export const CHUNK = 16;

/** Tile kinds of `chunks.tiles`. */
export const TILE_GRASS = 0;
export const TILE_PATH = 1;
export const TILE_WATER = 2;
export const TILE_ROCK = 3;
export const TILE_HEDGE = 4;

/** Whether a tile kind stops the player (water, rock, hedge; unknown kinds too). */
export const isBlockedTile = (t: number): boolean => t !== TILE_GRASS && t !== TILE_PATH;

/** Colours of a world (`worlds.palette`), as '#rrggbb'. */
export interface Palette {
  ground: string;
  path: string;
  water: string;
  rock: string;
  hedge: string;
  sky: string;
}

export const DEFAULT_PALETTE: Palette = { ground: '#6aa84f', path: '#d9c38c', water: '#3d85c6', rock: '#8c8c8c', hedge: '#38761d', sky: '#a9d6f5' };

/** A prop of `chunks.props`, at world coordinates (tile (tx, tz) spans [tx, tx + 1)). */
export interface Prop {
  kind: 'coin' | 'crate' | 'lantern' | 'tree' | 'rock';
  x: number;
  z: number;
}

/** Radius a prop blocks the player with (0: walk over it). */
export const SOLID_RADIUS: Record<Prop['kind'], number> = { tree: 0.22, rock: 0.3, crate: 0.34, lantern: 0.1, coin: 0 };

/** Parses `chunks.props` (a JSON string, or already a list) into props; bad entries are dropped. */
export function parseProps(v: unknown): Prop[] {
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      return [];
    }
  } else if (v instanceof Uint8Array) {
    try {
      list = JSON.parse(new TextDecoder().decode(v));
    } catch {
      return [];
    }
  }
  const arr = Array.isArray(list) ? list : list && typeof list === 'object' ? Object.values(list) : [];
  const out: Prop[] = [];
  for (const p of arr) {
    if (!p || typeof p !== 'object') continue;
    const { kind, x, z } = p as Record<string, unknown>;
    if (typeof kind !== 'string' || typeof x !== 'number' || typeof z !== 'number') continue;
    out.push({ kind: kind as Prop['kind'], x, z });
  }
  return out;
}

/** Parses `worlds.palette` (JSON or a table); missing colours fall back to defaults. */
export function parsePalette(v: unknown): Palette {
  let o: unknown = v;
  if (typeof v === 'string') {
    try {
      o = JSON.parse(v);
    } catch {
      o = {};
    }
  }
  const src = (o && typeof o === 'object' ? o : {}) as Record<string, unknown>;
  const out = { ...DEFAULT_PALETTE };
  for (const k of Object.keys(out) as (keyof Palette)[]) {
    const c = src[k];
    if (typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c)) out[k] = c;
  }
  return out;
}
