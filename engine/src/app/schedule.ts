/**
 * Schedules: named lists of systems with explicit ordering constraints,
 * sorted once (topologically, stable by insertion order) and re-sorted only
 * when systems are added.
 */
import type { SystemContext } from './system.ts';

/** A system is a plain function of its context. */
export type System = (ctx: SystemContext) => void;

/** Names a schedule. The main ones are exported as constants (`Update`...). */
export type ScheduleLabel = string;

/** Runs once, before the first frame's `First`. */
export const Startup: ScheduleLabel = 'Startup';
/** Start of every frame: time and event buffers advance here. */
export const First: ScheduleLabel = 'First';
/** Input and other state that `Update` reads. */
export const PreUpdate: ScheduleLabel = 'PreUpdate';
/** Runs zero or more times per frame with a constant delta (see `TimePlugin`). */
export const FixedUpdate: ScheduleLabel = 'FixedUpdate';
/** Game logic. */
export const Update: ScheduleLabel = 'Update';
/** Reactions to `Update`: transform propagation, render sync. */
export const PostUpdate: ScheduleLabel = 'PostUpdate';
/** Draws the frame. */
export const Render: ScheduleLabel = 'Render';
/** End of every frame: diagnostics. */
export const Last: ScheduleLabel = 'Last';

/** The per-frame schedules of a new App, in order. */
export const MAIN_SCHEDULES: readonly ScheduleLabel[] = [First, PreUpdate, FixedUpdate, Update, PostUpdate, Render, Last];

/** Refers to a system by function, by name, or by a set it is in. */
export type SystemRef = System | string;

/**
 * Ordering and grouping for `app.addSystems(label, systems, options)`.
 * References to systems that are not in the schedule are ignored, as in bevy.
 */
export interface SystemOptions {
  /** Run after these systems or sets. */
  after?: SystemRef | readonly SystemRef[];
  /** Run before these systems or sets. */
  before?: SystemRef | readonly SystemRef[];
  /** Run the given systems in the order given. */
  chain?: boolean;
  /** Put the systems in a named set that others can order against. */
  inSet?: string | readonly string[];
}

/** One registered system with its ordering. */
export interface SystemEntry {
  readonly system: System;
  readonly name: string;
  readonly index: number;
  readonly sets: ReadonlySet<string>;
  readonly after: SystemRef[];
  readonly before: SystemRef[];
  readonly ctx: SystemContext;
}

/** Turns a ref option into a list. */
export function refList(refs: SystemRef | readonly SystemRef[] | undefined): SystemRef[] {
  if (refs === undefined) return [];
  return typeof refs === 'string' || typeof refs === 'function' ? [refs] : [...refs];
}

/** A named list of systems. */
export class Schedule {
  /** The schedule's name. */
  readonly label: ScheduleLabel;
  private readonly entries: SystemEntry[] = [];
  private sorted: SystemEntry[] | null = [];

  /** @param label the schedule's name */
  constructor(label: ScheduleLabel) {
    this.label = label;
  }

  /** Number of systems. */
  get size(): number {
    return this.entries.length;
  }

  /** Adds a system; the order is recomputed at the next run. */
  add(entry: Omit<SystemEntry, 'index'>): void {
    this.entries.push({ ...entry, index: this.entries.length });
    this.sorted = null;
  }

  /** Systems in run order; throws on a cycle. */
  order(): readonly SystemEntry[] {
    this.sorted ??= sortSystems(this.label, this.entries);
    return this.sorted;
  }

  /** Names of the systems in run order (for tests and debugging). */
  systemNames(): string[] {
    return this.order().map((e) => e.name);
  }
}

function matches(entry: SystemEntry, ref: SystemRef): boolean {
  return typeof ref === 'function' ? entry.system === ref : entry.name === ref || entry.sets.has(ref);
}

/** Kahn's algorithm; among ready systems the earliest added runs first. */
function sortSystems(label: string, entries: readonly SystemEntry[]): SystemEntry[] {
  const n = entries.length;
  const next: number[][] = entries.map(() => []);
  const incoming = new Array<number>(n).fill(0);
  const edge = (from: number, to: number) => {
    if (from === to) return;
    next[from]!.push(to);
    incoming[to]!++;
  };
  entries.forEach((e, i) => {
    for (const ref of e.after) entries.forEach((o, j) => matches(o, ref) && edge(j, i));
    for (const ref of e.before) entries.forEach((o, j) => matches(o, ref) && edge(i, j));
  });
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (incoming[i] === 0) ready.push(i);
  const out: SystemEntry[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    out.push(entries[i]!);
    for (const j of next[i]!) if (--incoming[j]! === 0) ready.push(j);
  }
  if (out.length < n) {
    const stuck = entries.filter((e) => !out.includes(e)).map((e) => e.name);
    throw new Error(`[app] ordering cycle in schedule "${label}" among systems: ${stuck.join(', ')}`);
  }
  return out;
}
