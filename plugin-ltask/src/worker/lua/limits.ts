/**
 * A Lua service's limits and memory: the runaway limit (a handler that runs
 * too long without yielding is stopped), the memory estimate behind
 * `collectgarbage("count")` / `ltask.mem_count()`, and the memory limit (a
 * service that holds too much fails), checked from the instruction-count hook
 * and after each message.
 *
 * fengari allocates from the JS heap and has no allocator to ask, so the
 * estimate is made of two parts:
 * - a walk of what the service reaches (the registry: globals, loaded
 *   modules; its coroutines and their stacks; upvalues, metatables and
 *   function prototypes), each object at a fixed size ({@link SIZE}), done in
 *   JS over fengari's objects;
 * - what the service allocated since that walk, from a counter fengari's
 *   constructors add to (the bundled patch, vite/fengari.ts), attributed to
 *   the service that runs (a worker runs one service at a time).
 *
 * `collectgarbage("count")` answers their sum in constant time. The sum only
 * grows (the garbage a handler makes counts until a walk finds it gone), so
 * the service is walked again when it has allocated as much as it held at
 * the last walk (at least {@link REWALK_BYTES}), after a message, and, with a
 * memory limit, when the sum crosses the limit: the limit fails a service
 * only on a walk's figure. Walks are throttled to 1/20 of the service's time.
 *
 * Without the patch (fengari loaded by something other than the runtime's
 * vite plugin or this repository's install, e.g. an installed runtime under
 * Node), the counter is fengari's own object ids (tables, closures, threads,
 * prototypes: no strings, no table entries) at {@link UNPATCHED_OBJECT} bytes
 * each, and a service with a limit is also walked on the throttle's clock, as
 * a backstop for what the ids do not see.
 */
import fengari, { type LuaState } from 'fengari';
import { raise } from './core.ts';
import type { LuaServiceState } from './state.ts';

const { lua, lauxlib } = fengari;

/** Instructions between two runs of {@link runaway}. */
export const HOOK_COUNT = 20_000;

/** The estimate's size of each kind of object, in bytes (the fengari patch counts the same). */
export const SIZE = {
  /** A string: this plus its length. */
  string: 100,
  table: 400,
  /** A table's entry (its key and value are counted apart). */
  entry: 250,
  /** A closure: this plus {@link SIZE.upvalue} per upvalue. */
  closure: 200,
  upvalue: 24,
  userdata: 100,
  thread: 1024,
  /** A function prototype: this plus {@link SIZE.instruction} per instruction. */
  proto: 200,
  instruction: 16,
} as const;

/** A service is walked again once it allocated this much (or its last walk's figure) since. */
export const REWALK_BYTES = 1024 * 1024;
/** Unpatched fengari: bytes counted per object id handed out. */
export const UNPATCHED_OBJECT = 400;
/** The least time between two throttled walks of one service. */
const MIN_WALK_GAP_MS = 10;

// ---- fengari's objects, as far as the walk reads them (fengari 0.1.5)
interface TValue {
  type: number;
  value: unknown;
}
interface TString {
  realstring: Uint8Array;
}
interface TableEntry {
  key: TValue;
  value: TValue;
}
interface Table {
  strong: Map<unknown, TableEntry>;
  metatable: Table | null;
}
interface Proto {
  k: TValue[];
  p: Proto[];
  code: unknown[];
}
interface LClosure {
  p: Proto | null;
  upvals: (TValue | undefined)[];
}
interface CClosure {
  upvalue: TValue[];
}
interface Udata {
  metatable: Table | null;
  uservalue: TValue;
}
interface Thread {
  stack: (TValue | undefined)[] | null;
  l_G: Global;
}
interface Global {
  id_counter: number;
  l_registry: TValue;
  mt: (Table | null | undefined)[];
}
const T = { STRING: 4, TABLE: 5, FUNCTION: 6, USERDATA: 7, THREAD: 8 } as const;
const LUA_CLOSURE = 6; // LUA_TLCL; 22: a light C function (a JS function: nothing of the service's); 38: a C closure

const counterKey = Symbol.for('ltask.fengari.allocated');
let counter: { bytes: number } | null | undefined;
/** The patch's counter on this thread (null: fengari unpatched). */
function patchCounter(): { bytes: number } | null {
  if (counter === undefined) counter = (globalThis as Record<symbol, { bytes: number } | undefined>)[counterKey] ?? null;
  return counter;
}

/** True when fengari counts what it allocates (the bundled patch is applied). */
export function countsAllocations(): boolean {
  return patchCounter() !== null;
}

/** What this thread's fengari has allocated so far, in estimated bytes (only grows). */
function allocated(L: LuaState): number {
  const c = patchCounter();
  return c ? c.bytes : (L as Thread).l_G.id_counter * UNPATCHED_OBJECT;
}

/** Marks where the service's allocations start counting (a message begins to run). */
export function memEnter(svc: LuaServiceState): void {
  if (svc.L) svc.allocMark = allocated(svc.L);
}

/** Adds what the running service allocated since the last mark to its estimate. */
function account(svc: LuaServiceState, L: LuaState): void {
  const now = allocated(L);
  svc.memGrown += now - svc.allocMark;
  svc.allocMark = now;
}

/** `ltask.mem_count()`'s estimate, in constant time: the last walk plus what was allocated since. */
export function estimate(svc: LuaServiceState, L: LuaState): number {
  account(svc, L);
  return svc.memWalked + svc.memGrown;
}

/**
 * Walks what the service reaches and makes it the estimate's base. Its cost
 * grows with what the service holds (about 30 ms for 100,000 strings).
 */
export function walkMemory(svc: LuaServiceState): number {
  const L = svc.L;
  if (!L) return 0;
  const t0 = performance.now();
  account(svc, L);
  const bytes = walk(L as Thread, svc.runtimeThreads());
  svc.memWalked = bytes;
  svc.memGrown = 0;
  const t1 = performance.now();
  svc.memCheckAt = svc.memRunCheckAt = t1 + Math.max(MIN_WALK_GAP_MS, (t1 - t0) * 20);
  return bytes;
}

/**
 * The count hook (threads inherit it): a handler that has run longer than
 * `runawayMs` without yielding is stopped with an error, and so is one over
 * its memory limit.
 */
export function runaway(svc: LuaServiceState, L: LuaState): void {
  const ms = performance.now() - svc.enteredAt;
  if (svc.runawayMs > 0 && ms > svc.runawayMs) {
    raise(L, `[ltask] runaway script: ran ${Math.round(ms)} ms without yielding (runawayMs ${svc.runawayMs})`);
  }
  const over = overLimit(svc, L, true);
  if (over) raise(L, over);
}

/**
 * Keeps the estimate current and says why the service is over its memory
 * limit, or null. A walk runs when the estimate crosses the limit, when the
 * service allocated as much as its last walk found (after a message only),
 * and, unpatched, on the throttle's clock for a limited service; never more
 * often than the throttle allows. Inside a handler (`running`) the throttle's
 * clock is the service's running time (its idle time does not count: a long
 * handler is checked while it runs); after a message, wall-clock time.
 */
export function overLimit(svc: LuaServiceState, L: LuaState, running: boolean): string | null {
  const sum = estimate(svc, L);
  const limited = svc.memLimit > 0;
  const due = limited
    ? sum > svc.memLimit || !countsAllocations()
    : !running && (svc.memWalked === 0 || svc.memGrown >= Math.max(REWALK_BYTES, svc.memWalked));
  if (!due || performance.now() < (running ? svc.memRunCheckAt : svc.memCheckAt)) return null;
  const bytes = walkMemory(svc);
  if (!limited || bytes <= svc.memLimit) return null;
  const kib = (n: number) => Math.round(n / 1024).toLocaleString('en-US');
  return `[ltask] memory limit: service ${svc.address} (${svc.label}) holds about ${kib(bytes)} KiB, over its limit of ${kib(svc.memLimit)} KiB (mem_count's estimate)`;
}

/** `core.mem_limit(bytes)`: sets the memory limit (0: none); the previous one. */
export function lmemLimit(svc: LuaServiceState, L: LuaState): number {
  const prev = svc.memLimit;
  const n = lauxlib.luaL_checknumber(L, 1);
  if (!(n >= 0)) raise(L, 'ltask.mem_limit: bytes >= 0 (0: no limit)');
  svc.memLimit = n;
  // Checked at the next hook or message end; idle time counts from now.
  svc.memCheckAt = svc.memRunCheckAt = 0;
  svc.leftAt = svc.enteredAt;
  lua.lua_pushnumber(L, prev);
  return 1;
}

/** `core.mem_count(walk)`: the estimate in bytes; with `walk` true, walked first (`collectgarbage("collect")`). */
export function lmemCount(svc: LuaServiceState, L: LuaState): number {
  lua.lua_pushnumber(L, lua.lua_toboolean(L, 1) ? walkMemory(svc) : estimate(svc, L));
  return 1;
}

/** The walk's work list and what it has counted. */
class Walker {
  readonly seen = new Set<unknown>();
  readonly types: number[] = [];
  readonly values: unknown[] = [];
  bytes = 0;

  push(v: TValue | undefined): void {
    if (v && v.type & 0x0f && v.type !== 1 && v.type !== 3) {
      this.types.push(v.type);
      this.values.push(v.value);
    }
  }

  pushTable(t: Table | null | undefined): void {
    if (t) {
      this.types.push(T.TABLE);
      this.values.push(t);
    }
  }

  proto(p: Proto): void {
    if (this.seen.has(p)) return;
    this.seen.add(p);
    this.bytes += SIZE.proto + SIZE.instruction * p.code.length;
    for (const k of p.k) this.push(k);
    for (const q of p.p) this.proto(q);
  }

  /** Counts one value of Lua type `type` and queues what it holds. */
  visit(type: number, v: unknown): void {
    switch (type & 0x0f) {
      case T.STRING:
        this.seen.add(v);
        this.bytes += SIZE.string + (v as TString).realstring.length;
        break;
      case T.TABLE: {
        this.seen.add(v);
        const t = v as Table;
        this.bytes += SIZE.table + SIZE.entry * t.strong.size;
        for (const e of t.strong.values()) {
          this.push(e.key);
          this.push(e.value);
        }
        this.pushTable(t.metatable);
        break;
      }
      case T.FUNCTION:
        if (type === LUA_CLOSURE) {
          this.seen.add(v);
          const f = v as LClosure;
          this.bytes += SIZE.closure + SIZE.upvalue * f.upvals.length;
          for (const u of f.upvals) this.push(u);
          if (f.p) this.proto(f.p);
        } else if (typeof v === 'object' && v !== null) {
          this.seen.add(v);
          const f = v as CClosure;
          this.bytes += SIZE.closure + SIZE.upvalue * f.upvalue.length;
          for (const u of f.upvalue) this.push(u);
        }
        break;
      case T.USERDATA: {
        this.seen.add(v);
        const u = v as Udata;
        this.bytes += SIZE.userdata;
        this.pushTable(u.metatable);
        this.push(u.uservalue);
        break;
      }
      case T.THREAD:
        this.seen.add(v);
        this.bytes += SIZE.thread;
        // The whole stack: a slot above the top still holds its value in the JS heap.
        for (const s of (v as Thread).stack ?? []) this.push(s);
        break;
    }
  }
}

/** What the service reaches from its registry, the basic types' metatables and `threads`, in estimated bytes. */
function walk(L: Thread, threads: Iterable<LuaState>): number {
  const w = new Walker();
  const g = L.l_G;
  w.push(g.l_registry);
  for (const mt of g.mt) w.pushTable(mt);
  for (const t of threads) {
    w.types.push(T.THREAD);
    w.values.push(t);
  }
  while (w.values.length > 0) {
    const v = w.values.pop();
    const type = w.types.pop()!;
    if (!w.seen.has(v)) w.visit(type, v);
  }
  return w.bytes;
}
