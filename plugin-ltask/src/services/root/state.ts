/**
 * Root's state, declared in one place: every concern of root (spawn, names,
 * restarts, the exit rule, inspect) reads and changes this one object.
 *
 * The registry part is journaled to the host (one message per turn of root,
 * wire/root-state.ts), which gives it back to the root that replaces this one
 * if worker 0 dies; the rest lives and dies with this root.
 */
import type { ServiceContext } from '../../api/service.ts';
import type { SpawnOptions } from '../../api/spawn.ts';
import type { SystemContext } from '../../api/system.ts';
import { Address, SYSTEM_SERVICES } from '../../wire/protocol.ts';
import { Fifo } from '../../wire/queue.ts';
import { JournaledMap, type RootOp, type RootSnapshot } from '../../wire/root-state.ts';
import type { RowLabel } from '../../wire/rows.ts';
import { ServiceTable } from '../../wire/table.ts';

/** A restart policy's memory of one service: its options and recent restarts. */
export interface Supervised {
  options: SpawnOptions;
  /** The unique name that moves to the new instance. */
  name?: string;
  started: number;
  restarts: number[];
  delay: number;
}

/** A caller of `queryservice` or `uniqueservice` waiting for a name to be registered. */
export interface Waiter {
  resolve(addr: number): void;
  reject(e: Error): void;
}

/** A `local` service: its options and its instance (or the start of it) per worker. */
export interface Local {
  options: SpawnOptions;
  by: Map<number, Promise<number>>;
}

/** Everything root keeps. */
export interface Root {
  readonly ctx: ServiceContext;
  readonly sys: SystemContext;
  // Journaled (a replacing root starts from them).
  /** Label and kind by table row (a reused row's new service replaces its entry). */
  readonly info: JournaledMap<number, RowLabel>;
  /** The services of ltask's exit rule (the runtime ends with the last one). */
  readonly anonymous: JournaledMap<number, true>;
  readonly named: JournaledMap<string, number>;
  /** The options of `local` services (their instances are in `named` as name and name@worker). */
  readonly localOptions: JournaledMap<string, SpawnOptions>;
  /** Services with a restart policy. */
  readonly supervised: JournaledMap<number, Supervised>;
  // This root's own.
  readonly waiters: Map<string, Waiter[]>;
  readonly pendingUnique: Set<string>;
  readonly locals: Map<string, Local>;
  /** Rows of dead services, oldest first: reused (at their next generation) once every fresh row is taken. */
  readonly freeRows: Fifo<number>;
  /** Where placement's round-robin goes on. */
  nextWorker: number;
  stopping: boolean;
  /** Restarts waiting for their delay: the runtime does not end meanwhile. */
  restarting: number;
}

/** The journal: the changes of one turn of root go to the host in one message. */
function journalTo(sys: SystemContext): (op: RootOp) => void {
  let ops: RootOp[] = [];
  return (op) => {
    if (ops.length === 0) queueMicrotask(() => {
      sys.post({ type: 'root-state', ops });
      ops = [];
    });
    ops.push(op);
  };
}

/** (The snapshot crossed as a message: an empty list arrives as an empty table.) */
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** Root's state, from what the host kept of the previous root (`{}` for the first). */
export function rootState(ctx: ServiceContext, sys: SystemContext, restored: RootSnapshot): Root {
  const journal = journalTo(sys);
  const saved = <K, V>(name: string) => new JournaledMap<K, V>(name, journal, list<[K, V]>(restored[name]));
  const r: Root = {
    ctx,
    sys,
    info: saved('info'),
    anonymous: saved('anonymous'),
    named: saved('named'),
    localOptions: saved('locals'),
    supervised: saved('supervised'),
    waiters: new Map(),
    pendingUnique: new Set(),
    locals: new Map(),
    freeRows: new Fifo(),
    nextWorker: 0,
    stopping: false,
    restarting: 0,
  };
  for (const [a, s] of r.supervised) r.supervised.set(a, { ...s, restarts: list(s.restarts) });
  for (const { name, address } of SYSTEM_SERVICES) {
    r.info.set(ServiceTable.index(address), { label: name, kind: 'ts' });
    if (address !== Address.ROOT) r.named.set(name, address);
  }
  return r;
}
