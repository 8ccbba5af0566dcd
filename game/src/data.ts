/**
 * The rows the Lua services answer with (levels.lua, director.lua), and
 * lenient readers for them: Lua sequences arrive as arrays, other tables as
 * objects, an empty table as `{}`, JSON columns as strings.
 */
import { parsePalette, type Palette } from './terrain.ts';

/** A `worlds` row (`levels.world(id)`), palette parsed. */
export interface WorldInfo {
  id: number;
  name: string;
  /** Seconds. */
  par_time: number;
  chunks_x: number;
  chunks_z: number;
  spawn_x: number;
  spawn_z: number;
  exit_x: number;
  exit_z: number;
  /** Coins in the whole world. */
  coins: number;
  palette: Palette;
  intro: string;
  npcs: NpcInfo[];
}

/** An `npcs` row. */
export interface NpcInfo {
  id: number | string;
  name: string;
  kind: NpcKind;
  x: number;
  z: number;
  knot?: string;
}

export type NpcKind = 'guard' | 'critter' | 'villager';
export type NpcState = 'patrol' | 'chase' | 'flee' | 'talk' | 'idle';

/** `director.talk(id)`. */
export interface TalkReply {
  knot: string;
  name: string;
  story: string;
}

/** A Lua sequence (or anything list-like) as an array. */
export function list<T>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === 'object') return Object.values(v) as T[];
  return [];
}

const num = (v: unknown, d = 0): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : d;
};
/** A text field: a string as it is, a number or boolean written out, anything else `d`. */
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : d);

/** Reads a worlds row (and its npcs, when the service sends them along). */
export function readWorld(v: unknown, npcs?: unknown): WorldInfo {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return {
    id: num(r.id, 1),
    name: str(r.name, `World ${num(r.id, 1)}`),
    par_time: num(r.par_time, 120),
    chunks_x: Math.max(1, num(r.chunks_x, 1)),
    chunks_z: Math.max(1, num(r.chunks_z, 1)),
    spawn_x: num(r.spawn_x),
    spawn_z: num(r.spawn_z),
    exit_x: num(r.exit_x),
    exit_z: num(r.exit_z),
    coins: num(r.coins),
    palette: parsePalette(r.palette),
    intro: str(r.intro),
    npcs: list<Record<string, unknown>>(npcs ?? r.npcs).map(readNpc),
  };
}

function readNpc(r: Record<string, unknown>): NpcInfo {
  return { id: (r.id as number | string) ?? 0, name: str(r.name, '?'), kind: str(r.kind, 'villager') as NpcKind, x: num(r.x), z: num(r.z), knot: r.knot === undefined ? undefined : str(r.knot) };
}
