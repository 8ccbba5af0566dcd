/**
 * What the package's own tools and the test suites read of a runtime beyond
 * its API: the shared service table (the CLI watches it for idleness without
 * sending a message), how often supervision replaced a worker, how many native
 * calls had to wait on the host. Users do not need them, so they are kept off
 * `Runtime`; the `internal` entry exports {@link runtimeInternals}.
 */
import type { ServiceTable } from '../wire/table.ts';
import type { Runtime } from '../api/runtime.ts';
import type { WorldMemory } from '../wire/world/layout.ts';

/** The shared service table, to read. */
export type TableReader = Pick<ServiceTable, 'addresses' | 'end' | 'live' | 'state' | 'worker' | 'queue' | 'handled'>;

/** What a runtime shows of itself beyond its API. */
export interface RuntimeInternals {
  /** The shared service table, read without a message. */
  readonly table: TableReader;
  /** Times supervision replaced a worker. */
  readonly replacedWorkers: number;
  /** Native calls that reached the host because no carrier was idle (the others never do). */
  readonly queuedNativeCalls: number;
  /** Native calls waiting on the host now for a carrier to start or free up. */
  readonly waitingNativeCalls: number;
  /** The world shared with services (the runtime's `world` option), or null. */
  readonly world: WorldMemory | null;
  /** Wakes scheduler worker `w` if it sleeps (the App published a frame: services may tick). */
  wakeWorker(w: number): void;
}

const known = new WeakMap<Runtime, RuntimeInternals>();

/** Called by a runtime as it is made. */
export function keepInternals(rt: Runtime, internals: RuntimeInternals): void {
  known.set(rt, internals);
}

/** What `rt` shows of itself beyond its API (for the package's tools and tests). */
export function runtimeInternals(rt: Runtime): RuntimeInternals {
  const i = known.get(rt);
  if (!i) throw new Error('[ltask] not a runtime made by startRuntime');
  return i;
}
