/**
 * The world's operations by index (component, field, event kind), shared by
 * the Lua `world` module and the TypeScript `ctx.world`: each language
 * resolves names once and calls these.
 */
import { Op } from '../wire/world/layout.ts';
import type { ServiceWorld, WorkerWorld } from './world.ts';

/** A field of `id`'s component `c` in the step's snapshot, or undefined. */
export function readField(home: WorkerWorld, id: number, c: number, f: number): number | undefined {
  const snap = home.snapshot();
  if (!snap) return undefined;
  const i = home.indexIn(snap, id);
  if (i < 0 || (snap.mask[i]! & (1 << c)) === 0) return undefined;
  return snap.columns[c]![f]![i];
}

/** Every field of `id`'s component `c` into `out` (false: it has none). */
export function readComponent(home: WorkerWorld, id: number, c: number, out: number[]): boolean {
  const snap = home.snapshot();
  if (!snap) return false;
  const i = home.indexIn(snap, id);
  if (i < 0 || (snap.mask[i]! & (1 << c)) === 0) return false;
  const cols = snap.columns[c]!;
  out.length = cols.length;
  for (let f = 0; f < cols.length; f++) out[f] = cols[f]![i]!;
  return true;
}

/** Whether `id` is alive (c < 0) or has component `c`, in the step's snapshot. */
export function hasComponent(home: WorkerWorld, id: number, c: number): boolean {
  const snap = home.snapshot();
  if (!snap) return false;
  const i = home.indexIn(snap, id);
  return i >= 0 && (c < 0 || (snap.mask[i]! & (1 << c)) !== 0);
}

/** Ids of the entities whose mask has every bit of `mask`, in the step's snapshot. */
export function queryMask(home: WorkerWorld, mask: number): number[] {
  const snap = home.snapshot();
  const out: number[] = [];
  if (!snap) return out;
  const n = snap.meta[2]!;
  const cap = home.capacity;
  for (let k = 0; k < n; k++) {
    const i = snap.alive[k]!;
    if ((snap.mask[i]! & mask) === mask) out.push(snap.gen[i]! * cap + i);
  }
  return out;
}

export function writeField(home: WorkerWorld, w: ServiceWorld, id: number, c: number, f: number, v: number): void {
  home.check(id);
  if (typeof v !== 'number') throw new Error(`[world] ${home.mem.schema.components[c]!.name}.${home.mem.schema.components[c]!.fields[f]!.name} takes a number, got ${typeof v}`);
  home.touch(w).set(id, c, f, v);
}

/** Writes the fields of `mask` (values in bit order). */
export function writeComponent(home: WorkerWorld, w: ServiceWorld, id: number, c: number, mask: number, values: ArrayLike<number>, count: number): void {
  home.check(id);
  home.touch(w).setMany(id, c, mask, values, count);
}

export function removeComponent(home: WorkerWorld, w: ServiceWorld, id: number, c: number): void {
  home.check(id);
  home.touch(w).pair(Op.REMOVE, c, id);
}

export function despawnEntity(home: WorkerWorld, w: ServiceWorld, id: number): void {
  home.check(id);
  home.touch(w).pair(Op.DESPAWN, 0, id);
}

export function emitEvent(home: WorkerWorld, w: ServiceWorld, kind: number, bytes: Uint8Array): void {
  home.touch(w).emit(kind, bytes);
}

/** Asks the App to forward events of kind `kind` to this service (at once: not undone with a failed step). */
export function listen(home: WorkerWorld, w: ServiceWorld, kind: number): void {
  home.control(w, Op.LISTEN, kind, 1);
}

/** An unknown field of component `c`: the error lists its fields. */
export function unknownField(c: string, name: string, known: Iterable<string>): Error {
  return new Error(`[world] unknown field ${JSON.stringify(name)} of ${c}; it has ${[...known].join(', ')}`);
}

/** An unknown name: the error lists the names there are. */
export function unknown(what: string, name: string, known: Iterable<string>): Error {
  const list = [...known];
  return new Error(`[world] unknown ${what} ${JSON.stringify(name)}; the App shares ${list.length ? list.join(', ') : 'none'} (LtaskPlugin's world option)`);
}
