/**
 * Schedules: named lists of systems with explicit ordering constraints,
 * sorted once (topologically, stable by insertion order) and re-sorted only
 * when systems are added.
 */
import type { SystemContext } from './system.ts';

/** A system is a plain function of its context. */
export type System = (ctx: SystemContext) => void;

/**
 * A run condition (bevy `run_if`): the system (or every system of a set) runs
 * this frame only when it returns true. Common ones: `inState`,
 * `resourceExists`, `onEvent`, `onTimer`, `not` (engine `conditions`).
 */
export type Condition = (ctx: SystemContext) => boolean;

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
  /** Run only when every condition holds (checked each time the schedule runs). */
  runIf?: Condition | readonly Condition[];
}

/** What `app.configureSets` gives a named set: ordering against others, and conditions for all its systems. */
export interface SetOptions {
  /** Every system of the set runs after these systems or sets. */
  after?: SystemRef | readonly SystemRef[];
  /** Every system of the set runs before these systems or sets. */
  before?: SystemRef | readonly SystemRef[];
  /** The set's systems run only when every condition holds (checked once per schedule run). */
  runIf?: Condition | readonly Condition[];
}

/** One registered system with its ordering. */
export interface SystemEntry {
  readonly system: System;
  readonly name: string;
  readonly index: number;
  readonly sets: ReadonlySet<string>;
  readonly after: SystemRef[];
  readonly before: SystemRef[];
  /** Its own run conditions. */
  readonly conditions: readonly Condition[];
  readonly ctx: SystemContext;
}

/** A condition option as a list. */
export function conditionList(c: Condition | readonly Condition[] | undefined): Condition[] {
  if (c === undefined) return [];
  return typeof c === 'function' ? [c] : [...c];
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
  private readonly sets = new Map<string, { after: SystemRef[]; before: SystemRef[]; conditions: Condition[] }>();

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

  /** Orders a named set against others and gives it run conditions (added to any it has). */
  configureSet(set: string, o: SetOptions): void {
    const c = this.sets.get(set) ?? { after: [], before: [], conditions: [] };
    c.after.push(...refList(o.after));
    c.before.push(...refList(o.before));
    c.conditions.push(...conditionList(o.runIf));
    this.sets.set(set, c);
    this.sorted = null;
  }

  /** Systems in run order; throws on a cycle. */
  order(): readonly SystemEntry[] {
    this.sorted ??= sortSystems(this.label, this.entries, this.sets);
    return this.sorted;
  }

  /**
   * Runs each system whose conditions (its own and its sets') hold, in order.
   * A set's conditions are checked once per run, before its first system.
   */
  run(call: (entry: SystemEntry) => void): void {
    const setVerdicts = new Map<string, boolean>();
    for (const entry of this.order()) {
      if (!this.allowed(entry, setVerdicts)) continue;
      call(entry);
    }
  }

  private allowed(entry: SystemEntry, verdicts: Map<string, boolean>): boolean {
    for (const set of entry.sets) {
      const config = this.sets.get(set);
      if (!config || config.conditions.length === 0) continue;
      let ok = verdicts.get(set);
      if (ok === undefined) {
        ok = config.conditions.every((c) => c(entry.ctx));
        verdicts.set(set, ok);
      }
      if (!ok) return false;
    }
    return entry.conditions.every((c) => c(entry.ctx));
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
function sortSystems(label: string, entries: readonly SystemEntry[], sets: ReadonlyMap<string, { after: SystemRef[]; before: SystemRef[] }>): SystemEntry[] {
  const n = entries.length;
  const next: number[][] = entries.map(() => []);
  const incoming = new Array<number>(n).fill(0);
  const edge = (from: number, to: number) => {
    if (from === to) return;
    next[from]!.push(to);
    incoming[to]!++;
  };
  entries.forEach((e, i) => {
    const after = [...e.after];
    const before = [...e.before];
    for (const set of e.sets) {
      after.push(...(sets.get(set)?.after ?? []));
      before.push(...(sets.get(set)?.before ?? []));
    }
    for (const ref of after) entries.forEach((o, j) => matches(o, ref) && edge(j, i));
    for (const ref of before) entries.forEach((o, j) => matches(o, ref) && edge(i, j));
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
    throw new Error(`[app] ordering cycle in schedule "${label}" among systems: ${stuck.join(', ')} (their before/after, or their sets' in app.configureSets, loop)`);
  }
  return out;
}
