/**
 * Levels come from the SQLite database through the game service (levels.lua,
 * the sqlite native module reading pages through io). A level's 768-byte `tiles`
 * blob is a 32 x 24 grid: 0 is floor, 1-15 a block of that kind.
 */
import { BoxGeometry, BufferAttribute, BufferGeometry, Color, MeshStandardMaterial } from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { Mesh3d, despawn, mesh, spawn, transform, type EntityId, type SystemContext } from '@ltask-web/engine';
import { asBytes } from '@ltask-web/plugin-ltask/native';

export const COLS = 32;
export const ROWS = 24;
/** World units per tile. */
export const TILE = 1;

/** A level row as the game service returns it. */
export interface LevelRow {
  id: number;
  name: string;
  world: number;
  difficulty: number;
  par_time: number;
  description: string;
  tiles: unknown;
  index: number;
  total: number;
  reads: number;
  ms: number;
}

/** The current level's blocked cells, for movement. */
export class LevelGrid {
  tiles = new Uint8Array(COLS * ROWS);
  level: Omit<LevelRow, 'tiles'> | null = null;
  entity: EntityId | null = null;

  /** Whether a world position is on a free cell (outside the grid is blocked). */
  free(x: number, z: number): boolean {
    const c = Math.floor(x / TILE + COLS / 2);
    const r = Math.floor(z / TILE + ROWS / 2);
    if (c < 0 || r < 0 || c >= COLS || r >= ROWS) return false;
    return this.tiles[r * COLS + c] === 0;
  }
}

const palette = Array.from({ length: 16 }, (_, i) => new Color().setHSL((i * 0.61) % 1, 0.55, 0.5));

/** One geometry for every block of a level (one draw call), coloured per kind. */
export function blocksGeometry(tiles: Uint8Array): BufferGeometry | null {
  const parts: BufferGeometry[] = [];
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      const kind = tiles[r * COLS + c]!;
      if (kind === 0) continue;
      const h = 0.25 + (kind % 3) * 0.2;
      const g = new BoxGeometry(TILE * 0.92, h, TILE * 0.92);
      g.translate((c - COLS / 2 + 0.5) * TILE, h / 2, (r - ROWS / 2 + 0.5) * TILE);
      const color = palette[kind]!;
      const n = g.attributes.position!.count;
      const colors = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) colors.set([color.r, color.g, color.b], i * 3);
      g.setAttribute('color', new BufferAttribute(colors, 3));
      parts.push(g);
    }
  }
  if (parts.length === 0) return null;
  const merged = mergeGeometries(parts);
  for (const p of parts) p.dispose();
  return merged;
}

const blockMaterial = new MeshStandardMaterial({ vertexColors: true, roughness: 0.8 });

/** Replaces the level on screen with `row`; keeps the spawn cell (the centre) free. */
export function applyLevel(ctx: SystemContext, row: LevelRow): void {
  const grid = ctx.resource(LevelGrid);
  const tiles = asBytes(row.tiles).slice();
  if (tiles.length !== COLS * ROWS) throw new Error(`level ${row.id}: tiles blob has ${tiles.length} bytes, expected ${COLS * ROWS}`);
  // Clear 3 x 3 rooms around the centre, the marker and the plinth so the player never starts inside a block.
  for (const [cx, cz] of [[0, 0], [-1.8, -3.5], [1.8, -3]] as const) {
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) tiles[(Math.floor(cz + ROWS / 2) + dr) * COLS + Math.floor(cx + COLS / 2) + dc] = 0;
    }
  }
  if (grid.entity !== null) {
    Mesh3d.geometry[grid.entity]?.dispose();
    despawn(ctx.world, grid.entity);
  }
  const geometry = blocksGeometry(tiles);
  grid.entity = geometry ? spawn(ctx.world, mesh(geometry, blockMaterial), transform()) : null;
  grid.tiles = tiles;
  const { tiles: _omit, ...info } = row;
  grid.level = info;
}
